//! Nothing is lost on restart.

use copmatch_tests::{community, json, spawn_app_with, TestOptions};
use serde_json::Value;

#[tokio::test]
async fn communities_survive_a_restart() {
    let app = spawn_app_with(TestOptions::default()).await;
    let doc = community(
        "keep-me",
        "Keep Me",
        &["Law"],
        "Still here after a restart.",
    );
    assert_eq!(
        app.put_json("/v1/communities/keep-me", &doc).await.status(),
        201
    );
    let dir = app.stop().await;

    let app = spawn_app_with(TestOptions {
        data_dir: Some(dir),
        ..Default::default()
    })
    .await;
    let got: Value = app
        .get("/v1/communities/keep-me")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(got["name"], "Keep Me");
    let body = app
        .recommend(json!({"profile": {"roles": ["lawyer"]}}))
        .await;
    assert_eq!(body["recommendations"][0]["community"]["id"], "keep-me");
}

#[tokio::test]
async fn the_bundled_catalog_is_imported_only_into_an_empty_store() {
    let app = spawn_app_with(TestOptions {
        bundled_catalog: true,
        ..Default::default()
    })
    .await;
    let page: Value = app
        .get("/v1/communities?limit=1")
        .await
        .json()
        .await
        .unwrap();
    let total = page["total"].as_u64().unwrap();
    assert!(total >= 150, "bundled catalog imported at start-up");
    assert_eq!(app.delete("/v1/communities/apha").await.status(), 204);
    let dir = app.stop().await;

    let app = spawn_app_with(TestOptions {
        bundled_catalog: true,
        data_dir: Some(dir),
        ..Default::default()
    })
    .await;
    let page: Value = app
        .get("/v1/communities?limit=1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        page["total"].as_u64().unwrap(),
        total - 1,
        "a deletion is not undone by a restart"
    );
    assert_eq!(app.get("/v1/communities/apha").await.status(), 404);
}

#[tokio::test]
async fn a_store_built_from_an_older_community_text_is_re_embedded_on_start() {
    use copmatch_core::{Community, CommunityRecord, VectorStore};
    use copmatch_store::{EdgeStore, EdgeStoreOptions};
    if copmatch_tests::on_qdrant() {
        eprintln!("not applicable on a Qdrant server: this test writes embedded-store files");
        return;
    }

    let dir = tempfile::TempDir::new().unwrap();
    let old_path = dir.path().join("communities/all-minilm-l6-v2");
    let store = EdgeStore::open(&old_path, 384, EdgeStoreOptions::default()).unwrap();
    let doc = community(
        "welders-guild",
        "Welders Guild",
        &["Skilled trades"],
        "Welders share TIG and MIG technique.",
    );
    let community = Community::from_json_value(doc).unwrap();
    // A vector that the current text would never produce.
    let mut wrong = vec![0.0f32; 384];
    wrong[0] = 1.0;
    store
        .upsert(vec![CommunityRecord {
            community,
            vector: wrong,
        }])
        .await
        .unwrap();
    store.close().await.unwrap();
    drop(store);

    let app = spawn_app_with(TestOptions {
        data_dir: Some(dir),
        ..Default::default()
    })
    .await;
    let got: Value = app
        .get("/v1/communities/welders-guild")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(got["name"], "Welders Guild");
    let dir = app.stop().await;
    let active = std::fs::read_to_string(dir.path().join("communities/ACTIVE")).unwrap();
    assert_eq!(active, "all-minilm-l6-v2__1", "a new index version serves");
    assert!(
        dir.path().join("communities/all-minilm-l6-v2").exists(),
        "the old one is kept as the previous version"
    );
    let current = EdgeStore::open(
        &dir.path().join("communities").join(active),
        384,
        EdgeStoreOptions::default(),
    )
    .unwrap();
    let record = current
        .get("welders-guild")
        .await
        .unwrap()
        .expect("carried over");
    assert!(
        record.vector[0] < 0.5,
        "the vector was recomputed from the text, not copied"
    );
    let norm: f32 = record.vector.iter().map(|x| x * x).sum::<f32>().sqrt();
    assert!((norm - 1.0).abs() < 1e-3);
}
