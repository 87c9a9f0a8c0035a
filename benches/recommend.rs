//! Recommend latency over 10,000 communities on the embedded store, and on a
//! Qdrant server too when `QDRANT_URL` is set.
//!
//! `cargo bench -p copmatch-benches --bench recommend`
//! `QDRANT_URL=http://127.0.0.1:6334 cargo bench -p copmatch-benches --bench recommend`
//!
//! Two paths are measured: `cold` embeds every profile with the real model
//! (embedding cache off: what a new profile costs), `warm` answers profiles
//! whose embeddings are cached (search + re-ranking + explanations only).
//! Criterion reports means; the p50/p99 lines printed first come from 600
//! sequential requests per path.

use std::sync::Arc;
use std::time::{Duration, Instant};

use copmatch_benches::{generated_catalog, load, percentile_ms, start_embedder, PROFILES};
use copmatch_core::community::EMBEDDING_TEXT_VERSION;
use copmatch_core::{
    CopMatch, Embedder, Limits, Profile, RankingWeights, RecommendRequest, VectorStore,
};
use copmatch_core::{IndexCatalog, IndexVersion, Steering};
use copmatch_store::{EdgeStore, EdgeStoreOptions, IndexTuning, QdrantCatalog, QdrantOptions};
use criterion::{criterion_group, criterion_main, Criterion};

const COMMUNITIES: usize = 10_000;

fn request(i: usize, salt: &str) -> RecommendRequest {
    RecommendRequest {
        profile: Profile {
            roles: vec![format!("{}{salt}", PROFILES[i % PROFILES.len()])],
            ..Default::default()
        },
        ..Default::default()
    }
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::TempDir::new().unwrap();
    let (cold, warm) = rt.block_on(async {
        let loader: Arc<dyn Embedder> = Arc::new(start_embedder(100_000, 1));
        let started = Instant::now();
        let records = generated_catalog(&loader, COMMUNITIES).await;
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
        store.optimize_now().await.unwrap();
        eprintln!(
            "set-up: {} communities embedded, stored and indexed in {:.1}s",
            store.count().await.unwrap(),
            started.elapsed().as_secs_f64()
        );
        let store: Arc<dyn VectorStore> = Arc::new(store);
        let uncached: Arc<dyn Embedder> = Arc::new(start_embedder(0, 1));
        let cold = CopMatch::new(
            uncached,
            store.clone(),
            RankingWeights::default(),
            Limits::default(),
        );
        let warm = CopMatch::new(loader, store, RankingWeights::default(), Limits::default());
        (cold, warm)
    });

    percentiles(&rt, "embedded", &cold, &warm);
    if let Ok(url) = std::env::var("QDRANT_URL") {
        let (q_cold, q_warm, cleanup) = rt.block_on(on_qdrant(url, &cold, &warm));
        percentiles(&rt, "qdrant", &q_cold, &q_warm);
        rt.block_on(cleanup.run());
    } else {
        eprintln!("recommend on a Qdrant server: skipped (QDRANT_URL is not set)");
    }

    let mut group = c.benchmark_group("recommend_10k");
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
async fn on_qdrant(url: String, cold: &CopMatch, warm: &CopMatch) -> (CopMatch, CopMatch, Cleanup) {
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
        let mut records = Vec::new();
        for c in page {
            records.push(warm.store().get(&c.id).await.unwrap().unwrap());
        }
        store.upsert(records).await.unwrap();
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
    let serving = catalog.serving(&version).await.unwrap();
    let cold = CopMatch::new(
        cold.embedder().clone(),
        serving.clone(),
        RankingWeights::default(),
        Limits::default(),
    );
    let warm = CopMatch::new(
        warm.embedder().clone(),
        serving,
        RankingWeights::default(),
        Limits::default(),
    );
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

fn percentiles(rt: &tokio::runtime::Runtime, store: &str, cold: &CopMatch, warm: &CopMatch) {
    for (name, service) in [("cold", cold), ("warm", warm)] {
        let mut times = Vec::new();
        rt.block_on(async {
            for i in 0..600 {
                // Cold requests use a new text each time so no cache can answer.
                let salt = if name == "cold" {
                    format!(" {i}")
                } else {
                    String::new()
                };
                let started = Instant::now();
                let response = service
                    .recommend(request(i, &salt), &Steering::default())
                    .await
                    .unwrap();
                times.push(started.elapsed());
                assert_eq!(response.recommendations.len(), 10);
            }
        });
        times.sort();
        eprintln!(
            "recommend/{store}/{name} over {COMMUNITIES} communities: p50 {:.2} ms, p99 {:.2} ms ({} requests)",
            percentile_ms(&times, 50.0),
            percentile_ms(&times, 99.0),
            times.len()
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
