//! Nothing is lost on restart.

use copmatch_tests::{community, json, spawn_app_with, TestOptions};
use serde_json::Value;

#[tokio::test]
async fn communities_survive_a_restart() {
    let app = spawn_app_with(TestOptions::default()).await;
    let doc = community("keep-me", "Keep Me", &["Law"], "Still here after a restart.");
    assert_eq!(app.put_json("/v1/communities/keep-me", &doc).await.status(), 201);
    let dir = app.stop().await;

    let app = spawn_app_with(TestOptions { data_dir: Some(dir), ..Default::default() }).await;
    let got: Value = app.get("/v1/communities/keep-me").await.json().await.unwrap();
    assert_eq!(got["name"], "Keep Me");
    let body = app.recommend(json!({"profile": {"roles": ["lawyer"]}})).await;
    assert_eq!(body["recommendations"][0]["community"]["id"], "keep-me");
}

#[tokio::test]
async fn the_bundled_catalog_is_imported_only_into_an_empty_store() {
    let app = spawn_app_with(TestOptions { bundled_catalog: true, ..Default::default() }).await;
    let page: Value = app.get("/v1/communities?limit=1").await.json().await.unwrap();
    let total = page["total"].as_u64().unwrap();
    assert!(total >= 150, "bundled catalog imported at start-up");
    assert_eq!(app.delete("/v1/communities/apha").await.status(), 204);
    let dir = app.stop().await;

    let app = spawn_app_with(TestOptions { bundled_catalog: true, data_dir: Some(dir), ..Default::default() }).await;
    let page: Value = app.get("/v1/communities?limit=1").await.json().await.unwrap();
    assert_eq!(page["total"].as_u64().unwrap(), total - 1, "a deletion is not undone by a restart");
    assert_eq!(app.get("/v1/communities/apha").await.status(), 404);
}
