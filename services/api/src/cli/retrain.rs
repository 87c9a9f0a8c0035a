//! The analyst's commands `copmatch retrain` and `copmatch models
//! list|activate|rollback` (feedback files: [`super::feedback`]).

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use copmatch_core::reindex::reindex_to;
use copmatch_core::CoreError;
use copmatch_retrain::data;
use copmatch_retrain::{retrain, ChooseOn, Method, RetrainOptions};

use super::stack::with_stack;
use crate::app::Stack;
use crate::progress::{BarStages, TerminalProgress};
use crate::settings::Settings;

#[derive(Args, Debug)]
pub struct RetrainArgs {
    /// Learn from this export instead of the store's feedback.
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,
    /// Share of users held out for the final metrics.
    #[arg(long, default_value_t = 0.2)]
    pub holdout: f64,
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// `both` (global map and segments), `global` or `segments`.
    #[arg(long, default_value = "both")]
    pub method: String,
    /// Which validation users choose the blends: `queries` (profile texts the
    /// fit never saw) or `users` (held out by id; the method before 2026-12).
    #[arg(long, default_value = "queries")]
    pub choose_on: String,
    /// Override `retrain.position_bias` (0 turns the correction off).
    #[arg(long)]
    pub position_bias: Option<f64>,
    /// Print the manifest as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand, Debug)]
pub enum ModelsCommand {
    /// The serving model, the rollback target and every trained artifact.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Serve `base` or a trained version (`ftN`): re-index and switch, behind
    /// the evaluation gate.
    Activate {
        version: String,
        /// Activate even when the gate refuses.
        #[arg(long)]
        force: bool,
    },
    /// Return to the model of the previous index version.
    Rollback,
}

fn retrain_options(settings: &Settings, args: &RetrainArgs) -> anyhow::Result<RetrainOptions> {
    let r = &settings.retrain;
    let mut propensity = r.propensity();
    if let Some(power) = args.position_bias {
        propensity.power = power;
    }
    Ok(RetrainOptions {
        holdout: args.holdout,
        seed: args.seed,
        method: match args.method.as_str() {
            "both" => Method::Both,
            "global" => Method::Global,
            "segments" => Method::Segments,
            other => anyhow::bail!("unknown method {other:?}; expected both, global or segments"),
        },
        choose_on: match args.choose_on.as_str() {
            "queries" => ChooseOn::Queries,
            "users" => ChooseOn::Users,
            other => anyhow::bail!("unknown --choose-on {other:?}; expected queries or users"),
        },
        propensity,
        min_segment_users: r.min_segment_users,
        gate: copmatch_retrain::gate::GateRules {
            min_gain: settings.models.gate_min_gain,
            max_heldout_drop: r.max_heldout_drop,
        },
        ..Default::default()
    })
}

pub async fn run_retrain(settings: &Settings, args: RetrainArgs) -> anyhow::Result<()> {
    let options = retrain_options(settings, &args)?;
    with_stack(settings, |stack| async move {
        retrain_with(&stack, &args, &options).await
    })
    .await
}

async fn retrain_with(
    stack: &Stack,
    args: &RetrainArgs,
    options: &RetrainOptions,
) -> anyhow::Result<()> {
    let (data, source) = match &args.from {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            (data::from_jsonl(&text)?, path.display().to_string())
        }
        None => {
            let bar = TerminalProgress::counting("reading feedback", "events");
            (
                data::from_store(stack.users.users().as_ref(), &bar).await?,
                "the store".to_string(),
            )
        }
    };
    let outcome = retrain(
        &stack.services.recommender,
        data,
        &source,
        stack.models.registry(),
        options,
        &BarStages,
    )
    .await?;
    let m = &outcome.manifest;
    if args.json {
        println!("{}", serde_json::to_string_pretty(m)?);
        return Ok(());
    }
    let p = &m.parameters;
    println!(
        "trained {} on {} users, penalty {}, blend {}, reach {}, segment blend {} ({} segments)",
        m.version, p.train_users, p.penalty, p.blend, p.reach, p.segment_blend, p.segments
    );
    println!(
        "{:<34} {:<26} {:>8} {:>8} {:>10} {:>6}",
        "held out", "model", "nDCG@10", "Δ", "Recall@10", "users"
    );
    let sets = [
        ("by user (trained queries)", Some(&m.metrics)),
        ("by profile text (new queries)", m.heldout_queries.as_ref()),
        ("by field", m.heldout_fields.as_ref()),
    ];
    for (set, h) in sets {
        let Some(h) = h else { continue };
        let line = |name: &str, x: &copmatch_retrain::heldout::Metrics| {
            println!(
                "{set:<34} {name:<26} {:>8.4} {:>+8.4} {:>10.4} {:>6}",
                x.ndcg_at_10,
                x.ndcg_at_10 - h.base.ndcg_at_10,
                x.recall_at_10,
                x.users
            );
        };
        line("base model", &h.base);
        if let Some((name, x)) = &h.active {
            line(&format!("{name} (serving)"), x);
        }
        line(&format!("{} (candidate)", m.version), &h.candidate);
    }
    if let Some(v) = &m.verdict {
        let said = if v.passed { "passes" } else { "refuses" };
        println!("gate {said}: {}", v.reason);
    }
    println!("artifact: {}", outcome.dir.display());
    println!("report:   {}", outcome.dir.join("report.html").display());
    Ok(())
}

pub async fn models(settings: &Settings, command: ModelsCommand) -> anyhow::Result<()> {
    with_stack(settings, |stack| async move {
        models_with(&stack, command).await
    })
    .await
}

async fn models_with(stack: &Stack, command: ModelsCommand) -> anyhow::Result<()> {
    let target = match command {
        ModelsCommand::List { json } => {
            let status = stack.models.status().await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&status)?);
            } else {
                println!(
                    "serving: {}   rollback to: {}",
                    status.active,
                    status.previous.as_deref().unwrap_or("-")
                );
                println!(
                    "{:<8} {:<20} {:>10} {:>10}  created",
                    "version", "base model", "nDCG@10", "base"
                );
                for m in &status.models {
                    println!(
                        "{:<8} {:<20} {:>10.4} {:>10.4}  {}{}",
                        m.version,
                        m.base_model,
                        m.heldout_ndcg_at_10,
                        m.base_heldout_ndcg_at_10,
                        m.created_at,
                        if m.active { "  (serving)" } else { "" }
                    );
                }
            }
            return Ok(());
        }
        ModelsCommand::Activate { version, force } => stack.models.target(&version, force),
        ModelsCommand::Rollback => stack.models.rollback_target().await,
    }
    .map_err(|e: CoreError| anyhow::anyhow!("{}: {}", e.code, e.message))?;
    let for_model = stack.services.catalog.embedder().clone();
    let bar = TerminalProgress::counting("re-indexing", "communities");
    let report = reindex_to(&stack.index, for_model, target.adapter_version(), &bar).await?;
    let name = target.name();
    stack.services.recommender.model_slot().set(target);
    println!(
        "serving {name}: index {} → {} ({} communities, {} ms)",
        report.from, report.to, report.communities, report.took_ms
    );
    Ok(())
}
