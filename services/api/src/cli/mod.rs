//! The `copmatch` command line: `serve` runs the HTTP service; every other
//! command opens the same stack through [`stack::with_stack`], does its work
//! and closes the store. One file per group of commands: [`eval`] (quality on
//! the development set), [`feedback`] (feedback files), [`retrain`] (retraining, models),
//! [`transfer`] (export), and [`progress`] (the bars they all show).

pub mod eval;
pub mod eval_split;
pub mod feedback;
pub mod harvest;
pub mod retrain;
pub mod stack;
pub mod transfer;

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use copmatch_core::reindex::reindex;
use copmatch_core::{CommunityId, Profile, RecommendRequest, Steering};
use copmatch_liveness::Selection;

use crate::app::Application;
use crate::progress::TerminalProgress;
use crate::settings::Settings;
use stack::with_stack;

#[derive(Parser, Debug)]
#[command(
    name = "copmatch",
    version,
    about = "Matches people to communities of practice."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug)]
pub struct GlobalArgs {
    /// TOML configuration file (default: ./copmatch.toml if present).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Data directory of the embedded store (config key `data_dir`).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// The embedding model, `all-MiniLM-L6-v2` (default) or
    /// `all-mpnet-base-v2` (config key `model.name`).
    #[arg(long, global = true, value_name = "NAME")]
    pub model: Option<String>,
    /// Folder of the model files, when not `.deps/models/<model>` (config key `model.dir`).
    #[arg(long, global = true, value_name = "DIR")]
    pub model_dir: Option<PathBuf>,
    /// `embedded` or `qdrant` (config key `store.kind`).
    #[arg(long, global = true, value_name = "KIND")]
    pub store: Option<String>,
    /// gRPC URL of the Qdrant server (config key `store.qdrant.url`).
    #[arg(long, global = true, value_name = "URL")]
    pub qdrant_url: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the HTTP service (imports the bundled catalog into an empty store).
    Serve {
        /// Address to listen on (config key `http.addr`).
        #[arg(long, value_name = "HOST:PORT")]
        addr: Option<String>,
    },
    /// Import communities from a JSON Lines file into the store, with a progress bar.
    /// The service must not be running on the same data directory.
    Import {
        /// The .jsonl file: one community object per line.
        file: PathBuf,
    },
    /// Write every community to a JSON Lines file (or standard output) that
    /// `copmatch import` reads back: moves a catalog between stores, e.g. from
    /// the embedded store to a Qdrant server (`--store qdrant` on the import).
    Export {
        /// Output file; standard output when absent.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Re-embed every community into a new index version and switch to it
    /// atomically, with a progress bar. With a Qdrant server this may run while
    /// the service serves; with the embedded store, stop the service first (or
    /// use `POST /v1/admin/reindex`).
    Reindex,
    /// Print recommendations for roles, straight from the terminal.
    Recommend {
        /// Roles, e.g. "public health student" "ICU nurse".
        #[arg(required = true)]
        roles: Vec<String>,
        /// Skills (repeatable).
        #[arg(long = "skill")]
        skills: Vec<String>,
        /// Interests (repeatable).
        #[arg(long = "interest")]
        interests: Vec<String>,
        /// How many results.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Print the JSON response instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Measure ranking quality on a development set: nDCG@10, Recall@10, MRR and
    /// coverage for copmatch and for dense-only and BM25-only baselines. Imports
    /// the catalogs into a temporary store; the data directory is not touched.
    Eval {
        /// `dev` (tune here; the default) or `test`: the sealed test split,
        /// reported by query kind against plain cosine with both models.
        #[arg(long, value_enum, default_value = "dev")]
        split: eval::Split,
        /// Development set (default: data/eval/dev.jsonl).
        #[arg(long, value_name = "FILE")]
        queries: Option<PathBuf>,
        /// Catalog to import (repeatable; default: the bundled catalog plus
        /// ../shared/data/external-communities.jsonl when present).
        #[arg(long = "catalog", value_name = "FILE")]
        catalogs: Vec<PathBuf>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Also tune the fusion weights by five-fold cross-validation over a
        /// grid and report held-out nDCG@10 (108 settings; 15 minutes on 2 cores beside a build).
        #[arg(long)]
        cross_validate: bool,
    },
    /// Feedback events: export, import, or simulate them.
    Feedback {
        #[command(subcommand)]
        command: feedback::FeedbackCommand,
    },
    /// Learn a retrained model from feedback (store or export) with a
    /// progress bar; writes a versioned artifact and an HTML report under
    /// `models.dir` and prints held-out metrics before and after. Does not
    /// activate it.
    Retrain(retrain::RetrainArgs),
    /// Check communities' links and activity now (platform by platform, politely)
    /// and record the results; prints a summary table. Default: those due.
    /// With the embedded store, stop the service first (it checks on its own).
    Check {
        /// Every community, due or not.
        #[arg(long, conflicts_with_all = ["due", "id"])]
        all: bool,
        /// The communities whose check is due (the default).
        #[arg(long, conflicts_with = "id")]
        due: bool,
        /// These communities (repeatable).
        #[arg(long = "id", value_name = "ID")]
        id: Vec<String>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Harvest public community lists (data/sources.toml) into the catalog,
    /// with a progress bar and a summary: trusted sources straight into the
    /// store, the others into the moderation queue; or, with `--out`, into a
    /// catalog file (`--bundle --out var/harvested.jsonl` builds the
    /// catalog data/SOURCES.md describes). With the embedded store, stop the service first.
    Harvest(harvest::HarvestArgs),
    /// Retrained models: list, activate (behind the evaluation gate), roll back.
    /// With the embedded store, stop the service first (or use the admin API).
    Models {
        #[command(subcommand)]
        command: retrain::ModelsCommand,
    },
}

impl Cli {
    pub fn settings(&self) -> anyhow::Result<Settings> {
        let mut overrides: Vec<(&str, String)> = Vec::new();
        if let Some(dir) = &self.global.data_dir {
            overrides.push(("data_dir", dir.display().to_string()));
        }
        if let Some(name) = &self.global.model {
            overrides.push(("model.name", name.clone()));
        }
        if let Some(dir) = &self.global.model_dir {
            overrides.push(("model.dir", dir.display().to_string()));
        }
        if let Some(kind) = &self.global.store {
            overrides.push(("store.kind", kind.clone()));
        }
        if let Some(url) = &self.global.qdrant_url {
            overrides.push(("store.qdrant.url", url.clone()));
        }
        if let Command::Serve { addr: Some(addr) } = &self.command {
            overrides.push(("http.addr", addr.clone()));
        }
        Settings::load(self.global.config.as_deref(), &overrides)
            .context("reading the configuration")
    }
}

pub async fn run(cli: Cli, settings: Settings) -> anyhow::Result<()> {
    // Only `serve` imports the bundled catalog into an empty store on its
    // own; `recommend` does too, so that it answers on a fresh machine.
    let mut quiet = settings.clone();
    quiet.catalog.import_when_empty = false;
    match cli.command {
        Command::Serve { .. } => {
            let app = Application::build(settings.clone()).await?;
            let host = settings
                .http
                .addr
                .rsplit_once(':')
                .map_or("127.0.0.1", |(host, _)| host);
            let base = format!("http://{host}:{}", app.port());
            tracing::info!("copmatch listening on {base}");
            if let Some(file) = &settings.http.address_file {
                copmatch_core::durable::write_atomically(file, format!("{base}\n").as_bytes())
                    .with_context(|| format!("writing http.address_file {}", file.display()))?;
            }
            app.run_until_stopped().await
        }
        Command::Import { file } => {
            let text = tokio::fs::read_to_string(&file)
                .await
                .with_context(|| format!("reading {}", file.display()))?;
            let report = with_stack(&quiet, |stack| async move {
                let bar = TerminalProgress::new("importing");
                Ok(stack.services.catalog.import(&text, &bar).await?)
            })
            .await?;
            for e in &report.errors {
                eprintln!("line {}: {} ({})", e.line, e.message, e.code);
            }
            println!(
                "{} lines read, {} imported, {} refused",
                report.received, report.imported, report.failed
            );
            Ok(())
        }
        Command::Export { out } => {
            let written = with_stack(&quiet, |stack| async move {
                transfer::export(stack.services.catalog.store().as_ref(), out.as_deref()).await
            })
            .await?;
            eprintln!("{written} communities exported");
            Ok(())
        }
        Command::Reindex => {
            let report = with_stack(&quiet, |stack| async move {
                let bar = TerminalProgress::new("re-indexing");
                let embedder = stack.services.catalog.embedder().clone();
                Ok(reindex(&stack.index, embedder, &bar).await?)
            })
            .await?;
            println!(
                "{} communities re-indexed from {} into {} in {} ms",
                report.communities, report.from, report.to, report.took_ms
            );
            Ok(())
        }
        Command::Eval {
            split,
            queries,
            catalogs,
            json,
            cross_validate,
        } => eval::run(&settings, split, queries, catalogs, json, cross_validate).await,
        Command::Check {
            all,
            due: _,
            id,
            json,
        } => {
            let selection = if all {
                Selection::All
            } else if !id.is_empty() {
                Selection::Ids(
                    id.into_iter()
                        .map(CommunityId::parse)
                        .collect::<Result<_, _>>()?,
                )
            } else {
                Selection::Due
            };
            let report = with_stack(&quiet, |stack| async move {
                let bar = TerminalProgress::counting("checking", "communities");
                Ok(copmatch_liveness::run(
                    &stack.checks.checker,
                    &stack.checks.liveness,
                    &selection,
                    &bar,
                    None,
                )
                .await?)
            })
            .await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                println!("{}", report.render());
            }
            Ok(())
        }
        Command::Feedback { command } => feedback::feedback(&settings, command).await,
        Command::Retrain(args) => retrain::run_retrain(&settings, args).await,
        Command::Models { command } => retrain::models(&settings, command).await,
        Command::Harvest(args) => harvest::run(&settings, args).await,
        Command::Recommend {
            roles,
            skills,
            interests,
            limit,
            json,
        } => {
            let request = RecommendRequest {
                profile: Profile {
                    roles,
                    skills,
                    interests,
                    about: String::new(),
                },
                limit: Some(limit),
                ..Default::default()
            };
            let response = with_stack(&settings, |stack| async move {
                Ok(stack
                    .services
                    .recommender
                    .recommend(request, &Steering::default())
                    .await?)
            })
            .await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&response)?);
            } else {
                print_recommendations(&response);
            }
            Ok(())
        }
    }
}

fn print_recommendations(response: &copmatch_core::RecommendResponse) {
    let mut weak_seen = false;
    for (rank, r) in response.recommendations.iter().enumerate() {
        if r.strength == copmatch_ranking::MatchStrength::Weak && !weak_seen {
            weak_seen = true;
            println!("    less close:");
        }
        println!(
            "{:>2}. {} — {} [{:.3}]",
            rank + 1,
            r.community.name,
            r.community.url,
            r.score
        );
        for reason in &r.reasons {
            println!("      · {reason}");
        }
    }
}
