//! `copmatch eval --split test`: the sealed test split, reported apart from
//! the development set. Its queries were written before the tuning they
//! check and judged from a blind pool of every system's top 10 (README
//! "Evaluation"); the file is frozen, and its SHA-256 is recorded in
//! `data/eval/test.sha256`, so this command refuses a changed file rather
//! than report figures on something else. Nothing is tuned here:
//! `--cross-validate` is refused with this split.
//!
//! Systems: copmatch, dense-only, BM25-only and plain cosine with both
//! installed models (all-MiniLM-L6-v2 and all-mpnet-base-v2, whichever one
//! serves). Each is scored per query kind (short profiles, free text) with
//! mirror groups credited once, and raw (each listing on its own).

use std::path::{Path, PathBuf};

use anyhow::Context;
use copmatch_core::Services;
use copmatch_retrain::devset::plain::{cosine_system, evaluate_cosine};
use copmatch_retrain::devset::stats::{bootstrap, paired_difference, Interval};
use copmatch_retrain::devset::{EvalQuery, ModeReport, QueryKind};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::app::start_embedder;
use crate::settings::{home, Settings};

/// The models whose plain cosine the split is compared with.
pub const COSINE_MODELS: [&str; 2] = ["all-MiniLM-L6-v2", "all-mpnet-base-v2"];

pub fn test_split() -> PathBuf {
    home().join("data/eval/test.jsonl")
}

fn recorded_hash() -> PathBuf {
    home().join("data/eval/test.sha256")
}

/// The SHA-256 of `text`, in hex.
pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Reads the sealed split and checks it against its recorded hash.
pub async fn read_sealed(path: &Path) -> anyhow::Result<String> {
    let text = tokio::fs::read_to_string(path)
        .await
        .with_context(|| format!("reading the sealed test split {}", path.display()))?;
    let recorded = tokio::fs::read_to_string(recorded_hash())
        .await
        .with_context(|| format!("reading {}", recorded_hash().display()))?;
    let recorded = recorded.split_whitespace().next().unwrap_or_default();
    let actual = sha256_hex(&text);
    anyhow::ensure!(
        actual == recorded,
        "{} has SHA-256 {actual}, but the sealed split's is {recorded} ({}): the test split is frozen; \
         write new queries into a new split instead of editing it",
        path.display(),
        recorded_hash().display()
    );
    Ok(text)
}

/// Plain cosine with every model in [`COSINE_MODELS`] other than the served
/// one (the served one's is the development report's `plain-cosine`, which
/// `copmatch eval` renames with [`served_cosine_system`]).
pub async fn other_cosines(
    settings: &Settings,
    services: &Services,
    queries: &[EvalQuery],
    catalog_size: usize,
) -> anyhow::Result<Vec<ModeReport>> {
    let mut reports = Vec::new();
    // Trained weights (`model.dir` with a `copmatch-model.json`) are not the
    // published model of their name, whose cosine is then measured too.
    let served = services.recommender.model_id();
    for model in COSINE_MODELS {
        if model == served {
            continue;
        }
        let mut other = settings.clone();
        other.model.name = model.to_string();
        other.model.dir = None;
        let embedder = start_embedder(&other).await.with_context(|| {
            format!("the test split compares with {model}'s plain cosine; run `make setup` to install it")
        })?;
        eprintln!("embedding the catalog with {model} for its plain-cosine baseline");
        reports.push(
            evaluate_cosine(
                &services.recommender,
                &*embedder,
                cosine_system(model),
                queries,
                catalog_size,
            )
            .await?,
        );
    }
    Ok(reports)
}

/// One system on one kind of query.
#[derive(Debug, Serialize)]
pub struct Cell {
    pub ndcg_at_10: Interval,
    pub raw_ndcg_at_10: Interval,
    pub unjudged_in_top10: f64,
}

#[derive(Debug, Serialize)]
pub struct KindReport {
    pub kind: &'static str,
    pub queries: usize,
    /// Queries with nothing judged fitting in the catalog, left out of the means.
    pub nothing_fits: usize,
    /// Per system, in the order of [`SplitReport::systems`].
    pub cells: Vec<Cell>,
    /// The better plain cosine on these queries, and copmatch's lead over it
    /// (paired per query).
    pub best_cosine: String,
    pub lead_over_best_cosine: Interval,
    pub raw_lead_over_best_cosine: Interval,
}

#[derive(Debug, Serialize)]
pub struct SplitReport {
    pub sha256: String,
    pub systems: Vec<String>,
    pub kinds: Vec<KindReport>,
}

