//! One open shard: the engine handle, the lock writes and optimization take
//! turns on, and what the store keeps beside it in step with every write (the
//! keyword statistics and the decoded-community cache).

use std::path::PathBuf;
use std::sync::Arc;

use copmatch_core::StoreError;
use parking_lot::{Mutex, RwLock};
use qdrant_edge::{EdgeShard, PointId, UpdateOperation};

use super::keyword_stats;
use super::read_cache::ReadCache;
use crate::keywords::{KeywordStats, Keywords};

pub(super) struct Inner {
    pub(super) path: PathBuf,
    /// `None` once closed.
    pub(super) shard: RwLock<Option<Arc<EdgeShard>>>,
    /// Serializes updates, flushes and optimization (see the crate docs).
    pub(super) write_lock: Mutex<()>,
    pub(super) keywords: Keywords,
    /// What the shard holds now, kept in step by every write.
    pub(super) stats: RwLock<KeywordStats>,
    pub(super) search_params: qdrant_edge::SearchParams,
    pub(super) read_cache: ReadCache,
}

impl Inner {
    pub(super) fn shard(&self) -> Result<Arc<EdgeShard>, StoreError> {
        self.shard.read().clone().ok_or_else(|| {
            StoreError::Unavailable(format!("the store at {} is closed", self.path.display()))
        })
    }

    /// Applies operations that replace or delete the points `touched` (ids
    /// unique) and store keyword documents with the terms `added`, keeps the
    /// keyword statistics in step, and flushes to disk before returning.
    pub(super) fn write(
        &self,
        operations: Vec<UpdateOperation>,
        touched: &[PointId],
        added: Vec<Vec<u32>>,
    ) -> Result<(), StoreError> {
        let shard = self.shard()?;
        let _guard = self.write_lock.lock();
        let replaced = keyword_stats::stored_terms(&shard, touched)?;
        let applied = operations
            .into_iter()
            .try_for_each(|op| shard.update(op).map(|_| ()).map_err(internal));
        // Even a failed batch may have applied part of its operations.
        self.read_cache.invalidate();
        if applied.is_err() {
            *self.stats.write() = keyword_stats::scan(&shard)?;
            return applied;
        }
        {
            let mut stats = self.stats.write();
            replaced.iter().for_each(|terms| stats.remove(terms));
            added.iter().for_each(|terms| stats.add(terms));
        }
        shard.flush();
        Ok(())
    }

    /// Builds the vector index for what was written since the last pass.
    pub(super) fn optimize(&self) -> Result<(), StoreError> {
        let shard = self.shard()?;
        let _guard = self.write_lock.lock();
        let started = std::time::Instant::now();
        if shard.optimize().map_err(internal)? {
            shard.flush();
            tracing::info!(
                elapsed_ms = started.elapsed().as_millis() as u64,
                "optimized the vector index"
            );
        }
        Ok(())
    }
}

pub(super) fn internal(e: impl std::fmt::Display) -> StoreError {
    StoreError::Internal(e.to_string())
}
