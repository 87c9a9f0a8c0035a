//! Community submissions and reports, and their moderation.
//!
//! Anyone may submit a community or report a dead link; the item waits in a
//! queue until a moderator approves or rejects it. A submitted community is
//! checked for likely duplicates of catalog entries when it arrives (same link
//! or same name on the same platform, or a near-identical name and
//! description by embedding) and the moderator sees those flags. Approving a
//! community embeds and indexes it at once; approving a dead-link report marks
//! the community `dead_link`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use copmatch_domain::community::{same_community, Community, CommunityInput};
use copmatch_domain::error::{CoreError, ErrorCode};
use copmatch_domain::ids::CommunityId;

const MAX_CONTACT_CHARS: usize = 200;
const MAX_NOTE_CHARS: usize = 1000;
const MAX_LINKS_IN_TEXT: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// A new community for the catalog.
    Community,
    /// A report that a community's link is dead.
    DeadLinkReport,
    /// The liveness checker saw the link redirect permanently; approving
    /// replaces the community's url with `suggested_url`.
    MovedLink,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    Pending,
    Approved,
    Rejected,
}

impl ItemState {
    pub fn parse(raw: &str) -> Option<ItemState> {
        match raw {
            "pending" => Some(ItemState::Pending),
            "approved" => Some(ItemState::Approved),
            "rejected" => Some(ItemState::Rejected),
            _ => None,
        }
    }
}

/// Why a submission may repeat a catalog entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DuplicateFlag {
    pub community_id: CommunityId,
    pub name: String,
    pub reason: String,
}

/// One item in the moderation queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ModerationItem {
    #[schema(example = "sub-019ae4c2b1d07c3e9f1a2b3c4d5e6f70")]
    pub id: String,
    pub kind: ItemKind,
    pub state: ItemState,
    /// The community submitted, or the community reported.
    pub community: Community,
    /// How to reach the submitter, if they gave it (shown to moderators only).
    pub contact: Option<String>,
    pub note: Option<String>,
    /// Likely duplicates found when the item arrived.
    pub duplicates: Vec<DuplicateFlag>,
    /// Seconds since the Unix epoch.
    pub created_at: u64,
    pub decided_at: Option<u64>,
    /// A moderator's reason for rejecting.
    pub reason: Option<String>,
    /// The new address a `moved_link` item suggests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggested_url: Option<String>,
}

/// A submission: a community document plus how to reach the submitter.
/// (Its schema is written by hand: a submission also needs a description.)
#[derive(Debug, Deserialize)]
pub struct SubmissionInput {
    #[serde(flatten)]
    pub community: CommunityInput,
    #[serde(default)]
    pub contact: Option<String>,
}

/// Text without markup, as [`check_text`] wants it: a `<` never opens a tag
/// (followed by a letter or `/`). The schema says so, so that a client (or a
/// property-based test) reading it never sends what the service refuses.
const PLAIN_TEXT: &str = "^(?:[^<]|<[^A-Za-z/])*<?$";

impl utoipa::PartialSchema for SubmissionInput {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{
            AllOfBuilder, ArrayBuilder, ObjectBuilder, SchemaType, Type,
        };
        let plain = || {
            ObjectBuilder::new()
                .schema_type(SchemaType::new(Type::String))
                .pattern(Some(PLAIN_TEXT))
        };
        let plain_list = || ArrayBuilder::new().items(plain());
        AllOfBuilder::new()
            .item(utoipa::openapi::Ref::from_schema_name("CommunityInput"))
            .item(
                ObjectBuilder::new()
                    .required("description")
                    .property("name", plain())
                    .property(
                        "description",
                        AllOfBuilder::new()
                            .item(
                                ObjectBuilder::new()
                                    .schema_type(SchemaType::new(Type::String))
                                    .max_length(Some(5000))
                                    .pattern(Some("[^ \\t\\r\\n]")),
                            )
                            .item(plain())
                            .description(Some(
                                "Who the community is for, in a sentence or two (required here).",
                            )),
                    )
                    .property("tags", plain_list())
                    .property("categories", plain_list())
                    .property(
                        "contact",
                        ObjectBuilder::new()
                            .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
                            .max_length(Some(MAX_CONTACT_CHARS))
                            .pattern(Some(PLAIN_TEXT))
                            .description(Some("How to reach the submitter (moderators only).")),
                    ),
            )
            .description(Some(
                "A submission: a community document plus how to reach the submitter. Plain \
                 text only: name, description, categories, tags and contact may hold no HTML \
                 and at most three links.",
            ))
            .into()
    }
}

impl utoipa::ToSchema for SubmissionInput {}

/// A report that a community's link is dead.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    #[schema(value_type = CommunityId)]
    pub community_id: String,
    /// Only `dead_link` for now.
    #[schema(value_type = ReportKind)]
    pub kind: String,
    /// Plain text, at most 1,000 characters.
    #[serde(default)]
    #[schema(max_length = 1000, pattern = "^(?:[^<]|<[^A-Za-z/])*<?$")]
    pub note: Option<String>,
}

/// What a report says (the schema of [`ReportInput::kind`]).
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum ReportKind {
    DeadLink,
}

/// A moderator's rejection.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectInput {
    /// Why, in 1 to 500 characters, not all blank.
    #[schema(min_length = 1, max_length = 500, pattern = "[^ \\t\\r\\n]")]
    pub reason: String,
}

fn invalid(message: impl Into<String>) -> CoreError {
    CoreError::new(ErrorCode::InvalidSubmission, message)
}

