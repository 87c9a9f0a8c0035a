//! Vector store implementations behind `copmatch_core::VectorStore`.
//!
//! Design: the default store embeds Qdrant in-process through `qdrant-edge`, one
//! shard directory per embedding model. The engine is synchronous and owns its
//! own threads, so every call runs on tokio's blocking pool and async callers
//! never wait on it. Writes, flushes and index optimization are serialized by one
//! lock: the engine's `flush` asserts it is uncontended, and an acknowledged
//! write must be flushed to disk before we answer. Index building (`optimize`)
//! is debounced onto a background thread, off the request path. Each point
//! carries a dense embedding and a BM25 keyword vector, so one store answers
//! both halves of hybrid retrieval.

mod edge;
mod journal;
mod keywords;
mod layout;
mod optimizer;
mod payload;

pub use edge::{EdgeStore, EdgeStoreOptions};
pub use journal::JournalQueue;
