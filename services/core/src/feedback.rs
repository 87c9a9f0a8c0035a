//! Users and what they did: stored profiles and feedback events.
//!
//! A user is an app's person: an id the app chooses and a profile. Feedback
//! events (`view`, `click`, `join`, `leave`, `dismiss`, `report_dead_link`)
//! are facts appended to the configured store and never edited; a user's
//! history is read back from them (see [`History`]), and `copmatch retrain`
//! learns from all of them. Deleting a user deletes their events too.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use copmatch_domain::community::check_timestamp;
use copmatch_domain::error::{CoreError, ErrorCode};
use copmatch_domain::ids::{CommunityId, UserId};
use copmatch_domain::profile::Profile;
use copmatch_domain::time::order_key;

const MAX_LANGUAGES: usize = 20;

/// The `feedback` configuration section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FeedbackSettings {
    /// Events accepted in one feedback batch.
    pub max_batch: usize,
    /// Events kept one by one per user; older ones are folded into counts
    /// on the user ([`User::rolled_up`]). 0 keeps every event.
    pub max_events_per_user: usize,
    /// Days without a write after which a user created through the public
    /// key or keyless is deleted with their events (fractions allowed). 0
    /// keeps them forever.
    pub anonymous_ttl_days: f64,
}

impl Default for FeedbackSettings {
    fn default() -> Self {
        Self {
            max_batch: 1000,
            max_events_per_user: 1000,
            anonymous_ttl_days: 30.0,
        }
    }
}

impl FeedbackSettings {
    /// The checks start-up makes.
    pub fn validate(&self) -> Result<(), String> {
        if self.max_batch == 0 {
            return Err("feedback.max_batch must be at least 1".into());
        }
        let days = self.anonymous_ttl_days;
        if !(days.is_finite() && (0.0..=36_500.0).contains(&days)) {
            return Err(format!(
                "feedback.anonymous_ttl_days must be between 0 (never) and 36500, got {days}"
            ));
        }
        Ok(())
    }
}

/// What storing a user takes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserInput {
    pub profile: Profile,
    /// Languages the person reads, e.g. "English"; recommendations keep to
    /// the ones communities are known to use. At most 20.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub languages: Vec<String>,
}

/// A stored user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct User {
    pub id: UserId,
    pub profile: Profile,
    #[serde(default)]
    pub languages: Vec<String>,
    pub created_at: String,
    pub updated_at: String,
    /// The API key that created the user (its name); only that key, or an
    /// admin, sees the user. None: created without a key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Created through the pages' public key or keyless: deleted with their
    /// events after `feedback.anonymous_ttl_days` without a write.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub anonymous: bool,
    /// The user's oldest events past `feedback.max_events_per_user`, no
    /// longer kept one by one but counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rolled_up: Option<RolledUp>,
}

/// Events folded into counts: every event of the user whose id sorts at or
/// before `through` (ids are UUID v7, ordered by receipt).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RolledUp {
    /// The id of the newest event rolled up.
    pub through: String,
    pub counts: EventCounts,
}

/// How many events of each type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct EventCounts {
    pub view: u64,
    pub click: u64,
    pub join: u64,
    pub leave: u64,
    pub dismiss: u64,
    pub report_dead_link: u64,
}

impl EventCounts {
    pub fn add(&mut self, kind: FeedbackKind, n: u64) {
        let slot = match kind {
            FeedbackKind::View => &mut self.view,
            FeedbackKind::Click => &mut self.click,
            FeedbackKind::Join => &mut self.join,
            FeedbackKind::Leave => &mut self.leave,
            FeedbackKind::Dismiss => &mut self.dismiss,
            FeedbackKind::ReportDeadLink => &mut self.report_dead_link,
        };
        *slot = slot.saturating_add(n);
    }

    pub fn total(&self) -> u64 {
        [
            self.view,
            self.click,
            self.join,
            self.leave,
            self.dismiss,
            self.report_dead_link,
        ]
        .iter()
        .fold(0u64, |sum, n| sum.saturating_add(*n))
    }
}

