//! copmatch's use cases and the ports they reach the outside through:
//! recommending and finding similar communities, managing and importing the
//! catalog ([`service`]), moderation ([`moderator`]), users, feedback and
//! personal recommendations ([`personalizer`]), recording liveness checks
//! ([`liveness_checks`]), re-indexing ([`reindex`]) behind the swappable
//! active index ([`active_index`]), and the retrained query map a ranking
//! serves with ([`served_model`]).
//!
//! Dead-link reports go through [`reports`]: queued, a prompt check, never
//! a verdict.
//!
//! Design: the seven ports in [`ports`] ([`Embedder`], [`VectorStore`],
//! [`IndexCatalog`], [`ModerationQueue`], [`UserStore`], [`LivenessLog`] and
//! [`ports::Rechecks`]) are the only way out; implementations live in other crates (the stores in
//! `copmatch-store`, the model in `copmatch-embed`), which depend on this one
//! and never the other way. The values the use cases move are the domain's
//! (`copmatch-domain`, re-exported here module for module: [`community`],
//! [`profile`], [`filters`], [`liveness`], [`records`], [`error`],
//! [`text`], [`time`]); scores, reasons and the texts the model reads are the
//! ranking engine's (`copmatch-ranking`). This crate knows neither HTTP nor a
//! storage engine nor the model. In-memory ports for fast tests are in
//! [`fakes`] (feature `fakes`).

pub use copmatch_domain::{
    community, error, filters, ids, liveness, liveness_policy, profile, records, text, time,
};

pub mod active_index;
pub mod durable;
pub mod embedding;
#[cfg(any(test, feature = "fakes"))]
pub mod fakes;
pub mod feedback;
pub mod harvesting;
pub mod import;
pub mod liveness_checks;
pub mod moderator;
pub mod personalizer;
pub mod ports;
pub mod progress;
pub mod reindex;
pub mod reports;
pub mod retention;
pub mod served_model;
pub mod service;
pub mod submissions;

pub use active_index::ActiveIndex;
pub use community::{Community, Cost, Platform, Status};
pub use error::{CoreError, EmbedError, ErrorCode, ErrorType, StoreError};
pub use feedback::{FeedbackEvent, FeedbackKind, History, User};
pub use filters::Filters;
pub use ids::{CommunityId, UserId};
pub use import::{ImportLineError, ImportReport};
pub use ports::{
    CommunityRecord, Embedder, FacetValues, IndexCatalog, IndexVersion, LivenessLog,
    ModerationQueue, ScoredRecord, SearchHits, StoreFilter, UserStore, VectorQuery, VectorStore,
};
pub use profile::{Profile, RecommendRequest};
pub use progress::{JobProgress, NoProgress};
pub use service::{
    Browse, Catalog, CommunityPage, FieldCount, FieldList, Limits, RecommendResponse,
    Recommendation, Recommender, Services, SimilarResponse, StatusUpdate, Steering,
};
