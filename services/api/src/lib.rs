//! The copmatch service: the actix-web application, its configuration and the
//! start-up sequence shared by the `copmatch` command and the tests.
//!
//! Design: this crate is the only one that knows HTTP. It builds the domain
//! service ([`copmatch_core::CopMatch`]) from configuration — model, store,
//! ranking weights — and mounts one module per API area. Start-up loads the
//! model and opens the store *before* binding, so a listening service is a
//! working one; `/ready` then reports whether both still answer.

pub mod app;
pub mod auth;
pub mod cli;
pub mod error;
pub mod evaluate;
pub mod models;
pub mod progress;
pub mod reindexer;
pub mod retrain;
pub mod routes;
pub mod settings;
pub mod transfer;

pub use app::{open_service, open_stack, Application, Stack};
pub use settings::Settings;

/// Largest import body, as app data for the import handler.
#[derive(Clone, Copy)]
pub struct ImportLimit(pub usize);
