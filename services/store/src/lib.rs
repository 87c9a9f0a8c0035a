//! The store ports of `copmatch_core::ports` on Qdrant: communities
//! (`VectorStore`), their index versions (`IndexCatalog`), the moderation queue
//! (`ModerationQueue`), users with their feedback (`UserStore`), and the
//! liveness history (`LivenessLog`).
//!
//! Design: two backends that mirror each other file for file. `edge` embeds
//! Qdrant in-process through `qdrant-edge` (the zero-setup default): one shard
//! directory per index version and JSON Lines journals for the queue, the
//! users and the liveness history. `qdrant` talks to a Qdrant server or cluster over gRPC: one
//! collection per index version behind an alias, and collections for the
//! queue, the users and the liveness history. Both lay points out the same way (`payload`: the same
//! point ids, payload and filter conditions, and a BM25 sparse vector from
//! `keywords`) so they rank identically; the conformance suite in
//! `tests/conformance` holds both to the same cases. `tuning` is the index
//! configuration both apply; `cut` cuts keyword candidates through ties the same way in both.

mod cut;
mod edge;
mod keywords;
mod payload;
mod qdrant;
mod tuning;

pub use edge::{
    EdgeCatalog, EdgeStore, EdgeStoreOptions, JournalQueue, LivenessJournal, UserJournal,
};
pub use qdrant::{QdrantCatalog, QdrantLiveness, QdrantOptions, QdrantQueue, QdrantUsers};
pub use tuning::{IndexTuning, Quantization};