impl User {
    /// Whether an event is already counted in [`User::rolled_up`].
    pub fn has_rolled_up(&self, event_id: &str) -> bool {
        self.rolled_up
            .as_ref()
            .is_some_and(|r| event_id <= r.through.as_str())
    }
}

impl UserInput {
    pub fn validate(&self) -> Result<(), CoreError> {
        self.profile.items()?;
        if self.languages.len() > MAX_LANGUAGES {
            return Err(CoreError::new(
                ErrorCode::InvalidProfile,
                format!("languages has more than {MAX_LANGUAGES} values"),
            ));
        }
        Ok(())
    }
}

/// What a user did with a community.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackKind {
    View,
    Click,
    Join,
    Leave,
    Dismiss,
    ReportDeadLink,
}

impl FeedbackKind {
    pub const ALL: [FeedbackKind; 6] = [
        FeedbackKind::View,
        FeedbackKind::Click,
        FeedbackKind::Join,
        FeedbackKind::Leave,
        FeedbackKind::Dismiss,
        FeedbackKind::ReportDeadLink,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FeedbackKind::View => "view",
            FeedbackKind::Click => "click",
            FeedbackKind::Join => "join",
            FeedbackKind::Leave => "leave",
            FeedbackKind::Dismiss => "dismiss",
            FeedbackKind::ReportDeadLink => "report_dead_link",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One event as an app sends it. Fields are loose here so that a bad value
/// is reported with its position instead of failing the whole body.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackInput {
    #[schema(value_type = UserId)]
    pub user_id: String,
    #[schema(value_type = CommunityId)]
    pub community_id: String,
    /// view, click, join, leave, dismiss or report_dead_link.
    #[serde(rename = "type")]
    #[schema(value_type = FeedbackKind)]
    pub kind: String,
    /// When it happened (RFC 3339 or a date); the time of receipt if left out.
    #[serde(default)]
    #[schema(schema_with = copmatch_domain::time::optional_time_schema)]
    pub ts: Option<String>,
    /// Where the community was in the list the person saw (1 = first), when
    /// the event came from a ranked list. Retraining weighs clicks and joins
    /// by it, so what is shown first does not count as what is wanted most.
    #[serde(default, deserialize_with = "copmatch_domain::whole::optional")]
    #[schema(minimum = 1, maximum = 1000)]
    pub position: Option<u32>,
}

/// A stored event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FeedbackEvent {
    /// Assigned on receipt: a UUID v7, unique and ordered by time of receipt.
    pub id: String,
    pub user_id: UserId,
    pub community_id: CommunityId,
    #[serde(rename = "type")]
    pub kind: FeedbackKind,
    pub ts: String,
    pub received_at: String,
    /// 1-based rank in the list shown, when the app said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<u32>,
}

/// The largest `position` an event may carry.
pub const MAX_POSITION: u32 = 1000;

impl FeedbackInput {
    /// Checks everything that needs no store: ids, type, timestamp.
    pub fn check(&self, at: &str) -> Result<CheckedFeedback, CoreError> {
        let invalid = |message: String| {
            CoreError::new(ErrorCode::InvalidFeedback, format!("{at}: {message}"))
        };
        let user_id = UserId::parse(self.user_id.as_str()).map_err(|e| invalid(e.message))?;
        let community_id =
            CommunityId::parse(self.community_id.as_str()).map_err(|e| invalid(e.message))?;
        let kind = FeedbackKind::parse(&self.kind).ok_or_else(|| {
            invalid(format!(
                "unknown type {:?}; expected one of view, click, join, leave, dismiss, report_dead_link",
                self.kind
            ))
        })?;
        let ts = check_timestamp("ts", self.ts.clone()).map_err(|e| invalid(e.message))?;
        if let Some(p) = self.position {
            if !(1..=MAX_POSITION).contains(&p) {
                return Err(invalid(format!(
                    "position {p} is outside 1..={MAX_POSITION} (1 is the first result shown)"
                )));
            }
        }
        Ok(CheckedFeedback {
            user_id,
            community_id,
            kind,
            ts,
            position: self.position,
        })
    }
}

