//! Users, feedback and personalized recommendations over HTTP.

use copmatch_tests::{
    assert_error, community, json, recommended_ids as ids, spawn_app, spawn_app_with, TestApp,
    TestOptions,
};
use serde_json::Value;

async fn seed(app: &TestApp) {
    for (id, name, cats, desc) in [
        (
            "icu",
            "ICU Nurses",
            "Nursing",
            "Intensive care nurses share ventilator and sedation practice.",
        ),
        (
            "er",
            "Emergency Nurses",
            "Nursing",
            "Emergency department nurses discuss triage and trauma care.",
        ),
        (
            "peds",
            "Pediatric Nurses",
            "Nursing",
            "Children's hospital nurses discuss pediatric care.",
        ),
        (
            "epi",
            "Epidemiology Exchange",
            "Public health",
            "Epidemiologists discuss outbreak surveillance and study design.",
        ),
        (
            "rstats",
            "R for Epidemiology",
            "Public health",
            "Epidemiologists share R code for outbreak analysis and surveillance data.",
        ),
        (
            "rust",
            "Rust Developers",
            "Software",
            "Systems programmers discuss Rust, ownership and async code.",
        ),
    ] {
        let response = app
            .put_json(
                &format!("/v1/communities/{id}"),
                &community(id, name, &[cats], desc),
            )
            .await;
        assert!(response.status().is_success());
    }
}

async fn put_nurse(app: &TestApp, id: &str) {
    let body = json!({"profile": {"roles": ["ICU nurse"], "skills": ["ventilator care"]}, "languages": ["English"]});
    let response = app.put_json(&format!("/v1/users/{id}"), &body).await;
    assert!(response.status().is_success(), "{}", response.status());
}

async fn user_recommendations(app: &TestApp, id: &str) -> Value {
    let response = app
        .get(&format!("/v1/users/{id}/recommendations?limit=6"))
        .await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_user_is_created_read_replaced_and_deleted() {
    let app = spawn_app().await;
    let body = json!({"profile": {"roles": ["ICU nurse"]}, "languages": ["English"]});
    let created = app.put_json("/v1/users/ana", &body).await;
    assert_eq!(created.status(), 201);
    let replaced = app
        .put_json(
            "/v1/users/ana",
            &json!({"profile": {"roles": ["ER nurse"]}}),
        )
        .await;
    assert_eq!(replaced.status(), 200);
    let user: Value = app.get("/v1/users/ana").await.json().await.unwrap();
    assert_eq!(user["profile"]["roles"], json!(["ER nurse"]));
    assert!(user["created_at"].as_str().unwrap() <= user["updated_at"].as_str().unwrap());
    assert_eq!(app.delete("/v1/users/ana").await.status(), 204);
    assert_error(app.get("/v1/users/ana").await, 404, "user_not_found").await;
    assert_error(app.delete("/v1/users/ana").await, 404, "user_not_found").await;
}

#[tokio::test]
async fn bad_users_and_feedback_get_stable_codes_naming_the_offending_event() {
    let app = spawn_app().await;
    seed(&app).await;
    put_nurse(&app, "ana").await;
    assert_error(
        app.put_json("/v1/users/a%20b", &json!({"profile": {"roles": ["x"]}}))
            .await,
        400,
        "invalid_user_id",
    )
    .await;
    assert_error(
        app.put_json("/v1/users/bo", &json!({"profile": {}})).await,
        400,
        "empty_profile",
    )
    .await;
    let message = assert_error(
        app.post_json(
            "/v1/feedback",
            &json!({"events": [
                {"user_id": "ana", "community_id": "icu", "type": "join"},
                {"user_id": "ana", "community_id": "icu", "type": "like"}
            ]}),
        )
        .await,
        400,
        "invalid_feedback",
    )
    .await;
    assert!(message.starts_with("events[1]"), "{message}");
    let message = assert_error(
        app.post_json(
            "/v1/feedback",
            &json!([{"user_id": "ana", "community_id": "nope", "type": "join"}]),
        )
        .await,
        404,
        "unknown_feedback_reference",
    )
    .await;
    assert!(message.contains("events[0].community_id"), "{message}");
    assert_error(
        app.post_json(
            "/v1/feedback",
            &json!({"user_id": "ghost", "community_id": "icu", "type": "join"}),
        )
        .await,
        404,
        "unknown_feedback_reference",
    )
    .await;
    assert_error(
        app.post_json("/v1/feedback", &json!({"events": []})).await,
        400,
        "invalid_feedback",
    )
    .await;
    assert_error(
        app.get("/v1/users/nobody/recommendations").await,
        404,
        "user_not_found",
    )
    .await;
    // Nothing of the refused batches was stored.
    let body = user_recommendations(&app, "ana").await;
    assert_eq!(body["history"]["joined"], 0);
}

#[tokio::test]
async fn a_new_user_gets_recommendations_from_the_profile_alone() {
    let app = spawn_app().await;
    seed(&app).await;
    put_nurse(&app, "ana").await;
    let body = user_recommendations(&app, "ana").await;
    assert_eq!(body["user_id"], "ana");
    let ids = ids(&body);
    assert_eq!(ids[0], "icu", "{ids:?}");
    assert!(ids.iter().position(|i| i == "rust") > ids.iter().position(|i| i == "er"));
}

#[tokio::test]
async fn history_leaves_out_joined_and_dismissed_and_pulls_related_communities_up() {
    let app = spawn_app().await;
    seed(&app).await;
    put_nurse(&app, "ana").await;
    let before = ids(&user_recommendations(&app, "ana").await);
    let epi_before = before.iter().position(|i| i == "rstats").unwrap();
    let response = app
        .post_json("/v1/feedback", &json!({"events": [
            {"user_id": "ana", "community_id": "epi", "type": "click", "ts": "2026-01-01T10:00:00Z"},
            {"user_id": "ana", "community_id": "epi", "type": "join", "ts": "2026-01-01T10:01:00Z"},
            {"user_id": "ana", "community_id": "icu", "type": "join", "ts": "2026-01-01T10:02:00Z"},
            {"user_id": "ana", "community_id": "peds", "type": "dismiss", "ts": "2026-01-01T10:03:00Z"}
        ]}))
        .await;
    assert_eq!(response.status(), 200);
    let report: Value = response.json().await.unwrap();
    assert_eq!(report["accepted"], 4);
    let body = user_recommendations(&app, "ana").await;
    assert_eq!(body["history"]["joined"], 2);
    assert_eq!(body["history"]["dismissed"], 1);
    let after = ids(&body);
    for gone in ["epi", "icu", "peds"] {
        assert!(
            !after.contains(&gone.to_string()),
            "{gone} is still offered: {after:?}"
        );
    }
    let epi_after = after.iter().position(|i| i == "rstats").unwrap();
    assert!(
        epi_after < epi_before,
        "joining epi did not pull rstats up: {before:?} → {after:?}"
    );
    let rstats = &body["recommendations"][epi_after];
    let reasons = copmatch_tests::reasons(rstats);
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("\"Epidemiology Exchange\", which you joined")),
        "{reasons:?}"
    );
}

