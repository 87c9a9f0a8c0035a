//! Bulk embedding throughput of all-MiniLM-L6-v2 through the async handle,
//! as an import or a re-index uses it, against sentence-transformers.
//!
//! `cargo bench -p copmatch-benches --bench embedding`
//!
//! Texts: short ones (roles as people type them, each unique) and
//! catalog-length ones (the real communities' embedding texts). Every call
//! embeds a batch of 32 unique texts with the cache off, on the default
//! embedder (one model thread per core): the serving engine (`fused`) in
//! float32 and at the default precision (`auto`: bf16 products where the CPU
//! has them), and rust-bert's pipeline at the default precision. The
//! texts are also written to `target/embedding-texts/{short,long}.txt`, so
//! that `benches/embedding_reference.py` can time sentence-transformers on
//! exactly the same batches (run it with any Python that has
//! sentence-transformers, e.g. the peer's virtualenv).

use std::path::Path;
use std::time::{Duration, Instant};

use copmatch_benches::{model_dir, real_communities, ROLES, WORKSPACE};
use copmatch_core::Embedder;
use copmatch_embed::{EmbedderOptions, Engine, Precision, SentenceEmbedder};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const BATCH: usize = 32;

fn texts() -> (Vec<String>, Vec<String>) {
    let short: Vec<String> = (0..512)
        .map(|i| format!("{} {}", ROLES[i % ROLES.len()], 1000 + i))
        .collect();
    let long: Vec<String> = real_communities()
        .iter()
        .filter(|c| c.description.is_some())
        .map(copmatch_ranking::wordings::community_text)
        .take(256)
        .collect();
    assert!(long.len() >= 128, "too few described communities");
    let dir = Path::new(WORKSPACE).join("target/embedding-texts");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("short.txt"), short.join("\n")).unwrap();
    std::fs::write(dir.join("long.txt"), long.join("\n")).unwrap();
    (short, long)
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (short, long) = texts();
    let mut group = c.benchmark_group("embed_batch32");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(15));
    for (engine, precision) in [
        (Engine::Fused, Precision::Fp32),
        (Engine::Fused, Precision::Auto),
        (Engine::RustBert, Precision::Auto),
    ] {
        let embedder = SentenceEmbedder::start(&EmbedderOptions {
            model_dir: model_dir(),
            precision,
            engine,
            cache_capacity: 0,
            ..Default::default()
        })
        .expect("model loads; run `make setup`");
        let label = format!("{}_{}", engine.name(), precision.resolve().name());
        for (name, texts) in [("short", &short), ("long", &long)] {
            let batches: Vec<Vec<String>> = texts.chunks(BATCH).map(<[String]>::to_vec).collect();
            rt.block_on(embedder.embed(batches[0].clone())).unwrap();
            let started = Instant::now();
            for batch in &batches {
                rt.block_on(embedder.embed(batch.clone())).unwrap();
            }
            let per_sec = texts.len() as f64 / started.elapsed().as_secs_f64();
            eprintln!("embedding/{name}, {label}: {per_sec:.0} sentences/s (batches of {BATCH})");
            group.throughput(Throughput::Elements(BATCH as u64));
            let mut next = batches.iter().cycle();
            group.bench_function(format!("{name}_{label}"), |b| {
                b.iter(|| {
                    let batch = next.next().unwrap().clone();
                    rt.block_on(embedder.embed(batch)).unwrap()
                })
            });
        }
    }
    group.finish();
    eprintln!(
        "sentence-transformers on the same texts: python3 benches/embedding_reference.py {}",
        model_dir().display()
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
