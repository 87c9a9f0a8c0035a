//! Every port through which the domain reaches the outside world, and the
//! records that cross them:
//!
//! - [`Embedder`]: texts to vectors (`copmatch-embed`);
//! - [`VectorStore`]: the communities of one index version (`copmatch-store`);
//! - [`IndexCatalog`]: the index versions a store holds and the active one;
//! - [`ModerationQueue`]: submissions and reports waiting for a moderator;
//! - [`UserStore`]: users and their feedback events;
//! - [`LivenessLog`]: the history of each community's liveness checks;
//! - [`Rechecks`]: prompt liveness checks asked for by reports.
//!
//! Implementations live in other crates; the domain sees only these traits.
//! In-memory versions of each are in [`crate::fakes`] for fast tests.

use std::sync::Arc;

use async_trait::async_trait;

use crate::feedback::{FeedbackEvent, FeedbackKind, User};
use crate::submissions::{ItemState, ModerationItem};
use copmatch_domain::community::Community;
use copmatch_domain::ids::CommunityId;
use copmatch_domain::liveness::CheckResult;

pub use copmatch_domain::error::{EmbedError, StoreError};
pub use copmatch_domain::records::{
    CommunityRecord, FacetValues, IndexVersion, ScoredRecord, SearchHits, StoreFilter, VectorQuery,
};

/// Turns texts into unit-length vectors of a fixed dimension.
#[async_trait]
pub trait Embedder: Send + Sync + 'static {
    /// A stable name for the model, reported in responses and used to name
    /// the store's index for this model.
    fn model_id(&self) -> &str;
    fn dimension(&self) -> usize;
    /// One vector per text, in order. Never blocks the async caller.
    async fn embed(&self, texts: Vec<String>) -> Result<Vec<Vec<f32>>, EmbedError>;
    /// Whether the model can still answer (its workers are alive).
    fn is_ready(&self) -> bool;
}

/// Where community vectors live. Writes are durable when the call returns.
#[async_trait]
pub trait VectorStore: Send + Sync + 'static {
    /// Inserts or replaces communities by id.
    async fn upsert(&self, records: Vec<CommunityRecord>) -> Result<(), StoreError>;
    /// Deletes by id; `false` when there was nothing to delete.
    async fn delete(&self, id: &str) -> Result<bool, StoreError>;
    async fn get(&self, id: &str) -> Result<Option<CommunityRecord>, StoreError>;
    /// Several communities in one read, in the order asked; unknown ids are
    /// left out. Required, with no default, so that a wrapper cannot fall
    /// back to one read per id by forgetting to pass it on (a Qdrant round
    /// trip each: 1,000 "not for me" ids were 1,000 sequential reads).
    async fn get_many(&self, ids: &[CommunityId]) -> Result<Vec<CommunityRecord>, StoreError>;
    /// A page of the communities that pass `filter`, in a stable order.
    async fn list(
        &self,
        filter: &StoreFilter,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<Community>, StoreError>;
    /// Every community exactly once, a page at a time, whatever is written
    /// meanwhile: pass the returned cursor back until it is `None`.
    async fn scroll(
        &self,
        cursor: Option<String>,
        limit: usize,
    ) -> Result<(Vec<Community>, Option<String>), StoreError>;
    async fn count(&self) -> Result<usize, StoreError>;
    /// How many communities pass `filter` (exact).
    async fn count_matching(&self, filter: &StoreFilter) -> Result<usize, StoreError>;
    /// Dense and keyword candidates for a query.
    async fn search(&self, query: VectorQuery) -> Result<SearchHits, StoreError>;
    /// The filter values present, computed by the store; the active index
    /// caches them per version and write (see `ActiveIndex`).
    async fn facet_values(&self) -> Result<Arc<FacetValues>, StoreError>;
    /// Ok when the store answers.
    async fn check(&self) -> Result<(), StoreError>;
    /// Returns once the search index has caught up with every write, so the
    /// searches that follow rank as they will on a quiet store. Without it a
    /// run that starts right after a bulk import ranks partly by full scan,
    /// partly by graph search, depending on how busy the machine is.
    /// Evaluation and the feedback simulation call it; requests never wait
    /// for it. Required, like `get_many`, so a wrapper cannot drop it.
    async fn settle(&self) -> Result<(), StoreError>;
    /// Makes everything durable and releases the store; later calls fail.
    async fn close(&self) -> Result<(), StoreError>;
}

/// The moderation queue: submissions and reports, durable when a call returns.
#[async_trait]
pub trait ModerationQueue: Send + Sync + 'static {
    async fn put(&self, item: ModerationItem) -> Result<(), StoreError>;
    async fn get(&self, id: &str) -> Result<Option<ModerationItem>, StoreError>;
    /// Items in the given state (all when `None`), oldest first.
    async fn list(&self, state: Option<ItemState>) -> Result<Vec<ModerationItem>, StoreError>;
}

