//! A community of practice and the rules for accepting one.
//!
//! Input documents are read leniently where the data is honest about not knowing
//! (missing or null optional fields, unknown extra fields such as `source` or
//! `license` in public lists) and strictly where a wrong value would mislead a
//! person (an id we cannot address, a link that is not http(s), a platform we do
//! not know).

use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use crate::error::{CoreError, ErrorCode};
use crate::text::normalize_key;

pub const MAX_ID_LEN: usize = 128;
const MAX_NAME_LEN: usize = 200;
const MAX_URL_LEN: usize = 2048;
const MAX_DESCRIPTION_LEN: usize = 5000;
const MAX_LIST_ITEMS: usize = 50;
const MAX_LIST_ITEM_LEN: usize = 100;

/// Where a community lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    Slack,
    Discord,
    Linkedin,
    Forum,
    Reddit,
    Stackexchange,
    Association,
    Meetup,
    MailingList,
    Telegram,
    Matrix,
    Mastodon,
    Facebook,
    Github,
    Web,
}

impl Platform {
    pub const ALL: [Platform; 15] = [
        Platform::Slack,
        Platform::Discord,
        Platform::Linkedin,
        Platform::Forum,
        Platform::Reddit,
        Platform::Stackexchange,
        Platform::Association,
        Platform::Meetup,
        Platform::MailingList,
        Platform::Telegram,
        Platform::Matrix,
        Platform::Mastodon,
        Platform::Facebook,
        Platform::Github,
        Platform::Web,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Slack => "slack",
            Platform::Discord => "discord",
            Platform::Linkedin => "linkedin",
            Platform::Forum => "forum",
            Platform::Reddit => "reddit",
            Platform::Stackexchange => "stackexchange",
            Platform::Association => "association",
            Platform::Meetup => "meetup",
            Platform::MailingList => "mailing_list",
            Platform::Telegram => "telegram",
            Platform::Matrix => "matrix",
            Platform::Mastodon => "mastodon",
            Platform::Facebook => "facebook",
            Platform::Github => "github",
            Platform::Web => "web",
        }
    }

    /// The platform's name, for menus.
    pub fn label(self) -> &'static str {
        match self {
            Platform::Slack => "Slack",
            Platform::Discord => "Discord",
            Platform::Linkedin => "LinkedIn",
            Platform::Forum => "Forum",
            Platform::Reddit => "Reddit",
            Platform::Stackexchange => "Stack Exchange",
            Platform::Association => "Association",
            Platform::Meetup => "Meetup",
            Platform::MailingList => "Mailing list",
            Platform::Telegram => "Telegram",
            Platform::Matrix => "Matrix",
            Platform::Mastodon => "Mastodon",
            Platform::Facebook => "Facebook",
            Platform::Github => "GitHub",
            Platform::Web => "Website",
        }
    }

    /// What kind of place it is, as a person would say it.
    pub fn kind_phrase(self) -> &'static str {
        match self {
            Platform::Slack => "a Slack workspace",
            Platform::Discord => "a Discord server",
            Platform::Linkedin => "a LinkedIn group",
            Platform::Forum => "a forum",
            Platform::Reddit => "a subreddit",
            Platform::Stackexchange => "a Stack Exchange Q&A site",
            Platform::Association => "a professional association",
            Platform::Meetup => "in-person meetups",
            Platform::MailingList => "a mailing list",
            Platform::Telegram => "a Telegram group",
            Platform::Matrix => "a Matrix room",
            Platform::Mastodon => "a Mastodon instance",
            Platform::Facebook => "a Facebook group",
            Platform::Github => "a GitHub community",
            Platform::Web => "a website community",
        }
    }

    /// Parses a platform name case-insensitively; `stack exchange`, `stack-exchange`
    /// and `mailing-list` spellings are accepted.
    pub fn parse(raw: &str) -> Option<Platform> {
        let key = raw.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        let key = if key == "stack_exchange" { "stackexchange".to_string() } else { key };
        Platform::ALL.into_iter().find(|p| p.as_str() == key)
    }

    pub fn allowed_list() -> String {
        Platform::ALL.map(Platform::as_str).join(", ")
    }
}

/// Whether joining costs money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Cost {
    Free,
    Paid,
    Unknown,
}

