//! Dead-link reports are evidence, not verdicts. A report, through
//! `POST /v1/reports` or a `report_dead_link` feedback event, never changes a
//! community's status: it goes to the moderation queue, and it asks for a
//! prompt liveness check of the community, at most once per community per
//! `liveness.report_recheck_hours`. Statuses change only from the checker's
//! evidence (with its hysteresis) or from an admin. So nobody can take a
//! community down by reporting it, however many throwaway users they make.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use utoipa::ToSchema;

use crate::moderator::Moderator;
use crate::ports::Rechecks;
use crate::submissions::{ModerationItem, ReportInput};
use copmatch_domain::error::CoreError;
use copmatch_domain::ids::CommunityId;
use copmatch_domain::time::Clock;

/// What became of a report's request for a prompt check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Recheck {
    /// A check of the community is queued.
    Scheduled,
    /// One was already asked for within `liveness.report_recheck_hours`.
    AlreadyScheduled,
    /// Checks are off here (`liveness.enabled = false`) or their queue is
    /// full; the regular schedule will check it.
    Unavailable,
}

/// Takes reports: queues them for moderators and asks for prompt checks.
#[derive(Clone)]
pub struct ReportDesk {
    moderator: Moderator,
    rechecks: Arc<dyn Rechecks>,
    window: SignedDuration,
    clock: Arc<dyn Clock>,
    /// When each community's last prompt check was asked for. Pruned of
    /// entries older than the window as it goes, so it stays as small as the
    /// number of communities reported within one window.
    asked: Arc<Mutex<HashMap<CommunityId, Timestamp>>>,
}

impl ReportDesk {
    pub fn new(
        moderator: Moderator,
        rechecks: Arc<dyn Rechecks>,
        report_recheck_hours: u32,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            moderator,
            rechecks,
            window: SignedDuration::from_hours(i64::from(report_recheck_hours)),
            clock,
            asked: Arc::default(),
        }
    }

    /// Asks for a prompt check of `id`, unless one was asked for within the
    /// window.
    pub fn recheck(&self, id: &CommunityId) -> Recheck {
        let now = self.clock.now();
        let mut asked = self.asked.lock().unwrap_or_else(|p| p.into_inner());
        if asked
            .get(id)
            .is_some_and(|at| now.duration_since(*at) < self.window)
        {
            return Recheck::AlreadyScheduled;
        }
        if asked.len() >= 1024 {
            let window = self.window;
            asked.retain(|_, at| now.duration_since(*at) < window);
        }
        if !self.rechecks.request(id) {
            return Recheck::Unavailable;
        }
        asked.insert(id.clone(), now);
        Recheck::Scheduled
    }

    /// `POST /v1/reports`: a moderation item, and a prompt check.
    pub async fn report(&self, input: ReportInput) -> Result<(ModerationItem, Recheck), CoreError> {
        let item = self.moderator.report(input).await?;
        let recheck = self.recheck(&item.community.id);
        Ok((item, recheck))
    }

    /// `report_dead_link` feedback about `id`: one pending moderation item
    /// per community however many events name it, and a prompt check.
    pub async fn reported_in_feedback(&self, id: &CommunityId) -> Result<Recheck, CoreError> {
        self.moderator.report_once(id).await?;
        Ok(self.recheck(id))
    }
}

/// No prompt checks: for processes that run none (tools, tests of other
/// things). Every request says [`Recheck::Unavailable`].
pub struct NoRechecks;

impl Rechecks for NoRechecks {
    fn request(&self, _: &CommunityId) -> bool {
        false
    }
}
