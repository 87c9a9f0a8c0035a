//! The core use cases on in-memory ports (`copmatch_core::fakes`): no model,
//! no store on disk, no HTTP, so `cargo test -p copmatch-core` runs in
//! seconds. The same behaviour on the real model and stores is covered by the
//! store conformance suite and the HTTP suite (`tests/service`).

mod catalog;
mod fuzz;
mod harvesting;
mod liveness;
mod moderation;
mod personal;
mod recommend;
mod reindex;
mod retention;
mod second_opinion;
mod store_calls;

use std::sync::Arc;

use copmatch_core::fakes::{community, memory_service, WordEmbedder};
use copmatch_core::{ActiveIndex, Community, Services};

pub const DIMENSION: usize = 64;

/// A few communities whose texts share words only within a field.
pub fn catalog() -> Vec<Community> {
    vec![
        community(
            "icu-nurses",
            "ICU Nurses",
            &["Nursing"],
            "critical care nurses on night shifts",
        ),
        community(
            "epi-exchange",
            "Epidemiology Exchange",
            &["Public health"],
            "epidemiology surveillance outbreak data",
        ),
        community(
            "rustaceans",
            "Rustaceans",
            &["Programming"],
            "rust programming language systems code",
        ),
        community(
            "pythonistas",
            "Pythonistas",
            &["Programming"],
            "python programming language data code",
        ),
        community(
            "woodworkers",
            "Woodworkers Guild",
            &["Skilled trades"],
            "woodworking joinery furniture timber",
        ),
    ]
}

/// A service over a fresh in-memory store holding [`catalog`].
pub async fn service() -> Services {
    let (service, _, _) = service_with_index().await;
    service
}

pub async fn service_with_index() -> (Services, Arc<ActiveIndex>, Arc<WordEmbedder>) {
    let (service, live, embedder) = memory_service(DIMENSION).await;
    service.catalog.store_communities(catalog()).await.unwrap();
    (service, live, embedder)
}

pub fn ids(recommendations: &[copmatch_core::Recommendation]) -> Vec<&str> {
    recommendations
        .iter()
        .map(|r| r.community.id.as_str())
        .collect()
}
