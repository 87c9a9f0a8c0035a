use copmatch_core::{ErrorCode, Profile, RecommendRequest, Steering};
use copmatch_ranking::RetrievalMode;

use crate::{ids, service, service_with_index};

fn ask(roles: &[&str]) -> RecommendRequest {
    RecommendRequest {
        profile: Profile {
            roles: roles.iter().map(|r| r.to_string()).collect(),
            ..Default::default()
        },
        ..Default::default()
    }
}

#[tokio::test]
async fn the_community_sharing_the_profile_words_comes_first() {
    let service = service().await;
    let response = service
        .recommender
        .recommend(ask(&["rust programming"]), &Steering::default())
        .await
        .unwrap();
    assert_eq!(ids(&response.recommendations)[0], "rustaceans");
    assert!(response.recommendations[0]
        .reasons
        .iter()
        .any(|r| !r.is_empty()));
    assert_eq!(response.model, "fake-words");
}

#[tokio::test]
async fn one_request_embeds_its_wordings_in_one_batch() {
    let (service, _, embedder) = service_with_index().await;
    let before = embedder.usage();
    service
        .recommender
        .recommend(ask(&["ICU nurse", "epidemiologist"]), &Steering::default())
        .await
        .unwrap();
    let after = embedder.usage();
    assert_eq!(after.0 - before.0, 1, "one call to the model per request");
}

#[tokio::test]
async fn excluded_and_paged_results_follow_the_request() {
    let service = service().await;
    let mut request = ask(&["programming language code"]);
    request.exclude_ids = vec!["rustaceans".into()];
    request.limit = Some(1);
    request.offset = Some(1);
    let response = service
        .recommender
        .recommend(request, &Steering::default())
        .await
        .unwrap();
    assert_eq!(response.recommendations.len(), 1);
    assert!(!ids(&response.recommendations).contains(&"rustaceans"));
}

#[tokio::test]
async fn an_empty_profile_and_a_bad_limit_are_refused_with_their_codes() {
    let service = service().await;
    let err = service
        .recommender
        .recommend(RecommendRequest::default(), &Steering::default())
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::EmptyProfile);
    let mut request = ask(&["nurse"]);
    request.limit = Some(0);
    let err = service
        .recommender
        .recommend(request, &Steering::default())
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidLimit);
}

#[tokio::test]
async fn an_unknown_category_filter_is_refused_and_a_known_one_narrows() {
    let service = service().await;
    let mut request = ask(&["data"]);
    request.filters.categories = vec!["astrology".into()];
    let err = service
        .recommender
        .recommend(request.clone(), &Steering::default())
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::UnknownFilterValue);
    request.filters.categories = vec!["PUBLIC HEALTH".into()];
    let response = service
        .recommender
        .recommend(request, &Steering::default())
        .await
        .unwrap();
    assert_eq!(ids(&response.recommendations), ["epi-exchange"]);
}

#[tokio::test]
async fn the_baselines_rank_by_one_signal_each() {
    let service = service().await;
    for mode in [RetrievalMode::DenseOnly, RetrievalMode::KeywordOnly] {
        let steering = Steering {
            mode,
            ..Default::default()
        };
        let response = service
            .recommender
            .recommend(ask(&["woodworking furniture"]), &steering)
            .await
            .unwrap();
        assert_eq!(ids(&response.recommendations)[0], "woodworkers", "{mode:?}");
    }
}

#[tokio::test]
async fn similar_leaves_out_the_community_itself() {
    let service = service().await;
    let response = service
        .recommender
        .similar(&copmatch_core::fakes::cid("rustaceans"), Some(3))
        .await
        .unwrap();
    let found = ids(&response.recommendations);
    assert!(!found.contains(&"rustaceans"));
    assert_eq!(found[0], "pythonistas");
    let err = service
        .recommender
        .similar(&copmatch_core::fakes::cid("nope"), None)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::CommunityNotFound);
}

#[tokio::test]
async fn a_retrained_model_moves_the_closest_item_as_well_as_the_profile() {
    use std::sync::Arc;

    use copmatch_core::served_model::{QueryAdapter, ServedModel};

    let service = service().await;
    let target = service
        .catalog
        .store()
        .get(&copmatch_core::fakes::cid("woodworkers"))
        .await
        .unwrap()
        .unwrap();
    let dimension = target.vector.len();
    // A map that sends every profile to the woodworkers' vector.
    let adapter = QueryAdapter {
        version: "ft-test".into(),
        base_model: service.recommender.model_id(),
        text_version: copmatch_ranking::wordings::EMBEDDING_TEXT_VERSION,
        dimension,
        weights: vec![0.0; dimension * dimension],
        bias: target.vector.clone(),
        blend: 1.0,
        segments: Default::default(),
        segment_blend: 0.0,
        anchors: Vec::new(),
        reach: 0.0,
    };
    let steering = Steering {
        model: Some(ServedModel {
            base: service.recommender.model_id(),
            adapter: Some(Arc::new(adapter)),
        }),
        ..Default::default()
    };
    let response = service
        .recommender
        .recommend(ask(&["rust programming"]), &steering)
        .await
        .unwrap();
    let top = &response.recommendations[0];
    assert_eq!(top.community.id, "woodworkers");
    // Whole profile and closest item both moved: the semantic score is 1.
    let reasons = top.reasons.join(" | ");
    assert!(reasons.contains("(similarity 1.00)"), "{reasons}");
}
