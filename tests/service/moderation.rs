//! Submissions, reports and moderation over HTTP.

use copmatch_tests::{assert_error, community, json, spawn_app, spawn_app_with, TestOptions};
use serde_json::Value;

fn submission(name: &str, url: &str) -> Value {
    json!({
        "name": name, "url": url, "platform": "discord", "cost": "free",
        "description": "Marine biologists and divers who survey coral reefs compare methods and share field reports.",
        "categories": ["Research"], "tags": ["coral reefs", "marine biology"], "languages": ["English"], "contact": "reef@example.org"
    })
}

#[tokio::test]
async fn an_approved_submission_is_recommendable_at_once() {
    let app = spawn_app().await;
    let r = app
        .post_json(
            "/v1/submissions",
            &submission("Reef Keepers", "https://example.org/reef"),
        )
        .await;
    assert_eq!(r.status(), 201);
    let item: Value = r.json().await.unwrap();
    assert_eq!(item["state"], "pending");
    assert_eq!(item["community"]["id"], "submitted-reef-keepers");
    let id = item["id"].as_str().unwrap().to_string();

    let profile = json!({"profile": {"roles": ["marine biologist"], "interests": ["coral reefs"]}});
    let before = app.recommend(profile.clone()).await;
    assert!(
        before["recommendations"].as_array().unwrap().is_empty(),
        "pending submissions are not recommended"
    );

    let pending: Value = app
        .get("/v1/submissions?state=pending")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(pending.as_array().unwrap().len(), 1);
    let r = app
        .client
        .post(app.url(&format!("/v1/submissions/{id}/approve")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let after = app.recommend(profile).await;
    assert_eq!(
        after["recommendations"][0]["community"]["id"],
        "submitted-reef-keepers"
    );
    assert_error(
        app.client
            .post(app.url(&format!("/v1/submissions/{id}/approve")))
            .send()
            .await
            .unwrap(),
        409,
        "submission_already_decided",
    )
    .await;
    assert_error(
        app.client
            .post(app.url("/v1/submissions/sub-nope/approve"))
            .send()
            .await
            .unwrap(),
        404,
        "submission_not_found",
    )
    .await;
}

#[tokio::test]
async fn likely_duplicates_are_flagged_for_the_moderator() {
    let app = spawn_app().await;
    let existing = community(
        "reefers",
        "Reef Keepers",
        &["Research"],
        "Marine biologists and divers who survey coral reefs.",
    );
    app.put_json("/v1/communities/reefers", &existing).await;
    let item: Value = app
        .post_json(
            "/v1/submissions",
            &submission("Reef Keepers Two", "https://example.org/reefers/"),
        )
        .await
        .json()
        .await
        .unwrap();
    let flags = item["duplicates"].as_array().unwrap();
    assert_eq!(flags[0]["community_id"], "reefers", "{item}");
    assert!(flags[0]["reason"].as_str().unwrap().contains("same link"));
    let again: Value = app
        .post_json(
            "/v1/submissions",
            &submission("Reef Keepers", "https://example.org/elsewhere"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        again["community"]["id"], "submitted-reef-keepers",
        "a generated id never replaces a catalog entry"
    );
    let mut explicit = submission("X", "https://example.org/x");
    explicit["id"] = json!("reefers");
    assert_error(
        app.post_json("/v1/submissions", &explicit).await,
        409,
        "community_id_taken",
    )
    .await;
}

#[tokio::test]
async fn malformed_and_abusive_submissions_are_refused_with_reasons() {
    let app = spawn_app().await;
    for (body, needle) in [
        (
            json!({"name": "<script>alert(1)</script>", "url": "https://x.org", "platform": "web", "description": "d"}),
            "HTML",
        ),
        (
            json!({"name": "X", "url": "https://x.org", "platform": "web"}),
            "description",
        ),
        (
            json!({"name": "X", "url": "ftp://x.org", "platform": "web", "description": "d"}),
            "url",
        ),
        (
            json!({"name": "X", "url": "https://x.org", "platform": "myspace", "description": "d"}),
            "platform",
        ),
        (
            json!({"name": "X", "url": "https://x.org", "platform": "web", "description": "buy https://a.co https://b.co https://c.co https://d.co"}),
            "links",
        ),
    ] {
        let message = assert_error(
            app.post_json("/v1/submissions", &body).await,
            400,
            "invalid_submission",
        )
        .await;
        assert!(message.contains(needle), "{message}");
    }
}

#[tokio::test]
async fn a_confirmed_dead_link_report_hides_the_community() {
    let app = spawn_app().await;
    app.put_json(
        "/v1/communities/gone",
        &community(
            "gone",
            "Gone Nurses",
            &["Nursing"],
            "Nurses who used to meet here.",
        ),
    )
    .await;
    assert_error(
        app.post_json(
            "/v1/reports",
            &json!({"community_id": "nope", "kind": "dead_link"}),
        )
        .await,
        404,
        "community_not_found",
    )
    .await;
    assert_error(
        app.post_json(
            "/v1/reports",
            &json!({"community_id": "gone", "kind": "spam"}),
        )
        .await,
        400,
        "invalid_submission",
    )
    .await;
    let item: Value = app
        .post_json(
            "/v1/reports",
            &json!({"community_id": "gone", "kind": "dead_link", "note": "404 since May"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(item["kind"], "dead_link_report");
    let id = item["id"].as_str().unwrap();
    let approved: Value = app
        .client
        .post(app.url(&format!("/v1/submissions/{id}/approve")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(approved["community"]["status"], "dead_link");
    let body = app
        .recommend(json!({"profile": {"roles": ["nurse"]}}))
        .await;
    assert!(body["recommendations"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn rejections_need_a_reason_and_moderation_needs_the_admin_key() {
    let app = spawn_app_with(TestOptions {
        admin_keys: vec!["mod-key".into()],
        ..Default::default()
    })
    .await;
    assert_error(
        app.post_json(
            "/v1/submissions",
            &submission("Reef Keepers", "https://example.org/reef"),
        )
        .await,
        401,
        "missing_api_key",
    )
    .await;
    let item: Value = app
        .client
        .post(app.url("/v1/submissions"))
        .bearer_auth("mod-key")
        .json(&submission("Reef Keepers", "https://example.org/reef"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = item["id"].as_str().unwrap();
    assert_error(app.get("/v1/submissions").await, 401, "missing_api_key").await;
    let reject = |body: Value| {
        app.client
            .post(app.url(&format!("/v1/submissions/{id}/reject")))
            .bearer_auth("mod-key")
            .json(&body)
            .send()
    };
    assert_error(
        reject(json!({"reason": "  "})).await.unwrap(),
        400,
        "invalid_request_body",
    )
    .await;
    let rejected: Value = reject(json!({"reason": "not a community of practice"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(rejected["state"], "rejected");
    assert_eq!(rejected["reason"], "not a community of practice");
    let r = app
        .client
        .get(app.url("/v1/submissions?state=sideways"))
        .bearer_auth("mod-key")
        .send()
        .await
        .unwrap();
    assert_error(r, 400, "invalid_query_parameter").await;
}

#[tokio::test]
async fn the_queue_survives_a_restart() {
    let app = spawn_app().await;
    let item: Value = app
        .post_json(
            "/v1/submissions",
            &submission("Reef Keepers", "https://example.org/reef"),
        )
        .await
        .json()
        .await
        .unwrap();
    let dir = app.stop().await;
    let app = spawn_app_with(TestOptions {
        data_dir: Some(dir),
        ..Default::default()
    })
    .await;
    let pending: Value = app
        .get("/v1/submissions?state=pending")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(pending[0]["id"], item["id"]);
}

#[tokio::test]
async fn the_pages_are_served_with_the_platform_list() {
    let app = spawn_app().await;
    for (path, needle) in [
        ("/", "Find communities"),
        ("/submit", "Submit for review"),
        ("/moderate", "Moderation queue"),
    ] {
        let r = app.get(path).await;
        assert_eq!(r.status(), 200);
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        let html = r.text().await.unwrap();
        assert!(html.contains(needle), "{path}");
        assert!(!html.contains("{{"), "{path} has an unfilled placeholder");
    }
    let index = app.get("/").await.text().await.unwrap();
    assert!(index.contains(r#"<option value="stackexchange">Stack Exchange</option>"#));
    assert_eq!(app.get("/static/app.js").await.status(), 200);
}
