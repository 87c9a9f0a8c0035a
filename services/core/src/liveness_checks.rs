//! The liveness use cases: record a check (status by the policy, history in
//! the log, a moved link to the moderation queue), list what is due, and
//! summarize. The checker (`copmatch-liveness`) calls [`LivenessService::record`]
//! after every check, so a check is stored as soon as it is done: a run that
//! is killed loses only the checks still in flight.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;
use utoipa::ToSchema;

use crate::moderator::Moderator;
use crate::ports::LivenessLog;
use crate::service::Catalog;
use copmatch_domain::community::{Community, Status};
use copmatch_domain::error::{CoreError, ErrorCode};
use copmatch_domain::ids::CommunityId;
use copmatch_domain::liveness::{CheckResult, Outcome};
use copmatch_domain::liveness_policy::LivenessPolicy;
use copmatch_domain::time::Clock;

/// Counts by status and by the last check's outcome.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct LivenessSummary {
    pub communities: usize,
    /// active, inactive, dead_link, unknown → communities.
    pub by_status: BTreeMap<String, usize>,
    /// ok, moved, unverifiable, transient, dead, never_checked → communities.
    pub by_outcome: BTreeMap<String, usize>,
    /// Communities whose check is due now.
    pub due: usize,
    /// Statuses an admin pinned.
    pub pinned: usize,
}

#[derive(Clone)]
pub struct LivenessService {
    catalog: Catalog,
    log: Arc<dyn LivenessLog>,
    moderator: Moderator,
    policy: LivenessPolicy,
    clock: Arc<dyn Clock>,
}

const PAGE: usize = 256;

impl LivenessService {
    pub fn new(
        catalog: Catalog,
        log: Arc<dyn LivenessLog>,
        moderator: Moderator,
        policy: LivenessPolicy,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            catalog,
            log,
            moderator,
            policy,
            clock,
        }
    }

    /// Stores a check: the community's new status and liveness state, the
    /// check in the history, and a moved link as a suggestion for moderators.
    pub async fn record(&self, check: CheckResult) -> Result<Community, CoreError> {
        let now = self.clock.now();
        let policy = &self.policy;
        let community = self
            .catalog
            .update_stored(&check.community_id, |c| *c = policy.apply(c, &check, now))
            .await?;
        self.log.append(check.clone()).await?;
        if let (Outcome::Moved, Some(url)) = (check.outcome, check.moved_to) {
            if url != community.url {
                self.moderator.suggest_move(community.clone(), url).await?;
            }
        }
        Ok(community)
    }

    /// Every community, or those due now, at most `limit`.
    pub async fn communities(
        &self,
        only_due: bool,
        limit: usize,
    ) -> Result<Vec<Community>, CoreError> {
        let now = self.clock.now();
        let mut out = Vec::new();
        let mut cursor = None;
        loop {
            let (page, next) = self.catalog.store().scroll(cursor, PAGE).await?;
            out.extend(
                page.into_iter()
                    .filter(|c| !only_due || self.policy.is_due(c, now)),
            );
            if out.len() >= limit {
                out.truncate(limit);
                return Ok(out);
            }
            match next {
                Some(n) => cursor = Some(n),
                None => return Ok(out),
            }
        }
    }

    /// The named communities, read in one call; each must exist.
    pub async fn named(&self, ids: &[CommunityId]) -> Result<Vec<Community>, CoreError> {
        let records = self.catalog.store().get_many(ids).await?;
        if let Some(missing) = ids
            .iter()
            .find(|id| !records.iter().any(|r| &r.community.id == *id))
        {
            return Err(CoreError::new(
                ErrorCode::CommunityNotFound,
                format!("no community with id {:?}", missing.as_str()),
            ));
        }
        Ok(records.into_iter().map(|r| r.community).collect())
    }

    /// One community's checks, newest first.
    pub async fn history(
        &self,
        id: &CommunityId,
        limit: usize,
    ) -> Result<Vec<CheckResult>, CoreError> {
        self.catalog.get(id).await?;
        Ok(self.log.history(id, limit).await?)
    }

    pub async fn summary(&self) -> Result<LivenessSummary, CoreError> {
        let now = self.clock.now();
        let mut summary = LivenessSummary::default();
        for status in Status::ALL {
            summary.by_status.insert(status.as_str().into(), 0);
        }
        for outcome in Outcome::ALL {
            summary.by_outcome.insert(outcome.as_str().into(), 0);
        }
        summary.by_outcome.insert("never_checked".into(), 0);
        for c in self.communities(false, usize::MAX).await? {
            summary.communities += 1;
            *summary
                .by_status
                .entry(c.status.as_str().into())
                .or_default() += 1;
            let outcome = c
                .liveness
                .last_outcome
                .map_or("never_checked", Outcome::as_str);
            *summary.by_outcome.entry(outcome.into()).or_default() += 1;
            summary.due += usize::from(self.policy.is_due(&c, now));
            summary.pinned += usize::from(c.liveness.pinned);
        }
        Ok(summary)
    }
}
