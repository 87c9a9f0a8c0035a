//! The user-facing use cases: store a user, take feedback, recommend from a
//! stored profile plus history.
//!
//! History shapes a ranking three ways: communities the user joined, left,
//! dismissed or reported are not offered again; dismissed and left ones push
//! look-alikes down (the same "not for me" machinery as `negative_ids`); joined
//! and clicked ones pull the query vector toward themselves
//! (`ranking.history_weight`) and explain results that resemble them. A user
//! with no history gets the cold-start ranking of their profile alone.
//!
//! A `report_dead_link` event is evidence, not a verdict: it goes to the
//! moderation queue and asks for a prompt liveness check ([`ReportDesk`]); it
//! never changes a status, however many users send it.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub use crate::feedback::FeedbackSettings;
use crate::feedback::{
    CheckedFeedback, FeedbackEvent, FeedbackInput, FeedbackKind, History, User, UserInput,
};
use crate::ports::{CommunityRecord, UserStore};
use crate::reports::{Recheck, ReportDesk};
use crate::retention::Retention;
use crate::service::{Catalog, RecommendResponse, Recommender, Steering};
use copmatch_domain::error::{CoreError, ErrorCode};
use copmatch_domain::filters::Filters;
use copmatch_domain::ids::{CommunityId, UserId};
use copmatch_domain::profile::RecommendRequest;
use copmatch_domain::text::normalize_key;
use copmatch_domain::time::{now_timestamp, SystemClock};
use copmatch_ranking::Liked;

/// Most recent history entries a ranking looks at, per kind.
const MAX_HISTORY: usize = 200;

/// What storing a feedback batch did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FeedbackReport {
    pub accepted: usize,
    /// Older events of this batch's users folded into counts to keep each
    /// user within `feedback.max_events_per_user`.
    pub rolled_up: usize,
    /// Communities reported in this batch whose prompt liveness check was
    /// queued. A report never changes a status itself.
    pub rechecks_scheduled: Vec<CommunityId>,
}

