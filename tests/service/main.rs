//! Black-box tests of the running service. One binary (one link step, one
//! model load) with a module per area.

mod access;
mod api_errors;
mod browse;
mod communities;
mod docs;
mod eval;
mod harvest;
mod import;
mod liveness;
mod liveness_checks;
mod moderation;
mod observability;
mod outage;
mod persistence;
mod recommendations;
mod reindex;
mod retention;
mod retrain;
mod role_searches;
mod trained_model;
mod users;
