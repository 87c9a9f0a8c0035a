//! Scoped API keys, the pages' public key, users per key, and rate limits.

use copmatch_api::auth::{KeySettings, Scope};
use copmatch_api::Settings;
use copmatch_tests::{assert_error, json, spawn_app_with, TestApp, TestOptions};
use serde_json::Value;

const APP_KEY: &str = "app-secret";
const OTHER_APP_KEY: &str = "other-secret";
const OPS_KEY: &str = "ops-secret";
const SUBMITTER_KEY: &str = "submitter-secret";
const PAGE_KEY: &str = "page-key";
/// Hash of OPS_KEY: `printf %s ops-secret | sha256sum`.
const OPS_SHA256: &str = "32323cfa9ec9d62750daad0836a4cf3d7b60d23723b7852a529667deed01669f";

fn with_keys(settings: &mut Settings) {
    let key = |name: &str, key: &str, scopes: &[Scope]| KeySettings {
        name: name.into(),
        key: Some(key.into()),
        sha256: None,
        scopes: scopes.to_vec(),
    };
    settings.auth.keys = vec![
        key("app", APP_KEY, &[Scope::Recommend, Scope::Feedback]),
        key("other", OTHER_APP_KEY, &[Scope::Recommend, Scope::Feedback]),
        key("submitter", SUBMITTER_KEY, &[Scope::Submit]),
        KeySettings {
            name: "ops".into(),
            key: None,
            sha256: Some(OPS_SHA256.into()),
            scopes: vec![Scope::Admin],
        },
    ];
    settings.auth.public_key = Some(PAGE_KEY.into());
}

async fn keyed_app() -> TestApp {
    spawn_app_with(TestOptions {
        bundled_catalog: true,
        tweak: Some(with_keys),
        ..Default::default()
    })
    .await
}

async fn call(app: &TestApp, method: &str, path: &str, key: Option<&str>) -> reqwest::Response {
    call_with(app, method, path, key, "{}").await
}

async fn call_with(
    app: &TestApp,
    method: &str,
    path: &str,
    key: Option<&str>,
    body: &'static str,
) -> reqwest::Response {
    let mut request = app
        .client
        .request(method.to_uppercase().parse().unwrap(), app.url(path))
        .header("content-type", "application/json")
        .body(body);
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    request.send().await.expect("request sent")
}

/// A key with the scope, and one without it (an admin key may do
/// everything, so it is never the under-scoped one).
fn keys_for(scope: &str) -> (&'static str, &'static str) {
    match scope {
        "recommend" | "feedback" => (APP_KEY, SUBMITTER_KEY),
        "submit" => (PAGE_KEY, APP_KEY),
        "admin" => (OPS_KEY, APP_KEY),
        other => panic!("unknown scope {other}"),
    }
}

#[tokio::test]
async fn every_documented_operation_refuses_missing_wrong_and_underscoped_keys() {
    let app = keyed_app().await;
    let doc: Value = app.get("/openapi.json").await.json().await.unwrap();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        let concrete = path.replace("{id}", "nobody").replace("{version}", "ft999");
        for (method, operation) in item.as_object().unwrap() {
            let security = operation["security"].as_array().expect("security");
            let scope = security
                .iter()
                .find_map(|r| r["api_key"][0].as_str())
                .unwrap_or_else(|| panic!("{method} {path} names no scope"));
            if ["/health", "/ready", "/metrics"].contains(&path.as_str()) {
                let r = call(&app, method, &concrete, None).await;
                assert!(
                    r.status().is_success(),
                    "{method} {path} is an open probe, answered {}",
                    r.status()
                );
                continue;
            }
            let what = format!("{method} {path}");
            let r = call(&app, method, &concrete, None).await;
            assert_eq!(r.status(), 401, "{what} without a key");
            assert_error(r, 401, "missing_api_key").await;
            let r = call(&app, method, &concrete, Some("not-a-key")).await;
            assert_error(r, 403, "invalid_api_key").await;
            let (good, weak) = keys_for(scope);
            let r = call(&app, method, &concrete, Some(weak)).await;
            assert_eq!(r.status(), 403, "{what} with a key lacking {scope}");
            assert_error(r, 403, "insufficient_scope").await;
            // A body no operation accepts: past the key check, nothing starts
            // (a liveness run would reach for the internet).
            let r = call_with(&app, method, &concrete, Some(good), "[1]").await;
            assert!(
                ![401, 403].contains(&r.status().as_u16()),
                "{what} with a {scope} key answered {}",
                r.status()
            );
            checked += 1;
        }
    }
    assert!(checked >= 25, "only {checked} operations were checked");
}

