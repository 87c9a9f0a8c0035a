//! Every bad input gets a 4xx with a stable code and a message; never a 500.

use copmatch_tests::{assert_error, json, spawn_app};

#[tokio::test]
async fn empty_profile_is_refused_with_empty_profile() {
    let app = spawn_app().await;
    let r = app
        .post_json("/v1/recommendations", &json!({"profile": {}}))
        .await;
    assert_error(r, 400, "empty_profile").await;
    let r = app
        .post_json(
            "/v1/recommendations",
            &json!({"profile": {"roles": [], "about": " \t\n"}}),
        )
        .await;
    assert_error(r, 400, "empty_profile").await;
    // A blank item is refused by name (the document says every item says
    // something), not dropped silently.
    let r = app
        .post_json(
            "/v1/recommendations",
            &json!({"profile": {"roles": ["nurse", "  "]}}),
        )
        .await;
    let message = assert_error(r, 400, "invalid_profile").await;
    assert!(message.contains("blank"), "{message}");
}

#[tokio::test]
async fn malformed_json_is_refused_with_malformed_json() {
    let app = spawn_app().await;
    let r = app
        .client
        .post(app.url("/v1/recommendations"))
        .header("content-type", "application/json")
        .body("{\"profile\": ")
        .send()
        .await
        .unwrap();
    assert_error(r, 400, "malformed_json").await;
}

#[tokio::test]
async fn wrong_types_missing_and_unknown_fields_are_invalid_request_body() {
    let app = spawn_app().await;
    for body in [
        json!({"profile": {"roles": "nurse"}}),
        json!({"profile": {"roles": ["nurse"]}, "limit": "ten"}),
        json!({"filters": {}}),
        json!({"profile": {"roles": ["nurse"]}, "limt": 3}),
        json!({"profile": {"roles": ["nurse"], "hobbies": []}}),
    ] {
        let r = app.post_json("/v1/recommendations", &body).await;
        let message = assert_error(r, 400, "invalid_request_body").await;
        assert!(!message.contains("internal"), "{message}");
    }
}

#[tokio::test]
async fn non_json_content_type_is_unsupported_media_type() {
    let app = spawn_app().await;
    let r = app
        .client
        .post(app.url("/v1/recommendations"))
        .header("content-type", "text/plain")
        .body("{\"profile\": {\"roles\": [\"nurse\"]}}")
        .send()
        .await
        .unwrap();
    assert_error(r, 415, "unsupported_media_type").await;
}

#[tokio::test]
async fn oversized_body_is_payload_too_large() {
    let app = spawn_app().await;
    let huge = "x".repeat(200 * 1024);
    let r = app
        .post_json("/v1/recommendations", &json!({"profile": {"about": huge}}))
        .await;
    assert_error(r, 413, "payload_too_large").await;
}

#[tokio::test]
async fn overlong_profile_items_are_invalid_profile() {
    let app = spawn_app().await;
    let r = app
        .post_json(
            "/v1/recommendations",
            &json!({"profile": {"roles": ["n".repeat(201)]}}),
        )
        .await;
    assert_error(r, 400, "invalid_profile").await;
    let many: Vec<String> = (0..51).map(|i| format!("skill {i}")).collect();
    let r = app
        .post_json("/v1/recommendations", &json!({"profile": {"skills": many}}))
        .await;
    assert_error(r, 400, "invalid_profile").await;
}

#[tokio::test]
async fn limits_and_offsets_out_of_range_are_refused() {
    let app = spawn_app().await;
    for limit in [0, 101] {
        let r = app
            .post_json(
                "/v1/recommendations",
                &json!({"profile": {"roles": ["nurse"]}, "limit": limit}),
            )
            .await;
        assert_error(r, 400, "invalid_limit").await;
    }
    let r = app
        .post_json(
            "/v1/recommendations",
            &json!({"profile": {"roles": ["nurse"]}, "offset": 1001}),
        )
        .await;
    assert_error(r, 400, "invalid_offset").await;
    let r = app
        .post_json(
            "/v1/recommendations",
            &json!({"profile": {"roles": ["nurse"]}, "limit": -1}),
        )
        .await;
    assert_error(r, 400, "invalid_request_body").await;
    assert_error(
        app.get("/v1/communities?limit=500").await,
        400,
        "invalid_limit",
    )
    .await;
    assert_error(
        app.get("/v1/communities?limit=abc").await,
        400,
        "invalid_query_parameter",
    )
    .await;
    assert_error(
        app.get("/v1/communities?page=2").await,
        400,
        "invalid_query_parameter",
    )
    .await;
}

#[tokio::test]
async fn unknown_filter_values_are_refused_with_the_allowed_ones() {
    let app = spawn_app().await;
    app.put_json(
        "/v1/communities/a",
        &copmatch_tests::community("a", "A", &["Nursing"], "nurses"),
    )
    .await;
    let base =
        |filters: serde_json::Value| json!({"profile": {"roles": ["nurse"]}, "filters": filters});
    let message = assert_error(
        app.post_json(
            "/v1/recommendations",
            &base(json!({"platforms": ["myspace"]})),
        )
        .await,
        404,
        "unknown_filter_value",
    )
    .await;
    assert!(message.contains("discord"), "{message}");
    assert_error(
        app.post_json("/v1/recommendations", &base(json!({"cost": "cheap"})))
            .await,
        404,
        "unknown_filter_value",
    )
    .await;
    let message = assert_error(
        app.post_json(
            "/v1/recommendations",
            &base(json!({"categories": ["Astrology"]})),
        )
        .await,
        404,
        "unknown_filter_value",
    )
    .await;
    assert!(message.contains("nursing"), "{message}");
    assert_error(
        app.post_json(
            "/v1/recommendations",
            &base(json!({"languages": ["Klingon"]})),
        )
        .await,
        404,
        "unknown_filter_value",
    )
    .await;
}

#[tokio::test]
async fn bad_ids_and_unknown_communities_have_their_own_codes() {
    let app = spawn_app().await;
    assert_error(
        app.get("/v1/communities/nope").await,
        404,
        "community_not_found",
    )
    .await;
    assert_error(
        app.get("/v1/communities/nope/similar").await,
        404,
        "community_not_found",
    )
    .await;
    assert_error(
        app.delete("/v1/communities/nope").await,
        404,
        "community_not_found",
    )
    .await;
    assert_error(
        app.get("/v1/communities/bad%20id").await,
        400,
        "invalid_community_id",
    )
    .await;
    let long = "a".repeat(129);
    assert_error(
        app.get(&format!("/v1/communities/{long}")).await,
        400,
        "invalid_community_id",
    )
    .await;
    let r = app
        .post_json(
            "/v1/recommendations",
            &json!({"profile": {"roles": ["nurse"]}, "exclude_ids": ["has space"]}),
        )
        .await;
    assert_error(r, 400, "invalid_community_id").await;
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_in_the_error_format() {
    let app = spawn_app().await;
    assert_error(app.get("/v2/anything").await, 404, "route_not_found").await;
    assert_error(
        app.get("/v1/recommendations").await,
        405,
        "method_not_allowed",
    )
    .await;
    assert_error(
        app.delete("/v1/communities").await,
        405,
        "method_not_allowed",
    )
    .await;
}

#[tokio::test]
async fn deeply_nested_json_is_json_too_deep() {
    let app = spawn_app().await;
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let response = app
        .client
        .post(app.url("/v1/feedback"))
        .header("content-type", "application/json")
        .body(deep)
        .send()
        .await
        .unwrap();
    assert_error(response, 400, "json_too_deep").await;
}
