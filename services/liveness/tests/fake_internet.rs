//! The checker against the loopback fake internet: every adapter and failure
//! case ends in its outcome and status, hysteresis over simulated days,
//! politeness measured on the server, and the SSRF guard. The catalog and
//! the history live in the in-memory ports (the stores have their own
//! conformance suite); the HTTP, the adapters and the guard are real.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use copmatch_core::fakes::{cid, memory_service, MemoryLivenessLog, MemoryQueue};
use copmatch_core::liveness_checks::LivenessService;
use copmatch_core::moderator::Moderator;
use copmatch_core::progress::NoProgress;
use copmatch_core::submissions::{ItemKind, ItemState};
use copmatch_core::time::ManualClock;
use copmatch_core::Catalog;
use copmatch_liveness::fake_internet::FakeInternet;
use copmatch_liveness::{run, Checker, LivenessSettings, Selection};

struct World {
    internet: FakeInternet,
    service: Catalog,
    liveness: LivenessService,
    moderator: Moderator,
    clock: Arc<ManualClock>,
}

/// A world whose catalog `catalog` writes (the fake internet's cases by default).
async fn world_with(catalog: impl FnOnce(&FakeInternet) -> String) -> World {
    let internet = FakeInternet::start().await.unwrap();
    let (services, _, _) = memory_service(32).await;
    let service = services.catalog;
    let text = catalog(&internet);
    let report = service.import(&text, &NoProgress).await.unwrap();
    assert_eq!(report.failed, 0, "{:?}", report.errors);
    let moderator = Moderator::new(service.clone(), Arc::new(MemoryQueue::default()));
    let clock = Arc::new(ManualClock::new(jiff::Timestamp::now()));
    let settings = LivenessSettings::default();
    let liveness = LivenessService::new(
        service.clone(),
        Arc::new(MemoryLivenessLog::new(20)),
        moderator.clone(),
        settings.policy(),
        clock.clone(),
    );
    World {
        internet,
        service,
        liveness,
        moderator,
        clock,
    }
}

async fn world() -> World {
    world_with(FakeInternet::catalog_jsonl).await
}

fn checker(w: &World, tweak: impl FnOnce(&mut LivenessSettings)) -> Checker {
    let mut settings = w.internet.settings(LivenessSettings::default(), &[]);
    settings.per_host_interval_ms = 20;
    settings.concurrency = 16;
    tweak(&mut settings);
    Checker::new(settings.clone(), settings.lookup(), w.clock.clone()).unwrap()
}

#[tokio::test]
async fn every_adapter_and_failure_case_ends_in_its_outcome_and_status() {
    let w = world().await;
    let checker = checker(&w, |_| {});
    let report = run(&checker, &w.liveness, &Selection::All, &NoProgress, None)
        .await
        .unwrap();
    let cases = w.internet.cases();
    assert_eq!(report.checked, cases.len());
    assert_eq!(report.not_recorded, 0);
    let mut wrong = Vec::new();
    for case in &cases {
        let check = &w.liveness.history(&cid(case.id), 1).await.unwrap()[0];
        let community = w.service.get(&cid(case.id)).await.unwrap();
        if check.outcome.as_str() != case.outcome || community.status.as_str() != case.status {
            wrong.push(format!(
                "{}: {} / {} (expected {} / {}): {}",
                case.id,
                check.outcome.as_str(),
                community.status.as_str(),
                case.outcome,
                case.status,
                check.detail
            ));
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
    let discord = w.service.get(&cid("discord-live")).await.unwrap();
    assert_eq!(discord.member_count, Some(4200));
    assert_eq!(discord.liveness.signals.online, Some(310));
    let forum = w.service.get(&cid("forum-live")).await.unwrap();
    assert_eq!(forum.liveness.signals.posts_7d, Some(140));
    let reddit = w.service.get(&cid("reddit-live")).await.unwrap();
    assert_eq!(reddit.member_count, Some(250_000));
    let meetup = w.service.get(&cid("meetup-live")).await.unwrap();
    assert!(meetup.liveness.signals.next_event_at.is_some());
    let ssrf = &w.liveness.history(&cid("ssrf-redirect"), 1).await.unwrap()[0];
    assert!(ssrf.detail.contains("169.254.169.254"), "{}", ssrf.detail);
    let table = report.render();
    assert!(
        table.contains("discord") && table.contains("dead"),
        "{table}"
    );
}

#[tokio::test]
async fn a_moved_link_is_suggested_to_moderators_and_never_rewritten() {
    let w = world().await;
    let checker = checker(&w, |_| {});
    run(
        &checker,
        &w.liveness,
        &Selection::Ids(community_ids(&["moved"])),
        &NoProgress,
        None,
    )
    .await
    .unwrap();
    let pending = w.moderator.list(Some(ItemState::Pending)).await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].kind, ItemKind::MovedLink);
    assert_eq!(
        pending[0].suggested_url.as_deref(),
        Some(w.internet.url("chain.test", "/new").as_str())
    );
    assert_eq!(
        w.service.get(&cid("moved")).await.unwrap().url,
        w.internet.url("chain.test", "/old")
    );
}

