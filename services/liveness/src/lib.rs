//! Automatic liveness checks of the catalog's communities.
//!
//! Design: a [`Checker`] holds one reqwest client (no cookie store, no
//! automatic redirects, a user agent naming copmatch) whose every connection
//! resolves through the SSRF guard ([`guard`]), and a per-host gate
//! ([`polite`]) that spaces requests to one host and honours `Retry-After`.
//! [`fetch`] follows redirects hop by hop under both. [`adapters`] picks the
//! platform's public endpoint for a link (Discord invites, Reddit `about.json`,
//! the Stack Exchange API, Discourse `about.json`, the GitHub API, Slack invite
//! pages, Meetup group pages, plain HTTP) and reads its answer into an outcome
//! and activity signals. [`run`] checks a selection of communities with a
//! global concurrency and records each check at once through
//! `copmatch_core::liveness_checks::LivenessService`, which applies the status policy
//! with hysteresis, keeps the history, and files moved links for moderators.

pub mod adapters;
#[cfg(feature = "fake-internet")]
pub mod fake_internet;
pub mod fetch;
pub mod guard;
pub mod polite;
pub mod run;
pub mod settings;

mod checker;

pub use checker::Checker;
pub use run::{run, RunReport, RunState, Selection};
pub use settings::{Endpoints, LivenessSettings};
