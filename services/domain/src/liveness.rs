//! Whether a community is alive, checked automatically: what one check found
//! ([`CheckResult`]), what copmatch keeps about a community's checks
//! ([`LivenessState`], stored with the community), and the rules that turn
//! checks into a status ([`crate::liveness_policy`]) with hysteresis, so one failed check never
//! kills a community. Recording checks and answering the liveness endpoints is
//! the use case `copmatch_core::liveness_checks`; the checks themselves (HTTP,
//! platform adapters, politeness) live in `copmatch-liveness`.

use serde::{Deserialize, Serialize};

use crate::ids::CommunityId;
use utoipa::ToSchema;

/// What one check of a community's link concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The link works (and the platform, when it says, shows the community).
    Ok,
    /// The link redirects permanently elsewhere; the new address is a suggestion.
    Moved,
    /// The page cannot be read without logging in, or the check was refused
    /// for safety; never evidence of death.
    Unverifiable,
    /// A timeout, a 5xx, a 429, a refused connection: try again later.
    Transient,
    /// 404, 410, an expired invite, a banned subreddit, an unknown host.
    Dead,
}

impl Outcome {
    pub const ALL: [Outcome; 5] = [
        Outcome::Ok,
        Outcome::Moved,
        Outcome::Unverifiable,
        Outcome::Transient,
        Outcome::Dead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Moved => "moved",
            Outcome::Unverifiable => "unverifiable",
            Outcome::Transient => "transient",
            Outcome::Dead => "dead",
        }
    }
}

/// Activity a platform shows publicly. Every field is optional: each adapter
/// fills what its platform says.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Signals {
    /// Members (Discord approximate members, Discourse users, GitHub stars…).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::whole::optional"
    )]
    pub members: Option<u64>,
    /// Members online now (Discord presence, Reddit active users).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::whole::optional"
    )]
    pub online: Option<u64>,
    /// Posts in the last 7 days (Discourse), questions + answers (Stack Exchange).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::whole::optional"
    )]
    pub posts_7d: Option<u64>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::whole::optional"
    )]
    pub posts_30d: Option<u64>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::whole::optional"
    )]
    pub active_users_7d: Option<u64>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::whole::optional"
    )]
    pub active_users_30d: Option<u64>,
    /// The last sign of life: a push, a post, an event (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_activity_at: Option<String>,
    /// The next scheduled event (Meetup), RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_event_at: Option<String>,
    /// A repository archived by its owners.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub archived: bool,
}

impl Signals {
    pub fn is_empty(&self) -> bool {
        *self == Signals::default()
    }
}

/// One check of one community, as the history keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CheckResult {
    pub community_id: CommunityId,
    /// When the check finished (RFC 3339, UTC).
    pub checked_at: String,
    /// Which adapter checked it: discord, reddit, stackexchange, discourse,
    /// github, slack, meetup, login_wall or http.
    pub adapter: String,
    /// The address checked.
    pub url: String,
    /// The last HTTP status seen, if a response came.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    pub latency_ms: u64,
    pub outcome: Outcome,
    #[serde(default, skip_serializing_if = "Signals::is_empty")]
    pub signals: Signals,
    /// What happened, for people ("404 Not Found", "invite expired").
    pub detail: String,
    /// Where a permanent redirect leads (outcome `moved`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved_to: Option<String>,
}

/// What copmatch keeps with a community about its checks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct LivenessState {
    /// When it was last checked automatically (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_checked_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_outcome: Option<Outcome>,
    /// Failed checks in a row (dead or transient), and when the run began.
    #[serde(default, deserialize_with = "crate::whole::count32")]
    pub consecutive_failures: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failing_since: Option<String>,
    /// Activity the last successful check saw, for ranking and reasons.
    #[serde(default, skip_serializing_if = "Signals::is_empty")]
    pub signals: Signals,
    /// An admin set the status; checks are recorded but do not change it
    /// until an admin clears the pin.
    #[serde(default)]
    pub pinned: bool,
}

impl LivenessState {
    pub fn is_empty(&self) -> bool {
        *self == LivenessState::default()
    }
}
