//! Searches a person would judge at a glance, on the bundled catalog with the
//! real model: the field's communities come first, short forms and other
//! languages are understood, and a search nothing fits says so.

use copmatch_tests::{
    categories, json, recommended_ids as ids, spawn_app_with, TestApp, TestOptions,
};
use serde_json::Value;

async fn search(app: &TestApp, profile: Value) -> Value {
    app.recommend(json!({ "profile": profile })).await
}

fn position(body: &Value, id: &str) -> usize {
    ids(body).iter().position(|r| r == id).unwrap_or(usize::MAX)
}

fn first_category(body: &Value) -> Vec<String> {
    categories(&body["recommendations"][0])
}

#[tokio::test]
async fn role_searches_on_the_bundled_catalog() {
    // One app for all of them: importing the catalog is the slow part.
    let app = spawn_app_with(TestOptions {
        bundled_catalog: true,
        ..Default::default()
    })
    .await;
    a_penetration_tester_who_plays_ctf_finds_security_communities_first(&app).await;
    short_forms_are_understood(&app).await;
    a_role_in_another_language_finds_its_field(&app).await;
    a_search_nothing_fits_is_all_weak_and_never_called_close(&app).await;
}

async fn a_penetration_tester_who_plays_ctf_finds_security_communities_first(app: &TestApp) {
    let body = search(
        app,
        json!({"roles": ["penetration tester"], "skills": ["CTF"]}),
    )
    .await;
    // The top three are security communities, the Security Stack Exchange among them.
    for rec in &body["recommendations"].as_array().unwrap()[..3] {
        assert!(
            categories(rec).contains(&"Information security".to_string()),
            "security first: {:?}",
            ids(&body)
        );
    }
    assert!(position(&body, "se-security") < 3, "{:?}", ids(&body));
    assert!(
        position(&body, "ministryoftesting") > 1,
        "software testing is not penetration testing: {:?}",
        ids(&body)
    );
    assert_eq!(body["recommendations"][0]["match"], "strong");
    let reasons = body["recommendations"][0]["reasons"].to_string();
    assert!(reasons.contains("pentest"), "{reasons}");
}

async fn short_forms_are_understood(app: &TestApp) {
    let sre = search(app, json!({"roles": ["SRE"]})).await;
    assert!(position(&sre, "serverfault") < 3, "{:?}", ids(&sre));
    for rec in sre["recommendations"].as_array().unwrap()[..3].iter() {
        assert!(
            categories(rec).contains(&"DevOps, cloud and systems administration".to_string()),
            "{:?}",
            ids(&sre)
        );
    }

    let ml = search(app, json!({"roles": ["ML engineer"]})).await;
    assert!(
        ids(&ml)[..3].contains(&"mlops-community".to_string()),
        "{:?}",
        ids(&ml)
    );
    assert!(
        first_category(&ml).contains(&"Artificial intelligence and machine learning".to_string())
    );

    let pm = search(app, json!({"roles": ["PM"], "skills": ["roadmapping"]})).await;
    for rec in pm["recommendations"].as_array().unwrap()[..3].iter() {
        let categories = rec["community"]["categories"].to_string();
        assert!(
            categories.contains("Business and entrepreneurship"),
            "{:?}",
            ids(&pm)
        );
    }

    let ux = search(app, json!({"roles": ["UX researcher"]})).await;
    assert!(
        first_category(&ux).contains(&"Design and UX".to_string()),
        "{:?}",
        ids(&ux)
    );
}

async fn a_role_in_another_language_finds_its_field(app: &TestApp) {
    let body = search(app, json!({"roles": ["Krankenpfleger"]})).await;
    for rec in body["recommendations"].as_array().unwrap()[..3].iter() {
        let categories = rec["community"]["categories"].to_string();
        assert!(categories.contains("Nursing"), "{:?}", ids(&body));
    }
}

async fn a_search_nothing_fits_is_all_weak_and_never_called_close(app: &TestApp) {
    let body = search(app, json!({"roles": ["lighthouse keeper"]})).await;
    let recs = body["recommendations"].as_array().unwrap();
    assert!(!recs.is_empty());
    for rec in recs {
        assert_eq!(rec["match"], "weak", "{rec}");
        let reasons = rec["reasons"].to_string();
        assert!(!reasons.contains("close in meaning"), "{reasons}");
    }
}
