//! The `copmatch` command line.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use copmatch_core::{Profile, RecommendRequest};

use copmatch_core::reindex::reindex;

use crate::app::{load_embedder, open_stack, open_stack_offline, Application};
use crate::progress::ProgressBarImport;
use crate::settings::Settings;

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
    /// Folder of the all-MiniLM-L6-v2 model files (config key `model.dir`).
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
    },
    /// Feedback events: export, import, or simulate them.
    Feedback {
        #[command(subcommand)]
        command: crate::retrain::FeedbackCommand,
    },
    /// Learn a retrained model from feedback (store or export) with a
    /// progress bar; writes a versioned artifact and an HTML report under
    /// `models.dir` and prints held-out metrics before and after. Does not
    /// activate it.
    Retrain(crate::retrain::RetrainArgs),
    /// Retrained models: list, activate (behind the evaluation gate), roll back.
    /// With the embedded store, stop the service first (or use the admin API).
    Models {
        #[command(subcommand)]
        command: crate::retrain::ModelsCommand,
    },
}

impl Cli {
    pub fn settings(&self) -> anyhow::Result<Settings> {
        let mut overrides: Vec<(&str, String)> = Vec::new();
        if let Some(dir) = &self.global.data_dir {
            overrides.push(("data_dir", dir.display().to_string()));
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
    match cli.command {
        Command::Serve { .. } => {
            let app = Application::build(settings.clone()).await?;
            let host = settings
                .http
                .addr
                .rsplit_once(':')
                .map_or("127.0.0.1", |(host, _)| host);
            tracing::info!("copmatch listening on http://{host}:{}", app.port());
            app.run_until_stopped().await
        }
        Command::Import { file } => {
            let text = tokio::fs::read_to_string(&file)
                .await
                .with_context(|| format!("reading {}", file.display()))?;
            let mut settings = settings;
            settings.catalog.import_when_empty = false;
            let service = open_offline(&settings).await?;
            let bar = ProgressBarImport::new("importing");
            let report = service.import(&text, &bar).await;
            service.store().close().await?;
            let report = report?;
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
            let mut settings = settings;
            settings.catalog.import_when_empty = false;
            let service = open_offline(&settings).await?;
            let written = crate::transfer::export(service.store().as_ref(), out.as_deref()).await;
            service.store().close().await?;
            eprintln!("{} communities exported", written?);
            Ok(())
        }
        Command::Reindex => {
            let mut settings = settings;
            settings.catalog.import_when_empty = false;
            let for_model = settings.clone();
            let embedder = tokio::task::spawn_blocking(move || load_embedder(&for_model)).await??;
            let bar = ProgressBarImport::new("re-indexing");
            let stack = open_stack(&settings, embedder.clone(), &bar).await?;
            let report = reindex(&stack.index, embedder, &bar).await;
            stack.service.store().close().await?;
            let report = report?;
            println!(
                "{} communities re-indexed from {} into {} in {} ms",
                report.communities, report.from, report.to, report.took_ms
            );
            Ok(())
        }
        Command::Eval {
            queries,
            catalogs,
            json,
        } => crate::evaluate::run(&settings, queries, catalogs, json).await,
        Command::Feedback { command } => crate::retrain::feedback(&settings, command).await,
        Command::Retrain(args) => crate::retrain::run_retrain(&settings, args).await,
        Command::Models { command } => crate::retrain::models(&settings, command).await,
        Command::Recommend {
            roles,
            skills,
            interests,
            limit,
            json,
        } => {
            let service = open_offline(&settings).await?;
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
            let response = service.recommend(request).await;
            service.store().close().await?;
            let response = response?;
            if json {
                println!("{}", serde_json::to_string_pretty(&response)?);
            } else {
                for (rank, r) in response.recommendations.iter().enumerate() {
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
            Ok(())
        }
    }
}

async fn open_offline(settings: &Settings) -> anyhow::Result<copmatch_core::CopMatch> {
    Ok(open_stack_offline(settings).await?.service)
}
