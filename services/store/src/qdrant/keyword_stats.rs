//! Keyword statistics of one collection (or of the alias requests read
//! through), kept by this replica: read whole from the server on first use,
//! kept in step by this replica's own writes, and read whole again in the
//! background once they are older than [`KEYWORD_STATS_MAX_AGE`], which is
//! how writes of other replicas (and an alias switched by another replica)
//! reach them.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::RwLock;
use std::time::{Duration, Instant};

use copmatch_core::StoreError;
use qdrant_client::qdrant::{
    vector_output, vectors_output::VectorsOptions, GetPointsBuilder, PointId, RetrievedPoint,
    ScrollPointsBuilder, VectorOutput, VectorsSelector,
};
use qdrant_client::Qdrant;

use super::store_error;
use crate::keywords::{KeywordStats, KEYWORD_VECTOR};

/// How long statistics serve before they are read again from the server: how
/// late another replica's writes reach this replica's keyword weights. Own
/// writes count at once.
pub const KEYWORD_STATS_MAX_AGE: Duration = Duration::from_secs(30);

const SCAN_PAGE: u32 = 2048;

struct Kept {
    stats: KeywordStats,
    at: Instant,
}

/// Statistics shared by every store of one collection name in this process.
#[derive(Default)]
pub struct SharedStats {
    kept: RwLock<Option<Kept>>,
    /// This replica's writes take turns (reading what they replace, writing,
    /// counting), so two of them never count the same old version twice.
    writes: tokio::sync::Mutex<()>,
    /// Bumped by each own write; a background read that overlapped one is
    /// dropped instead of overwriting the newer counts.
    generation: AtomicU64,
    refreshing: AtomicBool,
}

fn keyword_only() -> VectorsSelector {
    VectorsSelector {
        names: vec![KEYWORD_VECTOR.to_string()],
    }
}

fn sparse_terms(output: &VectorOutput) -> Vec<u32> {
    match &output.vector {
        Some(vector_output::Vector::Sparse(s)) => s.indices.clone(),
        Some(_) => Vec::new(),
        // Servers before the typed vector output send the indices apart.
        #[allow(deprecated)]
        None => output
            .indices
            .as_ref()
            .map(|i| i.data.clone())
            .unwrap_or_default(),
    }
}

fn terms_of(point: &RetrievedPoint) -> Vec<u32> {
    match point
        .vectors
        .as_ref()
        .and_then(|v| v.vectors_options.as_ref())
    {
        Some(VectorsOptions::Vectors(named)) => named
            .vectors
            .get(KEYWORD_VECTOR)
            .map(sparse_terms)
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// The statistics of everything `collection` holds now.
async fn scan(client: &Qdrant, collection: &str) -> Result<KeywordStats, StoreError> {
    let mut stats = KeywordStats::default();
    let mut offset: Option<PointId> = None;
    loop {
        let mut request = ScrollPointsBuilder::new(collection)
            .limit(SCAN_PAGE)
            .with_payload(false)
            .with_vectors(keyword_only());
        if let Some(offset) = offset.take() {
            request = request.offset(offset);
        }
        let response = client
            .scroll(request)
            .await
            .map_err(|e| store_error("reading keyword statistics", e))?;
        for point in &response.result {
            stats.add(&terms_of(point));
        }
        match response.next_page_offset {
            Some(next) => offset = Some(next),
            None => return Ok(stats),
        }
    }
}

/// The terms of those of `ids` that `collection` holds now.
pub async fn stored_terms(
    client: &Qdrant,
    collection: &str,
    ids: Vec<PointId>,
) -> Result<Vec<Vec<u32>>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let response = client
        .get_points(
            GetPointsBuilder::new(collection, ids)
                .with_payload(false)
                .with_vectors(keyword_only()),
        )
        .await
        .map_err(|e| store_error("reading keyword statistics", e))?;
    Ok(response.result.iter().map(terms_of).collect())
}

impl SharedStats {
    /// Reads the statistics from the server unless they are kept already.
    pub async fn ensure(&self, client: &Qdrant, collection: &str) -> Result<(), StoreError> {
        if self.kept.read().expect("not poisoned").is_some() {
            return Ok(());
        }
        let _turn = self.writes.lock().await;
        if self.kept.read().expect("not poisoned").is_none() {
            let stats = scan(client, collection).await?;
            *self.kept.write().expect("not poisoned") = Some(Kept {
                stats,
                at: Instant::now(),
            });
        }
        Ok(())
    }

    /// Runs `f` on the kept statistics (empty ones before the first read).
    pub fn with<T>(&self, f: impl FnOnce(&KeywordStats) -> T) -> T {
        let kept = self.kept.read().expect("not poisoned");
        match kept.as_ref() {
            Some(k) => f(&k.stats),
            None => f(&KeywordStats::default()),
        }
    }

    /// True when the kept statistics are due to be read again, and no read
    /// is running; the caller then runs [`SharedStats::refresh`].
    pub fn claim_refresh(&self) -> bool {
        let stale = self
            .kept
            .read()
            .expect("not poisoned")
            .as_ref()
            .is_some_and(|k| k.at.elapsed() >= KEYWORD_STATS_MAX_AGE);
        stale && !self.refreshing.swap(true, Ordering::SeqCst)
    }

    /// Reads the statistics again (after [`SharedStats::claim_refresh`]).
    pub async fn refresh(&self, client: &Qdrant, collection: &str) {
        let generation = self.generation.load(Ordering::SeqCst);
        match scan(client, collection).await {
            Ok(stats) => {
                let mut kept = self.kept.write().expect("not poisoned");
                if self.generation.load(Ordering::SeqCst) == generation {
                    *kept = Some(Kept {
                        stats,
                        at: Instant::now(),
                    });
                }
            }
            Err(e) => tracing::warn!(error = %e, "reading keyword statistics again failed"),
        }
        self.refreshing.store(false, Ordering::SeqCst);
    }

    /// Runs one own write: `write` gets the terms of the points `touched`
    /// held before it; on success `added` is counted in their place. A failed
    /// write may have applied part of itself, so the statistics are read
    /// whole again on the next use.
    pub async fn write<F, Fut>(
        &self,
        client: &Qdrant,
        collection: &str,
        touched: Vec<PointId>,
        added: Vec<Vec<u32>>,
        write: F,
    ) -> Result<(), StoreError>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<(), StoreError>>,
    {
        self.ensure(client, collection).await?;
        let _turn = self.writes.lock().await;
        let replaced = stored_terms(client, collection, touched).await?;
        self.generation.fetch_add(1, Ordering::SeqCst);
        let written = write().await;
        let mut kept = self.kept.write().expect("not poisoned");
        match (&written, kept.as_mut()) {
            (Ok(()), Some(k)) => {
                replaced.iter().for_each(|t| k.stats.remove(t));
                added.iter().for_each(|t| k.stats.add(t));
            }
            _ => *kept = None,
        }
        written
    }
}