#[tokio::test]
async fn throwaway_users_reporting_a_community_cannot_take_it_down_and_are_rate_limited() {
    // The attack: the page's public key is in every page; four throwaway
    // users each report one community dead.
    let app = spawn_app_with(TestOptions {
        tweak: Some(|s| {
            s.auth.keys = vec![copmatch_api::auth::KeySettings {
                name: "ops".into(),
                key: Some("ops-secret".into()),
                sha256: None,
                scopes: vec![copmatch_api::auth::Scope::Admin],
            }];
            s.auth.public_key = Some("page-key".into());
            s.rate_limits.exempt_loopback = false;
        }),
        ..Default::default()
    })
    .await;
    let send = |path: &'static str, key: &'static str, body: Value| {
        let request = app.client.post(app.url(path)).bearer_auth(key).json(&body);
        async move { request.send().await.unwrap() }
    };
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
    assert!(put.status().is_success(), "{}", put.status());
    let mut statuses = Vec::new();
    for user in ["t1", "t2", "t3", "t4"] {
        let put = app
            .client
            .put(app.url(&format!("/v1/users/{user}")))
            .bearer_auth("page-key")
            .json(&json!({"profile": {"roles": ["nurse"]}}))
            .send()
            .await
            .unwrap();
        assert_eq!(put.status(), 201);
        let report = json!({"user_id": user, "community_id": "er", "type": "report_dead_link"});
        let r = send("/v1/feedback", "page-key", report).await;
        statuses.push(r.status().as_u16());
        if r.status() == 200 {
            let body: Value = r.json().await.unwrap();
            assert_eq!(body["accepted"], 1);
            assert!(body.get("marked_dead_link").is_none(), "{body}");
        } else {
            assert_error(r, 429, "rate_limited").await;
        }
    }
    // rate_limits.reports_per_community: three at once, then refused.
    assert_eq!(statuses, [200, 200, 200, 429]);
    let r = send(
        "/v1/reports",
        "page-key",
        json!({"community_id": "er", "kind": "dead_link"}),
    )
    .await;
    assert_error(r, 429, "rate_limited").await;
    // An operator's key is not rate limited as a stranger.
    let r = send(
        "/v1/reports",
        "ops-secret",
        json!({"community_id": "er", "kind": "dead_link"}),
    )
    .await;
    assert_eq!(r.status(), 201);
    assert_eq!(
        r.headers()["recheck"],
        "unavailable",
        "checks are off in this test"
    );
    let community: Value = app
        .client
        .get(app.url("/v1/communities/er"))
        .bearer_auth("page-key")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_ne!(community["status"], "dead_link", "reports are not verdicts");
    let queue: Value = app
        .client
        .get(app.url("/v1/submissions?state=pending"))
        .bearer_auth("ops-secret")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kinds: Vec<&str> = queue
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    // One item for the feedback reports, one for the operator's report.
    assert_eq!(kinds, ["dead_link_report", "dead_link_report"]);
}

#[tokio::test]
async fn feedback_and_users_survive_a_restart_and_deleting_a_user_deletes_their_history() {
    let app = spawn_app().await;
    seed(&app).await;
    put_nurse(&app, "ana").await;
    let join = json!({"user_id": "ana", "community_id": "icu", "type": "join"});
    assert_eq!(app.post_json("/v1/feedback", &join).await.status(), 200);
    let dir = app.stop().await;
    let app = spawn_app_with(TestOptions {
        data_dir: Some(dir),
        ..Default::default()
    })
    .await;
    let body = user_recommendations(&app, "ana").await;
    assert_eq!(body["history"]["joined"], 1);
    assert!(!ids(&body).contains(&"icu".to_string()));
    assert_eq!(app.delete("/v1/users/ana").await.status(), 204);
    put_nurse(&app, "ana").await;
    let body = user_recommendations(&app, "ana").await;
    assert_eq!(body["history"]["joined"], 0, "the old history came back");
}
