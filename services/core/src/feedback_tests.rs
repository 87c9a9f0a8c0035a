//! Tests of `feedback.rs`.
use super::*;
use serde_json::json;

#[test]
fn one_event_an_array_and_a_batch_object_are_all_accepted() {
    let event = json!({"user_id": "u", "community_id": "c", "type": "join"});
    assert_eq!(parse_feedback_body(event.clone()).unwrap().len(), 1);
    assert_eq!(parse_feedback_body(json!([event, event])).unwrap().len(), 2);
    assert_eq!(
        parse_feedback_body(json!({"events": [event]}))
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_malformed_event_is_named_by_its_position() {
    let good = json!({"user_id": "u", "community_id": "c", "type": "join"});
    let bad = json!({"user_id": "u", "type": "join"});
    let err = parse_feedback_body(json!({"events": [good, bad]})).unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidFeedback);
    assert!(
        err.message
            .starts_with("events[1]: missing field `community_id`"),
        "{}",
        err.message
    );
}

#[test]
fn a_body_that_is_not_an_event_is_refused() {
    assert_eq!(
        parse_feedback_body(json!(42)).unwrap_err().code,
        ErrorCode::InvalidFeedback
    );
}

fn event(community: &str, kind: FeedbackKind, ts: &str) -> FeedbackEvent {
    FeedbackEvent {
        id: format!("{community}-{ts}"),
        user_id: UserId::parse("u").unwrap(),
        community_id: CommunityId::parse(community).unwrap(),
        kind,
        ts: ts.into(),
        received_at: ts.into(),
        position: None,
    }
}

#[test]
fn the_latest_decision_about_a_community_wins() {
    let history = History::from_events(&[
        event("a", FeedbackKind::Leave, "2026-01-03"),
        event("a", FeedbackKind::Join, "2026-01-01"),
        event("b", FeedbackKind::Dismiss, "2026-01-01"),
        event("b", FeedbackKind::Join, "2026-01-02"),
        event("c", FeedbackKind::Click, "2026-01-01"),
        event("d", FeedbackKind::View, "2026-01-01"),
        event("e", FeedbackKind::ReportDeadLink, "2026-01-01"),
        event("e", FeedbackKind::ReportDeadLink, "2026-01-02"),
    ]);
    assert_eq!(history.joined, vec!["b"]);
    assert_eq!(history.dismissed, vec!["a"]);
    assert_eq!(history.clicked, vec!["c"]);
    assert_eq!(history.reported, vec!["e"]);
}

#[test]
fn an_unknown_type_names_the_offending_item() {
    let input = FeedbackInput {
        user_id: "u1".into(),
        community_id: "c1".into(),
        kind: "like".into(),
        ts: None,
        position: None,
    };
    let err = input.check("events[3]").unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidFeedback);
    assert!(
        err.message.starts_with("events[3]: unknown type \"like\""),
        "{}",
        err.message
    );
}

#[test]
fn a_bad_timestamp_is_refused() {
    let input = FeedbackInput {
        user_id: "u1".into(),
        community_id: "c1".into(),
        kind: "join".into(),
        ts: Some("yesterday".into()),
        position: None,
    };
    assert_eq!(
        input.check("events[0]").unwrap_err().code,
        ErrorCode::InvalidFeedback
    );
}

#[test]
fn a_position_outside_the_list_is_refused_and_a_valid_one_is_kept() {
    let at = |position: u32| FeedbackInput {
        user_id: "u1".into(),
        community_id: "c1".into(),
        kind: "click".into(),
        ts: None,
        position: Some(position),
    };
    for bad in [0, MAX_POSITION + 1] {
        let err = at(bad).check("events[0]").unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidFeedback);
        assert!(err.message.contains("position"), "{}", err.message);
    }
    assert_eq!(at(3).check("events[0]").unwrap().position, Some(3));
}

#[test]
fn a_position_sent_as_a_whole_float_is_read_like_an_integer() {
    let input: FeedbackInput = serde_json::from_value(
        json!({"user_id": "u1", "community_id": "c1", "type": "join", "position": 433.0}),
    )
    .unwrap();
    assert_eq!(input.position, Some(433));
}
