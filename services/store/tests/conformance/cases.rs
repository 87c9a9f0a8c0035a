//! The cases, written once against the ports.

use std::sync::Arc;

use async_trait::async_trait;
use copmatch_core::progress::NoProgress;
use copmatch_core::reindex::reindex;
use copmatch_core::{
    ActiveIndex, CommunityRecord, Cost, EmbedError, Embedder, IndexVersion, Platform, Status,
    StoreFilter, VectorQuery, VectorStore,
};

use super::fixtures::{community, record, sample, DIM};
use super::Backend;

pub use super::history::{
    a_store_ranks_like_a_fresh_store_of_what_it_holds,
    keyword_ties_at_the_cut_keep_the_same_communities_whatever_the_write_order,
    settling_the_index_changes_no_answer,
};

fn ids(hits: &[copmatch_core::ScoredRecord]) -> Vec<&str> {
    hits.iter().map(|h| h.community.id.as_str()).collect()
}

pub async fn upsert_get_delete_round_trip(backend: &Backend) {
    let store = backend.fresh_store().await;
    store.upsert(sample()).await.unwrap();
    assert_eq!(store.count().await.unwrap(), 3);
    let got = store.get("nurses").await.unwrap().unwrap();
    assert_eq!(got.community.name, "NURSES");
    assert!((got.vector[0] - 1.0).abs() < 1e-6);
    assert!(store.delete("nurses").await.unwrap());
    assert!(!store.delete("nurses").await.unwrap());
    assert!(store.get("nurses").await.unwrap().is_none());
    assert_eq!(store.count().await.unwrap(), 2);
}

pub async fn get_many_reads_known_ids_in_the_order_asked(backend: &Backend) {
    let store = backend.fresh_store().await;
    store.upsert(sample()).await.unwrap();
    let asked: Vec<copmatch_core::CommunityId> = ["rust", "missing", "nurses"]
        .iter()
        .map(|s| copmatch_core::CommunityId::parse(*s).unwrap())
        .collect();
    let got = store.get_many(&asked).await.unwrap();
    let ids: Vec<&str> = got.iter().map(|r| r.community.id.as_str()).collect();
    assert_eq!(ids, vec!["rust", "nurses"]);
    assert!((got[1].vector[0] - 1.0).abs() < 1e-6, "vectors come along");
    assert!(store.get_many(&[]).await.unwrap().is_empty());
}

pub async fn upserting_the_same_id_replaces_instead_of_duplicating(backend: &Backend) {
    let store = backend.fresh_store().await;
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

/// Searches read the community as it is now: a rename, a status change and a
/// deletion show in the very next search (the embedded store keeps decoded
/// communities between searches and must drop them on every write).
pub async fn searches_see_every_write_at_once(backend: &Backend) {
    let store = backend.fresh_store().await;
    store.upsert(sample()).await.unwrap();
    let search = || {
        store.search(VectorQuery {
            vector: vec![0.0, 0.0, 1.0, 0.0],
            keywords: Some("rust".into()),
            filter: StoreFilter::default(),
            limit: 10,
        })
    };
    let before = search().await.unwrap();
    assert_eq!(before.dense[0].community.id, "rust");
    let mut renamed = before.dense[0].community.clone();
    renamed.name = "Rustaceans".into();
    renamed.status = Status::Inactive;
    store
        .upsert(vec![record(renamed, [0.0, 0.0, 1.0, 0.0])])
        .await
        .unwrap();
    let after = search().await.unwrap();
    assert_eq!(after.dense[0].community.name, "Rustaceans");
    assert_eq!(after.dense[0].community.status, Status::Inactive);
    assert!(store.delete("rust").await.unwrap());
    let gone = search().await.unwrap();
    assert!(!ids(&gone.dense).contains(&"rust"));
    assert!(!ids(&gone.keyword).contains(&"rust"));
}

pub async fn search_ranks_by_cosine_and_applies_filters_and_exclusions(backend: &Backend) {
    let store = backend.fresh_store().await;
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
    assert_eq!(ids(&hits), vec!["nurses", "doctors", "rust"]);
    assert!((hits[0].score - 1.0).abs() < 1e-5);
    assert_eq!(hits[0].vector.len(), DIM, "hits carry the dense vector");
    let free = store
        .search(query(StoreFilter {
            cost: Some(Cost::Free),
            ..Default::default()
        }))
        .await
        .unwrap()
        .dense;
    assert_eq!(ids(&free), vec!["nurses", "rust"]);
    let forum = StoreFilter {
        platforms: vec![Platform::Forum],
        ..Default::default()
    };
    assert_eq!(
        ids(&store.search(query(forum)).await.unwrap().dense),
        vec!["doctors"]
    );
    let medicine = StoreFilter {
        category_keys: vec!["medicine".into()],
        ..Default::default()
    };
    assert_eq!(
        ids(&store.search(query(medicine)).await.unwrap().dense),
        vec!["doctors"]
    );
    let excluded = StoreFilter {
        exclude_ids: vec![copmatch_core::CommunityId::parse("nurses").unwrap()],
        ..Default::default()
    };
    assert_eq!(
        ids(&store.search(query(excluded)).await.unwrap().dense),
        vec!["doctors", "rust"]
    );
}

pub async fn keyword_search_finds_exact_terms_and_statuses_filter_out(backend: &Backend) {
    let store = backend.fresh_store().await;
    let mut records = sample();
    records[2].community.description = Some("Rust compilers, crates and the borrow checker".into());
    records[0].community.status = Status::DeadLink;
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
    assert_eq!(ids(&hits.keyword), vec!["rust"]);
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
        exclude_statuses: vec![Status::DeadLink],
        ..Default::default()
    };
    let dense = store.search(query("nursing", alive)).await.unwrap().dense;
    assert!(dense.iter().all(|h| h.community.id != "nurses"));
}

