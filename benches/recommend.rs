//! Recommend latency over 100,000 communities on the embedded store, and on a
//! Qdrant server too when `QDRANT_URL` is set, with the process's memory.
//!
//! `cargo bench -p copmatch-benches --bench recommend`
//! `COPMATCH_BENCH_COMMUNITIES=10000 cargo bench -p copmatch-benches --bench recommend`
//! `QDRANT_URL=http://127.0.0.1:6334 cargo bench -p copmatch-benches --bench recommend`
//!
//! The catalog is the real communities (bundled catalog and the shared
//! corpus) with real embeddings, then perturbed copies of them up to the
//! size asked (`COPMATCH_BENCH_COMMUNITIES`, default 100,000): the model runs
//! once per real community, not 100,000 times. Two paths are measured:
//! `cold` embeds a fresh text for every request (what a new profile costs),
//! `warm` answers profiles whose embeddings are cached (search, re-ranking
//! and explanations only), `negatives` is `warm` with 1,000 "not for me" ids
//! (the most a request may name; each one's vector is read from the store).
//! On a Qdrant server, `negatives_one_by_one` is the same request through a
//! store that reads those ids one at a time, as the served store did before
//! issue 23 passed `get_many` on: the before/after of that change.
//! On a Qdrant server the services read through the active index
//! (`ActiveIndex`), as `serve` does. The embedder is the service's default
//! (one model thread per core, its cache on). The p50/p99 lines come from 600
//! sequential requests per path; the RSS lines are the bench process's resident memory
//! after loading and after the requests (it holds what `serve` holds: the
//! store, the model threads, the caches). Criterion reports means.

use std::sync::Arc;
use std::time::{Duration, Instant};

use copmatch_benches::{
    generated_catalog, load, percentile_ms, start_embedder, OneByOne, PROFILES,
};
use copmatch_core::progress::NoProgress;
use copmatch_core::reindex::open_active_index;
use copmatch_core::{
    Embedder, Limits, Profile, RecommendRequest, Recommender, Services, VectorStore,
};
use copmatch_core::{IndexCatalog, IndexVersion, Steering};
use copmatch_ranking::wordings::EMBEDDING_TEXT_VERSION;
use copmatch_ranking::RankingWeights;
use copmatch_store::{EdgeStore, EdgeStoreOptions, IndexTuning, QdrantCatalog, QdrantOptions};
use criterion::{criterion_group, criterion_main, Criterion};

/// The service's allocator (see `services/api/src/main.rs`), so that the RSS
/// lines measure what `serve` would hold.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn communities() -> usize {
    std::env::var("COPMATCH_BENCH_COMMUNITIES")
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(100_000)
}

/// Resident and peak memory of this process, in MiB.
fn memory() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| -> f64 {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    };
    format!(
        "RSS {:.0} MiB (peak {:.0} MiB)",
        field("VmRSS:"),
        field("VmHWM:")
    )
}

fn request(i: usize, salt: &str) -> RecommendRequest {
    RecommendRequest {
        profile: Profile {
            roles: vec![format!("{}{salt}", PROFILES[i % PROFILES.len()])],
            ..Default::default()
        },
        ..Default::default()
    }
}

/// The most "not for me" ids a request may name.
const NEGATIVES: usize = 1_000;

/// Ids of stored communities, spread over the catalog, for the `negatives` path.
async fn negative_ids(store: &dyn VectorStore) -> Vec<String> {
    let (page, _) = store.scroll(None, 100 * NEGATIVES).await.unwrap();
    page.into_iter()
        .step_by(100)
        .take(NEGATIVES)
        .map(|c| c.id.to_string())
        .collect()
}

/// The recommender `serve` would build over `store`, with default weights and limits.
fn recommender(embedder: Arc<dyn Embedder>, store: Arc<dyn VectorStore>) -> Recommender {
    Services::new(
        embedder,
        store,
        RankingWeights::default(),
        Limits::default(),
    )
    .recommender
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::TempDir::new().unwrap();
    let total = communities();
    let (cold, warm) = rt.block_on(async {
        let embedder: Arc<dyn Embedder> = Arc::new(start_embedder(10_000, 1));
        let started = Instant::now();
        let records = generated_catalog(&embedder, total).await;
        let store = EdgeStore::open(
            &dir.path().join("shard"),
            384,
            EdgeStoreOptions {
                optimize_debounce: Duration::from_secs(3600),
                ..Default::default()
            },
        )
        .unwrap();
        load(&store, records).await;
        store.settle().await.unwrap();
        eprintln!(
            "set-up: {} communities embedded, stored and indexed in {:.1}s; {}",
            store.count().await.unwrap(),
            started.elapsed().as_secs_f64(),
            memory()
        );
        let store: Arc<dyn VectorStore> = Arc::new(store);
        // One service: cold requests bring fresh texts, so its cache cannot answer them.
        let service = recommender(embedder, store);
        (service.clone(), service)
    });

    let negatives = rt.block_on(negative_ids(warm.store().as_ref()));
    percentiles(&rt, "embedded", &cold, &warm, &negatives);
    eprintln!("after the embedded requests: {}", memory());
    if let Ok(url) = std::env::var("QDRANT_URL") {
        let (q_cold, q_warm, cleanup) = rt.block_on(on_qdrant(url, &cold, &warm));
        percentiles(&rt, "qdrant", &q_cold, &q_warm, &negatives);
        // Before issue 23: the served store read the negatives one id at a
        // time (a round trip each). Same request, same server, same index.
        let before = recommender(
            q_warm.embedder().clone(),
            Arc::new(OneByOne(q_warm.store().clone())),
        );
        negatives_percentiles(
            &rt,
            "qdrant",
            "negatives_one_by_one",
            &before,
            &negatives,
            100,
        );
        rt.block_on(cleanup.run());
    } else {
        eprintln!("recommend on a Qdrant server: skipped (QDRANT_URL is not set)");
    }

    let mut group = c.benchmark_group(format!("recommend_{total}"));
    group
        .sample_size(50)
        .measurement_time(Duration::from_secs(10));
    let mut i = 0usize;
    group.bench_function("warm", |b| {
        b.iter(|| {
            i += 1;
            rt.block_on(warm.recommend(request(i, ""), &Steering::default()))
                .unwrap()
        })
    });
    group.bench_function("cold", |b| {
        b.iter(|| {
            i += 1;
            rt.block_on(cold.recommend(request(i, &format!(" {i}")), &Steering::default()))
                .unwrap()
        })
    });
    group.finish();
    rt.block_on(warm.store().close()).unwrap();
}

