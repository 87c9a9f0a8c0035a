//! A community of practice and the rules for accepting one.
//!
//! Input documents are read leniently where the data is honest about not knowing
//! (missing or null optional fields, unknown extra fields such as `source` or
//! `license` in public lists) and strictly where a wrong value would mislead a
//! person (an id we cannot address, a link that is not http(s), a platform we do
//! not know).
//!
//! The module is split by concern: [`kinds`] (platform, cost, status),
//! [`input`] (validating documents into communities) and [`identity`] (when
//! two catalog entries are the same community) and [`provenance`] (which
//! public lists an entry came from).

mod identity;
mod input;
mod kinds;
mod provenance;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::CoreError;
use crate::ids::CommunityId;
use crate::liveness::LivenessState;
use crate::text::normalize_key;

pub use identity::{name_key, same_community, url_key, Identity};
use input::invalid;
pub use input::{check_timestamp, CommunityInput};
pub use kinds::{Cost, Platform, Status};
pub use provenance::Provenance;

/// A community of practice as copmatch stores and returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Community {
    /// Stable identifier: letters, digits, `.`, `_`, `-`; at most 128 characters.
    #[schema(example = "slack-public-health-hub")]
    pub id: CommunityId,
    pub name: String,
    /// Where a person joins or reads the community.
    pub url: String,
    pub platform: Platform,
    /// Fields of practice, e.g. "Public health".
    pub categories: Vec<String>,
    pub tags: Vec<String>,
    /// Languages spoken there, e.g. "English".
    pub languages: Vec<String>,
    pub cost: Cost,
    pub description: Option<String>,
    pub homepage: Option<String>,
    /// Liveness: `active`, `inactive`, `dead_link` or `unknown`.
    #[serde(default)]
    pub status: Status,
    /// When the link and activity were last checked (`YYYY-MM-DD` or RFC 3339).
    #[serde(default)]
    pub last_verified_at: Option<String>,
    /// When the community last showed activity, if known.
    #[serde(default)]
    pub last_activity_at: Option<String>,
    #[serde(default)]
    pub member_count: Option<u64>,
    /// What automatic checks found (see [`crate::liveness`]).
    #[serde(default, skip_serializing_if = "LivenessState::is_empty")]
    pub liveness: LivenessState,
    /// The public lists this entry was harvested from, one record per source.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub provenance: Vec<Provenance>,
}

impl Community {
    /// Parses one JSON document (a catalog line or a request body).
    pub fn from_json_str(line: &str) -> Result<Community, CoreError> {
        let input: CommunityInput = serde_json::from_str(line)
            .map_err(|e| invalid(format!("not a valid community document: {e}")))?;
        input.into_community()
    }

    pub fn from_json_value(value: serde_json::Value) -> Result<Community, CoreError> {
        let input: CommunityInput = serde_json::from_value(value)
            .map_err(|e| invalid(format!("not a valid community document: {e}")))?;
        input.into_community()
    }

    pub fn category_keys(&self) -> Vec<String> {
        self.categories.iter().map(|c| normalize_key(c)).collect()
    }