fn many(n: usize) -> Vec<CommunityRecord> {
    (0..n)
        .map(|i| {
            record(
                community(&format!("c{i}"), Platform::Web, "Law", Cost::Unknown),
                [1.0, i as f32, 0.0, 1.0],
            )
        })
        .collect()
}

pub async fn list_pages_through_everything_once_in_a_stable_order(backend: &Backend) {
    let store = backend.fresh_store().await;
    store.upsert(many(25)).await.unwrap();
    let mut seen = Vec::new();
    for offset in (0..25).step_by(10) {
        seen.extend(
            store
                .list(&StoreFilter::default(), offset, 10)
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
        store.list(&StoreFilter::default(), 0, 10).await.unwrap(),
        store.list(&StoreFilter::default(), 0, 10).await.unwrap()
    );
}

pub async fn list_and_count_by_category_see_only_that_category(backend: &Backend) {
    let store = backend.fresh_store().await;
    let mut records = many(12);
    for (i, r) in records.iter_mut().enumerate().filter(|(i, _)| i % 3 == 0) {
        r.community.categories = vec![format!("Nursing and midwifery {}", i % 2)];
    }
    store.upsert(records).await.unwrap();
    let nursing = StoreFilter {
        category_keys: vec!["nursing and midwifery 0".into()],
        ..StoreFilter::default()
    };
    assert_eq!(
        store.count_matching(&nursing).await.unwrap(),
        2,
        "c0 and c6"
    );
    assert_eq!(
        store.count_matching(&StoreFilter::default()).await.unwrap(),
        12
    );
    let mut ids: Vec<String> = store
        .list(&nursing, 0, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id.to_string())
        .collect();
    ids.sort();
    assert_eq!(ids, ["c0", "c6"]);
    assert_eq!(
        store.list(&nursing, 1, 10).await.unwrap().len(),
        1,
        "offsets count within the filter"
    );
}

pub async fn scroll_visits_every_community_once(backend: &Backend) {
    let store = backend.fresh_store().await;
    store.upsert(many(23)).await.unwrap();
    let (mut seen, mut cursor) = (Vec::new(), None);
    loop {
        let (page, next) = store.scroll(cursor, 5).await.unwrap();
        assert!(page.len() <= 5);
        seen.extend(page.into_iter().map(|c| c.id));
        match next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 23);
}

pub async fn facet_values_lists_the_filter_values_present(backend: &Backend) {
    let store = backend.fresh_store().await;
    store.upsert(sample()).await.unwrap();
    let facets = store.facet_values().await.unwrap();
    let mut categories = facets.category_keys.clone();
    categories.sort();
    assert_eq!(categories, vec!["medicine", "nursing", "software"]);
    assert_eq!(facets.language_keys, vec!["english"]);
}

pub async fn activating_a_version_switches_what_serving_reads(backend: &Backend) {
    let catalog = &backend.catalog;
    let first = IndexVersion::new("test-model", 1, 1, DIM);
    let second = IndexVersion::new("test-model", 2, 2, DIM);
    assert!(
        catalog.active().await.unwrap().is_none(),
        "a new store has no active version"
    );
    catalog
        .create(&first)
        .await
        .unwrap()
        .upsert(sample())
        .await
        .unwrap();
    catalog.activate(&first).await.unwrap();
    let built = catalog.create(&second).await.unwrap();
    built.upsert(sample()[..1].to_vec()).await.unwrap();
    assert_eq!(
        catalog
            .serving(&first)
            .await
            .unwrap()
            .count()
            .await
            .unwrap(),
        3,
        "building a version does not disturb serving"
    );
    catalog.activate(&second).await.unwrap();
    assert_eq!(catalog.active().await.unwrap(), Some(second.clone()));
    assert_eq!(
        catalog
            .serving(&second)
            .await
            .unwrap()
            .count()
            .await
            .unwrap(),
        1
    );
    let names: Vec<String> = catalog
        .versions()
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.name)
        .collect();
    assert_eq!(
        names,
        vec![first.name.clone(), second.name.clone()],
        "versions are listed oldest first"
    );
    catalog.remove(&first).await.unwrap();
    assert_eq!(catalog.versions().await.unwrap(), vec![second]);
}