struct Cleanup {
    client: Arc<qdrant_client::Qdrant>,
    prefix: String,
    collection: String,
}

impl Cleanup {
    async fn run(self) {
        let _ = self
            .client
            .delete_alias(format!("{}communities", self.prefix))
            .await;
        self.client
            .delete_collection(self.collection)
            .await
            .unwrap();
    }
}

/// The same catalog on a Qdrant server, and services reading it.
async fn on_qdrant(
    url: String,
    cold: &Recommender,
    warm: &Recommender,
) -> (Recommender, Recommender, Cleanup) {
    let prefix = format!("copmatch_bench_{}_", std::process::id());
    let options = QdrantOptions {
        url,
        collection_prefix: prefix.clone(),
        ..Default::default()
    };
    let catalog = QdrantCatalog::connect(options.clone(), IndexTuning::default())
        .await
        .unwrap();
    let version = IndexVersion::new(
        warm.embedder().model_id(),
        EMBEDDING_TEXT_VERSION,
        1,
        warm.embedder().dimension(),
    );
    let store = catalog.create(&version).await.unwrap();
    catalog.activate(&version).await.unwrap();
    let started = Instant::now();
    let mut cursor = None;
    loop {
        let (page, next) = warm.store().scroll(cursor, 1000).await.unwrap();
        let ids: Vec<copmatch_core::CommunityId> = page.into_iter().map(|c| c.id).collect();
        store
            .upsert(warm.store().get_many(&ids).await.unwrap())
            .await
            .unwrap();
        match next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    let client = catalog.client();
    let collection = format!("{prefix}communities__{}", version.name);
    // Qdrant builds its HNSW graph in the background; measure the settled index.
    loop {
        let info = client
            .collection_info(&collection)
            .await
            .unwrap()
            .result
            .unwrap();
        if info.status == qdrant_client::qdrant::CollectionStatus::Green as i32 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    eprintln!(
        "set-up on Qdrant: copied and indexed in {:.1}s",
        started.elapsed().as_secs_f64()
    );
    // The path `serve` takes: the active index over the catalog.
    let serving = open_active_index(Arc::new(catalog), warm.embedder().clone(), &NoProgress)
        .await
        .unwrap();
    let cold = recommender(cold.embedder().clone(), serving.clone());
    let warm = recommender(warm.embedder().clone(), serving);
    (
        cold,
        warm,
        Cleanup {
            client,
            prefix,
            collection,
        },
    )
}

fn percentiles(
    rt: &tokio::runtime::Runtime,
    store: &str,
    cold: &Recommender,
    warm: &Recommender,
    negatives: &[String],
) {
    for (name, service) in [("cold", cold), ("warm", warm), ("negatives", warm)] {
        let mut times = Vec::new();
        rt.block_on(async {
            for i in 0..600 {
                // Cold requests use a new text each time so no cache can answer.
                let salt = if name == "cold" {
                    format!(" {i}")
                } else {
                    String::new()
                };
                let mut request = request(i, &salt);
                if name == "negatives" {
                    request.negative_ids = negatives.to_vec();
                }
                let started = Instant::now();
                let response = service
                    .recommend(request, &Steering::default())
                    .await
                    .unwrap();
                times.push(started.elapsed());
                assert_eq!(response.recommendations.len(), 10);
            }
        });
        times.sort();
        eprintln!(
            "recommend/{store}/{name} over {} communities: p50 {:.2} ms, p99 {:.2} ms ({} requests)",
            communities(),
            percentile_ms(&times, 50.0),
            percentile_ms(&times, 99.0),
            times.len()
        );
    }
}

/// The `negatives` request alone, `count` times, on `service`.
fn negatives_percentiles(
    rt: &tokio::runtime::Runtime,
    store: &str,
    name: &str,
    service: &Recommender,
    negatives: &[String],
    count: usize,
) {
    let mut times = Vec::new();
    rt.block_on(async {
        for i in 0..count {
            let mut request = request(i, "");
            request.negative_ids = negatives.to_vec();
            let started = Instant::now();
            let response = service
                .recommend(request, &Steering::default())
                .await
                .unwrap();
            times.push(started.elapsed());
            assert_eq!(response.recommendations.len(), 10);
        }
    });
    times.sort();
    eprintln!(
        "recommend/{store}/{name} over {} communities: p50 {:.2} ms, p99 {:.2} ms ({} requests)",
        communities(),
        percentile_ms(&times, 50.0),
        percentile_ms(&times, 99.0),
        times.len()
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