    pub fn language_keys(&self) -> Vec<String> {
        self.languages.iter().map(|l| normalize_key(l)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn duplicates_are_the_same_link_or_the_same_name_on_one_platform() {
        let c = |id: &str, name: &str, url: &str, platform: &str| {
            Community::from_json_str(&format!(
                r#"{{"id":"{id}","name":"{name}","url":"{url}","platform":"{platform}"}}"#
            ))
            .unwrap()
        };
        assert!(same_community(
            &c("a", "UX", "https://ux.stackexchange.com", "stackexchange"),
            &c(
                "b",
                "User Experience",
                "http://www.ux.stackexchange.com/",
                "stackexchange"
            )
        ));
        assert!(same_community(
            &c("a", "Reactiflux", "https://www.reactiflux.com", "discord"),
            &c(
                "b",
                "Reactiflux",
                "https://discord.gg/reactiflux",
                "discord"
            )
        ));
        assert!(!same_community(
            &c("a", "Arduino", "https://discord.gg/arduino", "discord"),
            &c(
                "b",
                "Arduino",
                "https://arduino.stackexchange.com",
                "stackexchange"
            )
        ));
        assert_eq!(name_key("r/Nursing"), name_key("Nursing Discord Server"));
    }

    const EXTERNAL_LINE: &str = r#"{"id": "discord-devcord", "name": "Devcord", "url": "https://discord.com/invite/devcord", "homepage": "https://devcord.com/", "repository": "https://github.com/devcord", "platform": "discord", "categories": ["Programming in General"], "tags": ["javascript", "code-review"], "languages": ["English"], "official": true, "description": null, "source": "x", "license": "CC-BY-4.0"}"#;

    #[test]
    fn accepts_public_list_line_with_nulls_and_unknown_fields() {
        let c = Community::from_json_str(EXTERNAL_LINE).unwrap();
        assert_eq!(c.platform, Platform::Discord);
        assert_eq!(c.cost, Cost::Unknown);
        assert_eq!(c.description, None);
        assert_eq!(c.tags, vec!["javascript", "code-review"]);
    }

    #[test]
    fn rejects_missing_name_with_field_in_message() {
        let err = Community::from_json_str(r#"{"id":"a","url":"https://x.org","platform":"web"}"#)
            .unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidCommunity);
        assert!(err.message.contains("`name`"), "{}", err.message);
    }

    #[test]
    fn rejects_unknown_platform_listing_allowed_ones() {
        let err = Community::from_json_str(
            r#"{"id":"a","name":"A","url":"https://x.org","platform":"myspace"}"#,
        )
        .unwrap_err();
        assert!(err.message.contains("slack"), "{}", err.message);
    }

    #[test]
    fn rejects_non_http_urls_and_bad_ids() {
        let bad_url = r#"{"id":"a","name":"A","url":"javascript:alert(1)","platform":"web"}"#;
        assert_eq!(
            Community::from_json_str(bad_url).unwrap_err().code,
            ErrorCode::InvalidCommunity
        );
        let bad_id = r#"{"id":"a b","name":"A","url":"https://x.org","platform":"web"}"#;
        assert_eq!(
            Community::from_json_str(bad_id).unwrap_err().code,
            ErrorCode::InvalidCommunityId
        );
        let reserved = r#"{"id":"import","name":"A","url":"https://x.org","platform":"web"}"#;
        assert_eq!(
            Community::from_json_str(reserved).unwrap_err().code,
            ErrorCode::InvalidCommunityId
        );
    }

    #[test]
    fn liveness_fields_are_validated() {
        let ok = Community::from_json_str(
            r#"{"id":"a","name":"A","url":"https://x.org","platform":"web","status":"dead-link","last_verified_at":"2026-11-01","member_count":12}"#,
        )
        .unwrap();
        assert_eq!(ok.status, Status::DeadLink);
        assert_eq!(ok.member_count, Some(12));
        for bad in [
            r#""status":"zombie""#,
            r#""last_verified_at":"yesterday""#,
            r#""last_activity_at":"2026-13-01""#,
            r#""last_verified_at":"2026-02-31""#,
        ] {
            let line =
                format!(r#"{{"id":"a","name":"A","url":"https://x.org","platform":"web",{bad}}}"#);
            assert_eq!(
                Community::from_json_str(&line).unwrap_err().code,
                ErrorCode::InvalidCommunity,
                "{bad}"
            );
        }
        let missing = Community::from_json_str(
            r#"{"id":"a","name":"A","url":"https://x.org","platform":"web"}"#,
        )
        .unwrap();
        assert_eq!(missing.status, Status::Unknown);
    }

    #[test]
    fn cleans_lists_and_normalizes_platform_spelling() {
        let c = Community::from_json_str(
            r#"{"id":"a","name":"A","url":"https://x.org","platform":"Stack Exchange","tags":[" x ","X",""],"cost":"FREE"}"#,
        )
        .unwrap();
        assert_eq!(c.platform, Platform::Stackexchange);
        assert_eq!(c.tags, vec!["x"]);
        assert_eq!(c.cost, Cost::Free);
    }
}
