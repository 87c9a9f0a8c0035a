//! Vector store implementations behind `copmatch_core::VectorStore`, and the
//! index-version catalogs behind `copmatch_core::IndexCatalog`.
//!
//! Design: the default store embeds Qdrant in-process through `qdrant-edge`, one
//! shard directory per index version ([`EdgeCatalog`]); the server store talks
//! to a Qdrant server or cluster over gRPC, one collection per index version
//! behind an alias ([`QdrantCatalog`]). Both lay points out the same way (a
//! dense vector, a BM25 sparse vector computed here, the same payload) so they
//! rank identically. The engine is synchronous and owns its
//! own threads, so every call runs on tokio's blocking pool and async callers
//! never wait on it. Writes, flushes and index optimization are serialized by one
//! lock: the engine's `flush` asserts it is uncontended, and an acknowledged
//! write must be flushed to disk before we answer. Index building (`optimize`)
//! is debounced onto a background thread, off the request path. Each point
//! carries a dense embedding and a BM25 keyword vector, so one store answers
//! both halves of hybrid retrieval.

mod edge;
mod edge_catalog;
mod journal;
mod keywords;
mod layout;
mod optimizer;
mod payload;
mod qdrant;
mod tuning;
mod user_journal;

pub use edge::{EdgeStore, EdgeStoreOptions};
pub use edge_catalog::EdgeCatalog;
pub use journal::JournalQueue;
pub use qdrant::{QdrantCatalog, QdrantOptions, QdrantQueue, QdrantUsers};
pub use tuning::{IndexTuning, Quantization};
pub use user_journal::UserJournal;
