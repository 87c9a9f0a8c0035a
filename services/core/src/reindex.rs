//! Building a new index version and switching to it without downtime.
//!
//! Used when the community text or the model changes (at start-up) and on
//! demand (the `reindex` command or the admin API). The active version
//! keeps serving while the new one is built; writes made meanwhile reach both
//! (see [`ActiveIndex`]); the switch is the catalog's atomic `activate`. Only the
//! new active version and the one before it are kept, so a rollback target
//! exists and half-built leftovers of a crash are cleaned up by the next run.

use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;
use utoipa::ToSchema;

use crate::active_index::ActiveIndex;
use crate::embedding::embed_communities;
use crate::ports::{CommunityRecord, Embedder, IndexCatalog, IndexVersion, VectorStore};
use crate::progress::JobProgress;
use copmatch_domain::community::Community;
use copmatch_domain::error::CoreError;
use copmatch_ranking::wordings::EMBEDDING_TEXT_VERSION;

/// Communities copied per step; writes wait at most one step.
const PAGE: usize = 32;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReindexReport {
    /// Name of the version that served before.
    pub from: String,
    /// Name of the version that serves now.
    pub to: String,
    pub communities: usize,
    pub took_ms: u64,
}

/// The version this process would build now.
async fn next_version(
    catalog: &dyn IndexCatalog,
    embedder: &dyn Embedder,
    adapter: Option<String>,
) -> Result<IndexVersion, CoreError> {
    let generation = catalog
        .versions()
        .await?
        .iter()
        .map(|v| v.generation)
        .max()
        .map_or(1, |g| g + 1);
    Ok(IndexVersion::new(
        embedder.model_id(),
        EMBEDDING_TEXT_VERSION,
        generation,
        embedder.dimension(),
    )
    .with_adapter(adapter))
}

/// Opens the active version, creating the first one in an empty store and
/// re-indexing first if the active one was built from another text or model.
pub async fn open_active_index(
    catalog: Arc<dyn IndexCatalog>,
    embedder: Arc<dyn Embedder>,
    progress: &dyn JobProgress,
) -> Result<Arc<ActiveIndex>, CoreError> {
    let active = match catalog.active().await? {
        Some(version) => version,
        None => {
            let version = next_version(catalog.as_ref(), embedder.as_ref(), None).await?;
            catalog.create(&version).await?;
            catalog.activate(&version).await?;
            tracing::info!(version = %version.name, "created the community index");
            version
        }
    };
    let store = catalog.serving(&active).await?;
    let live = Arc::new(ActiveIndex::new(catalog, active.clone(), store));
    if !active.serves(
        embedder.model_id(),
        EMBEDDING_TEXT_VERSION,
        embedder.dimension(),
    ) {
        tracing::info!(version = %active.name, "the index was built from another community text or model; re-indexing");
        reindex(&live, embedder, progress).await?;
    }
    Ok(live)
}

/// The version a re-index was building when the process stopped (a graceful
/// stop drops the job, a crash kills it): one newer than the active version.
/// A finished re-index switches to its version and a failed one removes it,
/// so only an interrupted one leaves such a version behind. The caller
/// starts the re-index again; it removes the leftover when it switches.
pub async fn interrupted_reindex(live: &ActiveIndex) -> Result<Option<IndexVersion>, CoreError> {
    let active = live.active_version();
    Ok(live
        .catalog()
        .versions()
        .await?
        .into_iter()
        .filter(|v| v.generation > active.generation)
        .max_by_key(|v| v.generation))
}

/// Re-embeds every community into a new version and switches to it; the
/// retrained model that serves (if any) stays.
pub async fn reindex(
    live: &ActiveIndex,
    embedder: Arc<dyn Embedder>,
    progress: &dyn JobProgress,
) -> Result<ReindexReport, CoreError> {
    let adapter = live.active_version().adapter;
    reindex_to(live, embedder, adapter, progress).await
}

/// [`reindex`] into a version served with the retrained model `adapter`
/// (`None`: the embedding model alone). The caller switches the served model
/// (`Recommender::model_slot`) once this returns.
pub async fn reindex_to(
    live: &ActiveIndex,
    embedder: Arc<dyn Embedder>,
    adapter: Option<String>,
    progress: &dyn JobProgress,
) -> Result<ReindexReport, CoreError> {
    let started = Instant::now();
    let catalog = live.catalog().clone();
    let from = live.active_version();
    let to = next_version(catalog.as_ref(), embedder.as_ref(), adapter).await?;
    let target = catalog.create(&to).await?;
    if let Err(e) = live.begin_shadow(target.clone()) {
        catalog.remove(&to).await?;
        return Err(e.into());
    }
    let copied = copy_all(live, &target, embedder.as_ref(), progress).await;
    let switched = match copied {
        Ok(n) => catalog
            .activate(&to)
            .await
            .map(|()| n)
            .map_err(CoreError::from),
        Err(e) => Err(e),
    };
    let communities = match switched {
        Ok(n) => n,
        Err(e) => {
            live.end_shadow();
            if let Err(cleanup) = catalog.remove(&to).await {
                tracing::warn!(version = %to.name, error = %cleanup, "could not remove the unfinished index");
            }
            return Err(e);
        }
    };
    live.switch(to.clone(), catalog.serving(&to).await?);
    for old in catalog.versions().await? {
        if old.name != to.name && old.name != from.name {
            catalog.remove(&old).await?;
        }
    }
    tracing::info!(from = %from.name, to = %to.name, communities, "switched to the new index");
    Ok(ReindexReport {
        from: from.name,
        to: to.name,
        communities,
        took_ms: started.elapsed().as_millis() as u64,
    })
}

async fn copy_all(
    live: &ActiveIndex,
    target: &Arc<dyn VectorStore>,
    embedder: &dyn Embedder,
    progress: &dyn JobProgress,
) -> Result<usize, CoreError> {
    progress.start(live.count().await?);
    let mut cursor = None;
    let mut copied = 0;
    loop {
        let _writes_wait = live.pause_writes().await;
        let (page, next) = live.scroll(cursor, PAGE).await?;
        copied += page.len();
        progress.advance(page.len());
        target.upsert(embed(embedder, page).await?).await?;
        match next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    progress.finish();
    Ok(copied)
}

async fn embed(
    embedder: &dyn Embedder,
    communities: Vec<Community>,
) -> Result<Vec<CommunityRecord>, CoreError> {
    if communities.is_empty() {
        return Ok(Vec::new());
    }
    let vectors = embed_communities(embedder, &communities).await?;
    Ok(communities
        .into_iter()
        .zip(vectors)
        .map(|(community, vector)| CommunityRecord { community, vector })
        .collect())
}
