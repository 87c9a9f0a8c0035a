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
//! Dead-link reports are feedback too: when `feedback.dead_link_reports`
//! different users have reported a community, its status becomes `dead_link`.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::community::Status;
use crate::error::{CoreError, ErrorCode};
use crate::feedback::{
    validate_user_id, FeedbackEvent, FeedbackInput, FeedbackKind, History, User, UserInput,
};
use crate::filters::Filters;
use crate::ports::UserStore;
use crate::profile::RecommendRequest;
use crate::ranking::Liked;
use crate::service::{CopMatch, RecommendResponse, StatusUpdate, Steering};
use crate::text::normalize_key;
use crate::time::now_timestamp;

/// Most recent history entries a ranking looks at, per kind.
const MAX_HISTORY: usize = 200;

/// The `feedback` configuration section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FeedbackSettings {
    /// Different users who must report a dead link before the status changes.
    pub dead_link_reports: usize,
    /// Events accepted in one feedback batch.
    pub max_batch: usize,
}

impl Default for FeedbackSettings {
    fn default() -> Self {
        Self {
            dead_link_reports: 3,
            max_batch: 1000,
        }
    }
}

/// What storing a feedback batch did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FeedbackReport {
    pub accepted: usize,
    /// Communities whose status became `dead_link` because of these reports.
    pub marked_dead_link: Vec<String>,
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
    pub user_id: String,
    #[serde(flatten)]
    pub response: RecommendResponse,
    /// What of the user's history shaped this ranking.
    pub history: HistorySummary,
}

#[derive(Clone)]
pub struct Personalizer {
    service: CopMatch,
    users: Arc<dyn UserStore>,
    settings: FeedbackSettings,
    /// Whose users this view sees: None = all (keyless, or an admin).
    owner: Option<String>,
}

impl Personalizer {
    pub fn new(service: CopMatch, users: Arc<dyn UserStore>, settings: FeedbackSettings) -> Self {
        Self {
            service,
            users,
            settings,
            owner: None,
        }
    }

    /// The view of one API key: it sees, replaces and sends feedback for its
    /// own users only; others' users do not exist for it (`user_not_found`).
    /// `None` sees every user.
    pub fn for_owner(&self, owner: Option<&str>) -> Personalizer {
        Personalizer {
            owner: owner.map(str::to_string),
            ..self.clone()
        }
    }

    fn sees(&self, user: &User) -> bool {
        self.owner.is_none() || self.owner == user.owner
    }

    /// A user this view may see.
    async fn visible_user(&self, id: &str) -> Result<Option<User>, CoreError> {
        Ok(self.users.get_user(id).await?.filter(|u| self.sees(u)))
    }

    pub fn users(&self) -> &Arc<dyn UserStore> {
        &self.users
    }

    /// Creates or replaces a user; `true` when created.
    pub async fn put_user(&self, id: &str, input: UserInput) -> Result<(User, bool), CoreError> {
        validate_user_id(id)?;
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
        let (created_at, owner) = match existing {
            Some(u) => (u.created_at, u.owner),
            None => (now.clone(), self.owner.clone()),
        };
        let user = User {
            id: id.to_string(),
            profile: input.profile,
            languages: input.languages,
            created_at,
            updated_at: now,
            owner,
        };
        self.users.put_user(user.clone()).await?;
        Ok((user, created))
    }

    pub async fn get_user(&self, id: &str) -> Result<User, CoreError> {
        validate_user_id(id)?;
        self.visible_user(id).await?.ok_or_else(|| not_found(id))
    }

    pub async fn delete_user(&self, id: &str) -> Result<(), CoreError> {
        validate_user_id(id)?;
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
        self.check_references(&inputs).await?;
        let events: Vec<FeedbackEvent> = inputs
            .into_iter()
            .zip(checked)
            .map(|(input, (kind, ts))| FeedbackEvent {
                // Time-ordered and unique across replicas.
                id: uuid::Uuid::now_v7().to_string(),
                user_id: input.user_id,
                community_id: input.community_id,
                kind,
                ts: ts.unwrap_or_else(|| received_at.clone()),
                received_at: received_at.clone(),
            })
            .collect();
        let reported: BTreeSet<String> = events
            .iter()
            .filter(|e| e.kind == FeedbackKind::ReportDeadLink)
            .map(|e| e.community_id.clone())
            .collect();
        let accepted = events.len();
        self.users.append_events(events).await?;
        let mut marked_dead_link = Vec::new();
        for id in reported {
            if self.apply_reports(&id).await? {
                marked_dead_link.push(id);
            }
        }
        Ok(FeedbackReport {
            accepted,
            marked_dead_link,
        })
    }

