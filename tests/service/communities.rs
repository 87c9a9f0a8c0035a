//! Catalog management over HTTP: CRUD, admin keys, similar communities.

use copmatch_tests::{assert_error, community, json, spawn_app, spawn_app_with, TestOptions};
use serde_json::Value;

#[tokio::test]
async fn put_creates_then_replaces_and_delete_removes() {
    let app = spawn_app().await;
    let doc = community(
        "cop-1",
        "Night Nurses",
        &["Nursing"],
        "Support for nurses on night shifts.",
    );
    let r = app.put_json("/v1/communities/cop-1", &doc).await;
    assert_eq!(r.status(), 201);
    let mut changed = doc.clone();
    changed["name"] = json!("Night Shift Nurses");
    let r = app.put_json("/v1/communities/cop-1", &changed).await;
    assert_eq!(r.status(), 200);
    let got: Value = app.get("/v1/communities/cop-1").await.json().await.unwrap();
    assert_eq!(got["name"], "Night Shift Nurses");
    assert_eq!(got["platform"], "slack");
    let page: Value = app
        .get("/v1/communities?limit=10")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["total"], 1);
    assert_eq!(page["communities"][0]["id"], "cop-1");
    assert_eq!(app.delete("/v1/communities/cop-1").await.status(), 204);
    assert_error(
        app.get("/v1/communities/cop-1").await,
        404,
        "community_not_found",
    )
    .await;
}

#[tokio::test]
async fn put_takes_the_id_from_the_path_and_refuses_a_different_one() {
    let app = spawn_app().await;
    let mut doc = community("x", "X", &[], "x");
    doc.as_object_mut().unwrap().remove("id");
    assert_eq!(
        app.put_json("/v1/communities/from-path", &doc)
            .await
            .status(),
        201
    );
    let got: Value = app
        .get("/v1/communities/from-path")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(got["id"], "from-path");
    let doc = community("other", "X", &[], "x");
    assert_error(
        app.put_json("/v1/communities/from-path", &doc).await,
        409,
        "id_mismatch",
    )
    .await;
}

#[tokio::test]
async fn put_refuses_invalid_communities_naming_the_field() {
    let app = spawn_app().await;
    let mut doc = community("c", "C", &[], "c");
    doc["url"] = json!("javascript:alert(1)");
    let message = assert_error(
        app.put_json("/v1/communities/c", &doc).await,
        400,
        "invalid_community",
    )
    .await;
    assert!(message.contains("url"), "{message}");
    let mut doc = community("c", "C", &[], "c");
    doc["platform"] = json!("myspace");
    assert_error(
        app.put_json("/v1/communities/c", &doc).await,
        400,
        "invalid_community",
    )
    .await;
    assert_error(
        app.put_json("/v1/communities/c", &json!(["not", "an", "object"]))
            .await,
        400,
        "invalid_request_body",
    )
    .await;
}

#[tokio::test]
async fn write_endpoints_need_an_admin_key_when_keys_are_configured() {
    let app = spawn_app_with(TestOptions {
        admin_keys: vec!["s3cret".into()],
        ..Default::default()
    })
    .await;
    let doc = community("k", "K", &[], "k");
    assert_error(
        app.put_json("/v1/communities/k", &doc).await,
        401,
        "missing_api_key",
    )
    .await;
    let r = app
        .client
        .put(app.url("/v1/communities/k"))
        .bearer_auth("wrong")
        .json(&doc)
        .send()
        .await
        .unwrap();
    assert_error(r, 403, "invalid_api_key").await;
    let r = app
        .client
        .put(app.url("/v1/communities/k"))
        .bearer_auth("s3cret")
        .json(&doc)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert_error(app.get("/v1/communities/k").await, 401, "missing_api_key").await;
    let r = app
        .client
        .get(app.url("/v1/communities/k"))
        .bearer_auth("s3cret")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "reads need a key too once keys exist");
    assert_error(
        app.delete("/v1/communities/k").await,
        401,
        "missing_api_key",
    )
    .await;
    assert_error(app.import("{}".into()).await, 401, "missing_api_key").await;
    let r = app
        .client
        .delete(app.url("/v1/communities/k"))
        .bearer_auth("s3cret")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
}

#[tokio::test]
async fn similar_communities_exclude_the_source_and_explain_themselves() {
    let app = spawn_app().await;
    for (id, name, cat, desc) in [
        ("icu-a", "ICU Nurses Circle", "Nursing", "Critical care nurses discussing ventilators, sedation and night shifts in intensive care."),
        ("icu-b", "Critical Care Nursing Forum", "Nursing", "Intensive care unit nurses share practice on ventilated patients and sepsis care."),
        ("rust", "Rustaceans", "Software", "Programmers discussing the Rust language, crates and compilers."),
    ] {
        assert!(app.put_json(&format!("/v1/communities/{id}"), &community(id, name, &[cat], desc)).await.status().is_success());
    }
    let body: Value = app
        .get("/v1/communities/icu-a/similar?limit=2")
        .await
        .json()
        .await
        .unwrap();
    let recs = body["recommendations"].as_array().unwrap();
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0]["community"]["id"], "icu-b");
    assert!(recs.iter().all(|r| r["community"]["id"] != "icu-a"));
    let reasons = recs[0]["reasons"].as_array().unwrap();
    assert!(
        reasons
            .iter()
            .any(|r| r.as_str().unwrap().contains("category \"Nursing\"")),
        "{reasons:?}"
    );
    assert_error(
        app.get("/v1/communities/icu-a/similar?limit=0").await,
        400,
        "invalid_limit",
    )
    .await;
}

#[tokio::test]
async fn health_ready_and_openapi_describe_the_service() {
    let app = spawn_app().await;
    let health: Value = app.get("/health").await.json().await.unwrap();
    assert_eq!(health["status"], "ok");
    let ready: Value = app.get("/ready").await.json().await.unwrap();
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["model"], "all-MiniLM-L6-v2");
    assert_eq!(ready["communities"], 0);
    let doc: Value = app.get("/openapi.json").await.json().await.unwrap();
    for path in [
        "/v1/recommendations",
        "/v1/communities",
        "/v1/communities/{id}",
        "/v1/communities/{id}/similar",
        "/v1/communities/import",
        "/v1/communities/{id}/status",
        "/v1/submissions",
        "/v1/reports",
        "/v1/submissions/{id}/approve",
        "/v1/submissions/{id}/reject",
        "/health",
        "/ready",
    ] {
        assert!(doc["paths"][path].is_object(), "openapi lacks {path}");
    }
    for schema in [
        "RecommendRequest",
        "RecommendResponse",
        "Community",
        "ErrorBody",
        "ImportReport",
    ] {
        assert!(
            doc["components"]["schemas"][schema].is_object(),
            "openapi lacks schema {schema}"
        );
    }
    assert!(doc["components"]["securitySchemes"]["api_key"].is_object());
}
