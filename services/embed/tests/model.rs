//! The real all-MiniLM-L6-v2 through rust-bert.

use std::path::PathBuf;
use std::sync::OnceLock;

use copmatch_core::Embedder;
use copmatch_embed::{EmbedderOptions, SentenceEmbedder};

fn model_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../.deps/models/all-MiniLM-L6-v2"
    ))
}

fn embedder() -> SentenceEmbedder {
    static E: OnceLock<SentenceEmbedder> = OnceLock::new();
    E.get_or_init(|| {
        SentenceEmbedder::start(&EmbedderOptions {
            model_dir: model_dir(),
            max_batch: 8,
            ..Default::default()
        })
        .expect("model loads; run `make setup`")
    })
    .clone()
}

#[tokio::test]
async fn example_sentence_matches_the_reference_embedding() {
    let v = embedder()
        .embed(vec!["this is an example sentence".into()])
        .await
        .unwrap()
        .remove(0);
    assert_eq!(v.len(), 384);
    for (got, want) in v.iter().zip([0.0677, 0.0635, 0.0487]) {
        assert!(
            (got - want).abs() < 1e-4,
            "got {:?}, want 0.0677 0.0635 0.0487",
            &v[..3]
        );
    }
    let norm: f32 = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    assert!((norm - 1.0).abs() < 1e-4, "norm {norm}");
}

#[tokio::test]
async fn concurrent_requests_get_the_same_vectors_as_single_ones() {
    let e = embedder();
    let texts: Vec<String> = (0..20)
        .map(|i| format!("community number {i} for nurses and teachers"))
        .collect();
    let single = {
        let mut out = Vec::new();
        for t in &texts {
            out.push(e.embed(vec![t.clone()]).await.unwrap().remove(0));
        }
        out
    };
    // Fresh texts so the cache does not answer: same sentences with a suffix.
    let suffixed: Vec<String> = texts.iter().map(|t| format!("{t}!")).collect();
    let joins: Vec<_> = suffixed
        .iter()
        .map(|t| {
            let e = e.clone();
            let t = t.clone();
            tokio::spawn(async move { e.embed(vec![t]).await.unwrap().remove(0) })
        })
        .collect();
    let mut concurrent = Vec::new();
    for j in joins {
        concurrent.push(j.await.unwrap());
    }
    let sequential: Vec<Vec<f32>> = {
        let e2 = SentenceEmbedder::start(&EmbedderOptions {
            model_dir: model_dir(),
            cache_capacity: 0,
            ..Default::default()
        })
        .unwrap();
        e2.embed(suffixed.clone()).await.unwrap()
    };
    for (a, b) in concurrent.iter().zip(&sequential) {
        let max = a
            .iter()
            .zip(b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0f32, f32::max);
        assert!(max < 1e-4, "batched and unbatched differ by {max}");
    }
    assert_eq!(single.len(), 20);
}

#[tokio::test]
async fn repeated_texts_are_answered_identically() {
    let e = embedder();
    let a = e
        .embed(vec!["ICU nurse".into(), "ICU nurse".into()])
        .await
        .unwrap();
    let b = e.embed(vec!["ICU nurse".into()]).await.unwrap();
    assert_eq!(a[0], a[1]);
    assert_eq!(a[0], b[0]);
}

#[tokio::test]
async fn related_texts_are_closer_than_unrelated_ones() {
    let v = embedder()
        .embed(vec![
            "intensive care nurse".into(),
            "critical care nursing community".into(),
            "rust programming language forum".into(),
        ])
        .await
        .unwrap();
    let dot = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
    assert!(dot(&v[0], &v[1]) > dot(&v[0], &v[2]) + 0.2);
}

#[test]
fn a_missing_model_fails_with_a_setup_hint() {
    let err = SentenceEmbedder::start(&EmbedderOptions {
        model_dir: "/nonexistent".into(),
        ..Default::default()
    })
    .err()
    .unwrap();
    assert!(err.to_string().contains("make setup"), "{err}");
}
