//! Property tests of everything that reads input from outside: the NDJSON
//! importer, community documents, recommendation requests and feedback
//! bodies. Whatever arrives, nothing panics and every refusal is a 4xx code
//! (never `internal` or a 5xx), so a hostile body cannot take a worker down
//! or be answered with a server error.

use copmatch_core::feedback::parse_feedback_body;
use copmatch_core::import::parse_lines;
use copmatch_core::progress::NoProgress;
use copmatch_core::{CoreError, RecommendRequest, Steering};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

use crate::service;

/// Any JSON value, nested a few levels, with keys copmatch's documents use
/// (so that parsing goes past the first unknown field) and some that it doesn't.
fn any_json() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("id".to_string()),
        Just("name".to_string()),
        Just("url".to_string()),
        Just("platform".to_string()),
        Just("categories".to_string()),
        Just("tags".to_string()),
        Just("languages".to_string()),
        Just("cost".to_string()),
        Just("description".to_string()),
        Just("profile".to_string()),
        Just("roles".to_string()),
        Just("skills".to_string()),
        Just("about".to_string()),
        Just("filters".to_string()),
        Just("limit".to_string()),
        Just("offset".to_string()),
        Just("diversity".to_string()),
        Just("user_id".to_string()),
        Just("community_id".to_string()),
        Just("type".to_string()),
        Just("ts".to_string()),
        Just("events".to_string()),
        "\\PC{0,12}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        "\\PC{0,40}".prop_map(Value::from),
        prop_oneof![
            Just("slack"),
            Just("discord"),
            Just("free"),
            Just("click"),
            Just("join"),
            Just("https://example.org/x"),
            Just("2026-02-31T00:00:00Z"),
            Just("2026-01-01T00:00:00Z"),
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..8)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn assert_client_error(err: &CoreError) {
    let status = err.code.http_status();
    assert!(
        (400..500).contains(&status),
        "{} answered {status}: {}",
        err.code,
        err.message
    );
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn the_ndjson_parser_accounts_for_every_line_of_any_text(text in "\\PC{0,400}(\n\\PC{0,200}){0,8}") {
        let (valid, errors, received) = parse_lines(&text);
        prop_assert_eq!(valid.len() + errors.len(), received);
        for e in &errors {
            prop_assert!(e.line >= 1 && e.line <= text.lines().count());
        }
    }

    #[test]
    fn the_ndjson_parser_survives_any_json_lines(lines in prop::collection::vec(any_json(), 0..8)) {
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        let (valid, errors, received) = parse_lines(&text);
        prop_assert_eq!(valid.len() + errors.len(), received);
        for e in &errors {
            let code = copmatch_core::ErrorCode::ALL.iter().find(|c| c.as_str() == e.code);
            prop_assert!(code.is_some_and(|c| (400..500).contains(&c.http_status())), "{:?}", e);
        }
    }

    #[test]
    fn any_feedback_body_is_parsed_or_refused_with_a_client_error(body in any_json()) {
        if let Err(e) = parse_feedback_body(body) {
            assert_client_error(&e);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn any_recommendation_request_is_answered_or_refused_with_a_client_error(body in any_json()) {
        let Ok(request) = serde_json::from_value::<RecommendRequest>(body) else {
            // The HTTP layer answers this with invalid_request_body (400).
            return Ok(());
        };
        runtime().block_on(async {
            let service = service().await;
            if let Err(e) = service.recommender.recommend(request, &Steering::default()).await {
                assert_client_error(&e);
            }
        });
    }

    #[test]
    fn any_well_shaped_recommendation_request_is_answered_or_refused_with_a_client_error(
        roles in prop::collection::vec("\\PC{0,30}", 0..4),
        skills in prop::collection::vec("\\PC{0,250}", 0..3),
        about in "\\PC{0,60}",
        platforms in prop::collection::vec(prop_oneof![Just("slack".to_string()), "\\PC{0,8}"], 0..2),
        limit in prop_oneof![Just(Value::Null), (0i64..200).prop_map(Value::from)],
        offset in prop_oneof![Just(Value::Null), (0i64..2000).prop_map(Value::from)],
        diversity in prop_oneof![Just(Value::Null), (-1.0f64..2.0).prop_map(|d| json!(d))],
        exclude in prop::collection::vec("\\PC{0,10}", 0..3),
    ) {
        let body = json!({
            "profile": {"roles": roles, "skills": skills, "about": about},
            "filters": {"platforms": platforms},
            "limit": limit, "offset": offset, "diversity": diversity,
            "exclude_ids": exclude, "negative_ids": ["icu-nurses"],
        });
        let request: RecommendRequest = serde_json::from_value(body).expect("well shaped");
        runtime().block_on(async {
            let service = service().await;
            match service.recommender.recommend(request, &Steering::default()).await {
                Ok(response) => assert!(response.recommendations.len() <= 100),
                Err(e) => assert_client_error(&e),
            }
        });
    }

    #[test]
    fn any_community_document_is_stored_or_refused_with_a_client_error(
        id in "[a-z0-9._-]{1,20}|\\PC{0,20}",
        body in any_json(),
    ) {
        runtime().block_on(async {
            let service = service().await;
            // The id is parsed at the edge, as a handler does; either step
            // may refuse, always with a client error.
            let stored = match copmatch_core::CommunityId::parse(id.as_str()) {
                Ok(id) => service.catalog.put(&id, body).await.map(|_| ()),
                Err(e) => Err(e),
            };
            if let Err(e) = stored {
                assert_client_error(&e);
            }
        });
    }

    #[test]
    fn any_import_stores_what_it_reports(lines in prop::collection::vec(any_json(), 0..6)) {
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        runtime().block_on(async {
            let service = service().await;
            let before = service.catalog.list(Some(100), None).await.unwrap().total;
            let report = service.catalog.import(&text, &NoProgress).await.expect("an import itself never fails on input");
            assert_eq!(report.imported + report.failed, report.received);
            let after = service.catalog.list(Some(100), None).await.unwrap().total;
            assert!(after <= before + report.imported);
        });
    }
}
