//! Plumbing of the second reading of free text (`Services::with_second_opinion`)
//! with a stand-in model; the real all-mpnet-base-v2 is measured by `copmatch
//! eval` and exercised over HTTP in `tests/service/role_searches.rs`.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use copmatch_core::{EmbedError, Embedder, Profile, RecommendRequest, Steering};

use crate::{ids, service};

/// Reads every text that names woodworking as one point, everything else as
/// another: the woodworkers are the only community it finds close to a
/// sentence about woodworking.
#[derive(Default)]
struct FavoursWoodworking {
    texts: AtomicUsize,
}

#[async_trait]
impl Embedder for FavoursWoodworking {
    fn model_id(&self) -> &str {
        "second-opinion-stand-in"
    }

    fn dimension(&self) -> usize {
        2
    }

    async fn embed(&self, texts: Vec<String>) -> Result<Vec<Vec<f32>>, EmbedError> {
        self.texts.fetch_add(texts.len(), Ordering::SeqCst);
        Ok(texts
            .iter()
            .map(|t| match t.to_lowercase().contains("woodwork") {
                true => vec![1.0, 0.0],
                false => vec![0.0, 1.0],
            })
            .collect())
    }

    fn is_ready(&self) -> bool {
        true
    }
}

fn ask(role: &str, limit: usize, offset: usize) -> RecommendRequest {
    RecommendRequest {
        profile: Profile {
            roles: vec![role.to_string()],
            ..Default::default()
        },
        limit: Some(limit),
        offset: Some(offset),
        ..Default::default()
    }
}

const SENTENCE: &str = "python programming language code and data all day, a little woodworking";

#[tokio::test]
async fn free_text_is_reordered_by_the_second_models_reading() {
    let plain = service().await;
    let first = plain
        .recommender
        .recommend(ask(SENTENCE, 5, 0), &Steering::default())
        .await
        .unwrap();
    assert_ne!(ids(&first.recommendations)[0], "woodworkers");

    let second = Arc::new(FavoursWoodworking::default());
    let service = service().await.with_second_opinion(Some(second.clone()));
    let response = service
        .recommender
        .recommend(ask(SENTENCE, 5, 0), &Steering::default())
        .await
        .unwrap();
    assert_eq!(ids(&response.recommendations)[0], "woodworkers");
    assert_eq!(response.recommendations.len(), 5);
    // One text for the sentence, one per community it re-read (all five).
    assert_eq!(second.texts.load(Ordering::SeqCst), 6);
    let scores: Vec<f32> = response.recommendations.iter().map(|r| r.score).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
}

#[tokio::test]
async fn pages_of_free_text_follow_the_reordered_ranking() {
    let second = Arc::new(FavoursWoodworking::default());
    let service = service().await.with_second_opinion(Some(second));
    let whole = service
        .recommender
        .recommend(ask(SENTENCE, 4, 0), &Steering::default())
        .await
        .unwrap();
    let page = service
        .recommender
        .recommend(ask(SENTENCE, 2, 2), &Steering::default())
        .await
        .unwrap();
    assert_eq!(
        ids(&page.recommendations),
        ids(&whole.recommendations)[2..4]
    );
}

#[tokio::test]
async fn short_profiles_the_baselines_and_diverse_requests_are_not_read_twice() {
    let second = Arc::new(FavoursWoodworking::default());
    let service = service().await.with_second_opinion(Some(second.clone()));
    let short = service
        .recommender
        .recommend(ask("python woodworking", 5, 0), &Steering::default())
        .await
        .unwrap();
    assert!(!short.recommendations.is_empty());
    let dense = Steering {
        mode: copmatch_ranking::RetrievalMode::DenseOnly,
        ..Default::default()
    };
    service
        .recommender
        .recommend(ask(SENTENCE, 5, 0), &dense)
        .await
        .unwrap();
    let mut diverse = ask(SENTENCE, 5, 0);
    diverse.diversity = Some(0.5);
    service
        .recommender
        .recommend(diverse, &Steering::default())
        .await
        .unwrap();
    assert_eq!(second.texts.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn the_service_is_not_ready_while_the_second_model_is_down() {
    let second = Arc::new(copmatch_core::fakes::WordEmbedder::new(8));
    let service = service().await.with_second_opinion(Some(second.clone()));
    assert!(service.recommender.models_ready());
    second.fail();
    assert!(!service.recommender.models_ready());
}
