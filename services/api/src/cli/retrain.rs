//! The analyst's commands: `copmatch feedback export|import|simulate`,
//! `copmatch retrain` and `copmatch models list|activate|rollback`.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use copmatch_core::reindex::reindex_to;
use copmatch_core::CoreError;
use copmatch_retrain::data::{self, to_jsonl};
use copmatch_retrain::simulate::{simulate, Signal, SimOptions};
use copmatch_retrain::{retrain, RetrainOptions};

use super::stack::with_stack;
use super::transfer::write_output;
use crate::app::Stack;
use crate::progress::{BarStages, TerminalProgress};
use crate::settings::Settings;

#[derive(Subcommand, Debug)]
pub enum FeedbackCommand {
    /// Write every user and feedback event as JSON Lines (`{"record": "user", ...}`
    /// and `{"record": "event", ...}`), the format `retrain --from` reads.
    Export {
        /// Output file; standard output when absent.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Load users and events from such a file into the store (events naming
    /// unknown communities are refused).
    Import { file: PathBuf },
    /// Generate simulated feedback over a catalog (see `copmatch_retrain::simulate`).
    Simulate {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Catalog the simulated people join (default: the bundled catalog).
        #[arg(long, value_name = "FILE")]
        catalog: Option<PathBuf>,
        #[arg(long, default_value_t = 600)]
        users: usize,
        /// `tacit`: joins follow a field pairing profiles never mention;
        /// `none`: joins are random.
        #[arg(long, default_value = "tacit")]
        signal: String,
        /// Share of joins that follow the pairing (tacit only).
        #[arg(long, default_value_t = 0.8)]
        strength: f64,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
}

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

pub async fn feedback(settings: &Settings, command: FeedbackCommand) -> anyhow::Result<()> {
    match command {
        FeedbackCommand::Simulate {
            out,
            catalog,
            users,
            signal,
            strength,
            seed,
        } => {
            let path = catalog.unwrap_or_else(|| settings.catalog.path.clone());
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            let (valid, errors, _) = copmatch_core::import::parse_lines(&text);
            anyhow::ensure!(
                errors.is_empty(),
                "{} has {} invalid lines",
                path.display(),
                errors.len()
            );
            let communities: Vec<_> = valid.into_iter().map(|(_, c)| c).collect();
            let signal = match signal.as_str() {
                "tacit" => Signal::Tacit,
                "none" => Signal::None,
                other => anyhow::bail!("unknown signal {other:?}; expected tacit or none"),
            };
            let sim = simulate(
                &communities,
                &SimOptions {
                    users,
                    joins: 3,
                    signal,
                    strength,
                    seed,
                },
            )?;
            write_output(to_jsonl(&sim.users, &sim.events).as_bytes(), Some(&out))?;
            eprintln!(
                "{} users and {} events written to {}",
                sim.users.len(),
                sim.events.len(),
                out.display()
            );
            if signal == Signal::Tacit {
                for (field, partner) in &sim.partners {
                    eprintln!("  {field} → {partner}");
                }
            }
            Ok(())
        }
        FeedbackCommand::Export { out } => {
            let (users, events) = with_stack(settings, |stack| async move {
                let bar = TerminalProgress::counting("reading feedback", "events");
                data::read_store(stack.users.users().as_ref(), &bar).await
            })
            .await?;
            write_output(to_jsonl(&users, &events).as_bytes(), out.as_deref())?;
            eprintln!("{} users and {} events exported", users.len(), events.len());
            Ok(())
        }
        FeedbackCommand::Import { file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let counts =
                with_stack(settings, |stack| async move { import(&stack, &text).await }).await?;
            eprintln!(
                "{} users and {} events imported; {} events were already stored",
                counts.users, counts.events, counts.already_stored
            );
            Ok(())
        }
    }
}

async fn import(stack: &Stack, text: &str) -> anyhow::Result<ImportCounts> {
    let (users, events) = data::parse_records(text)?;
    let store = stack.users.users();
    let bar = TerminalProgress::counting("importing feedback", "records");
    copmatch_core::JobProgress::start(&bar, users.len() + events.len());
    // Everything is checked before anything is written: a bad file writes nothing.
    let mut known = std::collections::HashSet::new();
    let mut known_users: std::collections::HashSet<copmatch_core::UserId> =
        users.iter().map(|u| u.id.clone()).collect();
    for e in &events {
        if known.insert(e.community_id.clone())
            && stack
                .services
                .catalog
                .store()
                .get(&e.community_id)
                .await?
                .is_none()
        {
            anyhow::bail!(
                "event {} names the unknown community {:?}",
                e.id,
                e.community_id
            );
        }
        if !known_users.contains(&e.user_id) {
            anyhow::ensure!(
                store.get_user(&e.user_id).await?.is_some(),
                "event {} names the unknown user {:?}",
                e.id,
                e.user_id
            );
            known_users.insert(e.user_id.clone());
        }
    }
    for u in &users {
        let input = copmatch_core::feedback::UserInput {
            profile: u.profile.clone(),
            languages: u.languages.clone(),
        };
        stack.users.put_user(&u.id, input).await?;
        copmatch_core::JobProgress::advance(&bar, 1);
    }
    // Events keep their ids, so importing a file twice stores each event once.
    let mut stored = std::collections::HashSet::new();
    let mut users_seen = std::collections::HashSet::new();
    for e in &events {
        if users_seen.insert(e.user_id.clone()) {
            stored.extend(
                store
                    .events_of_user(&e.user_id)
                    .await?
                    .into_iter()
                    .map(|e| e.id),
            );
        }
    }
    let total = events.len();
    let new: Vec<_> = events
        .into_iter()
        .filter(|e| stored.insert(e.id.clone()))
        .collect();
    copmatch_core::JobProgress::advance(&bar, total - new.len());
    for chunk in new.chunks(500) {
        store.append_events(chunk.to_vec()).await?;
        copmatch_core::JobProgress::advance(&bar, chunk.len());
    }
    // Imported histories keep to feedback.max_events_per_user like live ones.
    stack.users.retention().cap_events(&users_seen).await?;
    copmatch_core::JobProgress::finish(&bar);
    Ok(ImportCounts {
        users: users.len(),
        events: new.len(),
        already_stored: total - new.len(),
    })
}

struct ImportCounts {
    users: usize,
    events: usize,
    /// Events of the file that the store already held (same id).
    already_stored: usize,
}

pub async fn run_retrain(settings: &Settings, args: RetrainArgs) -> anyhow::Result<()> {
    with_stack(settings, |stack| async move {
        retrain_with(&stack, &args).await
    })
    .await
}

async fn retrain_with(stack: &Stack, args: &RetrainArgs) -> anyhow::Result<()> {
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
    let options = RetrainOptions {
        holdout: args.holdout,
        seed: args.seed,
        ..Default::default()
    };
    let outcome = retrain(
        &stack.services.recommender,
        data,
        &source,
        stack.models.registry(),
        &options,
        &BarStages,
    )
    .await?;
    let m = &outcome.manifest;
    if args.json {
        println!("{}", serde_json::to_string_pretty(m)?);
        return Ok(());
    }
    println!(
        "trained {} on {} users ({} held out), penalty {}, blend {}",
        m.version,
        m.parameters.train_users,
        m.parameters.heldout_users,
        m.parameters.penalty,
        m.parameters.blend
    );
    println!(
        "{:<28} {:>8} {:>10} {:>9}",
        "held-out", "nDCG@10", "Recall@10", "coverage"
    );
    let line = |name: &str, x: &copmatch_retrain::heldout::Metrics| {
        println!(
            "{name:<28} {:>8.4} {:>10.4} {:>9.4}",
            x.ndcg_at_10, x.recall_at_10, x.coverage
        );
    };
    line("base model", &m.metrics.base);
    if let Some((name, x)) = &m.metrics.active {
        line(&format!("{name} (serving)"), x);
    }
    line(&format!("{} (candidate)", m.version), &m.metrics.candidate);
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
