//! `copmatch eval`: copmatch against dense-only and BM25-only baselines on a
//! development set, each over the same freshly imported catalog, every figure
//! with its 95 % bootstrap interval; `--cross-validate` tunes the fusion
//! weights by five-fold cross-validation and reports held-out figures only.

use std::path::PathBuf;

use anyhow::Context;
use copmatch_core::{JobProgress, Services};
use copmatch_ranking::RetrievalMode;
use copmatch_retrain::devset::calibrate::{calibrate, Calibration, TARGET_PRECISION};
use copmatch_retrain::devset::crossval::{cross_validate, grid, CrossValidation};
use copmatch_retrain::devset::learned::{cross_validate_learned, LearnedFusion};
use copmatch_retrain::devset::plain::evaluate_plain;
use copmatch_retrain::devset::stats::{paired_difference, Interval};
use copmatch_retrain::devset::{evaluate, parse_queries, EvalQuery, ModeReport};
use serde::Serialize;

use super::eval_split::{
    other_cosines, print_split, read_sealed, served_cosine_system, split_report, test_split,
    SplitReport,
};
use super::stack::with_stack;
use crate::progress::TerminalProgress;
use crate::settings::{home, Settings};

/// The shared public list beside the repository, when present.
pub fn shared_catalog() -> Option<PathBuf> {
    let path = home().join("../shared/data/external-communities.jsonl");
    path.canonicalize().ok().filter(|p| p.is_file())
}

pub fn default_queries() -> PathBuf {
    home().join("data/eval/dev.jsonl")
}

#[derive(Serialize)]
pub struct EvalOutput {
    /// The model the systems ran on: its id (a trained folder's own, see
    /// `model_folder`), which names the index too.
    pub model: String,
    pub queries: usize,
    pub judgments: usize,
    pub catalog_size: usize,
    pub catalogs: Vec<String>,
    pub systems: Vec<ModeReport>,
    /// Paired per query: copmatch − each baseline, nDCG@10.
    pub lead_over_dense: Interval,
    pub lead_over_bm25: Interval,
    /// copmatch − plain cosine (one embedding per community and profile).
    pub lead_over_plain: Interval,
    /// How `match: strong` performs at the configured threshold.
    pub strong_match: Calibration,
    /// With `--cross-validate`.
    pub cross_validation: Option<CrossValidation>,
    /// With `--cross-validate`: the fusion learned from the judgments, held out.
    pub learned_fusion: Option<LearnedFusion>,
    /// With `--split test`: the sealed split's table by query kind.
    pub split: Option<SplitReport>,
}

/// Which set `copmatch eval` runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Split {
    /// The development set (`data/eval/dev.jsonl`, or `--queries`): tune here.
    Dev,
    /// The sealed test split (`data/eval/test.jsonl`): report only.
    Test,
}

/// Imports `catalogs` into the catalog and evaluates all three systems.
pub async fn evaluate_systems(
    services: &Services,
    queries: &[EvalQuery],
    catalogs: &[PathBuf],
    progress: &dyn JobProgress,
) -> anyhow::Result<EvalOutput> {
    import_catalogs(services, catalogs, progress).await?;
    let service = &services.recommender;
    let catalog_size = service.store().count().await?;
    let mut systems = Vec::new();
    for mode in [
        RetrievalMode::Hybrid,
        RetrievalMode::DenseOnly,
        RetrievalMode::KeywordOnly,
    ] {
        systems.push(evaluate(service, queries, mode, catalog_size).await?);
    }
    systems.push(evaluate_plain(service, queries, catalog_size).await?);
    let ndcg = |i: usize| systems[i].ndcg_of(queries);
    Ok(EvalOutput {
        model: service.model_id().to_string(),
        queries: queries.len(),
        judgments: queries.iter().map(|q| q.judgments.len()).sum(),
        catalog_size,
        catalogs: catalogs.iter().map(|p| p.display().to_string()).collect(),
        lead_over_dense: paired_difference(&ndcg(0), &ndcg(1)),
        lead_over_bm25: paired_difference(&ndcg(0), &ndcg(2)),
        lead_over_plain: paired_difference(&ndcg(0), &ndcg(3)),
        strong_match: calibrate(&systems[0], service.weights().strong_match),
        systems,
        cross_validation: None,
        learned_fusion: None,
        split: None,
    })
}

