//! Automatic liveness checks over HTTP, against the loopback fake internet:
//! start a run, watch it, read a community's history, and see the checks in
//! statuses, reasons and an admin's pin.

use std::time::Duration;

use copmatch_liveness::fake_internet::FakeInternet;
use copmatch_liveness::LivenessSettings;
use copmatch_tests::{assert_error, json, spawn_app_with, TestApp, TestOptions};
use serde_json::Value;

async fn app_on(internet: &FakeInternet) -> TestApp {
    app_with(internet, false).await
}

async fn app_with(internet: &FakeInternet, background: bool) -> TestApp {
    let mut settings = internet.settings(LivenessSettings::default(), &[]);
    settings.per_host_interval_ms = 20;
    settings.concurrency = 16;
    settings.enabled = background;
    settings.interval_secs = 1;
    let app = spawn_app_with(TestOptions {
        liveness: Some(settings),
        ..Default::default()
    })
    .await;
    let report: Value = app
        .import(internet.catalog_jsonl())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["failed"], 0, "{report}");
    app
}

async fn wait_for_the_run(app: &TestApp) -> Value {
    for _ in 0..300 {
        let status: Value = app.get("/v1/admin/liveness").await.json().await.unwrap();
        if status["run"]["running"] == false && !status["run"]["last_run"].is_null() {
            return status;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the liveness run did not finish in 30 s");
}

#[tokio::test]
async fn a_run_started_over_http_records_every_check_and_shows_in_statuses_and_reasons() {
    let internet = FakeInternet::start().await.unwrap();
    let app = app_on(&internet).await;
    let started = app
        .post_json("/v1/admin/liveness/run", &json!({"select": "all"}))
        .await;
    assert_eq!(started.status(), 202);
    let again = app
        .post_json("/v1/admin/liveness/run", &json!({"select": "due"}))
        .await;
    assert_error(again, 409, "liveness_run_in_progress").await;
    let status = wait_for_the_run(&app).await;
    let cases = internet.cases().len() as u64;
    assert_eq!(status["communities"], cases);
    assert_eq!(status["run"]["last_run"]["checked"], cases);
    assert_eq!(status["by_outcome"]["never_checked"], 0);
    assert!(
        status["by_status"]["active"].as_u64().unwrap() >= 8,
        "{status}"
    );

    let history: Value = app
        .get("/v1/communities/discord-live/liveness")
        .await
        .json()
        .await
        .unwrap();
    let check = &history["checks"][0];
    assert_eq!(check["outcome"], "ok");
    assert_eq!(check["adapter"], "discord");
    assert_eq!(check["signals"]["members"], 4200);

    let forum: Value = app
        .get("/v1/communities/forum-live")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(forum["status"], "active");
    assert_eq!(forum["liveness"]["signals"]["posts_7d"], 140);
    let body = app
        .recommend(json!({"profile": {"roles": ["fake community forum-live"]}, "limit": 3}))
        .await;
    let top = &body["recommendations"][0];
    assert_eq!(top["community"]["id"], "forum-live", "{body}");
    let reasons = copmatch_tests::reasons(top);
    assert!(
        reasons
            .iter()
            .any(|r| r.starts_with("active: 140 posts this week, checked today")),
        "{reasons:?}"
    );
    internet.stop().await;
}

#[tokio::test]
async fn an_admin_pin_survives_a_check_and_bad_requests_get_their_codes() {
    let internet = FakeInternet::start().await.unwrap();
    let app = app_on(&internet).await;
    let pinned = app
        .put_json("/v1/communities/ok/status", &json!({"status": "inactive"}))
        .await;
    assert_eq!(pinned.status(), 200);
    app.post_json(
        "/v1/admin/liveness/run",
        &json!({"select": "ids", "ids": ["ok"]}),
    )
    .await;
    wait_for_the_run(&app).await;
    let ok: Value = app.get("/v1/communities/ok").await.json().await.unwrap();
    assert_eq!(ok["status"], "inactive", "an admin's status is pinned");
    assert_eq!(ok["liveness"]["pinned"], true);
    assert_eq!(
        ok["liveness"]["last_outcome"], "ok",
        "the check is still recorded"
    );

    assert_error(
        app.get("/v1/communities/nope/liveness").await,
        404,
        "community_not_found",
    )
    .await;
    assert_error(
        app.get("/v1/communities/ok/liveness?limit=0").await,
        400,
        "invalid_limit",
    )
    .await;
    assert_error(
        app.post_json("/v1/admin/liveness/run", &json!({"select": "some"}))
            .await,
        400,
        "invalid_request_body",
    )
    .await;
    internet.stop().await;
}

#[tokio::test]
async fn the_background_job_of_serve_checks_what_is_due() {
    let internet = FakeInternet::start().await.unwrap();
    // The catalog is imported after start, so the job finds it on a later round.
    let app = app_with(&internet, true).await;
    let cases = internet.cases().len() as u64;
    for _ in 0..300 {
        let status: Value = app.get("/v1/admin/liveness").await.json().await.unwrap();
        if status["by_outcome"]["never_checked"] == 0 && status["run"]["running"] == false {
            assert_eq!(status["communities"], cases);
            assert_eq!(status["due"], 0, "{status}");
            internet.stop().await;
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the background job did not check the catalog in 30 s");
}

#[tokio::test]
async fn a_report_brings_a_prompt_check_once_per_window_and_only_the_check_speaks() {
    let internet = FakeInternet::start().await.unwrap();
    let mut settings = internet.settings(LivenessSettings::default(), &[]);
    settings.per_host_interval_ms = 20;
    settings.concurrency = 16;
    // The background round runs once at start, then not for an hour: any
    // later check is a prompt one.
    settings.interval_secs = 3600;
    let app = spawn_app_with(TestOptions {
        liveness: Some(settings),
        ..Default::default()
    })
    .await;
    let report: Value = app
        .import(internet.catalog_jsonl())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(report["failed"], 0, "{report}");
    app.post_json("/v1/admin/liveness/run", &json!({"select": "all"}))
        .await;
    wait_for_the_run(&app).await;
    let checks = |id: &'static str| {
        let app = &app;
        async move {
            let history: Value = app
                .get(&format!("/v1/communities/{id}/liveness"))
                .await
                .json()
                .await
                .unwrap();
            history["checks"].as_array().unwrap().len()
        }
    };
    let before = checks("ok").await;
    assert!(before >= 1);
    assert_eq!(
        app.put_json("/v1/users/ana", &json!({"profile": {"roles": ["nurse"]}}))
            .await
            .status(),
        201
    );
    let report = json!({"user_id": "ana", "community_id": "ok", "type": "report_dead_link"});
    let first: Value = app
        .post_json("/v1/feedback", &report)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first["rechecks_scheduled"], json!(["ok"]));
    let second: Value = app
        .post_json("/v1/feedback", &report)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(second["rechecks_scheduled"], json!([]), "once per window");
    let mut after = before;
    for _ in 0..100 {
        after = checks("ok").await;
        if after > before {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(after, before + 1, "one prompt check");
    let community: Value = app.get("/v1/communities/ok").await.json().await.unwrap();
    assert_eq!(
        community["status"], "active",
        "the check, not the report, decides"
    );

    // A dead link reported: checked at once, but one dead check is not a verdict.
    let r = app
        .post_json(
            "/v1/reports",
            &json!({"community_id": "not-found", "kind": "dead_link"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    assert_eq!(r.headers()["recheck"], "scheduled");
    let r = app
        .post_json(
            "/v1/reports",
            &json!({"community_id": "not-found", "kind": "dead_link"}),
        )
        .await;
    assert_eq!(r.headers()["recheck"], "already_scheduled");
    let before = 1;
    let mut after = before;
    for _ in 0..100 {
        after = checks("not-found").await;
        if after > before {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(after, 2);
    let community: Value = app
        .get("/v1/communities/not-found")
        .await
        .json()
        .await
        .unwrap();
    assert_ne!(community["status"], "dead_link");
}
