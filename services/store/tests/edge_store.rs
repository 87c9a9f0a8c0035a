//! What only the embedded store does: files, locks, reopening. Behaviour both
//! stores share is in `conformance/`.

use copmatch_core::VectorStore;
use copmatch_store::{EdgeStore, EdgeStoreOptions};
use tempfile::TempDir;

mod fixtures;

use fixtures::{sample, DIM};

fn open(dir: &TempDir) -> EdgeStore {
    EdgeStore::open(&dir.path().join("shard"), DIM, EdgeStoreOptions::default())
        .expect("store opens")
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
    let facets = store.facet_values().await.unwrap();
    assert!(facets.category_keys.contains(&"nursing".to_string()));
    assert!(facets.language_keys.contains(&"english".to_string()));
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

#[tokio::test]
async fn settling_works_without_the_background_pass_and_fails_once_closed() {
    let dir = TempDir::new().unwrap();
    // The background pass never comes in this test: `settle` runs its own.
    let options = EdgeStoreOptions {
        optimize_debounce: std::time::Duration::from_secs(3600),
        ..Default::default()
    };
    let store = EdgeStore::open(&dir.path().join("shard"), DIM, options).unwrap();
    store.upsert(sample()).await.unwrap();
    store.settle().await.unwrap();
    assert_eq!(store.count().await.unwrap(), 3);
    store.close().await.unwrap();
    let err = store.settle().await.unwrap_err();
    assert!(
        matches!(err, copmatch_core::StoreError::Unavailable(_)),
        "{err}"
    );
}
