//! Communities already read from the shard, so that searches stop decoding the
//! same payloads.
//!
//! A recommendation reads up to two candidate pools (dense and keyword, 100
//! each by default), and decoding each candidate's payload (the shard's JSON,
//! then the community document) was a third of the request's CPU. The
//! embedded store is the only writer of its shard (its WAL is locked), so the
//! store drops the cache on every write it applies and the cache cannot serve
//! a community older than the shard. A read that started before a write must
//! not put its old copy back afterwards: entries carry the generation they
//! were read in and are only kept if no write came in between.

use std::num::NonZeroUsize;
use std::sync::Arc;

use copmatch_core::Community;
use lru::LruCache;
use parking_lot::Mutex;
use qdrant_edge::PointId;

pub struct ReadCache {
    state: Mutex<State>,
}

struct State {
    generation: u64,
    entries: LruCache<PointId, Arc<Community>>,
}

/// The cached community of each point asked for (`None` when it must be
/// read from the shard), and the generation to store what is read under.
pub struct Lookup {
    pub generation: u64,
    pub found: Vec<Option<Arc<Community>>>,
}

impl ReadCache {
    pub fn new(capacity: usize) -> Self {
        Self {
            state: Mutex::new(State {
                generation: 0,
                entries: LruCache::new(NonZeroUsize::new(capacity.max(1)).expect("at least 1")),
            }),
        }
    }

    pub fn lookup(&self, ids: &[PointId]) -> Lookup {
        let mut state = self.state.lock();
        let found = ids
            .iter()
            .map(|id| state.entries.get(id).cloned())
            .collect();
        Lookup {
            generation: state.generation,
            found,
        }
    }

    /// Keeps communities read in `generation`, unless a write came since.
    pub fn insert(
        &self,
        generation: u64,
        read: impl IntoIterator<Item = (PointId, Arc<Community>)>,
    ) {
        let mut state = self.state.lock();
        if state.generation != generation {
            return;
        }
        for (id, community) in read {
            state.entries.put(id, community);
        }
    }

    /// Called by every write, after it is applied.
    pub fn invalidate(&self) {
        let mut state = self.state.lock();
        state.generation += 1;
        state.entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn community(name: &str) -> Arc<Community> {
        Arc::new(
            Community::from_json_value(serde_json::json!({
                "id": "c", "name": name, "url": "https://example.org",
                "platform": "forum", "categories": ["Testing"]
            }))
            .unwrap(),
        )
    }

    fn id(n: u64) -> PointId {
        PointId::NumId(n)
    }

    #[test]
    fn a_read_is_served_from_the_cache_until_a_write() {
        let cache = ReadCache::new(10);
        let first = cache.lookup(&[id(1)]);
        assert!(first.found[0].is_none());
        cache.insert(first.generation, [(id(1), community("old"))]);
        assert_eq!(
            cache.lookup(&[id(1)]).found[0].as_ref().unwrap().name,
            "old"
        );
        cache.invalidate();
        assert!(cache.lookup(&[id(1)]).found[0].is_none());
    }

    #[test]
    fn a_read_that_overlapped_a_write_is_not_kept() {
        let cache = ReadCache::new(10);
        let before = cache.lookup(&[id(1)]);
        cache.invalidate();
        cache.insert(before.generation, [(id(1), community("stale"))]);
        assert!(cache.lookup(&[id(1)]).found[0].is_none());
    }

    #[test]
    fn the_cache_holds_at_most_its_capacity() {
        let cache = ReadCache::new(2);
        let generation = cache.lookup(&[]).generation;
        cache.insert(
            generation,
            (1..=3).map(|n| (id(n), community(&n.to_string()))),
        );
        let found = cache.lookup(&[id(1), id(2), id(3)]).found;
        assert_eq!(found.iter().filter(|c| c.is_some()).count(), 2);
        assert!(found[0].is_none(), "the least recently used one went first");
    }
}
