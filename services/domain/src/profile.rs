//! What a person tells us about themselves, and what they ask for (the
//! filters they narrow the results with are in [`crate::filters`]).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{CoreError, ErrorCode};
use crate::filters::Filters;
use crate::ids::CommunityId;
use crate::text::normalize_key;

const MAX_ITEMS_PER_FIELD: usize = 50;
const MAX_ITEM_CHARS: usize = 200;
const MAX_ABOUT_CHARS: usize = 2000;
const MAX_EXCLUDED: usize = 1000;

/// A person's interest profile. At least one field must say something.
/// (Its OpenAPI schema is written by hand below: the "at least one"
/// rule is an `anyOf` no derive can say.)
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// What they do, e.g. "ICU nurse", "public health student".
    #[serde(default)]
    pub roles: Vec<String>,
    #[serde(default)]
    pub skills: Vec<String>,
    #[serde(default)]
    pub interests: Vec<String>,
    /// Free text in their own words.
    #[serde(default)]
    pub about: String,
}

/// Which profile field an item came from; the field decides its weight and how
/// an explanation names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProfileField {
    Role,
    Skill,
    Interest,
    About,
}

impl ProfileField {
    pub fn noun(self) -> &'static str {
        match self {
            ProfileField::Role => "role",
            ProfileField::Skill => "skill",
            ProfileField::Interest => "interest",
            ProfileField::About => "description of yourself",
        }
    }
}

/// One non-empty piece of a profile.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileItem {
    pub field: ProfileField,
    pub text: String,
}

impl utoipa::PartialSchema for Profile {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{
            AllOfBuilder, AnyOfBuilder, ArrayBuilder, ObjectBuilder, SchemaType, Type,
        };
        // Blank is what `str::trim` removes; the pattern is its ASCII part,
        // and the server's check of it is the same.
        const SAYS_SOMETHING: &str = "[^ \\t\\r\\n]";
        let text = |max: usize| {
            ObjectBuilder::new()
                .schema_type(SchemaType::new(Type::String))
                .max_length(Some(max))
        };
        let list = |example: Option<serde_json::Value>| {
            ArrayBuilder::new()
                .items(text(MAX_ITEM_CHARS).pattern(Some(SAYS_SOMETHING)))
                .max_items(Some(MAX_ITEMS_PER_FIELD))
                .examples(example)
        };
        // Every item says something, so a list says something when it has
        // an item; `about` may be blank, but then another field must not be.
        let says_something = |field: &str| {
            let filled: utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> =
                if field == "about" {
                    text(MAX_ABOUT_CHARS).pattern(Some(SAYS_SOMETHING)).into()
                } else {
                    ArrayBuilder::new().min_items(Some(1)).into()
                };
            ObjectBuilder::new().required(field).property(field, filled)
        };
        let fields = ObjectBuilder::new()
            .schema_type(SchemaType::new(Type::Object))
            .description(Some(
                "A person's interest profile. At least one field must say something: a \
                 role, skill or interest that is not blank, or an `about` that is not.",
            ))
            .property(
                "roles",
                list(Some(serde_json::json!(["public health student"]))).description(Some(
                    "What they do, e.g. \"ICU nurse\", \"public health student\".",
                )),
            )
            .property("skills", list(None))
            .property("interests", list(None))
            .property(
                "about",
                text(MAX_ABOUT_CHARS).description(Some("Free text in their own words.")),
            )
            .additional_properties(Some(
                utoipa::openapi::schema::AdditionalProperties::FreeForm(false),
            ));
        let any = ["roles", "skills", "interests", "about"]
            .into_iter()
            .fold(AnyOfBuilder::new(), |any, f| any.item(says_something(f)));
        AllOfBuilder::new().item(fields).item(any).into()
    }
}

impl utoipa::ToSchema for Profile {}

/// `text` without the blanks around it: exactly the characters the
/// schema's pattern calls blank (space, tab, CR, LF), so that a field the
/// document calls filled is never taken for empty.
fn trim_blank(text: &str) -> &str {
    text.trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n'))
}