#[tokio::test]
async fn dead_takes_repeated_failures_over_days_and_a_revived_link_is_active_again() {
    let w = world().await;
    let checker = checker(&w, |_| {});
    let dead_ids = ["not-found", "discord-expired", "no-such-host"];
    let ids = Selection::Ids(community_ids(&dead_ids));
    // Three dead checks (liveness.dead_after_failures) spanning at least a
    // week (liveness.dead_after_days).
    for day in [0, 4, 8] {
        if day > 0 {
            w.clock.advance_days(4);
        }
        run(&checker, &w.liveness, &ids, &NoProgress, None)
            .await
            .unwrap();
        for id in &dead_ids {
            let status = w.service.get(&cid(id)).await.unwrap().status;
            assert_eq!(
                status.as_str(),
                if day < 8 { "unknown" } else { "dead_link" },
                "{id} on day {day}"
            );
        }
    }
    // The same community answering again is active at once.
    w.service
        .update_stored(&cid("not-found"), |c| {
            c.url = w.internet.url("ok.test", "/")
        })
        .await
        .unwrap();
    run(
        &checker,
        &w.liveness,
        &Selection::Ids(community_ids(&["not-found"])),
        &NoProgress,
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        w.service
            .get(&cid("not-found"))
            .await
            .unwrap()
            .status
            .as_str(),
        "active"
    );
    assert_eq!(
        w.liveness
            .history(&cid("not-found"), 10)
            .await
            .unwrap()
            .len(),
        4
    );
}

#[tokio::test]
async fn requests_to_one_host_keep_the_configured_gap_and_retry_after_is_honoured() {
    let w = world_with(|internet| {
        let mut lines = Vec::new();
        for i in 0..8 {
            lines.push(format!(
                r#"{{"id":"same-host-{i}","name":"Same {i}","url":"{}","platform":"web"}}"#,
                internet.url("ok.test", &format!("/page-{i}"))
            ));
        }
        for i in 1..=2 {
            lines.push(format!(
                r#"{{"id":"busy-{i}","name":"Busy {i}","url":"{}","platform":"web"}}"#,
                internet.url("busy.test", &format!("/{i}"))
            ));
        }
        lines.join("\n")
    })
    .await;
    let checker = checker(&w, |s| {
        s.per_host_interval_ms = 150;
        s.concurrency = 8;
        s.retries = 0;
    });
    run(&checker, &w.liveness, &Selection::All, &NoProgress, None)
        .await
        .unwrap();
    let arrivals = w.internet.arrivals();
    let mut by_host: HashMap<String, Vec<std::time::Instant>> = HashMap::new();
    for (host, at) in arrivals {
        by_host.entry(host).or_default().push(at);
    }
    let ok = &by_host["ok.test"];
    assert_eq!(ok.len(), 8, "one GET each");
    for pair in ok.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(
            gap >= Duration::from_millis(140),
            "requests to one host {gap:?} apart"
        );
    }
    let busy = &by_host["busy.test"];
    assert_eq!(busy.len(), 2, "one GET for each of two pages");
    assert!(
        busy[1] - busy[0] >= Duration::from_millis(950),
        "Retry-After: 1 was not honoured: {:?}",
        busy[1] - busy[0]
    );
}

