//! Liveness, "not for me" and diversity over HTTP.

use copmatch_tests::{assert_error, community, json, recommended_ids as ids, spawn_app, TestApp};
use serde_json::Value;

async fn seed(app: &TestApp) {
    for (id, name, desc) in [
        (
            "icu-live",
            "ICU Nurses Live",
            "Intensive care nurses share ventilator and sedation practice.",
        ),
        (
            "icu-dead",
            "ICU Nurses Archive",
            "Intensive care nurses once shared ventilator and sedation practice.",
        ),
        (
            "icu-quiet",
            "ICU Nurses Quiet Room",
            "Intensive care nurses discuss ventilators, sedation and shifts.",
        ),
        (
            "peds",
            "Pediatric Nurses",
            "Children's hospital nurses discuss pediatric care.",
        ),
    ] {
        assert!(app
            .put_json(
                &format!("/v1/communities/{id}"),
                &community(id, name, &["Nursing"], desc)
            )
            .await
            .status()
            .is_success());
    }
}

#[tokio::test]
async fn dead_links_are_hidden_unless_asked_for_and_status_is_explained() {
    let app = spawn_app().await;
    seed(&app).await;
    let r = app
        .put_json(
            "/v1/communities/icu-dead/status",
            &json!({"status": "dead_link", "last_verified_at": "2026-11-20"}),
        )
        .await;
    assert_eq!(r.status(), 200);
    let updated: Value = r.json().await.unwrap();
    assert_eq!(updated["status"], "dead_link");
    assert_eq!(updated["last_verified_at"], "2026-11-20");
    app.put_json(
        "/v1/communities/icu-quiet/status",
        &json!({"status": "inactive", "last_activity_at": "2025-01-31"}),
    )
    .await;
    app.put_json(
        "/v1/communities/icu-live/status",
        &json!({"status": "active", "member_count": 5400}),
    )
    .await;

    let body = app
        .recommend(json!({"profile": {"roles": ["ICU nurse"]}}))
        .await;
    let ranking = ids(&body);
    assert!(!ranking.contains(&"icu-dead".to_string()), "{ranking:?}");
    assert_eq!(ranking[0], "icu-live");
    let quiet = body["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["community"]["id"] == "icu-quiet")
        .unwrap();
    assert!(
        quiet["reasons"]
            .to_string()
            .contains("status: inactive, little recent activity, last active 2025-01-31"),
        "{quiet}"
    );
    assert!(body["recommendations"][0]["reasons"]
        .to_string()
        .contains("about 5,400 members"));

    let body = app
        .recommend(
            json!({"profile": {"roles": ["ICU nurse"]}, "filters": {"include_inactive": true}}),
        )
        .await;
    let dead = body["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["community"]["id"] == "icu-dead")
        .expect("shown when asked");
    assert_eq!(dead["community"]["status"], "dead_link");
    assert!(dead["reasons"].to_string().contains("dead link reported"));

    let similar: Value = app
        .get("/v1/communities/icu-live/similar")
        .await
        .json()
        .await
        .unwrap();
    assert!(!ids(&similar).contains(&"icu-dead".to_string()));
}

#[tokio::test]
async fn status_updates_are_validated() {
    let app = spawn_app().await;
    seed(&app).await;
    assert_error(
        app.put_json("/v1/communities/peds/status", &json!({"status": "zombie"}))
            .await,
        400,
        "invalid_community",
    )
    .await;
    assert_error(
        app.put_json(
            "/v1/communities/peds/status",
            &json!({"status": "active", "last_verified_at": "soon"}),
        )
        .await,
        400,
        "invalid_community",
    )
    .await;
    assert_error(
        app.put_json("/v1/communities/peds/status", &json!({"state": "active"}))
            .await,
        400,
        "invalid_request_body",
    )
    .await;
    assert_error(
        app.put_json("/v1/communities/nope/status", &json!({"status": "active"}))
            .await,
        404,
        "community_not_found",
    )
    .await;
}

#[tokio::test]
async fn not_for_me_removes_a_community_and_pushes_its_likes_down() {
    let app = spawn_app().await;
    seed(&app).await;
    let ask = |negative: serde_json::Value| json!({"profile": {"roles": ["ICU nurse"]}, "negative_ids": negative, "diversity": 0, "filters": {"include_inactive": true}});
    let scores = |body: &Value| -> std::collections::HashMap<String, f64> {
        body["recommendations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["community"]["id"].as_str().unwrap().to_string(),
                    r["score"].as_f64().unwrap(),
                )
            })
            .collect()
    };
    let before = scores(&app.recommend(ask(json!([]))).await);
    let after_body = app
        .recommend(ask(json!(["icu-live", "deleted-long-ago"])))
        .await;
    let after = scores(&after_body);
    assert!(
        !after.contains_key("icu-live"),
        "a rejected community is not recommended"
    );
    let drop = |id: &str| before[id] - after[id];
    eprintln!(
        "score drops: icu-dead {:.3}, icu-quiet {:.3}, peds {:.3}",
        drop("icu-dead"),
        drop("icu-quiet"),
        drop("peds")
    );
    assert!(
        drop("icu-dead") > 0.3 && drop("icu-quiet") > 0.2,
        "near-clones of the rejected community lose much"
    );
    // Pediatric nurses share the field (and, in the text without description,
    // almost every word) with the rejected ICU community, so they lose
    // something, but far less than its near-clones.
    assert!(
        drop("peds") < 0.2 && drop("peds") < drop("icu-quiet") / 2.0,
        "a different community loses little"
    );
}

#[tokio::test]
async fn diversity_must_be_between_zero_and_one() {
    let app = spawn_app().await;
    for d in [-0.1, 1.5] {
        let r = app
            .post_json(
                "/v1/recommendations",
                &json!({"profile": {"roles": ["nurse"]}, "diversity": d}),
            )
            .await;
        assert_error(r, 400, "invalid_diversity").await;
    }
}
