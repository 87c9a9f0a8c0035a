//! The closed vocabularies of a community: where it lives, what joining
//! costs, and whether it is alive.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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
        let key = if key == "stack_exchange" {
            "stackexchange".to_string()
        } else {
            key
        };
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
    pub const ALL: [Status; 4] = [
        Status::Active,
        Status::Inactive,
        Status::DeadLink,
        Status::Unknown,
    ];

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
