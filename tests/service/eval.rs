//! Ranking quality on the development set must not regress.
//!
//! Thresholds come from the measured values (README "Evaluation") minus a
//! margin: copmatch nDCG@10 0.870, dense-only 0.829, bm25-only 0.787. The lead
//! over dense-only must stay at the 0.03 the relevance issue asks for.

use copmatch_api::app::open_stack;
use copmatch_api::cli::eval::{default_queries, evaluate_systems};
use copmatch_api::Settings;
use copmatch_core::devset::parse_queries;
use copmatch_core::import::NoProgress;

#[tokio::test]
async fn copmatch_beats_both_baselines_on_the_development_set() {
    let Some(shared) = copmatch_tests::required_external_catalog() else {
        return;
    };
    let dir = tempfile::TempDir::new().unwrap();
    let mut settings = Settings {
        data_dir: dir.path().to_path_buf(),
        ..Settings::default()
    };
    settings.catalog.import_when_empty = false;
    let service = open_stack(&settings, copmatch_tests::embedder(), &NoProgress)
        .await
        .unwrap()
        .service;
    let queries = parse_queries(&std::fs::read_to_string(default_queries()).unwrap()).unwrap();
    assert!(queries.len() >= 40);
    let out = evaluate_systems(
        &service,
        &queries,
        &[settings.catalog.path.clone(), shared],
        &NoProgress,
    )
    .await
    .unwrap();
    service.store().close().await.unwrap();
    let ndcg = |name: &str| {
        out.systems
            .iter()
            .find(|s| s.system == name)
            .unwrap()
            .metrics
            .ndcg_at_10
    };
    let (ours, dense, bm25) = (ndcg("copmatch"), ndcg("dense-only"), ndcg("bm25-only"));
    eprintln!("nDCG@10: copmatch {ours:.3}, dense-only {dense:.3}, bm25-only {bm25:.3}");
    assert!(ours >= 0.85, "copmatch nDCG@10 regressed to {ours:.3}");
    assert!(
        ours - dense >= 0.03,
        "copmatch leads dense-only by only {:.3}",
        ours - dense
    );
    assert!(
        ours - bm25 >= 0.05,
        "copmatch leads bm25-only by only {:.3}",
        ours - bm25
    );
}
