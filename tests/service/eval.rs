//! Ranking quality on the development set must not regress.
//!
//! Thresholds come from the measured values (README "Evaluation") minus a
//! margin. On the harvested catalog (6,271 bundled + 480 shared, pool judged
//! again on 2026-12-03): copmatch nDCG@10 0.774, dense-only 0.667,
//! bm25-only 0.603, plain cosine 0.659. The lead over dense-only must stay at the 0.05 the
//! relevance issue asks for, with an interval clear of zero; the pool must
//! still cover what copmatch shows; a strong match must stay mostly relevant.

use copmatch_api::app::open_stack;
use copmatch_api::cli::eval::{default_queries, evaluate_systems};
use copmatch_api::Settings;
use copmatch_core::progress::NoProgress;
use copmatch_retrain::devset::parse_queries;

/// An empty store on the test model, the settings it was opened with, the
/// catalogs to import (bundled and shared) and the directory to keep alive;
/// None (saying so) when the shared list is missing.
async fn scratch_stack() -> Option<(
    copmatch_core::Services,
    Settings,
    Vec<std::path::PathBuf>,
    tempfile::TempDir,
)> {
    let shared = copmatch_tests::required_external_catalog()?;
    let dir = tempfile::TempDir::new().unwrap();
    let mut settings = Settings {
        data_dir: dir.path().to_path_buf(),
        ..Settings::default()
    };
    settings.catalog.import_when_empty = false;
    let service = open_stack(&settings, copmatch_tests::embedder(), &NoProgress)
        .await
        .unwrap()
        .services;
    let catalogs = vec![settings.catalog.path.clone(), shared];
    Some((service, settings, catalogs, dir))
}

#[tokio::test]
async fn copmatch_beats_both_baselines_on_the_development_set() {
    let Some((service, _settings, catalogs, _dir)) = scratch_stack().await else {
        return;
    };
    let queries = parse_queries(&std::fs::read_to_string(default_queries()).unwrap()).unwrap();
    assert!(queries.len() >= 120, "{} queries", queries.len());
    let out = evaluate_systems(&service, &queries, &catalogs, &NoProgress)
        .await
        .unwrap();
    service.catalog.store().close().await.unwrap();
    let ndcg = |name: &str| {
        out.systems
            .iter()
            .find(|s| s.system == name)
            .unwrap()
            .metrics
            .ndcg_at_10
    };
    let (ours, dense, bm25, plain) = (
        ndcg("copmatch"),
        ndcg("dense-only"),
        ndcg("bm25-only"),
        ndcg("plain-cosine"),
    );
    eprintln!(
        "nDCG@10: copmatch {ours:.3}, dense-only {dense:.3}, bm25-only {bm25:.3}, plain {plain:.3}"
    );
    // 0.741 measured on 2026-12-05 over 231 queries with free text read twice
    // (0.729 without, on the same 7,983 judgments; the 40 free texts written
    // fresh score lower: 0.643).
    assert!(ours >= 0.73, "copmatch nDCG@10 regressed to {ours:.3}");
    assert!(
        ours - dense >= 0.05 && out.lead_over_dense.low > 0.0,
        "copmatch leads dense-only by only {}",
        out.lead_over_dense.signed()
    );
    assert!(
        ours - plain >= 0.05,
        "copmatch leads plain cosine by only {}",
        out.lead_over_plain.signed()
    );
    assert!(
        ours - bm25 >= 0.1,
        "copmatch leads bm25-only by only {:.3}",
        ours - bm25
    );
    let unjudged = out.systems[0].unjudged_in_top10;
    assert!(
        unjudged <= 0.03,
        "{:.1} % of copmatch's top 10 is unjudged: judge the new pool (data/eval/README.md)",
        100.0 * unjudged
    );
    assert!(
        // 0.83 measured on the harvested catalog (0.91 on the 700 before it):
        // more near-misses score above the strong threshold among 6,751.
        out.strong_match.strong_precision >= 0.78,
        "only {:.0} % of strong matches are relevant",
        100.0 * out.strong_match.strong_precision
    );
}

/// The sealed test split (data/eval/README.md), as `copmatch eval --split
/// test` reads it: copmatch must keep its measured lead over the better plain
/// cosine of the two models on short profiles (+0.113 on 2026-12-05; the
/// issue asks for 0.05) and on free text (+0.096 [+0.044, +0.149] with free
/// text read twice by all-mpnet-base-v2; the issue asks for 0.05 with an
/// interval above 0). Never a tuning target: it only catches a regression.
#[tokio::test]
async fn copmatch_keeps_its_lead_over_both_models_cosine_on_the_sealed_split() {
    use copmatch_api::cli::eval_split::{other_cosines, read_sealed, split_report, test_split};
    let Some((service, settings, catalogs, _dir)) = scratch_stack().await else {
        return;
    };
    let text = read_sealed(&test_split()).await.unwrap();
    let queries = parse_queries(&text).unwrap();
    let mut out = evaluate_systems(&service, &queries, &catalogs, &NoProgress)
        .await
        .unwrap();
    out.systems[3].system = "minilm-cosine";
    let others = other_cosines(&settings, &service, &queries, out.catalog_size)
        .await
        .expect("all-mpnet-base-v2 is installed by `make setup`");
    out.systems.extend(others);
    service.catalog.store().close().await.unwrap();
    let report = split_report(String::new(), &queries, &out.systems);
    let (short, free) = (&report.kinds[0], &report.kinds[1]);
    eprintln!(
        "short: copmatch − {} {}; free text: copmatch − {} {}",
        short.best_cosine,
        short.lead_over_best_cosine.signed(),
        free.best_cosine,
        free.lead_over_best_cosine.signed()
    );
    assert!(
        short.lead_over_best_cosine.mean >= 0.05,
        "short profiles: copmatch leads {} by only {}",
        short.best_cosine,
        short.lead_over_best_cosine.signed()
    );
    assert!(
        free.lead_over_best_cosine.mean >= 0.05 && free.lead_over_best_cosine.low > 0.0,
        "free text: copmatch leads {} by only {}",
        free.best_cosine,
        free.lead_over_best_cosine.signed()
    );
    let unjudged = report.kinds[2].cells[0].unjudged_in_top10;
    assert!(
        unjudged <= 0.03,
        "{:.1} % of copmatch's top 10 unjudged",
        100.0 * unjudged
    );
}