impl Cost {
    pub fn as_str(self) -> &'static str {
        match self {
            Cost::Free => "free",
            Cost::Paid => "paid",
            Cost::Unknown => "unknown",
        }
    }

    pub fn parse(raw: &str) -> Option<Cost> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "free" => Some(Cost::Free),
            "paid" => Some(Cost::Paid),
            "unknown" => Some(Cost::Unknown),
            _ => None,
        }
    }
}

/// Whether a community is alive, as far as we know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Operating and reachable when last checked.
    Active,
    /// Reachable but with little or no recent activity.
    Inactive,
    /// The link no longer leads to the community.
    DeadLink,
    /// Nobody has checked.
    #[default]
    Unknown,
}

impl Status {
    pub const ALL: [Status; 4] = [Status::Active, Status::Inactive, Status::DeadLink, Status::Unknown];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Inactive => "inactive",
            Status::DeadLink => "dead_link",
            Status::Unknown => "unknown",
        }
    }

    pub fn parse(raw: &str) -> Option<Status> {
        let key = raw.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        Status::ALL.into_iter().find(|s| s.as_str() == key)
    }
}

/// Version of [`Community::embedding_text`]. Stored vectors are only valid for
/// the text they were computed from, so a store is kept per version and an
/// older one is re-embedded into the current one.
pub const EMBEDDING_TEXT_VERSION: u32 = 2;

/// A community of practice as copmatch stores and returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Community {
    /// Stable identifier: letters, digits, `.`, `_`, `-`; at most 128 characters.
    #[schema(example = "slack-public-health-hub")]
    pub id: String,
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
}

/// The accepted input shape: what the catalog files, the import endpoint and
/// `PUT /v1/communities/{id}` take. Unknown fields are ignored.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CommunityInput {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub platform: Option<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub categories: Vec<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub tags: Vec<String>,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub languages: Vec<String>,
    /// free, paid or unknown (the default).
    #[serde(default)]
    pub cost: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub homepage: Option<String>,
    /// active, inactive, dead_link or unknown (the default).
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub last_verified_at: Option<String>,
    #[serde(default)]
    pub last_activity_at: Option<String>,
    #[serde(default)]
    pub member_count: Option<u64>,
}

fn null_as_empty<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    Ok(Option::<Vec<String>>::deserialize(d)?.unwrap_or_default())
}

fn invalid(message: String) -> CoreError {
    CoreError::new(ErrorCode::InvalidCommunity, message)
}

/// Ids that name API routes (`/v1/communities/import`) and so cannot name a community.
const RESERVED_IDS: [&str; 1] = ["import"];

/// Checks that `id` can name a community.
pub fn validate_id(id: &str) -> Result<(), CoreError> {
    if RESERVED_IDS.contains(&id) {
        return Err(CoreError::new(
            ErrorCode::InvalidCommunityId,
            format!("{id:?} is reserved by the API and cannot be a community id"),
        ));
    }
    let ok = !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err(CoreError::new(
            ErrorCode::InvalidCommunityId,
            format!(
                "invalid community id {id:?}: use 1 to {MAX_ID_LEN} letters, digits, '.', '_' or '-'"
            ),
        ))
    }
}

/// Accepts `YYYY-MM-DD`, optionally followed by `T` and a time (RFC 3339).
pub fn check_timestamp(field: &str, value: Option<String>) -> Result<Option<String>, CoreError> {
    let Some(value) = value.map(|v| v.trim().to_string()).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let b = value.as_bytes();
    let digits = |r: std::ops::Range<usize>| r.clone().all(|i| b.get(i).is_some_and(u8::is_ascii_digit));
    let date_ok = b.len() >= 10 && digits(0..4) && b[4] == b'-' && digits(5..7) && b[7] == b'-' && digits(8..10);
    let month: u32 = value.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(0);
    let day: u32 = value.get(8..10).and_then(|d| d.parse().ok()).unwrap_or(0);
    let rest_ok = b.len() == 10 || (b.get(10) == Some(&b'T') && b.len() >= 20 && b.len() <= 35);
    if date_ok && (1..=12).contains(&month) && (1..=31).contains(&day) && rest_ok {
        Ok(Some(value))
    } else {
        Err(invalid(format!("`{field}` must be a date like 2026-11-21 or an RFC 3339 time, got {value:?}")))
    }
}

fn required(field: &str, value: Option<String>) -> Result<String, CoreError> {
    match value.map(|v| v.trim().to_string()) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(invalid(format!("`{field}` is required"))),
    }
}

