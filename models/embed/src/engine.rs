//! Loading the model on a model thread, by either implementation of the
//! forward pass; both read the same sentence-transformers folder.

use std::path::Path;

use rust_bert::pipelines::common::ModelType;
use rust_bert::pipelines::sentence_embeddings::{
    SentenceEmbeddingsConfig, SentenceEmbeddingsModel,
};
use rust_bert::resources::LocalResource;

use crate::encoder::MiniLm;
use crate::precision::Precision;

fn local(path: std::path::PathBuf) -> Box<LocalResource> {
    Box::new(LocalResource::from(path))
}

/// Loads the sentence-transformers folder directly: `SentenceEmbeddingsBuilder::local`
/// insists on a converted `rust_model.ot`, while tch reads `model.safetensors`
/// as it is.
fn load_model(dir: &Path) -> Result<SentenceEmbeddingsModel, String> {
    let config = SentenceEmbeddingsConfig {
        modules_config_resource: local(dir.join("modules.json")),
        transformer_type: ModelType::Bert,
        transformer_config_resource: local(dir.join("config.json")),
        transformer_weights_resource: local(dir.join("model.safetensors")),
        pooling_config_resource: local(dir.join("1_Pooling/config.json")),
        dense_config_resource: None,
        dense_weights_resource: None,
        sentence_bert_config_resource: local(dir.join("sentence_bert_config.json")),
        tokenizer_config_resource: local(dir.join("tokenizer_config.json")),
        tokenizer_vocab_resource: local(dir.join("vocab.txt")),
        tokenizer_merges_resource: None,
        device: tch::Device::Cpu,
        kind: None,
    };
    SentenceEmbeddingsModel::new(config)
        .map_err(|e| format!("loading the model from {}: {e}", dir.display()))
}

/// Which implementation of the forward pass a model thread runs. Both read
/// the same model folder and give the same vectors (cosine ≥ 0.999 in bf16,
/// 1.0 in float32; `models/embed/tests/model.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Engine {
    /// [`MiniLm`]: fused attention and pre-converted weights, the faster.
    #[default]
    Fused,
    /// rust-bert's `SentenceEmbeddingsModel`, bf16 through libtorch's autocast.
    RustBert,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Fused => "fused",
            Engine::RustBert => "rust_bert",
        }
    }
}

/// A loaded model on its thread.
pub enum Loaded {
    Fused(Box<MiniLm>),
    RustBert(Box<SentenceEmbeddingsModel>),
}

/// Loads `engine` on the calling thread at `precision`.
pub fn load(engine: Engine, dir: &Path, precision: Precision) -> Result<Loaded, String> {
    for file in [
        "model.safetensors",
        "config.json",
        "vocab.txt",
        "tokenizer_config.json",
        "sentence_bert_config.json",
        "modules.json",
        "1_Pooling/config.json",
    ] {
        if !dir.join(file).is_file() {
            return Err(format!(
                "model file {} is missing; run `make setup` (scripts/setup.sh) to install the model",
                dir.join(file).display()
            ));
        }
    }
    let bf16 = precision.resolve() == Precision::Bf16;
    match engine {
        Engine::Fused => MiniLm::load(dir, bf16).map(|m| Loaded::Fused(Box::new(m))),
        Engine::RustBert => {
            crate::precision::apply_to_this_thread(precision);
            load_model(dir).map(|m| Loaded::RustBert(Box::new(m)))
        }
    }
}

impl Loaded {
    /// One forward pass.
    pub fn encode(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, String> {
        match self {
            Loaded::Fused(model) => model.encode(texts),
            Loaded::RustBert(model) => model
                .encode(texts)
                .map_err(|e| format!("inference failed: {e}")),
        }
    }
}