#[tokio::test]
async fn stack_exchange_backoff_and_throttling_pause_the_whole_api_host() {
    let w = world_with(|_| {
        ["patience", "ux", "throttled", "closed"]
            .iter()
            .map(|site| {
                format!(
                    r#"{{"id":"se-{site}","name":"SE {site}","url":"https://{site}.stackexchange.com/","platform":"stackexchange"}}"#
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    })
    .await;
    let checker = checker(&w, |s| s.retries = 0);
    let mut outcomes = Vec::new();
    for site in ["patience", "ux", "throttled", "closed"] {
        let community = w.service.get(&cid(&format!("se-{site}"))).await.unwrap();
        outcomes.push(checker.check(&community).await.outcome.as_str().to_string());
    }
    assert_eq!(outcomes, ["ok", "ok", "transient", "dead"]);
    let se: Vec<_> = w
        .internet
        .arrivals()
        .into_iter()
        .filter(|(host, _)| host == "se.test")
        .map(|(_, at)| at)
        .collect();
    assert_eq!(se.len(), 4);
    // `"backoff": 1` on one site's answer holds back the next site's request…
    assert!(
        se[1] - se[0] >= Duration::from_millis(950),
        "{:?}",
        se[1] - se[0]
    );
    // …and so does a throttle's "available in 1 seconds".
    assert!(
        se[3] - se[2] >= Duration::from_millis(950),
        "{:?}",
        se[3] - se[2]
    );
}

#[tokio::test]
async fn loopback_is_refused_unless_a_test_allows_it() {
    let w = world().await;
    let line = format!(
        r#"{{"id":"local","name":"Local","url":"http://127.0.0.1:{}/","platform":"web"}}"#,
        w.internet.port
    );
    w.service.import(&line, &NoProgress).await.unwrap();
    let strict = checker(&w, |s| s.allow_loopback = false);
    run(
        &strict,
        &w.liveness,
        &Selection::Ids(community_ids(&["local", "ok"])),
        &NoProgress,
        None,
    )
    .await
    .unwrap();
    for id in ["local", "ok"] {
        let check = &w.liveness.history(&cid(id), 1).await.unwrap()[0];
        assert_eq!(check.outcome.as_str(), "unverifiable", "{id}");
        assert!(check.detail.contains("loopback"), "{id}: {}", check.detail);
    }
    assert!(
        w.internet.arrivals().is_empty(),
        "nothing reached the loopback server"
    );
}

#[tokio::test]
async fn a_run_stops_at_its_cap_and_checks_only_what_is_due() {
    let w = world().await;
    let capped = checker(&w, |s| s.max_checks_per_run = 5);
    let report = run(
        &capped,
        &w.liveness,
        &Selection::Ids(community_ids(&[
            "ok",
            "moved",
            "gone",
            "se-live",
            "forum-live",
            "reddit-live",
        ])),
        &NoProgress,
        None,
    )
    .await
    .unwrap();
    assert_eq!(report.checked, 5);
    let all = checker(&w, |_| {});
    run(
        &all,
        &w.liveness,
        &Selection::Ids(community_ids(&["ok"])),
        &NoProgress,
        None,
    )
    .await
    .unwrap();
    let due = w.liveness.communities(true, usize::MAX).await.unwrap();
    assert!(due.iter().all(|c| c.id != "ok"), "just checked, not due");
    w.clock.advance_days(8);
    let due = w.liveness.communities(true, usize::MAX).await.unwrap();
    assert!(
        due.iter().any(|c| c.id == "ok"),
        "a week later it is due again"
    );
}

fn community_ids(raw: &[&str]) -> Vec<copmatch_core::CommunityId> {
    raw.iter().map(|id| cid(id)).collect()
}
