use copmatch_core::progress::NoProgress;
use copmatch_core::{ErrorCode, Status, StatusUpdate};
use serde_json::json;

use crate::service;

#[tokio::test]
async fn put_creates_then_replaces_and_refuses_a_mismatched_id() {
    let service = service().await;
    let body =
        json!({"name": "Welders", "url": "https://welders.example.org", "platform": "forum"});
    let (_, created) = service
        .catalog
        .put(&copmatch_core::fakes::cid("welders"), body.clone())
        .await
        .unwrap();
    assert!(created);
    let (_, created) = service
        .catalog
        .put(&copmatch_core::fakes::cid("welders"), body)
        .await
        .unwrap();
    assert!(!created);
    let err = service
        .catalog
        .put(
            &copmatch_core::fakes::cid("welders"),
            json!({"id": "other", "name": "W", "url": "https://w.org", "platform": "web"}),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::IdMismatch);
}

#[tokio::test]
async fn delete_removes_and_a_second_delete_is_not_found() {
    let service = service().await;
    service
        .catalog
        .delete(&copmatch_core::fakes::cid("woodworkers"))
        .await
        .unwrap();
    let err = service
        .catalog
        .delete(&copmatch_core::fakes::cid("woodworkers"))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::CommunityNotFound);
    assert_eq!(
        service.catalog.list(Some(100), None).await.unwrap().total,
        4
    );
}

#[tokio::test]
async fn import_keeps_good_lines_and_reports_bad_ones_by_line() {
    let service = service().await;
    let text = [
        r#"{"id":"a1","name":"A","url":"https://a.org","platform":"web"}"#,
        r#"{"id":"bad id","name":"B","url":"https://b.org","platform":"web"}"#,
        "not json",
    ]
    .join("\n");
    let report = service.catalog.import(&text, &NoProgress).await.unwrap();
    assert_eq!((report.received, report.imported, report.failed), (3, 1, 2));
    assert_eq!(report.errors[0].line, 2);
    assert!(service
        .catalog
        .get(&copmatch_core::fakes::cid("a1"))
        .await
        .is_ok());
}

#[tokio::test]
async fn a_status_update_keeps_the_fields_it_leaves_out() {
    let service = service().await;
    let update = StatusUpdate {
        status: "active".into(),
        member_count: Some(120),
        ..Default::default()
    };
    service
        .catalog
        .update_status(&copmatch_core::fakes::cid("icu-nurses"), update)
        .await
        .unwrap();
    let update = StatusUpdate {
        status: "inactive".into(),
        ..Default::default()
    };
    let c = service
        .catalog
        .update_status(&copmatch_core::fakes::cid("icu-nurses"), update)
        .await
        .unwrap();
    assert_eq!((c.status, c.member_count), (Status::Inactive, Some(120)));
    let bad = StatusUpdate {
        status: "asleep".into(),
        ..Default::default()
    };
    let err = service
        .catalog
        .update_status(&copmatch_core::fakes::cid("icu-nurses"), bad)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidCommunity);
}

#[tokio::test]
async fn paging_past_the_end_gives_an_empty_page() {
    let service = service().await;
    let page = service.catalog.list(Some(2), Some(50)).await.unwrap();
    assert!(page.communities.is_empty());
    assert_eq!(page.total, 5);
}