/// A [`FeedbackInput`] whose fields are valid.
#[derive(Debug, Clone)]
pub struct CheckedFeedback {
    pub user_id: UserId,
    pub community_id: CommunityId,
    pub kind: FeedbackKind,
    /// When it happened, if the app said.
    pub ts: Option<String>,
    pub position: Option<u32>,
}

/// One line of a feedback export (`copmatch feedback export`), of the
/// simulator's output, and of what `copmatch retrain --from` reads: users
/// carry the profiles the events are learned against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum FeedbackRecord {
    User(User),
    Event(FeedbackEvent),
}

/// What a user's events say, replayed in time order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    /// Communities the user belongs to now (joined and not left).
    pub joined: Vec<CommunityId>,
    /// Communities they clicked but did not join.
    pub clicked: Vec<CommunityId>,
    /// Communities they dismissed or left: not for them.
    pub dismissed: Vec<CommunityId>,
    /// Communities they reported as dead links.
    pub reported: Vec<CommunityId>,
}

impl History {
    pub fn from_events(events: &[FeedbackEvent]) -> Self {
        let mut sorted: Vec<&FeedbackEvent> = events.iter().collect();
        sorted.sort_by(|a, b| {
            order_key(&a.ts)
                .cmp(&order_key(&b.ts))
                .then_with(|| order_key(&a.received_at).cmp(&order_key(&b.received_at)))
        });
        // The latest decisive event per community wins; clicks and views only
        // add interest.
        let mut state: BTreeMap<&CommunityId, FeedbackKind> = BTreeMap::new();
        let mut clicked: BTreeSet<&CommunityId> = BTreeSet::new();
        let mut reported = Vec::new();
        for e in sorted {
            match e.kind {
                FeedbackKind::Join | FeedbackKind::Leave | FeedbackKind::Dismiss => {
                    state.insert(&e.community_id, e.kind);
                }
                FeedbackKind::Click => {
                    clicked.insert(&e.community_id);
                }
                FeedbackKind::ReportDeadLink => reported.push(e.community_id.clone()),
                FeedbackKind::View => {}
            }
        }
        let with = |kinds: &[FeedbackKind]| -> Vec<CommunityId> {
            state
                .iter()
                .filter(|(_, k)| kinds.contains(k))
                .map(|(id, _)| (*id).clone())
                .collect()
        };
        let clicked: Vec<CommunityId> = clicked
            .into_iter()
            .filter(|id| !state.contains_key(id))
            .cloned()
            .collect();
        reported.sort();
        reported.dedup();
        Self {
            joined: with(&[FeedbackKind::Join]),
            clicked,
            dismissed: with(&[FeedbackKind::Dismiss, FeedbackKind::Leave]),
            reported,
        }
    }
}

/// Reads a feedback batch: one event, an array of events, or
/// `{"events": [...]}`. A malformed event is reported with its position.
pub fn parse_feedback_body(body: serde_json::Value) -> Result<Vec<FeedbackInput>, CoreError> {
    let invalid = |message: String| CoreError::new(ErrorCode::InvalidFeedback, message);
    let (items, prefix) = match body {
        serde_json::Value::Array(items) => (items, "events"),
        serde_json::Value::Object(mut object) if object.contains_key("events") => {
            if object.len() > 1 {
                return Err(invalid(
                    "a batch is {\"events\": [...]} with no other field".to_string(),
                ));
            }
            match object.remove("events") {
                Some(serde_json::Value::Array(items)) => (items, "events"),
                _ => return Err(invalid("events must be an array of events".to_string())),
            }
        }
        one @ serde_json::Value::Object(_) => (vec![one], "event"),
        _ => {
            return Err(invalid(
                "the body must be an event object, an array of events or {\"events\": [...]}"
                    .to_string(),
            ))
        }
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let at = if prefix == "event" {
                prefix.to_string()
            } else {
                format!("{prefix}[{i}]")
            };
            serde_json::from_value::<FeedbackInput>(item).map_err(|e| invalid(format!("{at}: {e}")))
        })
        .collect()
}

#[cfg(test)]
#[path = "feedback_tests.rs"]
mod tests;
