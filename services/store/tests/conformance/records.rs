//! Conformance cases of the record ports: the moderation queue and the
//! liveness history.

use copmatch_core::submissions::{ItemKind, ItemState, ModerationItem};
use copmatch_core::{Cost, Platform};

use super::fixtures::community;
use super::Backend;

pub async fn moderation_items_round_trip_and_list_by_state(backend: &Backend) {
    let queue = &backend.queue;
    let item = |id: &str, created_at: u64, state: ItemState| ModerationItem {
        id: id.into(),
        kind: ItemKind::Community,
        state,
        community: community(id, Platform::Web, "Law", Cost::Free),
        contact: Some("me@example.org".into()),
        note: None,
        duplicates: vec![],
        created_at,
        decided_at: None,
        reason: None,
        suggested_url: None,
    };
    queue.put(item("b", 20, ItemState::Pending)).await.unwrap();
    queue.put(item("a", 10, ItemState::Pending)).await.unwrap();
    queue.put(item("c", 30, ItemState::Rejected)).await.unwrap();
    assert_eq!(
        queue.get("a").await.unwrap().unwrap().contact.as_deref(),
        Some("me@example.org")
    );
    assert!(queue.get("zzz").await.unwrap().is_none());
    let pending: Vec<String> = queue
        .list(Some(ItemState::Pending))
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(pending, vec!["a", "b"], "oldest first");
    queue.put(item("a", 10, ItemState::Approved)).await.unwrap();
    assert_eq!(
        queue.list(None).await.unwrap().len(),
        3,
        "a decision replaces the item"
    );
    assert_eq!(
        queue.list(Some(ItemState::Approved)).await.unwrap()[0].id,
        "a"
    );
}

pub async fn liveness_history_is_newest_first_and_capped(backend: &Backend) {
    use copmatch_core::liveness::{CheckResult, Outcome};
    let check = |community: &str, day: u32, outcome: Outcome| CheckResult {
        community_id: copmatch_core::CommunityId::parse(community).unwrap(),
        checked_at: format!("2026-11-{day:02}T00:00:00Z"),
        adapter: "http".into(),
        url: format!("https://{community}.example"),
        http_status: Some(200),
        latency_ms: 12,
        outcome,
        signals: Default::default(),
        detail: format!("day {day}"),
        moved_to: None,
    };
    for day in 1..=5 {
        backend
            .liveness
            .append(check("a", day, Outcome::Ok))
            .await
            .unwrap();
    }
    backend
        .liveness
        .append(check("b", 9, Outcome::Dead))
        .await
        .unwrap();
    let a = backend.liveness.history("a", 10).await.unwrap();
    let days: Vec<&str> = a.iter().map(|c| c.detail.as_str()).collect();
    assert_eq!(
        days,
        ["day 5", "day 4", "day 3"],
        "newest first, at most the cap"
    );
    assert_eq!(
        backend.liveness.history("a", 1).await.unwrap()[0],
        check("a", 5, Outcome::Ok)
    );
    let b = backend.liveness.history("b", 10).await.unwrap();
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].outcome, Outcome::Dead);
    assert!(backend
        .liveness
        .history("nobody", 10)
        .await
        .unwrap()
        .is_empty());
}
