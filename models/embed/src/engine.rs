//! Loading the model on a model thread, by either implementation of the
//! forward pass; both read the same sentence-transformers folder.

use std::path::Path;

use rust_bert::pipelines::common::ModelType;
use rust_bert::pipelines::sentence_embeddings::{
    SentenceEmbeddingsConfig, SentenceEmbeddingsModel,
};
use rust_bert::resources::LocalResource;

use crate::encoder::Encoder;
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
    /// [`Encoder`]: fused attention and pre-converted weights, the faster.
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
    Fused(Box<Encoder>),
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
    if engine == Engine::RustBert && model_type(dir)? != "bert" {
        return Err(format!(
            "{}: rust-bert's pipeline (model.engine = \"rust_bert\") reads BERT models only; \
             this one runs on model.engine = \"fused\"",
            dir.display()
        ));
    }
    match engine {
        Engine::Fused => crate::weights::load(dir, bf16).map(|m| Loaded::Fused(Box::new(m))),
        Engine::RustBert => {
            crate::precision::apply_to_this_thread(precision);
            load_model(dir).map(|m| Loaded::RustBert(Box::new(m)))
        }
    }
}

/// `config.json`'s `model_type` ("bert" when it does not say).
fn model_type(dir: &Path) -> Result<String, String> {
    let path = dir.join("config.json");
    let text =
        std::fs::read_to_string(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    let config: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("parsing {}: {e}", path.display()))?;
    Ok(config["model_type"].as_str().unwrap_or("bert").to_string())
}

impl Loaded {
    /// The length of the vectors it returns.
    pub fn dimension(&self) -> usize {
        match self {
            Loaded::Fused(model) => model.dimension(),
            Loaded::RustBert(model) => model.get_embedding_dim().map_or(0, |d| d as usize),
        }
    }

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