async fn import_catalogs(
    services: &Services,
    catalogs: &[PathBuf],
    progress: &dyn JobProgress,
) -> anyhow::Result<()> {
    for path in catalogs {
        let text = tokio::fs::read_to_string(path)
            .await
            .with_context(|| format!("reading {}", path.display()))?;
        let report = services.catalog.import(&text, progress).await?;
        anyhow::ensure!(
            report.failed == 0,
            "{} has {} refused lines",
            path.display(),
            report.failed
        );
    }
    // The figures must not depend on how fast this machine built the index.
    services.catalog.store().settle().await?;
    Ok(())
}

pub async fn run(
    settings: &Settings,
    split: Split,
    queries_path: Option<PathBuf>,
    catalogs: Vec<PathBuf>,
    json: bool,
    cross_validation: bool,
) -> anyhow::Result<()> {
    let (queries_path, text) = match split {
        Split::Dev => {
            let path = queries_path.unwrap_or_else(default_queries);
            let text = tokio::fs::read_to_string(&path)
                .await
                .with_context(|| format!("reading {}", path.display()))?;
            (path, text)
        }
        Split::Test => {
            anyhow::ensure!(
                queries_path.is_none(),
                "--split test reads the sealed split (data/eval/test.jsonl); --queries is for development sets"
            );
            anyhow::ensure!(
                !cross_validation,
                "nothing is tuned on the sealed test split: --cross-validate runs on the development set only"
            );
            let path = test_split();
            let text = read_sealed(&path).await?;
            (path, text)
        }
    };
    let queries = parse_queries(&text)?;
    let catalogs = if catalogs.is_empty() {
        let mut defaults = vec![settings.catalog.path.clone()];
        match shared_catalog() {
            Some(shared) => defaults.push(shared),
            None => eprintln!("note: ../shared/data/external-communities.jsonl not found; evaluating on the bundled catalog only"),
        }
        defaults
    } else {
        catalogs
    };
    let scratch = tempfile::TempDir::new()?;
    let mut settings = settings.clone();
    settings.data_dir = scratch.path().to_path_buf();
    settings.catalog.import_when_empty = false;
    let served = settings.clone();
    let hash = super::eval_split::sha256_hex(&text);
    let output = with_stack(&settings, |stack| async move {
        let bar = TerminalProgress::new("importing");
        let mut output = evaluate_systems(&stack.services, &queries, &catalogs, &bar).await?;
        if split == Split::Test {
            output.systems[3].system = served_cosine_system(&output.model);
            let others =
                other_cosines(&served, &stack.services, &queries, output.catalog_size).await?;
            output.systems.extend(others);
            output.split = Some(split_report(hash, &queries, &output.systems));
        }
        if cross_validation {
            let service = &stack.services.recommender;
            let bar = TerminalProgress::counting("cross-validating", "settings");
            let settings = grid(service.weights());
            let (configured, dense) = (&output.systems[0], &output.systems[1]);
            output.cross_validation =
                Some(cross_validate(service, &queries, &settings, configured, dense, &bar).await?);
            let bar = TerminalProgress::counting("learning the fusion", "steps");
            let fixed = output.systems[0].ndcg_of(&queries);
            output.learned_fusion = Some(
                cross_validate_learned(service, &queries, service.weights(), &fixed, &bar).await?,
            );
        }
        Ok(output)
    })
    .await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&output)?);
        return Ok(());
    }
    match &output.split {
        Some(report) => print_split(&queries_path, &output.model, report),
        None => print_table(&queries_path, &output),
    }
    Ok(())
}

