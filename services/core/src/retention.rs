//! Bounded storage for anonymous traffic: what users created through the
//! pages' public key or keyless may leave behind.
//!
//! Three bounds, applied on every store:
//! - **events per user**: past `feedback.max_events_per_user`, a user's
//!   oldest events are folded into counts on their record ([`roll_up`]), so
//!   one user's history is bounded whoever created them;
//! - **idle anonymous users**: an anonymous user with no write (profile or
//!   event) for `feedback.anonymous_ttl_days` is deleted with their events by
//!   a sweep ([`Retention::expire_idle`], run by the service every
//!   [`Retention::sweep_every`]);
//! - **new anonymous users per client IP**: a rate limit of the HTTP layer
//!   (`rate_limits.new_users_per_ip`), since only it sees addresses.
//!
//! Users of a configured API key never expire: the app that owns them
//! answers for them and deletes them itself.

use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

use crate::feedback::{FeedbackEvent, FeedbackSettings, User};
use crate::ports::UserStore;
use copmatch_domain::error::{CoreError, StoreError};
use copmatch_domain::ids::UserId;
use copmatch_domain::time::{parse_time, Clock};

/// Users deleted per store call of a sweep.
const SWEEP_PAGE: usize = 500;

/// The longest wait between two sweeps, whatever the TTL.
const MAX_SWEEP_INTERVAL: Duration = Duration::from_secs(3600);

/// What folding a user's oldest events decided: the user's new record and the
/// ids of the events it now counts. `None` when `keep` or fewer remain.
/// Events already counted by the record are left out before counting, so
/// folding is idempotent: a store may apply it again after a crash.
pub fn roll_up(user: &User, events: &[FeedbackEvent], keep: usize) -> Option<(User, Vec<String>)> {
    let mut live: Vec<&FeedbackEvent> = events
        .iter()
        .filter(|e| !user.has_rolled_up(&e.id))
        .collect();
    if live.len() <= keep {
        return None;
    }
    live.sort_by(|a, b| a.id.cmp(&b.id));
    let folded = &live[..live.len() - keep];
    let mut rolled = user.rolled_up.clone().unwrap_or_default();
    for e in folded {
        rolled.counts.add(e.kind, 1);
    }
    rolled.through = folded.last().map(|e| e.id.clone()).unwrap_or_default();
    let mut updated = user.clone();
    updated.rolled_up = Some(rolled);
    Some((updated, folded.iter().map(|e| e.id.clone()).collect()))
}

/// When the user last wrote: their profile's last change or their newest
/// event's receipt.
pub fn last_write(user: &User, events: &[FeedbackEvent]) -> Option<Timestamp> {
    std::iter::once(user.updated_at.as_str())
        .chain(events.iter().map(|e| e.received_at.as_str()))
        .filter_map(parse_time)
        .max()
}

/// The three bounds' use case.
#[derive(Clone)]
pub struct Retention {
    users: Arc<dyn UserStore>,
    max_events_per_user: usize,
    ttl: Option<SignedDuration>,
    clock: Arc<dyn Clock>,
}

impl Retention {
    pub fn new(
        users: Arc<dyn UserStore>,
        settings: &FeedbackSettings,
        clock: Arc<dyn Clock>,
    ) -> Self {
        // Start-up refuses a TTL outside 0..=36500 days (`validate`); one
        // that slips past (infinite, NaN) never expires instead of panicking.
        let ttl = (settings.anonymous_ttl_days > 0.0)
            .then(|| SignedDuration::try_from_secs_f64(settings.anonymous_ttl_days * 86_400.0).ok())
            .flatten();
        Self {
            users,
            max_events_per_user: settings.max_events_per_user,
            ttl,
            clock,
        }
    }

