use std::sync::Arc;

use copmatch_core::fakes::{MemoryLivenessLog, MemoryQueue};
use copmatch_core::liveness::{CheckResult, Outcome, Signals};
use copmatch_core::liveness_checks::LivenessService;
use copmatch_core::liveness_policy::LivenessPolicy;
use copmatch_core::moderator::Moderator;
use copmatch_core::submissions::{ItemKind, ItemState};
use copmatch_core::time::format_time;
use copmatch_core::time::{Clock, ManualClock};
use copmatch_core::{Profile, RecommendRequest, Services, Status, StatusUpdate, Steering};

use crate::service;

struct Setup {
    service: Services,
    liveness: LivenessService,
    moderator: Moderator,
    clock: Arc<ManualClock>,
}

async fn setup() -> Setup {
    let service = service().await;
    let moderator = Moderator::new(service.catalog.clone(), Arc::new(MemoryQueue::default()));
    let clock = Arc::new(ManualClock::new("2026-11-01T00:00:00Z".parse().unwrap()));
    let liveness = LivenessService::new(
        service.catalog.clone(),
        Arc::new(MemoryLivenessLog::new(10)),
        moderator.clone(),
        LivenessPolicy::default(),
        clock.clone(),
    );
    Setup {
        service,
        liveness,
        moderator,
        clock,
    }
}

fn ask(roles: &str) -> RecommendRequest {
    RecommendRequest {
        profile: Profile {
            roles: vec![roles.into()],
            ..Default::default()
        },
        ..Default::default()
    }
}

fn check(id: &str, outcome: Outcome, clock: &ManualClock) -> CheckResult {
    CheckResult {
        community_id: copmatch_core::fakes::cid(id),
        checked_at: format_time(clock.now()),
        adapter: "http".into(),
        url: format!("https://{id}.example.org"),
        http_status: Some(200),
        latency_ms: 5,
        outcome,
        signals: Signals::default(),
        detail: "test".into(),
        moved_to: None,
    }
}

#[tokio::test]
async fn a_healthy_check_makes_a_community_active_with_an_activity_reason() {
    let s = setup().await;
    let mut ok = check("woodworkers", Outcome::Ok, &s.clock);
    ok.signals.posts_7d = Some(14);
    let c = s.liveness.record(ok).await.unwrap();
    assert_eq!(c.status, Status::Active);
    let response = s
        .service
        .recommender
        .recommend(ask("woodworking furniture"), &Steering::default())
        .await
        .unwrap();
    let top = &response.recommendations[0];
    assert_eq!(top.community.id, "woodworkers");
    assert!(
        top.reasons
            .iter()
            .any(|r| r.starts_with("active: 14 posts this week, checked")),
        "{:?}",
        top.reasons
    );
}

#[tokio::test]
async fn dead_only_after_repeated_failures_over_days_and_the_history_keeps_each() {
    let s = setup().await;
    // Three dead checks on days 0, 2 and 4 span too little time…
    for _ in 0..3 {
        let c = s
            .liveness
            .record(check("rustaceans", Outcome::Dead, &s.clock))
            .await
            .unwrap();
        assert_ne!(c.status, Status::DeadLink);
        s.clock.advance_days(2);
    }
    let response = s
        .service
        .recommender
        .recommend(ask("rust programming"), &Steering::default())
        .await
        .unwrap();
    let top = &response.recommendations[0];
    assert_eq!(top.community.id, "rustaceans");
    assert!(
        top.reasons.iter().any(
            |r| r.starts_with("status: the link failed its last check (")
                && r.ends_with("; not confirmed dead yet")
        ),
        "{:?}",
        top.reasons
    );
    // …a fourth on day 7 completes the week.
    s.clock.advance_days(1);
    let c = s
        .liveness
        .record(check("rustaceans", Outcome::Dead, &s.clock))
        .await
        .unwrap();
    assert_eq!(c.status, Status::DeadLink);
    let history = s
        .liveness
        .history(&copmatch_core::fakes::cid("rustaceans"), 10)
        .await
        .unwrap();
    assert_eq!(history.len(), 4);
    assert!(
        history[0].checked_at > history[3].checked_at,
        "newest first"
    );
    let summary = s.liveness.summary().await.unwrap();
    assert_eq!(summary.by_status["dead_link"], 1);
    assert_eq!(summary.by_outcome["dead"], 1);
    assert_eq!(summary.by_outcome["never_checked"], 4);
}

#[tokio::test]
async fn a_permanent_redirect_becomes_one_suggestion_for_moderators() {
    let s = setup().await;
    for _ in 0..2 {
        let mut moved = check("pythonistas", Outcome::Moved, &s.clock);
        moved.moved_to = Some("https://new.pythonistas.example.org/".into());
        s.liveness.record(moved).await.unwrap();
    }
    let pending = s.moderator.list(Some(ItemState::Pending)).await.unwrap();
    assert_eq!(pending.len(), 1, "the same suggestion is filed once");
    assert_eq!(pending[0].kind, ItemKind::MovedLink);
    let url = s
        .service
        .catalog
        .get(&copmatch_core::fakes::cid("pythonistas"))
        .await
        .unwrap()
        .url;
    assert_eq!(
        url, "https://pythonistas.example.org",
        "never rewritten automatically"
    );
    let approved = s.moderator.approve(&pending[0].id).await.unwrap();
    assert_eq!(
        approved.community.url,
        "https://new.pythonistas.example.org/"
    );
}

#[tokio::test]
async fn an_admin_pin_holds_until_cleared_and_due_follows_the_schedule() {
    let s = setup().await;
    let pin = StatusUpdate {
        status: "inactive".into(),
        pinned: Some(true),
        ..Default::default()
    };
    s.service
        .catalog
        .update_status(&copmatch_core::fakes::cid("icu-nurses"), pin)
        .await
        .unwrap();
    let c = s
        .liveness
        .record(check("icu-nurses", Outcome::Ok, &s.clock))
        .await
        .unwrap();
    assert_eq!(c.status, Status::Inactive, "pinned");
    assert_eq!(c.liveness.last_outcome, Some(Outcome::Ok), "but recorded");
    let release = StatusUpdate {
        status: "inactive".into(),
        pinned: Some(false),
        ..Default::default()
    };
    s.service
        .catalog
        .update_status(&copmatch_core::fakes::cid("icu-nurses"), release)
        .await
        .unwrap();
    let c = s
        .liveness
        .record(check("icu-nurses", Outcome::Ok, &s.clock))
        .await
        .unwrap();
    assert_eq!(c.status, Status::Active);
    let due: Vec<String> = s
        .liveness
        .communities(true, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id.into_string())
        .collect();
    assert!(
        !due.contains(&"icu-nurses".to_string()) && due.len() == 4,
        "{due:?}"
    );
    s.clock.advance_days(8);
    assert_eq!(s.liveness.communities(true, 100).await.unwrap().len(), 5);
}