    /// Every user and community an event names must exist.
    async fn check_references(&self, inputs: &[FeedbackInput]) -> Result<(), CoreError> {
        let mut users_seen = BTreeSet::new();
        let mut communities_seen = BTreeSet::new();
        for (i, input) in inputs.iter().enumerate() {
            if users_seen.insert(input.user_id.as_str())
                && self.visible_user(&input.user_id).await?.is_none()
            {
                return Err(CoreError::new(
                    ErrorCode::UnknownFeedbackReference,
                    format!(
                        "events[{i}].user_id: no user with id {:?}; create the user first",
                        input.user_id
                    ),
                ));
            }
            if communities_seen.insert(input.community_id.as_str())
                && self
                    .service
                    .store()
                    .get(&input.community_id)
                    .await?
                    .is_none()
            {
                return Err(CoreError::new(
                    ErrorCode::UnknownFeedbackReference,
                    format!(
                        "events[{i}].community_id: no community with id {:?}",
                        input.community_id
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Marks the community a dead link once enough different users reported it.
    async fn apply_reports(&self, community_id: &str) -> Result<bool, CoreError> {
        let reporters: BTreeSet<String> = self
            .users
            .events_about(community_id, FeedbackKind::ReportDeadLink)
            .await?
            .into_iter()
            .map(|e| e.user_id)
            .collect();
        if reporters.len() < self.settings.dead_link_reports.max(1) {
            return Ok(false);
        }
        let community = self.service.get(community_id).await?;
        if community.status == Status::DeadLink {
            return Ok(false);
        }
        tracing::info!(
            community = community_id,
            reporters = reporters.len(),
            "dead link reported by enough users"
        );
        self.service
            .update_status(
                community_id,
                StatusUpdate {
                    status: Status::DeadLink.as_str().to_string(),
                    ..Default::default()
                },
            )
            .await?;
        Ok(true)
    }

    /// The stored profile plus history, ranked.
    pub async fn recommend_for_user(
        &self,
        id: &str,
        options: UserRecommendOptions,
    ) -> Result<UserRecommendResponse, CoreError> {
        let user = self.get_user(id).await?;
        let history = History::from_events(&self.users.events_of_user(id).await?);
        let languages = self.known_languages(&user.languages).await?;
        let recent = |ids: &[String]| -> Vec<String> {
            ids.iter().rev().take(MAX_HISTORY).cloned().collect()
        };
        let mut exclude_ids = recent(&history.joined);
        exclude_ids.extend(recent(&history.reported));
        let request = RecommendRequest {
            profile: user.profile,
            filters: Filters {
                languages,
                include_inactive: options.include_inactive,
                ..Default::default()
            },
            exclude_ids,
            negative_ids: recent(&history.dismissed),
            diversity: options.diversity,
            limit: options.limit,
            offset: options.offset,
        };
        let mut liked = self.liked(&recent(&history.joined), "joined", 1.0).await?;
        liked.extend(
            self.liked(&recent(&history.clicked), "clicked", 0.5)
                .await?,
        );
        let steering = Steering {
            liked,
            ..Default::default()
        };
        let response = self.service.recommend(request, &steering).await?;
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

    async fn liked(
        &self,
        ids: &[String],
        action: &'static str,
        weight: f32,
    ) -> Result<Vec<Liked>, CoreError> {
        let mut out = Vec::new();
        for id in ids {
            // A community deleted since simply stops pulling.
            if let Some(record) = self.service.store().get(id).await? {
                out.push(Liked {
                    name: record.community.name,
                    vector: record.vector,
                    action,
                    weight,
                });
            }
        }
        Ok(out)
    }

    /// The user's languages that some community uses (others cannot match).
    async fn known_languages(&self, languages: &[String]) -> Result<Vec<String>, CoreError> {
        if languages.is_empty() {
            return Ok(Vec::new());
        }
        let vocabulary = self.service.store().vocabulary().await?;
        Ok(languages
            .iter()
            .filter(|l| vocabulary.language_keys.contains(&normalize_key(l)))
            .cloned()
            .collect())
    }
}

fn not_found(id: &str) -> CoreError {
    CoreError::new(ErrorCode::UserNotFound, format!("no user with id {id:?}"))
}