/// Options of a user's personal recommendations.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserRecommendOptions {
    /// 1 to 100; default 10.
    pub limit: Option<usize>,
    /// Default 0.
    pub offset: Option<usize>,
    /// 0 to 1; default `ranking.default_diversity`.
    pub diversity: Option<f32>,
    /// Also show dead links and rank inactive communities without demotion.
    #[serde(default)]
    pub include_inactive: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HistorySummary {
    pub joined: usize,
    pub clicked: usize,
    pub dismissed: usize,
    pub reported: usize,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserRecommendResponse {
    pub user_id: UserId,
    #[serde(flatten)]
    pub response: RecommendResponse,
    /// What of the user's history shaped this ranking.
    pub history: HistorySummary,
}

#[derive(Clone)]
pub struct Personalizer {
    catalog: Catalog,
    recommender: Recommender,
    users: Arc<dyn UserStore>,
    settings: FeedbackSettings,
    reports: ReportDesk,
    retention: Retention,
    /// Whose users this view sees: None = all (keyless, or an admin).
    owner: Option<String>,
    /// Whether users this view creates are anonymous ([`User::anonymous`]).
    anonymous: bool,
}

impl Personalizer {
    pub fn new(
        catalog: Catalog,
        recommender: Recommender,
        users: Arc<dyn UserStore>,
        settings: FeedbackSettings,
        reports: ReportDesk,
    ) -> Self {
        let retention = Retention::new(users.clone(), &settings, Arc::new(SystemClock));
        Self {
            catalog,
            recommender,
            users,
            settings,
            reports,
            retention,
            owner: None,
            anonymous: false,
        }
    }

    /// The view of one caller. It sees, replaces and sends feedback for the
    /// users of `owner` only; others' users do not exist for it
    /// (`user_not_found`). `None` sees every user. Users it creates are
    /// `anonymous` (the public key, keyless) or not.
    pub fn for_caller(&self, owner: Option<&str>, anonymous: bool) -> Personalizer {
        Personalizer {
            owner: owner.map(str::to_string),
            anonymous,
            ..self.clone()
        }
    }

    /// The bounds on stored users and events; the service sweeps with it.
    pub fn retention(&self) -> &Retention {
        &self.retention
    }

    /// Whether storing `id` would create a user (it does not exist, for
    /// anyone): the HTTP layer charges new users to a per-IP budget.
    pub async fn would_create(&self, id: &UserId) -> Result<bool, CoreError> {
        Ok(self.users.get_user(id).await?.is_none())
    }

    fn sees(&self, user: &User) -> bool {
        self.owner.is_none() || self.owner == user.owner
    }

    /// A user this view may see.
    async fn visible_user(&self, id: &UserId) -> Result<Option<User>, CoreError> {
        Ok(self.users.get_user(id).await?.filter(|u| self.sees(u)))
    }

    pub fn users(&self) -> &Arc<dyn UserStore> {
        &self.users
    }

    /// Creates or replaces a user; `true` when created.
    pub async fn put_user(&self, id: &UserId, input: UserInput) -> Result<(User, bool), CoreError> {
        input.validate()?;
        let now = now_timestamp();
        let existing = self.users.get_user(id).await?;
        if existing.as_ref().is_some_and(|u| !self.sees(u)) {
            return Err(CoreError::new(
                ErrorCode::UserIdTaken,
                format!("the user id {id:?} belongs to another API key; choose another id"),
            ));
        }
        let created = existing.is_none();
        // Who created the user decides for good whose it is and whether it
        // expires; the counts of folded events stay with it.
        let (created_at, owner, anonymous, rolled_up) = match existing {
            Some(u) => (u.created_at, u.owner, u.anonymous, u.rolled_up),
            None => (now.clone(), self.owner.clone(), self.anonymous, None),
        };
        let user = User {
            id: id.clone(),
            profile: input.profile,
            languages: input.languages,
            created_at,
            updated_at: now,
            owner,
            anonymous,
            rolled_up,
        };
        self.users.put_user(user.clone()).await?;
        Ok((user, created))
    }

    pub async fn get_user(&self, id: &UserId) -> Result<User, CoreError> {
        self.visible_user(id).await?.ok_or_else(|| not_found(id))
    }

    pub async fn delete_user(&self, id: &UserId) -> Result<(), CoreError> {
        if self.visible_user(id).await?.is_none() {
            return Err(not_found(id));
        }
        if self.users.delete_user(id).await? {
            Ok(())
        } else {
            Err(not_found(id))
        }
    }

    /// Validates the whole batch, stores it (all or nothing) and applies
    /// dead-link reports.
    pub async fn record_feedback(
        &self,
        inputs: Vec<FeedbackInput>,
    ) -> Result<FeedbackReport, CoreError> {
        if inputs.is_empty() || inputs.len() > self.settings.max_batch {
            return Err(CoreError::new(
                ErrorCode::InvalidFeedback,
                format!(
                    "send between 1 and {} events, got {}",
                    self.settings.max_batch,
                    inputs.len()
                ),
            ));
        }
        let received_at = now_timestamp();
        let mut checked = Vec::with_capacity(inputs.len());
        for (i, input) in inputs.iter().enumerate() {
            checked.push(input.check(&format!("events[{i}]"))?);
        }
        self.check_references(&checked).await?;
        let events: Vec<FeedbackEvent> = checked
            .into_iter()
            .map(|event| FeedbackEvent {
                // Time-ordered and unique across replicas.
                id: uuid::Uuid::now_v7().to_string(),
                user_id: event.user_id,
                community_id: event.community_id,
                kind: event.kind,
                ts: event.ts.unwrap_or_else(|| received_at.clone()),
                received_at: received_at.clone(),
                position: event.position,
            })
            .collect();
        let reported: BTreeSet<CommunityId> = events
            .iter()
            .filter(|e| e.kind == FeedbackKind::ReportDeadLink)
            .map(|e| e.community_id.clone())
            .collect();
        let accepted = events.len();
        let writers: BTreeSet<UserId> = events.iter().map(|e| e.user_id.clone()).collect();
        self.users.append_events(events).await?;
        let rolled_up = self.retention.cap_events(&writers).await?;
        let mut rechecks_scheduled = Vec::new();
        for id in reported {
            if self.reports.reported_in_feedback(&id).await? == Recheck::Scheduled {
                rechecks_scheduled.push(id);
            }
        }
        Ok(FeedbackReport {
            accepted,
            rolled_up,
            rechecks_scheduled,
        })
    }

    /// Every user and community an event names must exist. The communities
    /// are read in one call; the first event naming something unknown is the
    /// error.
    async fn check_references(&self, events: &[CheckedFeedback]) -> Result<(), CoreError> {
        let mut wanted: Vec<CommunityId> = events.iter().map(|e| e.community_id.clone()).collect();
        wanted.sort();
        wanted.dedup();
        let stored: BTreeSet<CommunityId> = self
            .catalog
            .store()
            .get_many(&wanted)
            .await?
            .into_iter()
            .map(|r| r.community.id)
            .collect();
        let mut users_seen = BTreeSet::new();
        for (i, event) in events.iter().enumerate() {
            if users_seen.insert(&event.user_id)
                && self.visible_user(&event.user_id).await?.is_none()
            {
                return Err(CoreError::new(
                    ErrorCode::UnknownFeedbackReference,
                    format!(
                        "events[{i}].user_id: no user with id {:?}; create the user first",
                        event.user_id.as_str()
                    ),
                ));
            }
            if !stored.contains(&event.community_id) {
                return Err(CoreError::new(
                    ErrorCode::UnknownFeedbackReference,
                    format!(
                        "events[{i}].community_id: no community with id {:?}",
                        event.community_id.as_str()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The stored profile plus history, ranked.
    pub async fn recommend_for_user(
        &self,
        id: &UserId,
        options: UserRecommendOptions,
    ) -> Result<UserRecommendResponse, CoreError> {
        let (user, events) = tokio::try_join!(self.get_user(id), async {
            Ok(self.users.events_of_user(id).await?)
        })?;
        let history = History::from_events(&events);
        let recent = |ids: &[CommunityId]| -> Vec<CommunityId> {
            ids.iter().rev().take(MAX_HISTORY).cloned().collect()
        };
        let as_strings = |ids: Vec<CommunityId>| -> Vec<String> {
            ids.into_iter().map(CommunityId::into_string).collect()
        };
        let (joined, clicked) = (recent(&history.joined), recent(&history.clicked));
        let (languages, liked) = tokio::try_join!(
            self.known_languages(&user.languages),
            self.liked(&joined, &clicked),
        )?;
        let mut exclude_ids = recent(&history.joined);
        exclude_ids.extend(recent(&history.reported));
        let request = RecommendRequest {
            profile: user.profile,
            filters: Filters {
                languages,
                include_inactive: options.include_inactive,
                ..Default::default()
            },
            exclude_ids: as_strings(exclude_ids),
            negative_ids: as_strings(recent(&history.dismissed)),
            diversity: options.diversity,
            limit: options.limit,
            offset: options.offset,
        };
        let steering = Steering {
            liked,
            ..Default::default()
        };
        let response = self.recommender.recommend(request, &steering).await?;
        Ok(UserRecommendResponse {
            user_id: user.id,
            response,
            history: HistorySummary {
                joined: history.joined.len(),
                clicked: history.clicked.len(),
                dismissed: history.dismissed.len(),
                reported: history.reported.len(),
            },
        })
    }

    /// The joined communities (full pull) and the clicked ones (half), read
    /// in one call. A community deleted since simply stops pulling.
    async fn liked(
        &self,
        joined: &[CommunityId],
        clicked: &[CommunityId],
    ) -> Result<Vec<Liked>, CoreError> {
        let mut ids: Vec<CommunityId> = joined.iter().chain(clicked).cloned().collect();
        ids.sort();
        ids.dedup();
        let records = self.catalog.store().get_many(&ids).await?;
        let by_id: HashMap<&CommunityId, &CommunityRecord> =
            records.iter().map(|r| (&r.community.id, r)).collect();
        let pulls = |ids: &[CommunityId], action: &'static str, weight: f32| -> Vec<Liked> {
            ids.iter()
                .filter_map(|id| by_id.get(id))
                .map(|record| Liked {
                    name: record.community.name.clone(),
                    vector: record.vector.clone(),
                    action,
                    weight,
                })
                .collect()
        };
        let mut liked = pulls(joined, "joined", 1.0);
        liked.extend(pulls(clicked, "clicked", 0.5));
        Ok(liked)
    }

    /// The user's languages that some community uses (others cannot match).
    async fn known_languages(&self, languages: &[String]) -> Result<Vec<String>, CoreError> {
        if languages.is_empty() {
            return Ok(Vec::new());
        }
        let facets = self.catalog.store().facet_values().await?;
        Ok(languages
            .iter()
            .filter(|l| facets.language_keys.contains(&normalize_key(l)))
            .cloned()
            .collect())
    }
}

fn not_found(id: &UserId) -> CoreError {
    CoreError::new(
        ErrorCode::UserNotFound,
        format!("no user with id {:?}", id.as_str()),
    )
}
