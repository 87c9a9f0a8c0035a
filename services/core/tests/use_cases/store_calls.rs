//! The request path's cost in store round trips is fixed: however many "not
//! for me" ids a request names and however long a user's history is, a
//! recommendation makes the same small number of store calls. Counted below
//! the active index, where each call is a network round trip on a Qdrant
//! server (1,000 negatives were once 1,000 sequential reads).

use std::collections::BTreeMap;
use std::sync::Arc;

use copmatch_core::fakes::{community, memory_service_with_calls, MemoryUsers, StoreCalls};
use copmatch_core::feedback::{FeedbackInput, UserInput};
use copmatch_core::personalizer::{FeedbackSettings, Personalizer, UserRecommendOptions};
use copmatch_core::{Filters, Profile, RecommendRequest, Services, Steering};

use crate::DIMENSION;

/// Store calls a profile recommendation may make: the filter values, one
/// read of every negative, one search.
const MAX_CALLS_PER_RECOMMENDATION: usize = 3;
/// A personal recommendation adds one read of the whole history.
const MAX_CALLS_PER_PERSONAL_RECOMMENDATION: usize = 4;

async fn service_holding(n: usize) -> (Services, Arc<StoreCalls>) {
    let (service, _, _, calls) = memory_service_with_calls(DIMENSION).await;
    let communities = (0..n)
        .map(|i| {
            community(
                &format!("c-{i}"),
                &format!("Community {i}"),
                &["Nursing"],
                "nurses on night shifts",
            )
        })
        .collect();
    service
        .catalog
        .store_communities(communities)
        .await
        .unwrap();
    (service, calls)
}

fn request(negatives: usize) -> RecommendRequest {
    RecommendRequest {
        profile: Profile {
            roles: vec!["night nurse".into()],
            ..Default::default()
        },
        filters: Filters {
            categories: vec!["nursing".into()],
            languages: vec!["english".into()],
            ..Default::default()
        },
        // Stored and unknown ids alike: a deleted community may be named.
        negative_ids: (0..negatives)
            .map(|i| {
                if i % 2 == 0 {
                    format!("c-{i}")
                } else {
                    format!("gone-{i}")
                }
            })
            .collect(),
        ..Default::default()
    }
}

fn total(calls: &BTreeMap<&'static str, usize>) -> usize {
    calls.values().sum()
}

#[tokio::test]
async fn a_recommendation_makes_the_same_few_store_calls_whatever_the_number_of_negatives() {
    let (service, calls) = service_holding(1_000).await;
    let mut seen = Vec::new();
    for negatives in [0, 10, 1_000] {
        calls.reset();
        service
            .recommender
            .recommend(request(negatives), &Steering::default())
            .await
            .unwrap();
        let made = calls.snapshot();
        assert!(
            total(&made) <= MAX_CALLS_PER_RECOMMENDATION,
            "{negatives} negatives made {made:?}"
        );
        assert_eq!(
            made.get("get"),
            None,
            "{negatives} negatives read one by one: {made:?}"
        );
        seen.push(made);
    }
    // The filter values are kept between requests: only the first computes them.
    assert_eq!(seen[0].get("facet_values"), Some(&1), "{seen:?}");
    assert_eq!(seen[2].get("facet_values"), None, "{seen:?}");
    assert_eq!(seen[2].get("get_many"), Some(&1), "{seen:?}");
}

#[tokio::test]
async fn a_write_makes_the_kept_filter_values_stale() {
    let (service, calls) = service_holding(3).await;
    let nursing = || RecommendRequest {
        profile: request(0).profile,
        filters: Filters {
            categories: vec!["woodworking".into()],
            ..Default::default()
        },
        ..Default::default()
    };
    let unknown = service
        .recommender
        .recommend(nursing(), &Steering::default())
        .await;
    assert!(unknown.is_err(), "no community is in woodworking yet");
    service
        .catalog
        .store_communities(vec![community("wood", "Woodworkers", &["Woodworking"], "")])
        .await
        .unwrap();
    calls.reset();
    service
        .recommender
        .recommend(nursing(), &Steering::default())
        .await
        .expect("the new category is known at once after the write");
    assert_eq!(calls.snapshot().get("facet_values"), Some(&1));
}

#[tokio::test]
async fn a_personal_recommendation_reads_the_whole_history_at_once() {
    let (service, calls) = service_holding(500).await;
    let clock = Arc::new(copmatch_core::time::ManualClock::new(jiff::Timestamp::now()));
    let (desk, _, _) = copmatch_core::fakes::report_desk(service.catalog.clone(), clock);
    let users = Personalizer::new(
        service.catalog,
        service.recommender,
        Arc::new(MemoryUsers::default()),
        FeedbackSettings::default(),
        desk,
    );
    let profile = request(0).profile;
    for id in ["new", "long"] {
        users
            .put_user(
                &copmatch_core::fakes::uid(id),
                UserInput {
                    profile: profile.clone(),
                    languages: vec!["English".into()],
                },
            )
            .await
            .unwrap();
    }
    let event = |community: usize, kind: &str| FeedbackInput {
        user_id: "long".into(),
        community_id: format!("c-{community}"),
        kind: kind.into(),
        ts: None,
        position: None,
    };
    // 200 joins, 200 clicks and 100 dismissals: the history caps of each kind.
    let history: Vec<FeedbackInput> = (0..200)
        .map(|i| event(i, "join"))
        .chain((200..400).map(|i| event(i, "click")))
        .chain((400..500).map(|i| event(i, "dismiss")))
        .collect();
    for batch in history.chunks(100) {
        users.record_feedback(batch.to_vec()).await.unwrap();
    }
    let mut made = Vec::new();
    for id in ["new", "long", "long"] {
        calls.reset();
        users
            .recommend_for_user(
                &copmatch_core::fakes::uid(id),
                UserRecommendOptions::default(),
            )
            .await
            .unwrap();
        let snapshot = calls.snapshot();
        assert!(
            total(&snapshot) <= MAX_CALLS_PER_PERSONAL_RECOMMENDATION,
            "user {id} made {snapshot:?}"
        );
        assert_eq!(
            snapshot.get("get"),
            None,
            "user {id} read one by one: {snapshot:?}"
        );
        made.push(snapshot);
    }
    assert_eq!(
        made[1].get("get_many"),
        Some(&2),
        "history and negatives: {made:?}"
    );
}
