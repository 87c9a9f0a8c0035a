//! Shared set-up of the benchmarks: a catalog of 10,000 communities generated
//! from real ones.
//!
//! Embedding 10,000 texts with the real model would take minutes per run, so
//! the real communities (the bundled catalog plus the shared public list when
//! present, ~700) are embedded with the real model once, and the rest are
//! variants of them: a real community's text and metadata under a new id with
//! its vector slightly perturbed (and re-normalized). Variants keep the
//! clustered structure of real embeddings, which is what an HNSW index is
//! fast on; uniform random vectors would be an unrealistic worst case.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use copmatch_core::ports::{FacetValues, SearchHits, StoreError, VectorQuery};
use copmatch_core::{Community, CommunityId, CommunityRecord, Embedder, StoreFilter, VectorStore};
use copmatch_embed::{EmbedderOptions, SentenceEmbedder};

pub const WORKSPACE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

pub fn model_dir() -> PathBuf {
    Path::new(WORKSPACE).join(".deps/models/all-MiniLM-L6-v2")
}

pub fn start_embedder(cache_capacity: usize, intra_op_threads: usize) -> SentenceEmbedder {
    SentenceEmbedder::start(&EmbedderOptions {
        model_dir: model_dir(),
        cache_capacity,
        intra_op_threads,
        ..Default::default()
    })
    .expect("model loads; run `make setup`")
}

/// The real communities available to the benchmarks.
pub fn real_communities() -> Vec<Community> {
    let mut files = vec![Path::new(WORKSPACE).join("data/communities.jsonl")];
    let shared = Path::new(WORKSPACE).join("../shared/data/external-communities.jsonl");
    if shared.is_file() {
        files.push(shared);
    }
    files
        .iter()
        .flat_map(|f| {
            std::fs::read_to_string(f)
                .expect("catalog readable")
                .lines()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter_map(|line| Community::from_json_str(&line).ok())
        .collect()
}

/// A small deterministic generator (no extra dependency, same data every run).
struct SplitMix(u64);

impl SplitMix {
    fn next_f32(&mut self) -> f32 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0
    }
}

/// `total` records: the real ones with real embeddings, then perturbed variants.
pub async fn generated_catalog(embedder: &Arc<dyn Embedder>, total: usize) -> Vec<CommunityRecord> {
    let real = real_communities();
    let vectors = copmatch_core::embedding::embed_communities(embedder.as_ref(), &real)
        .await
        .expect("embedding the real catalog");
    let base: Vec<CommunityRecord> = real
        .into_iter()
        .zip(vectors)
        .map(|(community, vector)| CommunityRecord { community, vector })
        .collect();
    let mut rng = SplitMix(42);
    let mut out = base.clone();
    let mut i = 0;
    while out.len() < total {
        let source = &base[i % base.len()];
        let mut community = source.community.clone();
        community.id = copmatch_core::CommunityId::parse(format!("{}-variant-{i}", community.id))
            .expect("a variant of a valid id is valid");
        community.name = format!("{} #{}", community.name, i / base.len() + 2);
        let vector: Vec<f32> = source
            .vector
            .iter()
            .map(|x| x + 0.03 * rng.next_f32())
            .collect();
        let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
        out.push(CommunityRecord {
            community,
            vector: vector.into_iter().map(|x| x / norm).collect(),
        });
        i += 1;
    }
    out
}

/// Writes the records into a store in batches.
pub async fn load(store: &dyn VectorStore, records: Vec<CommunityRecord>) {
    for chunk in records.chunks(1000) {
        store.upsert(chunk.to_vec()).await.expect("upsert");
    }
}

/// Roles the load scripts and the embedding bench make unique texts from
/// (the same list as `../shared/tools/peer/rec.lua`).
pub const ROLES: [&str; 8] = [
    "public health student",
    "ICU nurse",
    "rust systems programmer",
    "high school math teacher",
    "community manager",
    "UX researcher",
    "data scientist",
    "startup founder",
];

/// Profiles written the way people type them.
pub const PROFILES: [&str; 12] = [
    "public health student",
    "ICU nurse",
    "high school math teacher",
    "data scientist",
    "UX researcher",
    "product manager",
    "paralegal",
    "electrician apprentice",
    "nonprofit fundraiser",
    "community manager",
    "rust developer",
    "HR business partner",
];

/// Nearest-rank percentile of sorted durations, in milliseconds.
pub fn percentile_ms(sorted: &[std::time::Duration], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize - 1;
    sorted[rank.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

/// A store that reads several communities one id at a time, as the served
/// store did before `get_many` was passed on (issue 23): the "before" side
/// of the `negatives_one_by_one` path. Everything else goes straight through.
pub struct OneByOne(pub Arc<dyn VectorStore>);

#[async_trait::async_trait]
impl VectorStore for OneByOne {
    async fn upsert(&self, records: Vec<CommunityRecord>) -> Result<(), StoreError> {
        self.0.upsert(records).await
    }
    async fn delete(&self, id: &str) -> Result<bool, StoreError> {
        self.0.delete(id).await
    }
    async fn get(&self, id: &str) -> Result<Option<CommunityRecord>, StoreError> {
        self.0.get(id).await
    }
    async fn get_many(&self, ids: &[CommunityId]) -> Result<Vec<CommunityRecord>, StoreError> {
        let mut found = Vec::with_capacity(ids.len());
        for id in ids {
            found.extend(self.0.get(id.as_str()).await?);
        }
        Ok(found)
    }
    async fn list(
        &self,
        filter: &StoreFilter,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<Community>, StoreError> {
        self.0.list(filter, offset, limit).await
    }
    async fn scroll(
        &self,
        cursor: Option<String>,
        limit: usize,
    ) -> Result<(Vec<Community>, Option<String>), StoreError> {
        self.0.scroll(cursor, limit).await
    }
    async fn count(&self) -> Result<usize, StoreError> {
        self.0.count().await
    }
    async fn count_matching(&self, filter: &StoreFilter) -> Result<usize, StoreError> {
        self.0.count_matching(filter).await
    }
    async fn search(&self, query: VectorQuery) -> Result<SearchHits, StoreError> {
        self.0.search(query).await
    }
    async fn facet_values(&self) -> Result<Arc<FacetValues>, StoreError> {
        self.0.facet_values().await
    }
    async fn check(&self) -> Result<(), StoreError> {
        self.0.check().await
    }
    async fn settle(&self) -> Result<(), StoreError> {
        self.0.settle().await
    }
    async fn close(&self) -> Result<(), StoreError> {
        self.0.close().await
    }
}
