//! Shards created before keyword vectors existed, or with Qdrant's own IDF,
//! are migrated, crash-safely.

use copmatch_core::{Community, Cost, Platform, Status, StoreFilter, VectorQuery, VectorStore};
use copmatch_store::{EdgeStore, EdgeStoreOptions};
use qdrant_edge::{
    Distance, EdgeConfigBuilder, EdgeShard, EdgeSparseVectorParams, EdgeVectorParams, Modifier,
    PointInsertOperations, PointOperations, PointStruct, UpdateOperation,
};
use serde_json::json;
use tempfile::TempDir;

/// Writes a shard the way the first copmatch did: one unnamed dense vector.
fn write_old_shard(path: &std::path::Path) {
    write_shard(
        path,
        EdgeConfigBuilder::new()
            .vector("", EdgeVectorParams::builder(2, Distance::Cosine).build())
            .build(),
    );
}

/// Writes a shard the way copmatch did while Qdrant applied its own IDF:
/// a keyword vector with `Modifier::Idf` (left empty here: a migration
/// computes keyword vectors again from the payload).
fn write_server_idf_shard(path: &std::path::Path) {
    write_shard(
        path,
        EdgeConfigBuilder::new()
            .vector("", EdgeVectorParams::builder(2, Distance::Cosine).build())
            .sparse_vector(
                "bm25",
                EdgeSparseVectorParams::builder()
                    .modifier(Modifier::Idf)
                    .build(),
            )
            .build(),
    );
}

fn write_shard(path: &std::path::Path, config: qdrant_edge::EdgeConfig) {
    std::fs::create_dir_all(path).unwrap();
    let shard = EdgeShard::new(path, config).unwrap();
    let community = Community {
        id: copmatch_core::CommunityId::parse("old").unwrap(),
        name: "Old Timers".into(),
        url: "https://old.example".into(),
        platform: Platform::Forum,
        categories: vec!["Law".into()],
        tags: vec!["paralegals".into()],
        languages: vec![],
        cost: Cost::Free,
        description: Some("Paralegals discussing e-filing".into()),
        homepage: None,
        status: Status::Unknown,
        last_verified_at: None,
        last_activity_at: None,
        member_count: None,
        liveness: Default::default(),
        provenance: Vec::new(),
    };
    let mut doc = serde_json::to_value(&community).unwrap();
    // The first layout stored no liveness fields.
    for field in [
        "status",
        "last_verified_at",
        "last_activity_at",
        "member_count",
    ] {
        doc.as_object_mut().unwrap().remove(field);
    }
    let id = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, b"copmatch:community:old");
    let payload = json!({"id": "old", "platform": "forum", "cost": "free", "category_keys": ["law"], "language_keys": [], "community": doc});
    let point = PointStruct::new(qdrant_edge::PointId::Uuid(id), vec![1.0, 0.0], payload).into();
    shard
        .update(UpdateOperation::PointOperation(
            PointOperations::UpsertPoints(PointInsertOperations::PointsList(vec![point])),
        ))
        .unwrap();
    shard.flush();
}

async fn assert_migrated(store: &EdgeStore) {
    let got = store
        .get("old")
        .await
        .unwrap()
        .expect("the community survived the migration");
    assert_eq!(got.community.name, "Old Timers");
    assert_eq!(got.community.status, Status::Unknown);
    let hits = store
        .search(VectorQuery {
            vector: vec![1.0, 0.0],
            keywords: Some("e-filing".into()),
            filter: StoreFilter::default(),
            limit: 5,
        })
        .await
        .unwrap();
    assert_eq!(
        hits.keyword.len(),
        1,
        "keyword vectors were computed for migrated communities"
    );
}

#[tokio::test]
async fn an_old_shard_is_migrated_to_the_current_layout() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("shard");
    write_old_shard(&path);
    let store = EdgeStore::open(&path, 2, EdgeStoreOptions::default()).unwrap();
    assert_migrated(&store).await;
    assert!(
        !dir.path().join("shard.previous-layout").exists(),
        "the old copy is removed when done"
    );
}

#[tokio::test]
async fn an_interrupted_migration_resumes_from_the_old_copy() {
    let dir = TempDir::new().unwrap();
    write_old_shard(&dir.path().join("shard.previous-layout"));
    // A half-built new shard from the interrupted run.
    std::fs::create_dir_all(dir.path().join("shard/segments")).unwrap();
    let store = EdgeStore::open(&dir.path().join("shard"), 2, EdgeStoreOptions::default()).unwrap();
    assert_migrated(&store).await;
}

#[tokio::test]
async fn a_shard_weighted_by_qdrants_idf_moves_to_copmatchs_own_weights() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("shard");
    write_server_idf_shard(&path);
    let store = EdgeStore::open(&path, 2, EdgeStoreOptions::default()).unwrap();
    assert_migrated(&store).await;
    store.close().await.unwrap();
    let shard = EdgeShard::load(&path, None).unwrap();
    let modifier = shard.config().sparse_vectors["bm25"].modifier;
    assert_eq!(modifier.unwrap_or_default(), Modifier::None);
}
