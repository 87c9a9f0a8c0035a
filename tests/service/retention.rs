//! Bounded storage for anonymous traffic, over HTTP: users made through the
//! public key are anonymous and capped per client IP, and every user's
//! events are capped with the oldest counted.

use copmatch_tests::{assert_error, community, json, spawn_app_with, TestApp, TestOptions};
use serde_json::Value;

async fn app() -> TestApp {
    spawn_app_with(TestOptions {
        tweak: Some(|s| {
            s.auth.keys = vec![copmatch_api::auth::KeySettings {
                name: "ops".into(),
                key: Some("ops-secret".into()),
                sha256: None,
                scopes: vec![copmatch_api::auth::Scope::Admin],
            }];
            s.auth.public_key = Some("page-key".into());
            s.rate_limits.exempt_loopback = false;
            s.rate_limits.new_users_per_ip.burst = 3;
            s.feedback.max_events_per_user = 5;
        }),
        ..Default::default()
    })
    .await
}

async fn put_user(app: &TestApp, key: &str, id: &str) -> reqwest::Response {
    app.client
        .put(app.url(&format!("/v1/users/{id}")))
        .bearer_auth(key)
        .json(&json!({"profile": {"roles": ["nurse"]}}))
        .send()
        .await
        .unwrap()
}

async fn get_user(app: &TestApp, key: &str, id: &str) -> Value {
    let r = app
        .client
        .get(app.url(&format!("/v1/users/{id}")))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

#[tokio::test]
async fn one_client_ip_creates_a_few_anonymous_users_and_replacing_one_is_not_charged() {
    let app = app().await;
    for id in ["v1", "v2", "v3"] {
        assert_eq!(put_user(&app, "page-key", id).await.status(), 201);
    }
    let refused = put_user(&app, "page-key", "v4").await;
    assert!(refused.headers().contains_key("retry-after"));
    let message = assert_error(refused, 429, "rate_limited").await;
    assert!(message.contains("new users"), "{message}");
    assert_eq!(put_user(&app, "page-key", "v1").await.status(), 200);
    assert_eq!(get_user(&app, "page-key", "v1").await["anonymous"], true);
    // An operator's key is not charged, and its users do not expire.
    assert_eq!(put_user(&app, "ops-secret", "staff").await.status(), 201);
    assert!(get_user(&app, "ops-secret", "staff")
        .await
        .get("anonymous")
        .is_none());
}

#[tokio::test]
async fn past_max_events_per_user_the_oldest_events_are_counted_on_the_user() {
    let app = app().await;
    let put = app
        .client
        .put(app.url("/v1/communities/er"))
        .bearer_auth("ops-secret")
        .json(&community(
            "er",
            "Emergency Nurses",
            &["Nursing"],
            "Emergency nurses.",
        ))
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success());
    assert_eq!(put_user(&app, "page-key", "v1").await.status(), 201);
    let events: Vec<Value> = [
        "view", "click", "view", "join", "view", "view", "view", "view",
    ]
    .iter()
    .map(|kind| json!({"user_id": "v1", "community_id": "er", "type": kind}))
    .collect();
    let r = app
        .client
        .post(app.url("/v1/feedback"))
        .bearer_auth("page-key")
        .json(&json!({"events": events}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        (body["accepted"].as_u64(), body["rolled_up"].as_u64()),
        (Some(8), Some(3))
    );
    let user = get_user(&app, "page-key", "v1").await;
    let counts = &user["rolled_up"]["counts"];
    assert_eq!(
        (
            counts["view"].as_u64(),
            counts["click"].as_u64(),
            counts["join"].as_u64()
        ),
        (Some(2), Some(1), Some(0)),
        "{user}"
    );
    // The joined community is among the five kept, so it still steers.
    let r = app
        .client
        .get(app.url("/v1/users/v1/recommendations"))
        .bearer_auth("page-key")
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["history"]["joined"], 1, "{body}");
}
