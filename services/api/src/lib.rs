//! The copmatch service and the `copmatch` command.
//!
//! Design: this crate wires the others together and is the only one that
//! knows HTTP. [`app`] opens the models ([`embedders`]) and the configured backend into a
//! [`Stack`] (domain services from `copmatch-core`, stores from
//! `copmatch-store`, the model from `copmatch-embed`, model management from
//! `copmatch-retrain`) *before* binding, so a listening service is a working
//! one; `/ready` then reports whether both still answer. [`routes`] holds one
//! file per API area, each declaring its routes once; [`error`] gives every
//! error its JSON shape and status from the one error table; [`auth`] checks
//! admin keys; [`reindex_job`] runs a re-index in the background,
//! [`liveness_job`] the liveness checks (`copmatch-liveness`) and
//! [`retention_job`] the expiry of idle anonymous users. [`cli`] is
//! the command line, which opens the same stack; [`settings`] is the layered
//! configuration (defaults, `copmatch.toml`, `COPMATCH__*`, flags).

pub mod app;
pub mod auth;
pub mod cli;
pub mod embedders;
pub mod error;
pub mod harvest_job;
pub mod harvest_sources;
pub mod limits;
pub mod liveness_job;
pub mod metered_store;
pub mod model_folder;
pub mod progress;
pub mod reindex_job;
pub mod retention_job;
pub mod routes;
pub mod settings;
pub mod telemetry;

pub use app::{open_stack, Application, Stack};
pub use routes::communities::ImportLimit;
pub use settings::Settings;
