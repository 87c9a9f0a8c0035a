//! Retraining from simulated feedback, the evaluation gate, activation
//! without downtime, and rollback, over HTTP against the real model.

use std::path::Path;
use std::time::Duration;

use copmatch_api::app::open_stack;
use copmatch_api::Settings;
use copmatch_core::progress::NoProgress;
use copmatch_retrain::data::from_jsonl;
use copmatch_retrain::registry::Registry;
use copmatch_retrain::simulate::{simulate, Signal, SimOptions};
use copmatch_retrain::{retrain, Outcome, RetrainOptions, Stages};
use copmatch_tests::{
    assert_error, bundled_catalog, embedder, json, spawn_app_with, TestApp, TestOptions,
};
use serde_json::Value;

struct Quiet;

impl Stages for Quiet {
    fn stage(&self, _: &str) -> Box<dyn copmatch_core::JobProgress> {
        Box::new(NoProgress)
    }
}

/// Simulates feedback over the bundled catalog and retrains on it, in a store
/// of its own, writing the artifact where `models_dir` says.
async fn retrain_on(signal: Signal, models_dir: &Path) -> Outcome {
    let text = std::fs::read_to_string(bundled_catalog()).unwrap();
    let (valid, _, _) = copmatch_core::import::parse_lines(&text);
    let catalog: Vec<_> = valid.into_iter().map(|(_, c)| c).collect();
    let options = SimOptions {
        users: 200,
        signal,
        strength: 0.9,
        ..Default::default()
    };
    let sim = simulate(&catalog, &options).unwrap();
    let data = from_jsonl(&copmatch_retrain::data::to_jsonl(&sim.users, &sim.events)).unwrap();
    let dir = tempfile::TempDir::new().unwrap();
    let mut settings = Settings {
        data_dir: dir.path().to_path_buf(),
        ..Settings::default()
    };
    settings.catalog.import_when_empty = true;
    let stack = open_stack(&settings, embedder(), &NoProgress)
        .await
        .unwrap();
    let options = RetrainOptions {
        holdout: 0.25,
        ..Default::default()
    };
    let outcome = retrain(
        &stack.services.recommender,
        data,
        "simulation",
        &Registry::new(models_dir),
        &options,
        &Quiet,
    )
    .await
    .unwrap();
    stack.services.catalog.store().close().await.unwrap();
    outcome
}

async fn wait_for_index_job(app: &TestApp) -> Value {
    for _ in 0..600 {
        let status: Value = app.get("/v1/admin/index").await.json().await.unwrap();
        match status["reindex"]["state"].as_str().unwrap() {
            "running" => tokio::time::sleep(Duration::from_millis(100)).await,
            "succeeded" => return status,
            other => panic!("the job ended {other}: {status}"),
        }
    }
    panic!("the job did not finish");
}

async fn served_model(app: &TestApp) -> String {
    let body = app
        .recommend(json!({"profile": {"roles": ["registered nurse"]}}))
        .await;
    body["model"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_model_retrained_on_tacit_preferences_beats_the_base_and_is_activated_and_rolled_back() {
    let app = spawn_app_with(TestOptions {
        bundled_catalog: true,
        ..Default::default()
    })
    .await;
    let outcome = retrain_on(Signal::Tacit, &app.models_dir()).await;
    let m = &outcome.manifest;
    assert_eq!(m.version, "ft1");
    // Held-out users ranked by the whole serving pipeline: the retrained map
    // moves both halves of the semantic score, so the final ranking gains
    // (+0.04 when it moved the whole-profile half only; README "Retraining").
    eprintln!("held out: {:?}", m.metrics);
    assert!(
        m.metrics.candidate.ndcg_at_10 > m.metrics.base.ndcg_at_10 + 0.1,
        "too small a held-out gain: {:?}",
        m.metrics
    );
    let report = std::fs::read_to_string(outcome.dir.join("report.html")).unwrap();
    assert!(report.contains("<svg") && report.contains("Validation curve"));
    assert!(m.data_hash.starts_with("fnv1a64:"));

    let base = served_model(&app).await;
    assert_eq!(base, "all-MiniLM-L6-v2");
    let user = json!({"profile": {"roles": ["registered nurse"]}});
    assert!(app
        .put_json("/v1/users/ana", &user)
        .await
        .status()
        .is_success());
    let response = app
        .post_json("/v1/admin/models/ft1/activate", &json!({}))
        .await;
    assert_eq!(response.status(), 202);
    // Requests keep being answered while the model switches.
    let (mut served, mut failed) = (0, 0);
    loop {
        let status: Value = app.get("/v1/admin/index").await.json().await.unwrap();
        let state = status["reindex"]["state"].as_str().unwrap().to_string();
        for response in [
            app.post_json("/v1/recommendations", &user).await,
            app.get("/v1/users/ana/recommendations").await,
        ] {
            if response.status() == 200 {
                served += 1;
            } else {
                failed += 1;
            }
        }
        match state.as_str() {
            "running" => {}
            "succeeded" => break,
            other => panic!("activation ended {other}: {status}"),
        }
    }
    assert_eq!(
        failed, 0,
        "{failed} requests failed during the switch ({served} served)"
    );
    assert_eq!(served_model(&app).await, "all-MiniLM-L6-v2/ft1");
    let models: Value = app.get("/v1/admin/models").await.json().await.unwrap();
    assert_eq!(models["active"], "ft1");
    assert_eq!(models["previous"], "base");

    // The activated model is what serves after a restart.
    let dir = app.stop().await;
    let app = spawn_app_with(TestOptions {
        data_dir: Some(dir),
        ..Default::default()
    })
    .await;
    assert_eq!(served_model(&app).await, "all-MiniLM-L6-v2/ft1");

    let response = app.post_json("/v1/admin/models/rollback", &json!({})).await;
    assert_eq!(response.status(), 202);
    wait_for_index_job(&app).await;
    assert_eq!(served_model(&app).await, "all-MiniLM-L6-v2");
}

#[tokio::test]
async fn the_gate_keeps_the_serving_model_when_feedback_carries_no_signal() {
    let app = spawn_app_with(TestOptions {
        bundled_catalog: true,
        ..Default::default()
    })
    .await;
    assert_error(
        app.post_json("/v1/admin/models/rollback", &json!({})).await,
        409,
        "no_previous_model",
    )
    .await;
    assert_error(
        app.post_json("/v1/admin/models/ft9/activate", &json!({}))
            .await,
        404,
        "model_not_found",
    )
    .await;
    let outcome = retrain_on(Signal::None, &app.models_dir()).await;
    let m = &outcome.manifest;
    assert!(
        m.metrics.candidate.ndcg_at_10 < m.metrics.base.ndcg_at_10 + 0.005,
        "random feedback should teach nothing: {:?}",
        m.metrics
    );
    let message = assert_error(
        app.post_json("/v1/admin/models/ft1/activate", &json!({}))
            .await,
        409,
        "model_gate_refused",
    )
    .await;
    assert!(message.contains("force"), "{message}");
    assert_eq!(served_model(&app).await, "all-MiniLM-L6-v2");
    // An analyst may still overrule the gate.
    let response = app
        .post_json("/v1/admin/models/ft1/activate?force=true", &json!({}))
        .await;
    assert_eq!(response.status(), 202);
    wait_for_index_job(&app).await;
    assert_eq!(served_model(&app).await, "all-MiniLM-L6-v2/ft1");
}
