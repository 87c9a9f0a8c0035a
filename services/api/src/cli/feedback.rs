//! `copmatch feedback export|import|simulate`: the analyst's feedback files.

use std::path::PathBuf;

use anyhow::Context;
use clap::Subcommand;
use copmatch_retrain::data::{self, to_jsonl};
use copmatch_retrain::simulate::{simulate, Signal, SimOptions};

use super::stack::with_stack;
use super::transfer::write_output;
use crate::app::Stack;
use crate::progress::TerminalProgress;
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
    /// Simulate people using this copmatch: position-biased clicks and joins on
    /// its rankings, varied wordings from the occupation taxonomy, several
    /// interests, noise (see `copmatch_retrain::simulate`). Reads the store
    /// (import the catalog first); writes nothing to it.
    Simulate {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[arg(long, default_value_t = 600)]
        users: usize,
        /// `field`: people want communities of their fields; `tacit`: of a
        /// partner field their profile never mentions; `none`: random ones.
        #[arg(long, default_value = "field")]
        signal: String,
        /// η of the examination model rank^-η (0: every result is looked at).
        #[arg(long, default_value_t = 1.0)]
        position_bias: f64,
        /// Chance that a result that does not fit is clicked anyway.
        #[arg(long, default_value_t = 0.05)]
        noise: f64,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
}

pub async fn feedback(settings: &Settings, command: FeedbackCommand) -> anyhow::Result<()> {
    match command {
        FeedbackCommand::Simulate {
            out,
            users,
            signal,
            position_bias,
            noise,
            seed,
        } => {
            let signal = match signal.as_str() {
                "field" => Signal::Field,
                "tacit" => Signal::Tacit,
                "none" => Signal::None,
                other => anyhow::bail!("unknown signal {other:?}; expected field, tacit or none"),
            };
            let wordings = settings.harvest.occupation_titles()?;
            let options = SimOptions {
                users,
                signal,
                position_bias,
                noise,
                seed,
                ..Default::default()
            };
            let sim = with_stack(settings, |stack| async move {
                simulate_on(&stack, &wordings, &options).await
            })
            .await?;
            write_output(to_jsonl(&sim.users, &sim.events).as_bytes(), Some(&out))?;
            eprintln!(
                "{} users and {} events written to {}",
                sim.users.len(),
                sim.events.len(),
                out.display()
            );
            for (field, partner) in &sim.partners {
                eprintln!("  {field} → {partner}");
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

/// Runs the simulation against the stack's own ranking and catalog.
async fn simulate_on(
    stack: &Stack,
    wordings: &std::collections::BTreeMap<String, Vec<String>>,
    options: &SimOptions,
) -> anyhow::Result<copmatch_retrain::simulate::Simulation> {
    let store = stack.services.catalog.store();
    let mut catalog = Vec::new();
    let mut cursor = None;
    loop {
        let (page, next) = store.scroll(cursor, 1000).await?;
        catalog.extend(page);
        match next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    anyhow::ensure!(
        !catalog.is_empty(),
        "the store holds no communities; import a catalog first"
    );
    // Scroll order is the store's; the simulation must not depend on it.
    catalog.sort_by(|a, b| a.id.cmp(&b.id));
    // Nor on whether the index was still being built (see `simulate`).
    store.settle().await?;
    simulate(&stack.services.recommender, &catalog, wordings, options).await
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
