//! The real all-mpnet-base-v2 on copmatch's own forward pass (MPNet: no
//! token types, positions from pad + 1, relative attention bias), checked
//! against sentence-transformers 3.4.1's vectors for the same texts
//! (`fixtures/mpnet-reference.json`, computed from the same model folder).

use std::path::PathBuf;

use copmatch_core::Embedder;
use copmatch_embed::{EmbedderOptions, Engine, Precision, SentenceEmbedder};

fn model_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../.deps/models/all-mpnet-base-v2"
    ))
}

fn start(engine: Engine, precision: Precision) -> Result<SentenceEmbedder, String> {
    SentenceEmbedder::start(&EmbedderOptions {
        model_id: "all-mpnet-base-v2".into(),
        model_dir: model_dir(),
        workers: 1,
        precision,
        engine,
        cache_capacity: 0,
        ..Default::default()
    })
    .map_err(|e| e.to_string())
}

#[derive(serde::Deserialize)]
struct Reference {
    texts: Vec<String>,
    vectors: Vec<Vec<f32>>,
}

fn reference() -> Reference {
    serde_json::from_str(include_str!("fixtures/mpnet-reference.json")).unwrap()
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

async fn worst_cosine(precision: Precision) -> f32 {
    let embedder =
        start(Engine::Fused, precision).expect("all-mpnet-base-v2 loads; run `make setup`");
    assert_eq!(embedder.model_id(), "all-mpnet-base-v2");
    assert_eq!(embedder.dimension(), 768);
    let reference = reference();
    let ours = embedder.embed(reference.texts.clone()).await.unwrap();
    ours.iter()
        .zip(&reference.vectors)
        .map(|(a, b)| dot(a, b))
        .fold(f32::INFINITY, f32::min)
}

#[tokio::test]
async fn mpnet_in_float32_gives_sentence_transformers_vectors() {
    let worst = worst_cosine(Precision::Fp32).await;
    eprintln!("float32: worst cosine to sentence-transformers {worst}");
    assert!(
        worst > 0.9999,
        "worst cosine to sentence-transformers {worst}"
    );
}

#[tokio::test]
async fn mpnet_in_bf16_stays_close_to_sentence_transformers() {
    let worst = worst_cosine(Precision::Auto).await;
    eprintln!("auto precision: worst cosine to sentence-transformers {worst}");
    assert!(
        worst > 0.999,
        "worst cosine to sentence-transformers {worst}"
    );
}

#[test]
fn rust_berts_pipeline_refuses_mpnet_by_name() {
    let Err(message) = start(Engine::RustBert, Precision::Fp32) else {
        panic!("rust-bert 0.23 has no MPNet; the engine must refuse it");
    };
    assert!(message.contains("model.engine = \"fused\""), "{message}");
}
