//! Browsing by field: `GET /v1/fields` and `GET /v1/communities?field=`.

use copmatch_tests::{assert_error, community, spawn_app};

async fn app_with_three_communities() -> copmatch_tests::TestApp {
    let app = spawn_app().await;
    let lines = [
        community(
            "nurse-hub",
            "Nurse Hub",
            &["Nursing and midwifery"],
            "Nurses talk shop.",
        ),
        community(
            "ph-nurses",
            "Public Health Nurses",
            &["Nursing and midwifery", "Public health"],
            "Community health nursing.",
        ),
        community(
            "sparky",
            "Sparky Talk",
            &["Electrical trades"],
            "Electricians help electricians.",
        ),
    ]
    .iter()
    .map(|c| c.to_string())
    .collect::<Vec<_>>()
    .join("\n");
    assert_eq!(app.import(lines).await.status(), 200);
    app
}

#[tokio::test]
async fn every_field_is_listed_with_how_many_communities_it_holds() {
    let app = app_with_three_communities().await;
    let body: serde_json::Value = app.get("/v1/fields").await.json().await.unwrap();
    let fields = body["fields"].as_array().unwrap();
    let taxonomy =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/fields.toml"))
            .unwrap();
    assert_eq!(
        fields.len(),
        taxonomy.matches("[[field]]").count(),
        "every field, empty ones too"
    );
    let count = |id: &str| {
        fields.iter().find(|f| f["id"] == id).unwrap()["communities"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(count("nursing"), 2);
    assert_eq!(count("public-health"), 1);
    assert_eq!(count("electrical-trades"), 1);
    assert_eq!(count("metalwork-welding"), 0);
    let nursing = fields.iter().find(|f| f["id"] == "nursing").unwrap();
    assert_eq!(nursing["name"], "Nursing and midwifery");
}

#[tokio::test]
async fn a_fields_communities_come_a_page_at_a_time_and_an_unknown_field_is_refused() {
    let app = app_with_three_communities().await;
    let page: serde_json::Value = app
        .get("/v1/communities?field=nursing&limit=1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["total"], 2);
    assert_eq!(page["communities"].as_array().unwrap().len(), 1);
    let next: serde_json::Value = app
        .get("/v1/communities?field=nursing&limit=1&offset=1")
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = [&page, &next]
        .iter()
        .map(|p| p["communities"][0]["id"].as_str().unwrap())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(sorted, ["nurse-hub", "ph-nurses"], "both, once each");
    let electrical: serde_json::Value = app
        .get("/v1/communities?field=electrical-trades")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(electrical["communities"][0]["id"], "sparky");
    assert_error(
        app.get("/v1/communities?field=astrology").await,
        404,
        "unknown_field",
    )
    .await;
    let all: serde_json::Value = app.get("/v1/communities").await.json().await.unwrap();
    assert_eq!(all["total"], 3, "without a field, the whole catalog");
}
