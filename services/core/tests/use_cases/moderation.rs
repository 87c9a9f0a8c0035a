use std::sync::Arc;

use copmatch_core::fakes::MemoryQueue;
use copmatch_core::moderator::Moderator;
use copmatch_core::submissions::{ItemKind, ItemState, RejectInput, ReportInput, SubmissionInput};
use copmatch_core::{ErrorCode, Status};
use serde_json::json;

use crate::service;

fn submission(value: serde_json::Value) -> SubmissionInput {
    serde_json::from_value(value).expect("a submission body")
}

async fn moderator() -> Moderator {
    Moderator::new(service().await.catalog, Arc::new(MemoryQueue::default()))
}

#[tokio::test]
async fn an_approved_submission_becomes_recommendable_and_cannot_be_decided_twice() {
    let moderator = moderator().await;
    let item = moderator
        .submit(submission(json!({
            "name": "Welders United",
            "url": "https://welders.example.org",
            "platform": "forum",
            "categories": ["Skilled trades"],
            "description": "welding fabrication metal work for welders",
        })))
        .await
        .unwrap();
    assert_eq!(
        (item.kind, item.state),
        (ItemKind::Community, ItemState::Pending)
    );
    let approved = moderator.approve(&item.id).await.unwrap();
    assert_eq!(approved.state, ItemState::Approved);
    let err = moderator.approve(&item.id).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::SubmissionAlreadyDecided);
    let pending = moderator.list(Some(ItemState::Pending)).await.unwrap();
    assert!(pending.is_empty());
}

#[tokio::test]
async fn a_submission_repeating_a_catalog_entry_is_flagged() {
    let moderator = moderator().await;
    let item = moderator
        .submit(submission(json!({
            "name": "ICU Nurses",
            "url": "https://icu-nurses.example.org",
            "platform": "forum",
            "description": "critical care nurses on night shifts",
        })))
        .await
        .unwrap();
    assert_ne!(item.community.id, "icu-nurses", "a free id is chosen");
    assert!(
        item.duplicates
            .iter()
            .any(|d| d.community_id == "icu-nurses"),
        "{:?}",
        item.duplicates
    );
}

#[tokio::test]
async fn an_approved_dead_link_report_marks_the_community_dead() {
    let moderator = moderator().await;
    let report: ReportInput =
        serde_json::from_value(json!({"community_id": "woodworkers", "kind": "dead_link"}))
            .unwrap();
    let item = moderator.report(report).await.unwrap();
    let approved = moderator.approve(&item.id).await.unwrap();
    assert_eq!(approved.community.status, Status::DeadLink);
}

#[tokio::test]
async fn a_rejection_needs_a_reason_and_unknown_items_are_not_found() {
    let moderator = moderator().await;
    let err = moderator
        .reject(
            "sub-missing",
            RejectInput {
                reason: "spam".into(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::SubmissionNotFound);
    let item = moderator
        .submit(submission(json!({
            "name": "Glassblowers", "url": "https://glass.example.org", "platform": "forum",
            "description": "glassblowing studio craft",
        })))
        .await
        .unwrap();
    let err = moderator
        .reject(&item.id, RejectInput { reason: " ".into() })
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidRequestBody);
    let rejected = moderator
        .reject(
            &item.id,
            RejectInput {
                reason: "not a community".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(rejected.reason.as_deref(), Some("not a community"));
}

#[tokio::test]
async fn a_report_queues_an_item_and_one_prompt_check_per_window_and_changes_no_status() {
    use copmatch_core::reports::Recheck;
    let service = service().await;
    let clock = Arc::new(copmatch_core::time::ManualClock::new(jiff::Timestamp::now()));
    let (desk, moderator, rechecks) =
        copmatch_core::fakes::report_desk(service.catalog.clone(), clock.clone());
    let report = || ReportInput {
        community_id: "woodworkers".into(),
        kind: "dead_link".into(),
        note: None,
    };
    let (item, recheck) = desk.report(report()).await.unwrap();
    assert_eq!(
        (item.kind, recheck),
        (ItemKind::DeadLinkReport, Recheck::Scheduled)
    );
    let (_, recheck) = desk.report(report()).await.unwrap();
    assert_eq!(recheck, Recheck::AlreadyScheduled);
    assert_eq!(rechecks.requested().len(), 1);
    let id = copmatch_core::fakes::cid("woodworkers");
    assert_ne!(
        service.catalog.get(&id).await.unwrap().status,
        Status::DeadLink
    );
    assert_eq!(
        moderator
            .list(Some(ItemState::Pending))
            .await
            .unwrap()
            .len(),
        2
    );
    clock.advance_days(1);
    assert_eq!(desk.recheck(&id), Recheck::Scheduled);
}
