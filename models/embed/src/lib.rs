//! Sentence embeddings for copmatch with all-MiniLM-L6-v2 (BERT, the
//! default) or all-mpnet-base-v2 (MPNet): rust-bert's tokenizer and a
//! forward pass of our own ([`Encoder`]: fused attention, weights converted
//! once, both architectures), or rust-bert's whole pipeline ([`Engine`],
//! BERT only: rust-bert 0.23 has no MPNet).
//!
//! Design (after text-embeddings-inference): rust-bert models are `Send` but not
//! `Sync`, and inference blocks for milliseconds, so each model lives on its own
//! OS thread, one per core by default. Async callers hold a cheap, cloneable
//! [`SentenceEmbedder`] handle that sends texts over a channel (one job per
//! thread, so an idle service embeds a request's texts side by side) and awaits
//! oneshot replies; a thread that wakes up drains whatever else is queued
//! (leaving it to an idle thread if there is one), sorts the texts by length
//! and runs them in token-bounded passes (`batch`), so concurrent requests
//! share forward passes and short texts are not padded to long ones. On CPUs
//! with native bf16 the matrix products run in bf16 (`precision`). The queue is bounded in texts
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
mod encoder;
mod engine;
mod model;
mod precision;
mod weights;
mod worker;

pub use encoder::Encoder;
pub use engine::Engine;
pub use model::{EmbedderOptions, SentenceEmbedder, MODEL_ID};
pub use precision::Precision;
