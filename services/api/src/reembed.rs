//! Carrying communities over when the embedded text changes.
//!
//! Vectors are valid only for the text they were computed from
//! ([`copmatch_core::community::EMBEDDING_TEXT_VERSION`]). When the current
//! version's store does not exist yet but an older one does, its communities
//! are re-embedded into a `.partial` directory, which is renamed into place
//! only when complete; a crash leaves the older store untouched and the next
//! start begins again. The older store is removed after the switch.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use copmatch_core::community::EMBEDDING_TEXT_VERSION;
use copmatch_core::{CopMatch, Embedder, ImportProgress, VectorStore};
use copmatch_store::{EdgeStore, EdgeStoreOptions};

use crate::settings::Settings;

const PAGE: usize = 100;

fn options(settings: &Settings) -> EdgeStoreOptions {
    EdgeStoreOptions { optimize_debounce: Duration::from_millis(settings.store.optimize_debounce_ms) }
}

/// The newest older-version store of this model, if any.
fn previous_store(settings: &Settings, model_id: &str) -> Option<PathBuf> {
    (1..EMBEDDING_TEXT_VERSION).rev().map(|v| settings.shard_dir(model_id, v)).find(|p| p.join("edge_config.json").exists())
}

fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".partial");
    path.with_file_name(name)
}

/// Re-embeds an older store into the current one if needed.
pub async fn migrate_if_needed(settings: &Settings, embedder: Arc<dyn Embedder>, progress: &dyn ImportProgress) -> anyhow::Result<()> {
    let current = settings.shard_dir(embedder.model_id(), EMBEDDING_TEXT_VERSION);
    if current.exists() {
        return Ok(());
    }
    let Some(previous) = previous_store(settings, embedder.model_id()) else { return Ok(()) };
    tracing::info!(from = %previous.display(), to = %current.display(), "re-embedding communities for the new community text");
    let partial = partial_path(&current);
    if partial.exists() {
        std::fs::remove_dir_all(&partial).with_context(|| format!("removing {}", partial.display()))?;
    }
    let dimension = embedder.dimension();
    let (old_path, new_path, opts) = (previous.clone(), partial.clone(), options(settings));
    let (old, new) = tokio::task::spawn_blocking(move || -> Result<_, copmatch_core::StoreError> {
        Ok((EdgeStore::open(&old_path, dimension, opts.clone())?, EdgeStore::open(&new_path, dimension, opts)?))
    })
    .await??;
    let target = CopMatch::new(embedder, Arc::new(new), settings.ranking.clone(), settings.limits.clone());
    let total = old.count().await?;
    progress.start(total);
    let mut offset = 0;
    while offset < total {
        let page = old.list(offset, PAGE).await?;
        if page.is_empty() {
            break;
        }
        offset += page.len();
        progress.advance(page.len());
        target.store_communities(page).await?;
    }
    progress.finish();
    target.store().close().await?;
    old.close().await?;
    std::fs::rename(&partial, &current).with_context(|| format!("moving {} into place", partial.display()))?;
    std::fs::remove_dir_all(&previous).with_context(|| format!("removing {}", previous.display()))?;
    tracing::info!(communities = offset, "re-embedding finished");
    Ok(())
}
