//! What retraining costs: fitting the adapter (PCA + multi-task ridge) on
//! 480 users, and what it adds to every request (applying it to a profile).
//! Synthetic vectors with a learnable structure; no model needed.
//! `cargo bench -p copmatch-benches --bench retrain`

use copmatch_core::served_model::QueryAdapter;
use copmatch_ranking::normalize;
use copmatch_retrain::train::{fit, Examples};
use criterion::{criterion_group, criterion_main, Criterion};

const D: usize = 384;

/// Deterministic pseudo-random unit vectors; targets are a fixed permutation
/// of the inputs plus noise, like "people of field A join field B".
fn rows(n: usize) -> Vec<(Vec<f32>, Vec<f32>)> {
    let mut state = 1u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % 2000) as f32 / 1000.0 - 1.0
    };
    (0..n)
        .map(|_| {
            let x = normalize((0..D).map(|_| next()).collect());
            let y = normalize((0..D).map(|j| x[(j * 7 + 3) % D] + 0.3 * next()).collect());
            (x, y)
        })
        .collect()
}

fn benches(c: &mut Criterion) {
    let data = rows(480);
    let examples = Examples::from_rows(&data).unwrap();
    let mut group = c.benchmark_group("retrain");
    group.sample_size(10);
    group.bench_function("fit_480_users", |b| {
        b.iter(|| fit(&examples, 0.001).unwrap())
    });
    group.finish();

    let map = fit(&examples, 0.001).unwrap();
    let adapter = QueryAdapter {
        version: "ft1".into(),
        base_model: "bench".into(),
        text_version: copmatch_ranking::wordings::EMBEDDING_TEXT_VERSION,
        dimension: D,
        weights: map.weights,
        bias: map.bias,
        blend: 1.0,
        segments: Default::default(),
        segment_blend: 0.0,
        anchors: Vec::new(),
        reach: 0.0,
    };
    let x = data[0].0.clone();
    c.bench_function("adapter_apply_384", |b| b.iter(|| adapter.apply(&x)));
}

criterion_group!(retrain, benches);
criterion_main!(retrain);