/// Refuses markup and link spam in free text; a person describing a
/// community has no need for either.
fn check_text(field: &str, text: &str) -> Result<(), CoreError> {
    let lower = text.to_lowercase();
    let has_markup = lower.contains("<script") || lower.contains("javascript:") || {
        let bytes = text.as_bytes();
        bytes
            .windows(2)
            .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || w[1] == b'/'))
    };
    if has_markup {
        return Err(invalid(format!(
            "`{field}` contains HTML or script; plain text only"
        )));
    }
    let links = lower.matches("http://").count()
        + lower.matches("https://").count()
        + lower.matches("www.").count();
    if links > MAX_LINKS_IN_TEXT {
        return Err(invalid(format!(
            "`{field}` contains {links} links; at most {MAX_LINKS_IN_TEXT} are allowed"
        )));
    }
    Ok(())
}

/// An id for a submitted community that did not bring one: its name as a slug.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for ch in name.chars().flat_map(char::to_lowercase) {
        if ch.is_ascii_alphanumeric() {
            out.push(ch);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').chars().take(100).collect()
}

impl SubmissionInput {
    /// Validates the submission into a community (its id derived from the name
    /// when absent) and the contact.
    pub fn validate(mut self) -> Result<(Community, Option<String>), CoreError> {
        if self
            .community
            .id
            .as_deref()
            .is_none_or(|id| id.trim().is_empty())
        {
            let name = self.community.name.clone().unwrap_or_default();
            self.community.id = Some(format!("submitted-{}", slug(&name)));
        }
        for (field, text) in [
            ("name", self.community.name.as_deref()),
            ("description", self.community.description.as_deref()),
        ] {
            if let Some(text) = text {
                check_text(field, text)?;
            }
        }
        for tag in self.community.tags.iter().chain(&self.community.categories) {
            check_text("tags", tag)?;
        }
        let contact = match self
            .contact
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
        {
            Some(c) if c.chars().count() > MAX_CONTACT_CHARS => {
                return Err(invalid(format!(
                    "`contact` is longer than {MAX_CONTACT_CHARS} characters"
                )))
            }
            Some(c) => {
                check_text("contact", &c)?;
                Some(c)
            }
            None => None,
        };
        let community = self
            .community
            .into_community()
            .map_err(|e| invalid(e.message))?;
        if community.description.is_none() {
            return Err(invalid(
                "`description` is required: say in a sentence or two who the community is for",
            ));
        }
        Ok((community, contact))
    }
}

impl ReportInput {
    pub fn validated_note(&self) -> Result<Option<String>, CoreError> {
        if self.kind != "dead_link" {
            return Err(invalid(format!(
                "unknown report kind {:?}; expected \"dead_link\"",
                self.kind
            )));
        }
        match self
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            Some(n) if n.chars().count() > MAX_NOTE_CHARS => Err(invalid(format!(
                "`note` is longer than {MAX_NOTE_CHARS} characters"
            ))),
            Some(n) => check_text("note", n).map(|_| Some(n.to_string())),
            None => Ok(None),
        }
    }
}

/// Flags for catalog entries that look like the submitted community.
/// `neighbours` are the nearest catalog entries with their cosine similarity.
pub fn duplicate_flags(
    submitted: &Community,
    neighbours: &[(Community, f32)],
) -> Vec<DuplicateFlag> {
    neighbours
        .iter()
        .filter_map(|(c, cos)| {
            let reason = if submitted.id == c.id {
                "has the same id as a catalog entry".to_string()
            } else if same_community(submitted, c) {
                "has the same link, or the same name on the same platform".to_string()
            } else if *cos >= 0.92 {
                format!("has a near-identical name and description (similarity {cos:.2})")
            } else {
                return None;
            };
            Some(DuplicateFlag {
                community_id: c.id.clone(),
                name: c.name.clone(),
                reason,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(json: &str) -> SubmissionInput {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_plain_submission_gets_an_id_from_its_name() {
        let (c, contact) = input(r#"{"name":"Night Owls: Nurses!","url":"https://x.org","platform":"discord","description":"Night-shift nurses.","contact":"me@x.org"}"#)
            .validate()
            .unwrap();
        assert_eq!(c.id, "submitted-night-owls-nurses");
        assert_eq!(contact.as_deref(), Some("me@x.org"));
    }

    #[test]
    fn markup_link_spam_and_missing_descriptions_are_refused() {
        for bad in [
            r#"{"name":"<b>X</b>","url":"https://x.org","platform":"web","description":"d"}"#,
            r#"{"name":"X","url":"https://x.org","platform":"web","description":"see https://a.com https://b.com https://c.com https://d.com"}"#,
            r#"{"name":"X","url":"javascript:alert(1)","platform":"web","description":"d"}"#,
            r#"{"name":"X","url":"https://x.org","platform":"web"}"#,
        ] {
            assert_eq!(
                input(bad).validate().unwrap_err().code,
                ErrorCode::InvalidSubmission,
                "{bad}"
            );
        }
    }

    #[test]
    fn duplicates_are_flagged_with_a_reason() {
        let (c, _) = input(r#"{"name":"Rust Users","url":"https://users.rust-lang.org/","platform":"forum","description":"Rust help."}"#).validate().unwrap();
        let existing = Community::from_json_str(r#"{"id":"rust-users","name":"Rust Users Forum","url":"https://users.rust-lang.org","platform":"forum"}"#).unwrap();
        let other = Community::from_json_str(
            r#"{"id":"go","name":"Gophers","url":"https://go.dev","platform":"slack"}"#,
        )
        .unwrap();
        let flags = duplicate_flags(&c, &[(existing, 0.7), (other, 0.5)]);
        assert_eq!(flags.len(), 1);
        assert_eq!(flags[0].community_id, "rust-users");
        assert!(flags[0].reason.contains("same link"));
    }
}