#[tokio::test]
async fn the_page_works_for_a_visitor_through_the_public_key() {
    let app = keyed_app().await;
    let page = app.get("/").await.text().await.unwrap();
    let key = page
        .split("name=\"copmatch-key\" content=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the page carries the public key");
    assert_eq!(key, PAGE_KEY);
    let r = app
        .client
        .post(app.url("/v1/recommendations"))
        .bearer_auth(key)
        .json(&json!({"profile": {"roles": ["nurse"]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = call(&app, "GET", "/v1/admin/index", Some(key)).await;
    assert_error(r, 403, "insufficient_scope").await;
}

#[tokio::test]
async fn a_key_sees_only_its_own_users() {
    let app = keyed_app().await;
    let put = |key: &'static str, id: &'static str| {
        app.client
            .put(app.url(&format!("/v1/users/{id}")))
            .bearer_auth(key)
            .json(&json!({"profile": {"roles": ["nurse"]}}))
            .send()
    };
    assert_eq!(put(APP_KEY, "alice").await.unwrap().status(), 201);
    let r = call(&app, "GET", "/v1/users/alice", Some(APP_KEY)).await;
    let user: Value = r.json().await.unwrap();
    assert_eq!(user["owner"], "app");
    let r = call(&app, "GET", "/v1/users/alice", Some(OTHER_APP_KEY)).await;
    assert_error(r, 404, "user_not_found").await;
    assert_error(
        put(OTHER_APP_KEY, "alice").await.unwrap(),
        409,
        "user_id_taken",
    )
    .await;
    let r = call(&app, "DELETE", "/v1/users/alice", Some(OTHER_APP_KEY)).await;
    assert_error(r, 404, "user_not_found").await;
    let r = app
        .client
        .post(app.url("/v1/feedback"))
        .bearer_auth(OTHER_APP_KEY)
        .json(&json!({"user_id": "alice", "community_id": "nurses-lounge", "type": "click"}))
        .send()
        .await
        .unwrap();
    assert_error(r, 404, "unknown_feedback_reference").await;
    let r = call(&app, "GET", "/v1/users/alice", Some(PAGE_KEY)).await;
    assert_error(r, 404, "user_not_found").await;
}

fn strict_limits(settings: &mut Settings) {
    settings.rate_limits.exempt_loopback = false;
    settings.rate_limits.recommend.per_second = 0.05;
    settings.rate_limits.recommend.burst = 3;
}

#[tokio::test]
async fn a_burst_past_the_budget_gets_429_with_retry_after_and_the_service_stays_up() {
    let app = spawn_app_with(TestOptions {
        tweak: Some(strict_limits),
        ..Default::default()
    })
    .await;
    let body = json!({"profile": {"roles": ["nurse"]}});
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for _ in 0..6 {
        let r = app.post_json("/v1/recommendations", &body).await;
        statuses.push(r.status().as_u16());
        if r.status() == 429 {
            retry_after = r
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().parse::<u64>().unwrap());
            assert_error(r, 429, "rate_limited").await;
        }
    }
    assert_eq!(&statuses[..3], &[200, 200, 200], "{statuses:?}");
    assert!(statuses[3..].iter().all(|&s| s == 429), "{statuses:?}");
    assert!(matches!(retry_after, Some(1..=20)), "{retry_after:?}");
    // Other budgets and the probes are untouched.
    assert_eq!(app.get("/health").await.status(), 200);
    assert_eq!(app.get("/ready").await.status(), 200);
    assert_eq!(
        app.put_json("/v1/users/bob", &json!({"profile": {"roles": ["nurse"]}}))
            .await
            .status(),
        201
    );
}
