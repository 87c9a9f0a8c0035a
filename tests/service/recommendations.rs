//! End to end with the real model over the bundled catalog.

use copmatch_tests::{
    categories, json, recommended_ids as ids, spawn_app_with, TestApp, TestOptions,
};

async fn catalog_app() -> TestApp {
    spawn_app_with(TestOptions {
        bundled_catalog: true,
        ..Default::default()
    })
    .await
}

#[tokio::test]
async fn recommendations_for_the_catalog() {
    // One app for several behaviours: importing the catalog is the slow part.
    let app = catalog_app().await;
    public_health_students_get_public_health_communities_first(&app).await;
    icu_nurses_see_nursing_above_programming_language_communities(&app).await;
    every_recommendation_explains_itself(&app).await;
    filters_and_exclusions_restrict_results(&app).await;
    pages_continue_where_the_previous_page_ended(&app).await;
}

async fn public_health_students_get_public_health_communities_first(app: &TestApp) {
    let body = app
        .recommend(json!({"profile": {"roles": ["public health student"]}}))
        .await;
    assert_eq!(body["model"], "all-MiniLM-L6-v2");
    let recs = body["recommendations"].as_array().unwrap();
    assert_eq!(recs.len(), 10);
    for rec in &recs[..5] {
        assert!(
            categories(rec).contains(&"Public health".to_string()),
            "top 5 should be public health: {:?}",
            ids(&body)
        );
    }
}

async fn icu_nurses_see_nursing_above_programming_language_communities(app: &TestApp) {
    let body = app
        .recommend(json!({"profile": {"roles": ["ICU nurse"]}, "limit": 100}))
        .await;
    let ranking = ids(&body);
    let position = |id: &str| ranking.iter().position(|r| r == id).unwrap_or(usize::MAX);
    assert!(position("aacn") < position("rust-users"), "{ranking:?}");
    assert!(
        position("reddit-nursing") < position("pythondiscord"),
        "{ranking:?}"
    );
    assert!(
        categories(&body["recommendations"][0]).contains(&"Nursing and midwifery".to_string()),
        "{ranking:?}"
    );
}

async fn every_recommendation_explains_itself(app: &TestApp) {
    let body = app
        .recommend(json!({"profile": {"roles": ["data scientist"], "skills": ["python"]}}))
        .await;
    for rec in body["recommendations"].as_array().unwrap() {
        let reasons = rec["reasons"].as_array().unwrap();
        assert!(reasons.len() >= 2, "{rec}");
        assert!(reasons.iter().all(|r| !r.as_str().unwrap().is_empty()));
    }
    let top_reasons = body["recommendations"][0]["reasons"].to_string();
    assert!(
        top_reasons.contains("data scientist") || top_reasons.contains("python"),
        "{top_reasons}"
    );
}

async fn filters_and_exclusions_restrict_results(app: &TestApp) {
    let body = app
        .recommend(json!({
            "profile": {"roles": ["software developer"]},
            "filters": {"platforms": ["discord", "Slack"], "cost": "free", "languages": ["english"]},
            "exclude_ids": ["pythondiscord"],
            "limit": 50
        }))
        .await;
    let recs = body["recommendations"].as_array().unwrap();
    assert!(!recs.is_empty());
    for rec in recs {
        let c = &rec["community"];
        assert!(
            c["platform"] == "discord" || c["platform"] == "slack",
            "{c}"
        );
        assert_eq!(c["cost"], "free");
        assert_ne!(c["id"], "pythondiscord");
    }
    let body = app
        .recommend(json!({"profile": {"roles": ["teacher"]}, "filters": {"categories": ["electrical TRADES"]}, "limit": 5}))
        .await;
    for rec in body["recommendations"].as_array().unwrap() {
        assert!(categories(rec).contains(&"Electrical trades".to_string()));
    }
}

async fn pages_continue_where_the_previous_page_ended(app: &TestApp) {
    let profile = json!({"roles": ["product manager"]});
    let all = ids(&app
        .recommend(json!({"profile": profile, "limit": 20}))
        .await);
    let second = ids(&app
        .recommend(json!({"profile": profile, "limit": 10, "offset": 10}))
        .await);
    assert_eq!(second, all[10..20].to_vec());
}
