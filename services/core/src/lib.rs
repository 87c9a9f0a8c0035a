//! copmatch's domain: what a community of practice is, what a person's profile
//! is, how the two are matched, ranked and explained.
//!
//! Design: this crate owns every rule (validation, ranking, explanations, import
//! semantics) and talks to the outside only through two ports, [`Embedder`] and
//! [`VectorStore`]. It knows neither HTTP nor a storage engine, so the web layer
//! (`copmatch-api`), the stores (`copmatch-store`) and the model
//! (`copmatch-embed`) all depend on it and never on each other. Errors carry a
//! stable [`ErrorCode`]; the web layer maps codes to HTTP statuses in one table.

pub mod adapter;
pub mod community;
pub mod error;
pub mod eval;
pub mod import;
pub mod live;
pub mod moderation;
pub mod moderator;
pub mod personal;
pub mod ports;
pub mod profile;
pub mod ranking;
pub mod reindex;
pub mod service;
pub mod text;
pub mod users;
pub mod views;

pub use community::{Community, Cost, Platform, Status};
pub use error::{CoreError, ErrorCode};
pub use import::{ImportLineError, ImportProgress, ImportReport};
pub use live::LiveIndex;
pub use ports::{
    CommunityRecord, EmbedError, Embedder, IndexCatalog, IndexVersion, ModerationQueue,
    ScoredRecord, SearchHits, StoreError, StoreFilter, VectorQuery, VectorStore, Vocabulary,
};
pub use profile::{Filters, Profile, RecommendRequest};
pub use ranking::{RankingWeights, RetrievalMode};
pub use service::{
    CommunityPage, CopMatch, Limits, RecommendResponse, Recommendation, SimilarResponse,
    StatusUpdate, Steering,
};
pub use users::{FeedbackEvent, FeedbackKind, History, User, UserStore};