fn cell(system: &ModeReport, queries: &[&EvalQuery]) -> Cell {
    let scores: Vec<_> = queries
        .iter()
        .map(|q| system.per_query.get(&q.id).copied().unwrap_or_default())
        .collect();
    let ndcg: Vec<f64> = scores.iter().map(|s| s.ndcg_at_10).collect();
    let raw: Vec<f64> = scores.iter().map(|s| s.raw_ndcg_at_10).collect();
    let unjudged: usize = scores.iter().map(|s| s.unjudged_in_top10).sum();
    Cell {
        ndcg_at_10: bootstrap(&ndcg),
        raw_ndcg_at_10: bootstrap(&raw),
        unjudged_in_top10: unjudged as f64 / (10 * queries.len()).max(1) as f64,
    }
}

/// The table: systems × query kinds (and all together); `systems[0]` is copmatch.
pub fn split_report(sha256: String, queries: &[EvalQuery], systems: &[ModeReport]) -> SplitReport {
    let kinds = [Some(QueryKind::Short), Some(QueryKind::FreeText), None]
        .into_iter()
        .map(|kind| {
            let of_kind: Vec<&EvalQuery> = queries
                .iter()
                .filter(|q| kind.is_none() || q.kind == kind)
                .collect();
            let scored: Vec<&EvalQuery> = of_kind
                .iter()
                .copied()
                .filter(|q| q.has_relevant())
                .collect();
            let cells: Vec<Cell> = systems.iter().map(|s| cell(s, &scored)).collect();
            let per_query = |s: &ModeReport, raw: bool| -> Vec<f64> {
                scored
                    .iter()
                    .map(|q| {
                        let scores = s.per_query.get(&q.id).copied().unwrap_or_default();
                        if raw {
                            scores.raw_ndcg_at_10
                        } else {
                            scores.ndcg_at_10
                        }
                    })
                    .collect()
            };
            let best = systems
                .iter()
                .zip(&cells)
                // The published models' cosines: what a team gets without copmatch.
                .filter(|(s, _)| COSINE_MODELS.iter().any(|m| cosine_system(m) == s.system))
                .max_by(|a, b| a.1.ndcg_at_10.mean.total_cmp(&b.1.ndcg_at_10.mean))
                .map(|(s, _)| s)
                .expect("the split is compared with plain cosine");
            KindReport {
                kind: kind.map_or("all", QueryKind::name),
                queries: of_kind.len(),
                nothing_fits: of_kind.len() - scored.len(),
                best_cosine: best.system.to_string(),
                lead_over_best_cosine: paired_difference(
                    &per_query(&systems[0], false),
                    &per_query(best, false),
                ),
                raw_lead_over_best_cosine: paired_difference(
                    &per_query(&systems[0], true),
                    &per_query(best, true),
                ),
                cells,
            }
        })
        .collect();
    SplitReport {
        sha256,
        systems: systems.iter().map(|s| s.system.to_string()).collect(),
        kinds,
    }
}

/// The name of the served model's plain cosine in the split's report: the
/// published model's (`minilm-cosine`, `mpnet-cosine`), or `served-cosine`
/// for trained weights, which the lead is never measured against.
pub fn served_cosine_system(model_id: &str) -> &'static str {
    match COSINE_MODELS.contains(&model_id) {
        true => cosine_system(model_id),
        false => "served-cosine",
    }
}