fn check_len(field: &str, value: &str, max: usize) -> Result<(), CoreError> {
    if value.chars().count() > max {
        return Err(invalid(format!("`{field}` is longer than {max} characters")));
    }
    Ok(())
}

fn check_url(field: &str, value: &str) -> Result<(), CoreError> {
    check_len(field, value, MAX_URL_LEN)?;
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !value.contains(char::is_whitespace) => Ok(()),
        _ => Err(invalid(format!("`{field}` must be an http(s) URL, got {value:?}"))),
    }
}

/// Trims items, drops blanks and case-insensitive duplicates, keeps order.
fn clean_list(field: &str, items: Vec<String>) -> Result<Vec<String>, CoreError> {
    if items.len() > MAX_LIST_ITEMS {
        return Err(invalid(format!("`{field}` has more than {MAX_LIST_ITEMS} items")));
    }
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        let item = item.trim().to_string();
        if item.is_empty() {
            continue;
        }
        check_len(field, &item, MAX_LIST_ITEM_LEN)?;
        if seen.insert(normalize_key(&item)) {
            out.push(item);
        }
    }
    Ok(out)
}

impl CommunityInput {
    /// Validates and normalizes the input into a [`Community`].
    pub fn into_community(self) -> Result<Community, CoreError> {
        let id = required("id", self.id)?;
        validate_id(&id)?;
        let name = required("name", self.name)?;
        check_len("name", &name, MAX_NAME_LEN)?;
        let url = required("url", self.url)?;
        check_url("url", &url)?;
        let platform_raw = required("platform", self.platform)?;
        let platform = Platform::parse(&platform_raw).ok_or_else(|| {
            invalid(format!(
                "unknown platform {platform_raw:?}; expected one of {}",
                Platform::allowed_list()
            ))
        })?;
        let cost = match self.cost.as_deref().map(str::trim) {
            None | Some("") => Cost::Unknown,
            Some(raw) => Cost::parse(raw).ok_or_else(|| {
                invalid(format!("unknown cost {raw:?}; expected free, paid or unknown"))
            })?,
        };
        let description = match self.description.map(|d| d.trim().to_string()) {
            Some(d) if !d.is_empty() => {
                check_len("description", &d, MAX_DESCRIPTION_LEN)?;
                Some(d)
            }
            _ => None,
        };
        let homepage = match self.homepage.map(|h| h.trim().to_string()) {
            Some(h) if !h.is_empty() => {
                check_url("homepage", &h)?;
                Some(h)
            }
            _ => None,
        };
        let status = match self.status.as_deref().map(str::trim) {
            None | Some("") => Status::Unknown,
            Some(raw) => Status::parse(raw).ok_or_else(|| {
                invalid(format!("unknown status {raw:?}; expected active, inactive, dead_link or unknown"))
            })?,
        };
        Ok(Community {
            status,
            last_verified_at: check_timestamp("last_verified_at", self.last_verified_at)?,
            last_activity_at: check_timestamp("last_activity_at", self.last_activity_at)?,
            member_count: self.member_count,
            id,
            name,
            url,
            platform,
            categories: clean_list("categories", self.categories)?,
            tags: clean_list("tags", self.tags)?,
            languages: clean_list("languages", self.languages)?,
            cost,
            description,
            homepage,
        })
    }
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

    /// The text the embedding model reads for this community: a sentence
    /// saying what kind of place it is and for which fields, then the
    /// description and topics. Many public-list entries have no description;
    /// the sentence gives the model context that bare tags do not. Tags such
    /// as `c-cpp-csharp` are turned back into words.
    pub fn embedding_text(&self) -> String {
        let mut text = format!("{}: {}", self.name, self.platform.kind_phrase());
        if !self.categories.is_empty() {
            text.push_str(" for ");
            text.push_str(&self.categories.join(", "));
        }
        text.push('.');
        if let Some(d) = &self.description {
            text.push(' ');
            text.push_str(d);
        }
        let tags: Vec<String> = self.tags.iter().map(|t| t.replace(['-', '_'], " ")).collect();
        if !tags.is_empty() {
            text.push_str(" Topics: ");
            text.push_str(&tags.join(", "));
        }
        text
    }

    pub fn category_keys(&self) -> Vec<String> {
        self.categories.iter().map(|c| normalize_key(c)).collect()
    }

    pub fn language_keys(&self) -> Vec<String> {
        self.languages.iter().map(|l| normalize_key(l)).collect()
    }
}

