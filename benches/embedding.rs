//! Embedding throughput of all-MiniLM-L6-v2 through the async handle.
//!
//! `cargo bench -p copmatch-benches --bench embedding`
//!
//! Measures sentences per second for short texts (roles as people type them)
//! and catalog-length texts (community name + description + topics), in
//! batches of 32, with the cache off, at 1 and 2 intra-op threads.

use std::time::{Duration, Instant};

use copmatch_benches::{real_communities, start_embedder, PROFILES};
use copmatch_core::{Community, Embedder};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let long: Vec<String> = real_communities()
        .iter()
        .filter(|c| c.description.is_some())
        .map(Community::embedding_text)
        .take(32)
        .collect();
    let short: Vec<String> = PROFILES
        .iter()
        .cycle()
        .take(32)
        .map(|s| s.to_string())
        .collect();
    let mut group = c.benchmark_group("embed_batch32");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(15));
    for threads in [1, 2] {
        let embedder = start_embedder(0, threads);
        for (name, texts) in [("short", &short), ("long", &long)] {
            let started = Instant::now();
            let rounds = 5;
            for _ in 0..rounds {
                rt.block_on(embedder.embed(texts.clone())).unwrap();
            }
            let per_sec = (rounds * texts.len()) as f64 / started.elapsed().as_secs_f64();
            eprintln!("embedding/{name}, {threads} thread(s): {per_sec:.0} sentences/s");
            group.throughput(Throughput::Elements(texts.len() as u64));
            group.bench_function(format!("{name}_threads{threads}"), |b| {
                b.iter(|| rt.block_on(embedder.embed(texts.clone())).unwrap())
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
