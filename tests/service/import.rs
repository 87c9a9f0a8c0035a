//! Import semantics: per-line reports, idempotent upserts, public lists unchanged.

use copmatch_tests::{assert_error, community, spawn_app};
use serde_json::Value;

#[tokio::test]
async fn import_stores_valid_lines_and_reports_bad_ones_by_line() {
    let app = spawn_app().await;
    let ndjson = [
        community("i-1", "One", &["Law"], "Lawyers talking").to_string(),
        String::new(),
        "{broken".to_string(),
        r#"{"id":"i-3","name":"Three","url":"ftp://x","platform":"web"}"#.to_string(),
        community("i-2", "Two", &["Law"], "Paralegals talking").to_string(),
    ]
    .join("\n");
    let report: Value = app.import(ndjson.clone()).await.json().await.unwrap();
    assert_eq!(report["received"], 4);
    assert_eq!(report["imported"], 2);
    assert_eq!(report["failed"], 2);
    assert_eq!(report["errors"][0]["line"], 3);
    assert_eq!(report["errors"][1]["line"], 4);
    assert_eq!(report["errors"][1]["code"], "invalid_community");

    let again: Value = app.import(ndjson).await.json().await.unwrap();
    assert_eq!(again["imported"], 2);
    let page: Value = app.get("/v1/communities").await.json().await.unwrap();
    assert_eq!(
        page["total"], 2,
        "re-importing the same lines upserts, never duplicates"
    );
}

#[tokio::test]
async fn import_refuses_non_utf8_bodies() {
    let app = spawn_app().await;
    let r = app
        .client
        .post(app.url("/v1/communities/import"))
        .body(vec![0xff, 0xfe, 0x00])
        .send()
        .await
        .unwrap();
    assert_error(r, 400, "malformed_json").await;
}

#[tokio::test]
async fn the_bundled_catalog_imports_without_a_single_refused_line() {
    let app = spawn_app().await;
    let text = std::fs::read_to_string(copmatch_tests::bundled_catalog()).unwrap();
    let report: Value = app.import(text.clone()).await.json().await.unwrap();
    assert_eq!(report["failed"], 0, "{report}");
    assert!(report["imported"].as_u64().unwrap() >= 150);
}

#[tokio::test]
async fn the_shared_public_list_imports_unchanged() {
    let Some(path) = copmatch_tests::required_external_catalog() else {
        return;
    };
    let app = spawn_app().await;
    let text = std::fs::read_to_string(path).unwrap();
    let lines = text.lines().filter(|l| !l.trim().is_empty()).count();
    let report: Value = app.import(text).await.json().await.unwrap();
    assert_eq!(report["failed"], 0, "{}", report["errors"]);
    assert_eq!(report["imported"].as_u64().unwrap() as usize, lines);
    let page: Value = app
        .get("/v1/communities?limit=1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["total"].as_u64().unwrap() as usize, lines);
}