pub async fn the_active_version_cannot_be_removed(backend: &Backend) {
    backend.fresh_store().await;
    let active = backend.catalog.active().await.unwrap().unwrap();
    assert!(backend.catalog.remove(&active).await.is_err());
    assert_eq!(backend.catalog.active().await.unwrap(), Some(active));
}

/// Deterministic 4-d vectors from the text (the real model is tested at the
/// HTTP level; here only the copying and switching are under test).
struct LetterEmbedder;

#[async_trait]
impl Embedder for LetterEmbedder {
    fn model_id(&self) -> &str {
        "test-model"
    }
    fn dimension(&self) -> usize {
        DIM
    }
    async fn embed(&self, texts: Vec<String>) -> Result<Vec<Vec<f32>>, EmbedError> {
        Ok(texts
            .iter()
            .map(|t| {
                let mut v = [1.0f32; DIM];
                for (i, b) in t.bytes().enumerate() {
                    v[i % DIM] += (b % 7) as f32;
                }
                let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
                v.iter().map(|x| x / n).collect()
            })
            .collect())
    }
    fn is_ready(&self) -> bool {
        true
    }
}

pub async fn reindex_under_writes_loses_nothing(backend: &Backend) {
    let store = backend.fresh_store().await;
    store.upsert(many(150)).await.unwrap();
    let active = backend.catalog.active().await.unwrap().unwrap();
    let live = Arc::new(ActiveIndex::new(
        backend.catalog.clone(),
        active.clone(),
        store,
    ));
    let writer = {
        let live = live.clone();
        tokio::spawn(async move {
            for i in 0..40 {
                let c = community(&format!("new{i}"), Platform::Web, "Law", Cost::Free);
                live.upsert(vec![record(c, [0.0, 1.0, 0.0, 1.0])])
                    .await
                    .unwrap();
                if i % 4 == 0 {
                    assert!(live.delete(&format!("c{i}")).await.unwrap());
                }
                tokio::task::yield_now().await;
            }
        })
    };
    let report = reindex(&live, Arc::new(LetterEmbedder), &NoProgress)
        .await
        .unwrap();
    writer.await.unwrap();
    assert_ne!(report.from, report.to);
    assert_eq!(live.active_version().name, report.to);
    assert_eq!(
        backend.catalog.active().await.unwrap().unwrap().name,
        report.to
    );
    assert_eq!(
        live.count().await.unwrap(),
        150 + 40 - 10,
        "every write made during the copy is in the new version"
    );
    assert!(live.get("new39").await.unwrap().is_some());
    assert!(
        live.get("c0").await.unwrap().is_none(),
        "deletes during the copy stay deleted"
    );
    let again = reindex(&live, Arc::new(LetterEmbedder), &NoProgress)
        .await
        .unwrap();
    let kept: Vec<String> = backend
        .catalog
        .versions()
        .await
        .unwrap()
        .into_iter()
        .map(|v| v.name)
        .collect();
    assert_eq!(
        kept,
        vec![report.to, again.to],
        "only the active and the previous version are kept"
    );
}

pub use super::records::{
    liveness_history_is_newest_first_and_capped, moderation_items_round_trip_and_list_by_state,
};
pub use super::users::{
    folding_keeps_the_newest_events_and_counts_the_rest,
    idle_anonymous_users_are_found_by_their_last_write,
    users_and_their_events_round_trip_and_go_together,
};