/// A community's name without the words that only name its platform.
pub fn name_key(name: &str) -> String {
    normalize_key(name)
        .replace("r/", "")
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .filter(|w| !matches!(*w, "discord" | "slack" | "server" | "forum" | "forums" | "community" | "reddit" | "subreddit" | "official" | "the"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A URL without scheme, `www.`, case and trailing slash.
pub fn url_key(url: &str) -> String {
    let lower = url.trim().to_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://")).unwrap_or(&lower);
    rest.strip_prefix("www.").unwrap_or(rest).trim_end_matches('/').to_string()
}

/// Whether two catalog entries are one community listed twice: the same
/// link or homepage, or the same name on the same platform.
pub fn same_community(a: &Community, b: &Community) -> bool {
    let links = |c: &Community| -> Vec<String> { std::iter::once(&c.url).chain(&c.homepage).map(|u| url_key(u)).collect() };
    let (la, lb) = (links(a), links(b));
    let name = name_key(&a.name);
    la.iter().any(|u| lb.contains(u)) || (a.platform == b.platform && !name.is_empty() && name == name_key(&b.name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicates_are_the_same_link_or_the_same_name_on_one_platform() {
        let c = |id: &str, name: &str, url: &str, platform: &str| {
            Community::from_json_str(&format!(r#"{{"id":"{id}","name":"{name}","url":"{url}","platform":"{platform}"}}"#)).unwrap()
        };
        assert!(same_community(&c("a", "UX", "https://ux.stackexchange.com", "stackexchange"), &c("b", "User Experience", "http://www.ux.stackexchange.com/", "stackexchange")));
        assert!(same_community(&c("a", "Reactiflux", "https://www.reactiflux.com", "discord"), &c("b", "Reactiflux", "https://discord.gg/reactiflux", "discord")));
        assert!(!same_community(&c("a", "Arduino", "https://discord.gg/arduino", "discord"), &c("b", "Arduino", "https://arduino.stackexchange.com", "stackexchange")));
        assert_eq!(name_key("r/Nursing"), name_key("Nursing Discord Server"));
    }

    const EXTERNAL_LINE: &str = r#"{"id": "discord-devcord", "name": "Devcord", "url": "https://discord.com/invite/devcord", "homepage": "https://devcord.com/", "repository": "https://github.com/devcord", "platform": "discord", "categories": ["Programming in General"], "tags": ["javascript", "code-review"], "languages": ["English"], "official": true, "description": null, "source": "x", "license": "CC-BY-4.0"}"#;

    #[test]
    fn accepts_public_list_line_with_nulls_and_unknown_fields() {
        let c = Community::from_json_str(EXTERNAL_LINE).unwrap();
        assert_eq!(c.platform, Platform::Discord);
        assert_eq!(c.cost, Cost::Unknown);
        assert_eq!(c.description, None);
        assert_eq!(
            c.embedding_text(),
            "Devcord: a Discord server for Programming in General. Topics: javascript, code review"
        );
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
        assert_eq!(Community::from_json_str(bad_url).unwrap_err().code, ErrorCode::InvalidCommunity);
        let bad_id = r#"{"id":"a b","name":"A","url":"https://x.org","platform":"web"}"#;
        assert_eq!(Community::from_json_str(bad_id).unwrap_err().code, ErrorCode::InvalidCommunityId);
        let reserved = r#"{"id":"import","name":"A","url":"https://x.org","platform":"web"}"#;
        assert_eq!(Community::from_json_str(reserved).unwrap_err().code, ErrorCode::InvalidCommunityId);
    }

    #[test]
    fn liveness_fields_are_validated() {
        let ok = Community::from_json_str(
            r#"{"id":"a","name":"A","url":"https://x.org","platform":"web","status":"dead-link","last_verified_at":"2026-11-01","member_count":12}"#,
        )
        .unwrap();
        assert_eq!(ok.status, Status::DeadLink);
        assert_eq!(ok.member_count, Some(12));
        for bad in [r#""status":"zombie""#, r#""last_verified_at":"yesterday""#, r#""last_activity_at":"2026-13-01""#] {
            let line = format!(r#"{{"id":"a","name":"A","url":"https://x.org","platform":"web",{bad}}}"#);
            assert_eq!(Community::from_json_str(&line).unwrap_err().code, ErrorCode::InvalidCommunity, "{bad}");
        }
        let missing = Community::from_json_str(r#"{"id":"a","name":"A","url":"https://x.org","platform":"web"}"#).unwrap();
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
