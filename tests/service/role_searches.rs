//! Searches a person would judge at a glance, on the bundled catalog with the
//! real model: the field's communities come first, short forms and other
//! languages are understood, and a search nothing fits says so.

use copmatch_api::settings::SECOND_OPINION_MODEL;
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
        // Free text as served: read twice, the second time by all-mpnet-base-v2.
        tweak: Some(|s| s.model.second_opinion = SECOND_OPINION_MODEL.into()),
        ..Default::default()
    })
    .await;
    a_penetration_tester_who_plays_ctf_finds_security_communities_first(&app).await;
    short_forms_are_understood(&app).await;
    a_role_in_another_language_finds_its_field(&app).await;
    a_search_nothing_fits_is_all_weak_and_never_called_close(&app).await;
    free_text_read_twice_keeps_the_trade_first_and_its_scores_falling(&app).await;
    a_sentence_whose_trade_the_catalog_lacks_is_never_called_close(&app).await;
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

async fn free_text_read_twice_keeps_the_trade_first_and_its_scores_falling(app: &TestApp) {
    // The example of keyword drift: self-hosting servers ahead of DevOps groups.
    let body = search(
        app,
        json!({"roles": ["DevOps engineer running Kubernetes clusters on AWS"]}),
    )
    .await;
    let recs = body["recommendations"].as_array().unwrap();
    for rec in &recs[..3] {
        assert!(
            categories(rec).contains(&"DevOps, cloud and systems administration".to_string()),
            "{:?}",
            ids(&body)
        );
    }
    let scores: Vec<f64> = recs.iter().map(|r| r["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|s| s[0] >= s[1]), "{scores:?}");
    // The second page continues the re-read ranking.
    let page = app
        .recommend(json!({
            "profile": {"roles": ["DevOps engineer running Kubernetes clusters on AWS"]},
            "limit": 5, "offset": 5
        }))
        .await;
    assert_eq!(ids(&page), ids(&body)[5..10]);
}

async fn a_sentence_whose_trade_the_catalog_lacks_is_never_called_close(app: &TestApp) {
    // The bundled catalog has no community for an office's lone IT person; MiniLM
    // alone calls personal-finance subreddits strong matches through their field,
    // "Finance and accounting". The second reading does not.
    let body = search(
        app,
        json!({"roles": ["I am the only IT person at a small accounting office and handle everything"]}),
    )
    .await;
    let recs = body["recommendations"].as_array().unwrap();
    assert!(!recs.is_empty());
    for rec in recs {
        assert_eq!(rec["match"], "weak", "{:?}", ids(&body));
    }
}