    /// Folds the oldest events of each user past the cap; how many events
    /// were folded. A cap of 0 keeps everything.
    pub async fn cap_events<'a>(
        &self,
        users: impl IntoIterator<Item = &'a UserId>,
    ) -> Result<usize, CoreError> {
        if self.max_events_per_user == 0 {
            return Ok(0);
        }
        let ids: Vec<String> = users.into_iter().map(|u| u.to_string()).collect();
        Ok(self
            .users
            .roll_up_events(&ids, self.max_events_per_user)
            .await?)
    }

    /// How often the service sweeps: an eighth of the TTL, at most hourly
    /// and at least every second. `None` when anonymous users never expire.
    pub fn sweep_every(&self) -> Option<Duration> {
        let ttl = self.ttl?;
        let eighth = Duration::try_from(ttl / 8).unwrap_or(MAX_SWEEP_INTERVAL);
        Some(eighth.clamp(Duration::from_secs(1), MAX_SWEEP_INTERVAL))
    }

    /// Deletes every anonymous user idle longer than the TTL, with their
    /// events; how many were deleted.
    pub async fn expire_idle(&self) -> Result<usize, StoreError> {
        let Some(ttl) = self.ttl else {
            return Ok(0);
        };
        let before = self.clock.now() - ttl;
        let mut deleted = 0;
        loop {
            let idle = self.users.idle_anonymous_users(before, SWEEP_PAGE).await?;
            if idle.is_empty() {
                break;
            }
            let n = self.users.delete_users(&idle).await?;
            deleted += n;
            // A store that listed users it then could not find would loop.
            if idle.len() < SWEEP_PAGE || n == 0 {
                break;
            }
        }
        Ok(deleted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feedback::FeedbackKind;
    use copmatch_domain::ids::CommunityId;

    fn user() -> User {
        User {
            id: UserId::parse("u").unwrap(),
            profile: Default::default(),
            languages: Vec::new(),
            created_at: "2026-01-01T00:00:00Z".into(),
            updated_at: "2026-01-01T00:00:00Z".into(),
            owner: None,
            anonymous: true,
            rolled_up: None,
        }
    }

    fn event(id: &str, kind: FeedbackKind) -> FeedbackEvent {
        FeedbackEvent {
            id: id.into(),
            user_id: UserId::parse("u").unwrap(),
            community_id: CommunityId::parse("c").unwrap(),
            kind,
            ts: "2026-01-01T00:00:00Z".into(),
            received_at: format!("2026-01-0{}T00:00:00Z", id.len()),
            position: None,
        }
    }

    #[test]
    fn the_oldest_events_past_the_cap_are_counted_by_type_and_folding_again_changes_nothing() {
        let events = vec![
            event("e3", FeedbackKind::Join),
            event("e1", FeedbackKind::View),
            event("e2", FeedbackKind::View),
            event("e4", FeedbackKind::Click),
        ];
        let (folded_user, ids) = roll_up(&user(), &events, 2).unwrap();
        assert_eq!(ids, vec!["e1", "e2"]);
        let rolled = folded_user.rolled_up.clone().unwrap();
        assert_eq!(rolled.through, "e2");
        assert_eq!((rolled.counts.view, rolled.counts.total()), (2, 2));
        // The store crashed before dropping e1 and e2: they are still there,
        // and folding again neither counts them twice nor drops e3.
        assert!(roll_up(&folded_user, &events, 2).is_none());
        let (again, ids) = roll_up(&folded_user, &events, 1).unwrap();
        assert_eq!(ids, vec!["e3"]);
        let rolled = again.rolled_up.unwrap();
        assert_eq!((rolled.through.as_str(), rolled.counts.join), ("e3", 1));
        assert_eq!(rolled.counts.total(), 3);
    }

    #[test]
    fn the_last_write_is_the_newest_of_the_profile_and_the_events() {
        let events = vec![
            event("e1", FeedbackKind::View),
            event("e12", FeedbackKind::View),
        ];
        assert_eq!(
            last_write(&user(), &events).unwrap().to_string(),
            "2026-01-03T00:00:00Z"
        );
        assert_eq!(
            last_write(&user(), &[]).unwrap().to_string(),
            "2026-01-01T00:00:00Z"
        );
    }
}