pub fn print_split(path: &Path, model: &str, report: &SplitReport) {
    println!(
        "sealed test split {} (SHA-256 {}), copmatch on {model}",
        path.display(),
        &report.sha256[..16]
    );
    println!("nDCG@10 means over queries with 95 % bootstrap intervals; mirrors credited once (raw: each listing on its own)");
    for kind in &report.kinds {
        println!(
            "\n{} queries: {} ({} with nothing fitting in the catalog, left out)",
            kind.kind, kind.queries, kind.nothing_fits
        );
        println!(
            "  {:<14} {:>22} {:>22} {:>9}",
            "system", "nDCG@10", "raw nDCG@10", "unjudged"
        );
        for (system, cell) in report.systems.iter().zip(&kind.cells) {
            println!(
                "  {:<14} {:>22} {:>22} {:>8.1}%",
                system,
                cell.ndcg_at_10.to_string(),
                cell.raw_ndcg_at_10.to_string(),
                100.0 * cell.unjudged_in_top10
            );
        }
        println!(
            "  copmatch − {}: {} (raw {})",
            kind.best_cosine,
            kind.lead_over_best_cosine.signed(),
            kind.raw_lead_over_best_cosine.signed()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use copmatch_retrain::devset::{Intervals, Metrics, QueryScores};
    use std::collections::BTreeMap;

    fn query(id: &str, kind: QueryKind, fits: bool) -> EvalQuery {
        let line = format!(
            r#"{{"id":"{id}","kind":"{}","profile":{{"roles":["x"]}},"judgments":{{"a":{}}}}}"#,
            kind.name(),
            u8::from(fits)
        );
        copmatch_retrain::devset::parse_queries(&line)
            .unwrap()
            .remove(0)
    }

    fn system(name: &'static str, scores: &[(&str, f64)]) -> ModeReport {
        let per_query: BTreeMap<String, QueryScores> = scores
            .iter()
            .map(|(id, ndcg)| {
                let s = QueryScores {
                    ndcg_at_10: *ndcg,
                    raw_ndcg_at_10: *ndcg,
                    unjudged_in_top10: 1,
                    ..Default::default()
                };
                (id.to_string(), s)
            })
            .collect();
        ModeReport {
            system: name,
            metrics: Metrics::default(),
            intervals: Intervals::default(),
            unjudged_in_top10: 0.0,
            per_query,
            top_ids: BTreeMap::new(),
            top_results: Vec::new(),
        }
    }

    #[test]
    fn each_kind_is_reported_apart_against_its_better_cosine() {
        let queries = vec![
            query("s1", QueryKind::Short, true),
            query("s2", QueryKind::Short, true),
            query("f1", QueryKind::FreeText, true),
            query("f2", QueryKind::FreeText, false),
        ];
        let systems = vec![
            system(
                "copmatch",
                &[("s1", 0.9), ("s2", 0.7), ("f1", 0.8), ("f2", 0.0)],
            ),
            system(
                "minilm-cosine",
                &[("s1", 0.5), ("s2", 0.5), ("f1", 0.7), ("f2", 0.0)],
            ),
            system(
                "mpnet-cosine",
                &[("s1", 0.6), ("s2", 0.6), ("f1", 0.6), ("f2", 0.0)],
            ),
        ];
        let report = split_report("h".repeat(64), &queries, &systems);
        let short = &report.kinds[0];
        assert_eq!(
            (short.kind, short.queries, short.nothing_fits),
            ("short", 2, 0)
        );
        assert_eq!(short.best_cosine, "mpnet-cosine");
        assert!((short.lead_over_best_cosine.mean - 0.2).abs() < 1e-9);
        let free = &report.kinds[1];
        assert_eq!(
            (free.queries, free.nothing_fits),
            (2, 1),
            "f2 has nothing fitting"
        );
        assert_eq!(free.best_cosine, "minilm-cosine");
        assert!((free.cells[0].ndcg_at_10.mean - 0.8).abs() < 1e-9);
        assert!((free.cells[0].unjudged_in_top10 - 0.1).abs() < 1e-9);
        assert_eq!(report.kinds[2].kind, "all");
    }

    #[test]
    fn trained_weights_cosine_is_reported_but_the_lead_is_over_the_published_models() {
        assert_eq!(served_cosine_system("all-MiniLM-L6-v2"), "minilm-cosine");
        assert_eq!(
            served_cosine_system("all-MiniLM-L6-v2-distilled-0123abcd"),
            "served-cosine"
        );
        let queries = vec![query("s1", QueryKind::Short, true)];
        let systems = vec![
            system("copmatch", &[("s1", 0.9)]),
            system("served-cosine", &[("s1", 0.8)]),
            system("minilm-cosine", &[("s1", 0.5)]),
            system("mpnet-cosine", &[("s1", 0.6)]),
        ];
        let report = split_report("h".repeat(64), &queries, &systems);
        assert_eq!(report.kinds[0].best_cosine, "mpnet-cosine");
        assert_eq!(
            report.kinds[0].cells.len(),
            4,
            "the served cosine is still reported"
        );
    }

    #[test]
    fn the_sealed_split_is_the_one_whose_hash_was_recorded() {
        let text = std::fs::read_to_string(test_split())
            .expect("data/eval/test.jsonl is in the repository");
        let recorded = std::fs::read_to_string(recorded_hash())
            .expect("data/eval/test.sha256 is in the repository");
        assert_eq!(
            sha256_hex(&text),
            recorded.trim(),
            "the sealed test split changed: it is frozen (data/eval/README.md)"
        );
        let queries = copmatch_retrain::devset::parse_queries(&text).unwrap();
        assert!(queries.len() >= 80, "{} queries", queries.len());
        assert!(queries
            .iter()
            .all(|q| q.kind.is_some() && !q.judgments.is_empty()));
    }
}