/// The versions of the community index a store holds, and which one serves.
#[async_trait]
pub trait IndexCatalog: Send + Sync + 'static {
    /// Every version, oldest first.
    async fn versions(&self) -> Result<Vec<IndexVersion>, StoreError>;
    /// The version requests are served from, if any.
    async fn active(&self) -> Result<Option<IndexVersion>, StoreError>;
    /// Creates an empty index for `version` (replacing a leftover of the same name).
    async fn create(&self, version: &IndexVersion) -> Result<Arc<dyn VectorStore>, StoreError>;
    /// Makes `version` the one served, atomically: a reader sees either the
    /// old index or the new one, never a mix or nothing.
    async fn activate(&self, version: &IndexVersion) -> Result<(), StoreError>;
    /// The store requests should use while `version` is active.
    async fn serving(&self, version: &IndexVersion) -> Result<Arc<dyn VectorStore>, StoreError>;
    /// Deletes a version that is not active; refuses the active one.
    async fn remove(&self, version: &IndexVersion) -> Result<(), StoreError> {
        if self
            .active()
            .await?
            .is_some_and(|active| active.name == version.name)
        {
            return Err(StoreError::Internal(format!(
                "{} is the active index and cannot be removed",
                version.name
            )));
        }
        self.delete_inactive(version).await
    }
    /// Deletes a version's data; [`IndexCatalog::remove`] has checked that it
    /// is not the active one.
    async fn delete_inactive(&self, version: &IndexVersion) -> Result<(), StoreError>;
    /// Releases everything the catalog opened.
    async fn close(&self) -> Result<(), StoreError>;
}

/// Where users and feedback events live: the configured store, durable when
/// a call returns.
#[async_trait]
pub trait UserStore: Send + Sync + 'static {
    async fn put_user(&self, user: User) -> Result<(), StoreError>;
    async fn get_user(&self, id: &str) -> Result<Option<User>, StoreError>;
    /// Deletes the user and their events; `false` when there was no user.
    async fn delete_user(&self, id: &str) -> Result<bool, StoreError>;
    /// Appends events, all or none.
    async fn append_events(&self, events: Vec<FeedbackEvent>) -> Result<(), StoreError>;
    /// A user's events, oldest first.
    async fn events_of_user(&self, user_id: &str) -> Result<Vec<FeedbackEvent>, StoreError>;
    /// Events of one type about one community.
    async fn events_about(
        &self,
        community_id: &str,
        kind: FeedbackKind,
    ) -> Result<Vec<FeedbackEvent>, StoreError>;
    /// Every event exactly once, a page at a time (see `VectorStore::scroll`).
    async fn scroll_events(
        &self,
        cursor: Option<String>,
        limit: usize,
    ) -> Result<(Vec<FeedbackEvent>, Option<String>), StoreError>;
    /// Folds each user's oldest events into counts on their record
    /// ([`crate::retention::roll_up`]) until at most `keep` remain; how many
    /// were folded. Users within the cap cost no write (and, on a server,
    /// one count for the whole list). Durable when the call returns.
    async fn roll_up_events(&self, user_ids: &[String], keep: usize) -> Result<usize, StoreError>;
    /// Anonymous users ([`User::anonymous`]) whose last write (the user put,
    /// or an event received) is before `before`, at most `limit` of them.
    async fn idle_anonymous_users(
        &self,
        before: jiff::Timestamp,
        limit: usize,
    ) -> Result<Vec<String>, StoreError>;
    /// Deletes users and their events; how many of them existed. For the
    /// expiry sweep: unlike [`UserStore::delete_user`] (a person's request,
    /// erased from disk at once), a store may leave the bytes to its next
    /// compaction, so that a sweep does not rewrite every event.
    async fn delete_users(&self, ids: &[String]) -> Result<usize, StoreError> {
        let mut deleted = 0;
        for id in ids {
            deleted += usize::from(self.delete_user(id).await?);
        }
        Ok(deleted)
    }
}

/// The history of liveness checks, durable when a call returns. Each
/// implementation keeps at most a configured number of checks per community
/// (`liveness.history_cap`); the oldest go first.
#[async_trait]
pub trait LivenessLog: Send + Sync + 'static {
    async fn append(&self, check: CheckResult) -> Result<(), StoreError>;
    /// A community's checks, newest first, at most `limit`.
    async fn history(
        &self,
        community_id: &str,
        limit: usize,
    ) -> Result<Vec<CheckResult>, StoreError>;
}

/// Prompt liveness checks, asked for by dead-link reports
/// (`copmatch-api` runs them on the liveness checker).
pub trait Rechecks: Send + Sync + 'static {
    /// Queues a check of `id` without waiting for it; false when it cannot be
    /// queued (checks are off, or the queue is full).
    fn request(&self, id: &CommunityId) -> bool;
}