impl Profile {
    /// Validates sizes and returns the non-empty items, roles first.
    pub fn items(&self) -> Result<Vec<ProfileItem>, CoreError> {
        let mut items = Vec::new();
        for (field, name, values) in [
            (ProfileField::Role, "roles", &self.roles),
            (ProfileField::Skill, "skills", &self.skills),
            (ProfileField::Interest, "interests", &self.interests),
        ] {
            if values.len() > MAX_ITEMS_PER_FIELD {
                return Err(CoreError::new(
                    ErrorCode::InvalidProfile,
                    format!(
                        "profile.{name} has {} items; at most {MAX_ITEMS_PER_FIELD} are allowed",
                        values.len()
                    ),
                ));
            }
            for value in values {
                let text = trim_blank(value);
                if text.is_empty() {
                    return Err(CoreError::new(
                        ErrorCode::InvalidProfile,
                        format!("profile.{name} has a blank item; leave it out"),
                    ));
                }
                if value.chars().count() > MAX_ITEM_CHARS {
                    return Err(CoreError::new(
                        ErrorCode::InvalidProfile,
                        format!(
                            "an item of profile.{name} is longer than {MAX_ITEM_CHARS} characters"
                        ),
                    ));
                }
                let duplicate = items.iter().any(|i: &ProfileItem| {
                    i.field == field && normalize_key(&i.text) == normalize_key(text)
                });
                if !duplicate {
                    items.push(ProfileItem {
                        field,
                        text: text.to_string(),
                    });
                }
            }
        }
        let about = trim_blank(&self.about);
        if self.about.chars().count() > MAX_ABOUT_CHARS {
            return Err(CoreError::new(
                ErrorCode::InvalidProfile,
                format!("profile.about is longer than {MAX_ABOUT_CHARS} characters"),
            ));
        }
        if !about.is_empty() {
            items.push(ProfileItem {
                field: ProfileField::About,
                text: about.to_string(),
            });
        }
        if items.is_empty() {
            return Err(CoreError::new(
                ErrorCode::EmptyProfile,
                "the profile is empty: give at least one of roles, skills, interests or about",
            ));
        }
        Ok(items)
    }
}

/// A request for recommendations: a profile, filters, exclusions and paging.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecommendRequest {
    pub profile: Profile,
    #[serde(default)]
    pub filters: Filters,
    /// Communities not to recommend (e.g. already joined); at most 1000.
    #[serde(default)]
    #[schema(value_type = Vec<crate::ids::CommunityId>, max_items = 1000)]
    pub exclude_ids: Vec<String>,
    /// Communities the person marked "not for me": not recommended, and
    /// communities like them move down.
    #[serde(default)]
    #[schema(value_type = Vec<crate::ids::CommunityId>, max_items = 1000)]
    pub negative_ids: Vec<String>,
    /// 0 (pure relevance) to 1 (strongly varied results); default 0
    /// (`ranking.default_diversity`). Near-duplicates (one community mirrored
    /// on two platforms) are held back whatever it is.
    #[serde(default)]
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub diversity: Option<f32>,
    /// 1 to 100; default 10.
    #[serde(default, deserialize_with = "crate::whole::optional")]
    #[schema(minimum = 1, maximum = 100)]
    pub limit: Option<usize>,
    /// Results to skip, for paging: 0 to 1000; default 0.
    #[serde(default, deserialize_with = "crate::whole::optional")]
    #[schema(maximum = 1000)]
    pub offset: Option<usize>,
}

impl RecommendRequest {
    pub fn needs_facet_values(&self) -> bool {
        self.filters.needs_facet_values()
    }

    /// Excluded and negative ids together (both are never recommended),
    /// parsed; the first that is no community id is the error.
    pub fn validated_exclusions(&self) -> Result<Vec<CommunityId>, CoreError> {
        for (name, ids) in [
            ("exclude_ids", &self.exclude_ids),
            ("negative_ids", &self.negative_ids),
        ] {
            if ids.len() > MAX_EXCLUDED {
                return Err(CoreError::new(
                    ErrorCode::InvalidRequestBody,
                    format!("{name} has more than {MAX_EXCLUDED} ids"),
                ));
            }
        }
        self.exclude_ids
            .iter()
            .chain(&self.negative_ids)
            .map(|id| CommunityId::parse(id.as_str()))
            .collect()
    }

    /// The requested diversity, or `default` when not given.
    pub fn validated_diversity(&self, default: f32) -> Result<f32, CoreError> {
        match self.diversity {
            None => Ok(default),
            Some(d) if (0.0..=1.0).contains(&d) => Ok(d),
            Some(d) => Err(CoreError::new(
                ErrorCode::InvalidDiversity,
                format!("diversity must be between 0 and 1, got {d}"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_profile_is_rejected_with_its_own_code_and_a_blank_item_as_invalid() {
        let p = Profile {
            about: " \t ".into(),
            ..Default::default()
        };
        assert_eq!(p.items().unwrap_err().code, ErrorCode::EmptyProfile);
        let p = Profile {
            roles: vec!["nurse".into(), "  ".into()],
            ..Default::default()
        };
        assert_eq!(p.items().unwrap_err().code, ErrorCode::InvalidProfile);
    }

    #[test]
    fn items_keep_field_order_and_drop_duplicates() {
        let p = Profile {
            roles: vec!["ICU nurse".into(), "icu  NURSE".into()],
            interests: vec!["ethics".into()],
            about: "night shifts".into(),
            ..Default::default()
        };
        let items = p.items().unwrap();
        assert_eq!(items.len(), 3);
        assert_eq!(items[0].field, ProfileField::Role);
        assert_eq!(items[2].field, ProfileField::About);
    }
}
