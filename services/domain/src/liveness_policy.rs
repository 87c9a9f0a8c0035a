//! From checks to a status, with hysteresis, and when to check next.
//!
//! - `ok` and `moved` reset the failure streak and make the community
//!   `active`, or `inactive` when its public activity is older than
//!   `inactive_after_days` (or its repository is archived, or a forum had no
//!   post in 30 days). A dead or inactive community that checks healthy again
//!   is active again.
//! - `dead` extends the failure streak. The community becomes `dead_link`
//!   only after `dead_after_failures` dead checks in a row that span at least
//!   `dead_after_days`: one failed check never kills a community.
//! - `transient` and `unverifiable` neither extend nor reset the streak.
//! - A status an admin pinned is never changed; the checks are still recorded.
//!
//! Time comes from a [`crate::time::Clock`], so tests move it by days without
//! waiting.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::community::{Community, Status};
use crate::liveness::{CheckResult, Outcome};
use crate::time::{format_time, parse_time};

/// The status rules (part of the `liveness` configuration section).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LivenessPolicy {
    /// A healthy community is checked again after this many days.
    pub recheck_days: u32,
    /// A suspect one (its last check failed) after this many hours.
    pub suspect_recheck_hours: u32,
    /// Dead checks in a row before a community is `dead_link`…
    pub dead_after_failures: u32,
    /// …and the days those checks must span.
    pub dead_after_days: u32,
    /// Public activity older than this makes a community `inactive`.
    pub inactive_after_days: u32,
}

impl Default for LivenessPolicy {
    fn default() -> Self {
        Self {
            recheck_days: 7,
            suspect_recheck_hours: 24,
            dead_after_failures: 3,
            dead_after_days: 7,
            inactive_after_days: 180,
        }
    }
}

fn days_between(earlier: Timestamp, later: Timestamp) -> f64 {
    later.duration_since(earlier).as_secs_f64() / 86_400.0
}

impl LivenessPolicy {
    /// The community after `check`, seen at `now`.
    pub fn apply(&self, community: &Community, check: &CheckResult, now: Timestamp) -> Community {
        let mut next = community.clone();
        let state = &mut next.liveness;
        state.last_checked_at = Some(check.checked_at.clone());
        state.last_outcome = Some(check.outcome);
        let mut status = community.status;
        match check.outcome {
            Outcome::Ok | Outcome::Moved => {
                state.consecutive_failures = 0;
                state.failing_since = None;
                state.signals = check.signals.clone();
                next.last_verified_at = Some(format_time(now));
                if let Some(at) = &check.signals.last_activity_at {
                    next.last_activity_at = Some(at.clone());
                } else if check.signals.posts_7d.is_some_and(|n| n > 0) {
                    next.last_activity_at = Some(format_time(now));
                }
                if let Some(members) = check.signals.members {
                    next.member_count = Some(members);
                }
                status = if self.looks_inactive(&next, now) {
                    Status::Inactive
                } else {
                    Status::Active
                };
            }
            Outcome::Dead => {
                state.consecutive_failures += 1;
                let since = state
                    .failing_since
                    .get_or_insert_with(|| check.checked_at.clone())
                    .clone();
                let spanned = parse_time(&since).map_or(0.0, |s| days_between(s, now));
                if state.consecutive_failures >= self.dead_after_failures.max(1)
                    && spanned >= f64::from(self.dead_after_days)
                {
                    status = Status::DeadLink;
                    next.last_verified_at = Some(format_time(now));
                }
            }
            Outcome::Transient | Outcome::Unverifiable => {}
        }
        if !next.liveness.pinned {
            next.status = status;
        }
        next
    }

    fn looks_inactive(&self, c: &Community, now: Timestamp) -> bool {
        let signals = &c.liveness.signals;
        if signals.archived || signals.posts_30d == Some(0) {
            return true;
        }
        let last = signals
            .last_activity_at
            .as_deref()
            .or(c.last_activity_at.as_deref())
            .and_then(parse_time);
        let next_event = signals.next_event_at.as_deref().and_then(parse_time);
        let stale =
            last.is_some_and(|at| days_between(at, now) > f64::from(self.inactive_after_days));
        stale && next_event.is_none_or(|at| at < now)
    }

