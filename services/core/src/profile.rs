//! What a person tells us about themselves, and what they ask for (the
//! filters they narrow the results with are in [`crate::filters`]).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::community::validate_id;
use crate::error::{CoreError, ErrorCode};
use crate::filters::Filters;
use crate::synonyms::Synonyms;
use crate::text::normalize_key;

const MAX_ITEMS_PER_FIELD: usize = 50;
const MAX_ITEM_CHARS: usize = 200;
const MAX_ABOUT_CHARS: usize = 2000;
const MAX_EXCLUDED: usize = 1000;
/// Items of this many words or more are read as typed only (see
/// [`ProfileItem::search_views`]).
pub const SELF_EXPLAINING_WORDS: usize = 3;

/// A person's interest profile. At least one field must say something.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// What they do, e.g. "ICU nurse", "public health student".
    #[serde(default)]
    #[schema(example = json!(["public health student"]))]
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

impl ProfileItem {
    /// The texts whose embeddings, averaged, are the item's search vector (see
    /// [`crate::views`]): the item phrased as what the person looks for, and
    /// as typed. A free-text description is read only as typed.
    ///
    /// With the vocabulary ([`crate::synonyms`]) the request wording places
    /// the item in its field ("a community for penetration testers in
    /// application security"), and a short form, compound or translation is
    /// read in its long form only: "SRE" → "a community for site reliability
    /// engineers in devops", one wording (an ambiguous one like "PM" gets one
    /// per reading). The model does not know "SRE" or "Krankenpfleger", so
    /// reading them as typed only added noise: on the development set
    /// dropping that wording left nDCG@10 unchanged (0.837) and saved a sixth
    /// of the model's work on the load script's profiles.
    ///
    /// An item of [`SELF_EXPLAINING_WORDS`] words or more ("public health
    /// student", "rust systems programmer") is read as typed only: it carries
    /// its own context, and the request wording mostly helps short,
    /// ambiguous items ("R", "nurse", "data scientist"). On the development
    /// set that cost 0.002 nDCG@10 (0.836 → 0.834; five-fold held out 0.834
    /// → 0.833) and saves about 40 % of the model's work on such profiles.
    /// Reading every item as typed only cost 0.005, as a request only 0.026.
    pub fn search_views(&self) -> Vec<String> {
        let synonyms = Synonyms::builtin();
        let long_forms = synonyms.long_forms(&self.text);
        if self.field == ProfileField::About {
            let mut views = vec![self.text.clone()];
            views.extend(long_forms);
            return views;
        }
        if long_forms.is_empty() && self.text.split_whitespace().count() >= SELF_EXPLAINING_WORDS {
            return vec![self.text.clone()];
        }
        let field = synonyms.field(&self.text);
        if long_forms.is_empty() {
            vec![
                self.request_for(&self.text, field.as_deref()),
                self.text.clone(),
            ]
        } else {
            long_forms
                .iter()
                .map(|long_form| self.request_for(long_form, field.as_deref()))
                .collect()
        }
    }

    /// The item phrased as what the person looks for. all-MiniLM-L6-v2 was
    /// trained on sentence pairs, and a bare role ("penetration tester") sits
    /// closer to look-alike words ("testing") than "a community for
    /// penetration testers" does; measured on the development set.
    pub fn search_text(&self) -> String {
        self.request_for(&self.text, None)
    }

    fn request_for(&self, text: &str, field: Option<&str>) -> String {
        let request = match self.field {
            ProfileField::Role if text.ends_with('s') => format!("a community for {text}"),
            ProfileField::Role => format!("a community for {text}s"),
            ProfileField::Skill | ProfileField::Interest => format!("a community about {text}"),
            ProfileField::About => text.to_string(),
        };
        match field {
            Some(field) => format!("{request} in {field}"),
            None => request,
        }
    }
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
                let text = value.trim();
                if text.chars().count() > MAX_ITEM_CHARS {
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
                if !text.is_empty() && !duplicate {
                    items.push(ProfileItem {
                        field,
                        text: text.to_string(),
                    });
                }
            }
        }
        let about = self.about.trim();
        if about.chars().count() > MAX_ABOUT_CHARS {
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
    /// Communities not to recommend (e.g. already joined).
    #[serde(default)]
    pub exclude_ids: Vec<String>,
    /// Communities the person marked "not for me": not recommended, and
    /// communities like them move down.
    #[serde(default)]
    pub negative_ids: Vec<String>,
    /// 0 (pure relevance) to 1 (strongly varied results); default 0.3.
    /// Near-duplicates (one community mirrored on two platforms) are held back
    /// whenever it is above 0.
    #[serde(default)]
    pub diversity: Option<f32>,
    /// 1 to 100; default 10.
    #[serde(default)]
    pub limit: Option<usize>,
    /// Results to skip, for paging; default 0.
    #[serde(default)]
    pub offset: Option<usize>,
}

impl RecommendRequest {
    pub fn needs_vocabulary(&self) -> bool {
        self.filters.needs_vocabulary()
    }

    /// Excluded and negative ids together (both are never recommended).
    pub fn validated_exclusions(&self) -> Result<Vec<String>, CoreError> {
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
            for id in ids {
                validate_id(id)?;
            }
        }
        let mut all = self.exclude_ids.clone();
        all.extend(self.negative_ids.iter().cloned());
        Ok(all)
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
    fn empty_profile_is_rejected_with_its_own_code() {
        let p = Profile {
            roles: vec!["  ".into()],
            ..Default::default()
        };
        assert_eq!(p.items().unwrap_err().code, ErrorCode::EmptyProfile);
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

    fn role(text: &str) -> ProfileItem {
        ProfileItem {
            field: ProfileField::Role,
            text: text.into(),
        }
    }

    #[test]
    fn short_items_are_read_as_requests_and_as_typed_longer_ones_as_typed() {
        assert_eq!(
            role("statistician").search_views(),
            vec!["a community for statisticians", "statistician"]
        );
        assert_eq!(
            role("rust systems programmer").search_views(),
            vec!["rust systems programmer"]
        );
        // A vocabulary term is read in its long form whatever its length.
        assert_eq!(
            role("SRE").search_views(),
            vec!["a community for site reliability engineers in devop"]
        );
    }
}
