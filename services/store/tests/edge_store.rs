//! The embedded Qdrant store with small synthetic vectors (no model needed).

use copmatch_core::{
    Community, CommunityRecord, Cost, Platform, StoreFilter, VectorQuery, VectorStore,
};
use copmatch_store::{EdgeStore, EdgeStoreOptions};
use tempfile::TempDir;

const DIM: usize = 4;

fn community(id: &str, platform: Platform, category: &str, cost: Cost) -> Community {
    Community {
        id: id.into(),
        name: id.to_uppercase(),
        url: format!("https://{id}.example"),
        platform,
        categories: vec![category.into()],
        tags: vec![],
        languages: vec!["English".into()],
        cost,
        description: Some(format!("about {category}")),
        homepage: None,
        status: copmatch_core::Status::Unknown,
        last_verified_at: None,
        last_activity_at: None,
        member_count: None,
    }
}

fn record(c: Community, v: [f32; DIM]) -> CommunityRecord {
    let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    CommunityRecord {
        community: c,
        vector: v.iter().map(|x| x / n).collect(),
    }
}

fn open(dir: &TempDir) -> EdgeStore {
    EdgeStore::open(&dir.path().join("shard"), DIM, EdgeStoreOptions::default())
        .expect("store opens")
}

fn sample() -> Vec<CommunityRecord> {
    vec![
        record(
            community("nurses", Platform::Slack, "Nursing", Cost::Free),
            [1.0, 0.0, 0.0, 0.0],
        ),
        record(
            community("doctors", Platform::Forum, "Medicine", Cost::Paid),
            [0.9, 0.1, 0.0, 0.0],
        ),
        record(
            community("rust", Platform::Discord, "Software", Cost::Free),
            [0.0, 0.0, 1.0, 0.0],
        ),
    ]
}

#[tokio::test]
async fn upsert_get_delete_round_trip() {
    let dir = TempDir::new().unwrap();
    let store = open(&dir);
    store.upsert(sample()).await.unwrap();
    assert_eq!(store.count().await.unwrap(), 3);
    let got = store.get("nurses").await.unwrap().unwrap();
    assert_eq!(got.community.name, "NURSES");
    assert!((got.vector[0] - 1.0).abs() < 1e-6);
    assert!(store.delete("nurses").await.unwrap());
    assert!(!store.delete("nurses").await.unwrap());
    assert!(store.get("nurses").await.unwrap().is_none());
    assert_eq!(store.count().await.unwrap(), 2);
    store.close().await.unwrap();
}

#[tokio::test]
async fn upserting_the_same_id_replaces_instead_of_duplicating() {
    let dir = TempDir::new().unwrap();
    let store = open(&dir);
    store.upsert(sample()).await.unwrap();
    let mut renamed = community("rust", Platform::Discord, "Software", Cost::Free);
    renamed.name = "Rustaceans".into();
    store
        .upsert(vec![record(renamed, [0.0, 0.0, 1.0, 0.0])])
        .await
        .unwrap();
    assert_eq!(store.count().await.unwrap(), 3);
    assert_eq!(
        store.get("rust").await.unwrap().unwrap().community.name,
        "Rustaceans"
    );
}

#[tokio::test]
async fn search_ranks_by_cosine_and_applies_filters_and_exclusions() {
    let dir = TempDir::new().unwrap();
    let store = open(&dir);
    store.upsert(sample()).await.unwrap();
    let query = |filter: StoreFilter| VectorQuery {
        vector: vec![1.0, 0.0, 0.0, 0.0],
        keywords: None,
        filter,
        limit: 10,
    };
    let hits = store
        .search(query(StoreFilter::default()))
        .await
        .unwrap()
        .dense;
    assert_eq!(
        hits.iter()
            .map(|h| h.community.id.as_str())
            .collect::<Vec<_>>(),
        vec!["nurses", "doctors", "rust"]
    );
    assert!((hits[0].score - 1.0).abs() < 1e-5);
    let free = store
        .search(query(StoreFilter {
            cost: Some(Cost::Free),
            ..Default::default()
        }))
        .await
        .unwrap()
        .dense;
    assert_eq!(
        free.iter()
            .map(|h| h.community.id.as_str())
            .collect::<Vec<_>>(),
        vec!["nurses", "rust"]
    );
    let forum = store
        .search(query(StoreFilter {
            platforms: vec![Platform::Forum],
            ..Default::default()
        }))
        .await
        .unwrap()
        .dense;
    assert_eq!(forum.len(), 1);
    let medicine = store
        .search(query(StoreFilter {
            category_keys: vec!["medicine".into()],
            ..Default::default()
        }))
        .await
        .unwrap()
        .dense;
    assert_eq!(medicine[0].community.id, "doctors");
    let excluded = store
        .search(query(StoreFilter {
            exclude_ids: vec!["nurses".into()],
            ..Default::default()
        }))
        .await
        .unwrap()
        .dense;
    assert_eq!(excluded[0].community.id, "doctors");
}

