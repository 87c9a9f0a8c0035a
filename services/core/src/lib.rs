//! copmatch's domain: what a community of practice is, what a person's profile
//! is, how the two are matched, ranked and explained, and the use cases built
//! on that (catalog, recommendations, moderation, personalization, re-indexing,
//! evaluation on the development set).
//!
//! Design: this crate owns every rule (validation, ranking, explanations,
//! import semantics) and reaches the outside only through the six ports in
//! [`ports`]: [`Embedder`], [`VectorStore`], [`IndexCatalog`],
//! [`ModerationQueue`], [`UserStore`] and [`LivenessLog`]; the records that
//! cross them are in [`records`]. It knows neither HTTP nor a storage
//! engine, so the web layer (`copmatch-api`), the stores (`copmatch-store`),
//! the model (`copmatch-embed`) and retraining (`copmatch-retrain`) all depend
//! on it and never the other way. Every error carries a stable [`ErrorCode`]
//! declared once, with its HTTP status number, in [`error`]. In-memory ports
//! for fast tests are in [`fakes`] (feature `fakes`).
//!
//! Where things are: [`service`] (recommend, catalog), [`moderator`]
//! (submissions and reports, decided; the items are in [`submissions`]),
//! [`personalizer`] (users, feedback and personal recommendations; the records
//! are in [`feedback`]), [`liveness`] (automatic checks turned into a
//! status), [`reindex`] and [`live`] (index versions),
//! [`ranking`] (scores and reasons), [`views`] (the texts that get embedded),
//! [`served_model`] (the retrained query map a ranking serves with),
//! [`devset`] (nDCG@10 and friends on the development set).

pub mod community;
pub mod devset;
pub mod durable;
pub mod error;
#[cfg(any(test, feature = "fakes"))]
pub mod fakes;
pub mod feedback;
pub mod filters;
pub mod import;
pub mod live;
pub mod liveness;
pub mod moderator;
pub mod personalizer;
pub mod ports;
pub mod profile;
pub mod ranking;
pub mod records;
pub mod reindex;
pub mod served_model;
pub mod service;
pub mod submissions;
pub mod synonyms;
pub mod text;
pub mod time;
pub mod views;

pub use community::{Community, Cost, Platform, Status};
pub use error::{CoreError, EmbedError, ErrorCode, ErrorType, StoreError};
pub use feedback::{FeedbackEvent, FeedbackKind, History, User};
pub use filters::Filters;
pub use import::{ImportLineError, ImportProgress, ImportReport};
pub use live::LiveIndex;
pub use ports::{
    CommunityRecord, Embedder, IndexCatalog, IndexVersion, LivenessLog, ModerationQueue,
    ScoredRecord, SearchHits, StoreFilter, UserStore, VectorQuery, VectorStore, Vocabulary,
};
pub use profile::{Profile, RecommendRequest};
pub use ranking::{RankingWeights, RetrievalMode};
pub use service::{
    CommunityPage, CopMatch, Limits, RecommendResponse, Recommendation, SimilarResponse,
    StatusUpdate, Steering,
};
