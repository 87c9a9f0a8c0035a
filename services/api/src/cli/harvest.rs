//! `copmatch harvest`: public lists into the catalog. Into the store (trusted
//! sources straight in, the others into moderation), or with `--out` into a
//! catalog file: `copmatch harvest --bundle --out var/harvested.jsonl`
//! builds the harvested catalog from the recorded sources (data/SOURCES.md).

use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use copmatch_core::harvesting::{harvest_into_store, Fetched, HarvestSummary};
use copmatch_core::JobProgress;
use copmatch_harvest::dedup::Catalog as HarvestCatalog;
use copmatch_harvest::pipeline::{harvest, SourceReport};

use crate::progress::TerminalProgress;
use crate::settings::Settings;

use super::stack::with_stack;

#[derive(Args, Debug)]
pub struct HarvestArgs {
    /// Sources to harvest, by name (default: every source in the manifest).
    pub sources: Vec<String>,
    /// The source manifest (config key `harvest.sources`, default data/sources.toml).
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// Write the harvested catalog to this JSON Lines file, starting from an
    /// empty catalog, instead of harvesting into the store.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Only sources whose licence allows redistribution: what may be bundled.
    #[arg(long)]
    pub bundle: bool,
    /// Fetch every source from its `fetch_url`, even when it has a snapshot.
    #[arg(long)]
    pub fetch: bool,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(settings: &Settings, args: HarvestArgs) -> anyhow::Result<()> {
    let mut harvest_settings = settings.harvest.clone();
    if let Some(manifest) = &args.manifest {
        harvest_settings.sources = manifest.clone();
    }
    let taxonomy = harvest_settings.taxonomy()?;
    let mut skipped = Vec::new();
    let mut fetched: Vec<Fetched> = Vec::new();
    let reading = TerminalProgress::counting("reading sources", "sources");
    let sources = harvest_settings.sources(&args.sources)?;
    reading.start(sources.len());
    for source in sources {
        reading.advance(1);
        if args.bundle && !source.redistributable() {
            skipped.push(format!(
                "{} (licence {}: harvested at run time only, never bundled)",
                source.name, source.licence
            ));
            continue;
        }
        fetched.push(harvest_settings.read(&source, args.fetch).await?);
    }
    reading.finish();

    let summary = match &args.out {
        Some(out) => {
            let bar = TerminalProgress::counting("harvesting", "sources");
            bar.start(fetched.len());
            let mut catalog = HarvestCatalog::default();
            let mut summary = HarvestSummary::default();
            for f in &fetched {
                let report = harvest(
                    &f.source,
                    &f.text,
                    f.join_text.as_deref(),
                    &taxonomy,
                    &mut catalog,
                    &f.harvested_at,
                )?;
                summary.stored += report.added;
                summary.sources.push(report);
                bar.advance(1);
            }
            bar.finish();
            let mut text = String::new();
            for c in catalog.communities() {
                text.push_str(&serde_json::to_string(c)?);
                text.push('\n');
            }
            copmatch_core::durable::write_atomically(out, text.as_bytes())
                .with_context(|| format!("writing {}", out.display()))?;
            eprintln!("{} communities written to {}", catalog.len(), out.display());
            summary
        }
        None => {
            let mut quiet = settings.clone();
            quiet.catalog.import_when_empty = false;
            with_stack(&quiet, |stack| async move {
                let bar = TerminalProgress::counting("harvesting", "sources");
                Ok(harvest_into_store(
                    &stack.services.catalog,
                    &stack.moderator,
                    &taxonomy,
                    &fetched,
                    &bar,
                )
                .await?)
            })
            .await?
        }
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print!("{}", render(&summary, &skipped));
    }
    Ok(())
}

/// The summary table.
pub fn render(summary: &HarvestSummary, skipped: &[String]) -> String {
    let mut out = format!(
        "{:<36} {:>7} {:>7} {:>7} {:>8} {:>11} {:>7}\n",
        "source", "read", "added", "merged", "no field", "unconfirmed", "invalid"
    );
    let row = |r: &SourceReport| {
        format!(
            "{:<36} {:>7} {:>7} {:>7} {:>8} {:>11} {:>7}\n",
            r.source, r.read, r.added, r.merged, r.no_field, r.unconfirmed, r.invalid
        )
    };
    for r in &summary.sources {
        out.push_str(&row(r));
        for example in &r.invalid_examples {
            out.push_str(&format!("    invalid: {example}\n"));
        }
    }
    out.push_str(&format!(
        "stored {} new, queued {} for moderation, updated {}\n",
        summary.stored, summary.queued, summary.updated
    ));
    for s in skipped {
        out.push_str(&format!("skipped {s}\n"));
    }
    out
}
