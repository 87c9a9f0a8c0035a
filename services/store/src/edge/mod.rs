//! The embedded store: Qdrant in-process through `qdrant-edge`, the zero-setup
//! default. It mirrors the server backend (`qdrant/`) file for file:
//!
//! | concern | here | server backend |
//! |---|---|---|
//! | communities of one index version | `store` (a shard directory; `shard` is the open shard and what is kept beside it) | `qdrant/store.rs` (a collection) |
//! | index versions and the active one | `catalog` (`ACTIVE` file) | `qdrant/catalog.rs` (an alias) |
//! | point ids, payload, filters | `points` | `qdrant/convert.rs` |
//! | moderation queue | `queue` (JSON Lines journal) | `qdrant/queue.rs` (a collection) |
//! | users and feedback | `users`, `users_state` (JSON Lines journals) | `qdrant/users.rs`, `qdrant/users_retention.rs` (collections) |
//! | liveness history | `liveness` (JSON Lines journal) | `qdrant/liveness.rs` (a collection) |
//!
//! Keyword statistics are kept by both (`keyword_stats` here, `qdrant/keyword_stats.rs`).
//! Only this backend has `layout` (creating and migrating shards on disk),
//! `optimizer` (debounced index building off the request path) and
//! `journal` (the JSON Lines helpers) and `read_cache` (decoded communities
//! for searches, which only a single-writer store can keep coherent).

mod catalog;
mod journal;
mod keyword_stats;
mod layout;
mod liveness;
mod optimizer;
mod points;
mod queue;
mod read_cache;
mod shard;
mod store;
mod users;
mod users_state;

pub use catalog::EdgeCatalog;
pub use liveness::LivenessJournal;
pub use queue::JournalQueue;
pub use store::{EdgeStore, EdgeStoreOptions};
pub use users::UserJournal;
