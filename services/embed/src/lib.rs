//! Sentence embeddings with all-MiniLM-L6-v2 through rust-bert, for copmatch.
//!
//! Design (after text-embeddings-inference): rust-bert models are `Send` but not
//! `Sync`, and inference blocks for milliseconds, so each model lives on its own
//! OS thread. Async callers hold a cheap, cloneable [`SentenceEmbedder`] handle
//! that sends texts over a channel and awaits a oneshot reply; a worker that
//! wakes up drains whatever else is queued and runs it as one batch, so
//! concurrent requests share forward passes. The queue is bounded in texts
//! (`max_queue`): past it a request is refused at once
//! ([`copmatch_core::EmbedError::Overloaded`]) rather than left to wait ever
//! longer. A model thread that panics answers its batch with an error and
//! stops; readiness ([`copmatch_core::Embedder::is_ready`]) then turns false,
//! since it requires every thread started to be alive. Queue depth, batch
//! sizes and inference time go to the `metrics` facade. An LRU cache in front of the queue
//! answers repeated texts (the same role typed by many people, re-imports of an
//! unchanged catalog) without touching the model. The model is loaded from
//! local files only; nothing is fetched from a model hub.

mod batch;
mod cache;
mod model;
mod precision;
mod worker;

pub use model::{EmbedderOptions, SentenceEmbedder, MODEL_ID};
pub use precision::Precision;