    /// Whether `community` should be checked at `now`.
    pub fn is_due(&self, community: &Community, now: Timestamp) -> bool {
        let state = &community.liveness;
        let Some(last) = state.last_checked_at.as_deref().and_then(parse_time) else {
            return true;
        };
        let suspect = state.consecutive_failures > 0
            || matches!(state.last_outcome, Some(Outcome::Dead | Outcome::Transient));
        let wait_hours = if suspect {
            f64::from(self.suspect_recheck_hours)
        } else {
            24.0 * f64::from(self.recheck_days)
        };
        days_between(last, now) * 24.0 >= wait_hours
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::liveness::Signals;
    use crate::time::{Clock, ManualClock};

    fn community() -> Community {
        Community::from_json_str(r#"{"id":"c","name":"C","url":"https://c.org","platform":"web"}"#)
            .unwrap()
    }

    fn check(outcome: Outcome, at: Timestamp) -> CheckResult {
        CheckResult {
            community_id: crate::ids::CommunityId::parse("c").unwrap(),
            checked_at: format_time(at),
            adapter: "http".into(),
            url: "https://c.org".into(),
            http_status: None,
            latency_ms: 1,
            outcome,
            signals: Signals::default(),
            detail: String::new(),
            moved_to: None,
        }
    }

    fn start() -> Timestamp {
        "2026-11-01T00:00:00Z".parse().unwrap()
    }

    #[test]
    fn one_dead_check_never_kills_and_the_streak_must_span_days() {
        let policy = LivenessPolicy::default();
        let clock = ManualClock::new(start());
        let mut c = policy.apply(&community(), &check(Outcome::Ok, clock.now()), clock.now());
        assert_eq!(c.status, Status::Active);
        for _ in 0..3 {
            clock.advance_days(1);
            c = policy.apply(&c, &check(Outcome::Dead, clock.now()), clock.now());
        }
        assert_eq!(c.liveness.consecutive_failures, 3);
        assert_eq!(
            c.status,
            Status::Active,
            "three failures over two days are not enough"
        );
        clock.advance_days(6);
        c = policy.apply(&c, &check(Outcome::Dead, clock.now()), clock.now());
        assert_eq!(c.status, Status::DeadLink);
        clock.advance_days(1);
        c = policy.apply(&c, &check(Outcome::Ok, clock.now()), clock.now());
        assert_eq!(
            (c.status, c.liveness.consecutive_failures),
            (Status::Active, 0)
        );
    }

    #[test]
    fn transient_and_unverifiable_checks_neither_extend_nor_reset_the_streak() {
        let policy = LivenessPolicy::default();
        let now = start();
        let mut c = policy.apply(&community(), &check(Outcome::Dead, now), now);
        for outcome in [Outcome::Transient, Outcome::Unverifiable] {
            c = policy.apply(&c, &check(outcome, now), now);
        }
        assert_eq!(c.liveness.consecutive_failures, 1);
        assert_eq!(c.status, Status::Unknown);
    }

    #[test]
    fn old_activity_makes_inactive_and_fresh_activity_active_again() {
        let policy = LivenessPolicy::default();
        let now = start();
        let mut stale = check(Outcome::Ok, now);
        stale.signals.last_activity_at = Some("2025-01-01T00:00:00Z".into());
        let c = policy.apply(&community(), &stale, now);
        assert_eq!(c.status, Status::Inactive);
        let mut fresh = check(Outcome::Ok, now);
        fresh.signals.posts_7d = Some(14);
        let c = policy.apply(&c, &fresh, now);
        assert_eq!(c.status, Status::Active);
        assert_eq!(c.last_activity_at.as_deref(), Some("2026-11-01T00:00:00Z"));
    }

    #[test]
    fn a_pinned_status_is_kept_but_the_check_is_recorded() {
        let policy = LivenessPolicy::default();
        let mut pinned = community();
        pinned.status = Status::Inactive;
        pinned.liveness.pinned = true;
        let c = policy.apply(&pinned, &check(Outcome::Ok, start()), start());
        assert_eq!(c.status, Status::Inactive);
        assert_eq!(c.liveness.last_outcome, Some(Outcome::Ok));
    }

    #[test]
    fn healthy_communities_wait_a_week_and_suspect_ones_a_day() {
        let policy = LivenessPolicy::default();
        let clock = ManualClock::new(start());
        assert!(policy.is_due(&community(), clock.now()), "never checked");
        let healthy = policy.apply(&community(), &check(Outcome::Ok, clock.now()), clock.now());
        let suspect = policy.apply(
            &community(),
            &check(Outcome::Transient, clock.now()),
            clock.now(),
        );
        clock.advance_days(1);
        assert!(!policy.is_due(&healthy, clock.now()));
        assert!(policy.is_due(&suspect, clock.now()));
        clock.advance_days(6);
        assert!(policy.is_due(&healthy, clock.now()));
    }
}
