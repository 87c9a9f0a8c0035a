//! `copmatch eval`: copmatch against dense-only and BM25-only baselines on a
//! development set, each over the same freshly imported catalog.

use std::path::PathBuf;

use anyhow::Context;
use copmatch_core::devset::{evaluate, parse_queries, EvalQuery, ModeReport};
use copmatch_core::{CopMatch, ImportProgress, RetrievalMode};
use serde::Serialize;

use super::progress::ProgressBarImport;
use super::stack::with_stack;
use crate::settings::{workspace, Settings};

/// The shared public list beside the repository, when present.
pub fn shared_catalog() -> Option<PathBuf> {
    let path = workspace().join("../shared/data/external-communities.jsonl");
    path.canonicalize().ok().filter(|p| p.is_file())
}

pub fn default_queries() -> PathBuf {
    workspace().join("data/eval/dev.jsonl")
}

#[derive(Serialize)]
pub struct EvalOutput {
    pub queries: usize,
    pub judgments: usize,
    pub catalog_size: usize,
    pub catalogs: Vec<String>,
    pub systems: Vec<ModeReport>,
}

/// Imports `catalogs` into `service` and evaluates all three systems.
pub async fn evaluate_systems(
    service: &CopMatch,
    queries: &[EvalQuery],
    catalogs: &[PathBuf],
    progress: &dyn ImportProgress,
) -> anyhow::Result<EvalOutput> {
    for path in catalogs {
        let text = tokio::fs::read_to_string(path)
            .await
            .with_context(|| format!("reading {}", path.display()))?;
        let report = service.import(&text, progress).await?;
        anyhow::ensure!(
            report.failed == 0,
            "{} has {} refused lines",
            path.display(),
            report.failed
        );
    }
    let catalog_size = service.store().count().await?;
    let mut systems = Vec::new();
    for mode in [
        RetrievalMode::Hybrid,
        RetrievalMode::DenseOnly,
        RetrievalMode::KeywordOnly,
    ] {
        systems.push(evaluate(service, queries, mode, catalog_size).await?);
    }
    Ok(EvalOutput {
        queries: queries.len(),
        judgments: queries.iter().map(|q| q.judgments.len()).sum(),
        catalog_size,
        catalogs: catalogs.iter().map(|p| p.display().to_string()).collect(),
        systems,
    })
}

pub async fn run(
    settings: &Settings,
    queries_path: Option<PathBuf>,
    catalogs: Vec<PathBuf>,
    json: bool,
) -> anyhow::Result<()> {
    let queries_path = queries_path.unwrap_or_else(default_queries);
    let text = tokio::fs::read_to_string(&queries_path)
        .await
        .with_context(|| format!("reading {}", queries_path.display()))?;
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
    let output = with_stack(&settings, |stack| async move {
        let bar = ProgressBarImport::new("importing");
        evaluate_systems(&stack.service, &queries, &catalogs, &bar).await
    })
    .await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&output)?);
        return Ok(());
    }
    println!(
        "development set {} ({} queries, {} judgments); catalog {} communities from {}",
        queries_path.display(),
        output.queries,
        output.judgments,
        output.catalog_size,
        output.catalogs.join(", ")
    );
    println!(
        "{:<12} {:>8} {:>10} {:>7} {:>9}",
        "system", "nDCG@10", "Recall@10", "MRR", "coverage"
    );
    for s in &output.systems {
        let m = s.metrics;
        println!(
            "{:<12} {:>8.3} {:>10.3} {:>7.3} {:>9.3}",
            s.system, m.ndcg_at_10, m.recall_at_10, m.mrr, m.coverage
        );
    }
    let ndcg = |i: usize| output.systems[i].metrics.ndcg_at_10;
    println!(
        "copmatch − dense-only: {:+.3} nDCG@10; copmatch − bm25-only: {:+.3}",
        ndcg(0) - ndcg(1),
        ndcg(0) - ndcg(2)
    );
    Ok(())
}