fn print_table(queries_path: &std::path::Path, output: &EvalOutput) {
    println!(
        "development set {} ({} queries, {} judgments); catalog {} communities from {}; model {}",
        queries_path.display(),
        output.queries,
        output.judgments,
        output.catalog_size,
        output.catalogs.join(", "),
        output.model
    );
    println!("means over queries with 95 % bootstrap intervals");
    println!(
        "{:<11} {:>22} {:>22} {:>22} {:>9} {:>9}",
        "system", "nDCG@10", "Recall@10", "MRR", "coverage", "unjudged"
    );
    for s in &output.systems {
        let i = s.intervals;
        println!(
            "{:<11} {:>22} {:>22} {:>22} {:>9.3} {:>8.1}%",
            s.system,
            i.ndcg_at_10.to_string(),
            i.recall_at_10.to_string(),
            i.mrr.to_string(),
            s.metrics.coverage,
            100.0 * s.unjudged_in_top10
        );
    }
    println!(
        "copmatch − dense-only: {} nDCG@10; − bm25-only: {}; − plain-cosine: {}",
        output.lead_over_dense.signed(),
        output.lead_over_bm25.signed(),
        output.lead_over_plain.signed()
    );
    let m = &output.strong_match;
    println!(
        "match: strong at score ≥ {:.2}: {:.0} % of copmatch's results, {:.0} % of them relevant \
         ({:.0} % held out), {:.0} % of weak ones; this set suggests {:.2} for {:.0} % precision",
        m.threshold,
        100.0 * m.strong_share,
        100.0 * m.strong_precision,
        100.0 * m.held_out_strong_precision,
        100.0 * m.weak_precision,
        m.suggested_threshold,
        100.0 * TARGET_PRECISION
    );
    if let Some(cv) = &output.cross_validation {
        println!(
            "\n{}-fold cross-validation over {} settings (each fold ranked with the setting best on the others):",
            cv.folds, cv.settings_tried
        );
        println!("  copmatch, held out   {}", cv.held_out);
        println!("  dense-only           {}", cv.dense_only);
        println!("  lead, held out       {}", cv.lead_over_dense.signed());
        println!("  configured weights   {} (in-sample)", cv.configured);
        for (k, label) in cv.chosen.iter().enumerate() {
            println!("  fold {} chose        {label}", k + 1);
        }
        println!("  best on all queries  {}", cv.best_overall);
    }
    if let Some(l) = &output.learned_fusion {
        print_learned(l);
    }
}

fn print_learned(l: &LearnedFusion) {
    println!(
        "\nfusion learned with linfa (pairwise ridge: {} judged candidates, {} ordered pairs), {}-fold held out:",
        l.judged_candidates, l.pairs, l.folds
    );
    println!("  learned, held out    {}", l.held_out);
    println!("  fixed weights        {}", l.fixed);
    println!("  learned − fixed      {}", l.lead_over_fixed.signed());
    println!(
        "  free text ({} queries): learned {}, fixed {}",
        l.free_text_queries, l.free_text_held_out, l.free_text_fixed
    );
    let coefficients: Vec<String> = l
        .coefficients
        .iter()
        .map(|(n, c)| format!("{n} {c:+.3}"))
        .collect();
    println!("  coefficients (all queries): {}", coefficients.join(", "));
    match &l.weights {
        Some(w) => println!(
            "  as weights: best_item_share {:.3}, keyword_weight {:.3}, evidence_boost {:.3}, \
             free_text_keyword_weight {:.3}, free_text_evidence_boost {:.3}, \
             max_evidence_boost {:.3}, activity_weight {:.3}",
            w.best_item_share,
            w.keyword_weight,
            w.evidence_boost,
            w.free_text_keyword_weight,
            w.free_text_evidence_boost,
            w.max_evidence_boost,
            w.activity_weight
        ),
        None => println!("  meaning did not raise the gain: nothing to scale by"),
    }
    println!("  verdict: {} weights", l.verdict);
}
