//! A thread-safe LRU cache of text → embedding.

use std::num::NonZeroUsize;
use std::sync::Arc;

use lru::LruCache;
use parking_lot::Mutex;

pub struct EmbeddingCache {
    inner: Option<Mutex<LruCache<String, Arc<[f32]>>>>,
}

impl EmbeddingCache {
    /// A capacity of 0 disables caching.
    pub fn new(capacity: usize) -> Self {
        Self {
            inner: NonZeroUsize::new(capacity).map(|c| Mutex::new(LruCache::new(c))),
        }
    }

    pub fn get(&self, text: &str) -> Option<Arc<[f32]>> {
        self.inner.as_ref()?.lock().get(text).cloned()
    }

    pub fn put(&self, text: String, vector: Arc<[f32]>) {
        if let Some(inner) = &self.inner {
            inner.lock().put(text, vector);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evicts_least_recently_used() {
        let cache = EmbeddingCache::new(2);
        cache.put("a".into(), Arc::from(vec![1.0]));
        cache.put("b".into(), Arc::from(vec![2.0]));
        assert!(cache.get("a").is_some());
        cache.put("c".into(), Arc::from(vec![3.0]));
        assert!(cache.get("b").is_none());
        assert!(cache.get("a").is_some());
    }

    #[test]
    fn zero_capacity_disables_the_cache() {
        let cache = EmbeddingCache::new(0);
        cache.put("a".into(), Arc::from(vec![1.0]));
        assert!(cache.get("a").is_none());
    }
}