#[tokio::test]
async fn keyword_search_finds_exact_terms_and_statuses_filter_out() {
    let dir = TempDir::new().unwrap();
    let store = open(&dir);
    let mut records = sample();
    records[2].community.description = Some("Rust compilers, crates and the borrow checker".into());
    records[0].community.status = copmatch_core::Status::DeadLink;
    store.upsert(records).await.unwrap();
    let query = |keywords: &str, filter: StoreFilter| VectorQuery {
        vector: vec![1.0, 0.0, 0.0, 0.0],
        keywords: Some(keywords.into()),
        filter,
        limit: 10,
    };
    let hits = store
        .search(query("borrow checker crates", StoreFilter::default()))
        .await
        .unwrap();
    assert_eq!(hits.keyword.len(), 1);
    assert_eq!(hits.keyword[0].community.id, "rust");
    assert_eq!(
        hits.keyword[0].vector.len(),
        DIM,
        "keyword hits carry the dense vector"
    );
    assert!(hits.keyword[0].score > 0.0);
    assert!(store
        .search(query("the of and", StoreFilter::default()))
        .await
        .unwrap()
        .keyword
        .is_empty());
    let alive = StoreFilter {
        exclude_statuses: vec![copmatch_core::Status::DeadLink],
        ..Default::default()
    };
    let dense = store.search(query("nursing", alive)).await.unwrap().dense;
    assert!(dense.iter().all(|h| h.community.id != "nurses"));
}

#[tokio::test]
async fn everything_survives_close_and_reopen() {
    let dir = TempDir::new().unwrap();
    let store = open(&dir);
    store.upsert(sample()).await.unwrap();
    store.delete("doctors").await.unwrap();
    store.close().await.unwrap();
    drop(store);
    let store = open(&dir);
    assert_eq!(store.count().await.unwrap(), 2);
    assert!(store.get("doctors").await.unwrap().is_none());
    let vocabulary = store.vocabulary().await.unwrap();
    assert!(vocabulary.category_keys.contains(&"nursing".to_string()));
    assert!(vocabulary.language_keys.contains(&"english".to_string()));
}

#[tokio::test]
async fn a_second_process_cannot_open_the_same_directory() {
    let dir = TempDir::new().unwrap();
    let _store = open(&dir);
    let err = EdgeStore::open(&dir.path().join("shard"), DIM, EdgeStoreOptions::default())
        .err()
        .unwrap();
    assert!(
        err.to_string().contains("another copmatch process"),
        "{err}"
    );
}

#[tokio::test]
async fn a_store_built_for_another_dimension_is_refused() {
    let dir = TempDir::new().unwrap();
    open(&dir).close().await.unwrap();
    let err = EdgeStore::open(&dir.path().join("shard"), 8, EdgeStoreOptions::default())
        .err()
        .unwrap();
    assert!(err.to_string().contains("dimension"), "{err}");
}

#[tokio::test]
async fn list_pages_through_everything_once_in_a_stable_order() {
    let dir = TempDir::new().unwrap();
    let store = open(&dir);
    let many: Vec<CommunityRecord> = (0..25)
        .map(|i| {
            record(
                community(&format!("c{i}"), Platform::Web, "Law", Cost::Unknown),
                [1.0, i as f32, 0.0, 1.0],
            )
        })
        .collect();
    store.upsert(many).await.unwrap();
    let mut seen = Vec::new();
    for offset in (0..25).step_by(10) {
        seen.extend(
            store
                .list(offset, 10)
                .await
                .unwrap()
                .into_iter()
                .map(|c| c.id),
        );
    }
    assert_eq!(seen.len(), 25);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 25);
    assert_eq!(
        store.list(0, 10).await.unwrap(),
        store.list(0, 10).await.unwrap()
    );
}

#[tokio::test]
async fn writes_after_close_fail_as_unavailable() {
    let dir = TempDir::new().unwrap();
    let store = open(&dir);
    store.close().await.unwrap();
    let err = store.upsert(sample()).await.unwrap_err();
    assert!(
        matches!(err, copmatch_core::StoreError::Unavailable(_)),
        "{err}"
    );
}
