//! The real all-MiniLM-L6-v2: the fused forward pass that serves, checked
//! against rust-bert's float32 pipeline and sentence-transformers' vector.

use std::path::PathBuf;
use std::sync::OnceLock;

use copmatch_core::{Community, Embedder};
use copmatch_embed::{EmbedderOptions, Engine, Precision, SentenceEmbedder};

fn model_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../.deps/models/all-MiniLM-L6-v2"
    ))
}

fn start(engine: Engine, precision: Precision, cache_capacity: usize) -> SentenceEmbedder {
    SentenceEmbedder::start(&EmbedderOptions {
        model_dir: model_dir(),
        workers: 1,
        precision,
        engine,
        max_batch: 8,
        cache_capacity,
        ..Default::default()
    })
    .expect("model loads; run `make setup`")
}

/// The serving engine in float32 throughout.
fn embedder() -> SentenceEmbedder {
    static E: OnceLock<SentenceEmbedder> = OnceLock::new();
    E.get_or_init(|| start(Engine::Fused, Precision::Fp32, 10_000))
        .clone()
}

/// rust-bert's pipeline in float32: the reference embeddings.
async fn reference(texts: &[String]) -> Vec<Vec<f32>> {
    start(Engine::RustBert, Precision::Fp32, 0)
        .embed(texts.to_vec())
        .await
        .unwrap()
}

/// The lowest cosine between `a` and `b` over `texts`, and its text.
fn worst_cosine<'t>(a: &[Vec<f32>], b: &[Vec<f32>], texts: &'t [String]) -> (f32, &'t String) {
    a.iter()
        .zip(b)
        .zip(texts)
        .map(|((a, b), t)| (dot(a, b), t))
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .unwrap()
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Roles as people type them and whole catalog entries (up to the model's
/// 256-token limit), from the bundled catalog.
fn reference_texts() -> Vec<String> {
    let path = model_dir().join("../../../data/communities.jsonl");
    let catalog = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("the bundled catalog {} is missing: {e}", path.display()));
    let mut texts: Vec<String> = [
        "ICU nurse",
        "penetration tester",
        "public health student",
        "rust systems programmer 1234",
        "a community for high school math teachers",
        "Krankenpflege",
        "ux researcher 🙂",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for line in catalog.lines().take(60) {
        let community: Community = serde_json::from_str(line).expect("catalog line parses");
        texts.push(copmatch_ranking::wordings::community_text(&community));
    }
    assert!(texts.len() > 60, "too few reference texts");
    texts
}

#[tokio::test]
async fn example_sentence_matches_the_sentence_transformers_embedding() {
    let fused = embedder();
    let rust_bert = start(Engine::RustBert, Precision::Fp32, 0);
    for e in [fused, rust_bert] {
        example_sentence_matches(&e).await;
    }
}

async fn example_sentence_matches(e: &SentenceEmbedder) {
    let v = e
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
    let sequential: Vec<Vec<f32>> = start(Engine::Fused, Precision::Fp32, 0)
        .embed(suffixed.clone())
        .await
        .unwrap();
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
    assert!(dot(&v[0], &v[1]) > dot(&v[0], &v[2]) + 0.2);
}

#[tokio::test]
async fn the_fused_forward_pass_in_float32_is_rust_berts() {
    let texts = reference_texts();
    let want = reference(&texts).await;
    let got = start(Engine::Fused, Precision::Fp32, 0)
        .embed(texts.clone())
        .await
        .unwrap();
    let (worst, text) = worst_cosine(&want, &got, &texts);
    assert!(worst >= 0.99999, "cosine {worst} for {text:?}");
}

#[tokio::test]
async fn bf16_products_stay_within_cosine_0_999_of_float32_in_both_engines() {
    let texts = reference_texts();
    let want = reference(&texts).await;
    for engine in [Engine::Fused, Engine::RustBert] {
        let mixed = start(engine, Precision::Bf16, 0)
            .embed(texts.clone())
            .await
            .unwrap();
        let (worst, text) = worst_cosine(&want, &mixed, &texts);
        eprintln!(
            "{} bf16 vs rust-bert float32: worst cosine {worst:.6} over {} texts",
            engine.name(),
            texts.len()
        );
        assert!(
            worst >= 0.999,
            "{}: cosine {worst} for {text:?}",
            engine.name()
        );
        // It really ran in another precision: the vectors are not bit-identical.
        assert_ne!(want, mixed);
    }
}

#[tokio::test]
async fn a_text_gets_the_same_bf16_vector_alone_or_among_longer_ones() {
    let texts = reference_texts();
    let e = start(Engine::Fused, Precision::Bf16, 0);
    let together = e.embed(texts.clone()).await.unwrap();
    for (text, vector) in texts.iter().zip(&together).take(7) {
        let alone = e.embed(vec![text.clone()]).await.unwrap().remove(0);
        assert!(dot(&alone, vector) >= 0.9999, "{text:?}");
    }
}

#[test]
fn a_missing_model_fails_with_a_setup_hint_in_both_engines() {
    for engine in [Engine::Fused, Engine::RustBert] {
        let err = SentenceEmbedder::start(&EmbedderOptions {
            model_dir: "/nonexistent".into(),
            engine,
            ..Default::default()
        })
        .err()
        .unwrap();
        assert!(err.to_string().contains("make setup"), "{err}");
    }
}
