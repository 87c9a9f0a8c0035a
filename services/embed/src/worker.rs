//! The model threads: each owns one `SentenceEmbeddingsModel` and serves jobs
//! from a shared queue, batching whatever is waiting.

use std::path::Path;

use crossbeam_channel::{Receiver, TryRecvError};
use rust_bert::pipelines::common::ModelType;
use rust_bert::pipelines::sentence_embeddings::{
    SentenceEmbeddingsConfig, SentenceEmbeddingsModel,
};
use rust_bert::resources::LocalResource;
use tokio::sync::oneshot;

pub struct Job {
    pub texts: Vec<String>,
    pub reply: oneshot::Sender<Result<Vec<Vec<f32>>, String>>,
}

fn local(path: std::path::PathBuf) -> Box<LocalResource> {
    Box::new(LocalResource::from(path))
}

/// Loads the sentence-transformers folder directly: `SentenceEmbeddingsBuilder::local`
/// insists on a converted `rust_model.ot`, while tch reads `model.safetensors`
/// as it is.
pub fn load_model(dir: &Path) -> Result<SentenceEmbeddingsModel, String> {
    for file in [
        "model.safetensors",
        "config.json",
        "vocab.txt",
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

/// Serves jobs until every handle is dropped.
pub fn serve(model: SentenceEmbeddingsModel, jobs: Receiver<Job>, max_batch: usize) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        let mut queued: usize = batch[0].texts.len();
        while queued < max_batch {
            match jobs.try_recv() {
                Ok(job) => {
                    queued += job.texts.len();
                    batch.push(job);
                }
                Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
            }
        }
        let texts: Vec<&str> = batch
            .iter()
            .flat_map(|j| j.texts.iter().map(String::as_str))
            .collect();
        let result = encode_chunked(&model, &texts, max_batch);
        let mut offset = 0;
        for job in batch {
            let n = job.texts.len();
            let answer = match &result {
                Ok(vectors) => Ok(vectors[offset..offset + n].to_vec()),
                Err(e) => Err(e.clone()),
            };
            offset += n;
            // The caller may have gone away (request cancelled); that is fine.
            let _ = job.reply.send(answer);
        }
    }
}

fn encode_chunked(
    model: &SentenceEmbeddingsModel,
    texts: &[&str],
    max_batch: usize,
) -> Result<Vec<Vec<f32>>, String> {
    let mut out = Vec::with_capacity(texts.len());
    for chunk in texts.chunks(max_batch.max(1)) {
        out.extend(
            model
                .encode(chunk)
                .map_err(|e| format!("inference failed: {e}"))?,
        );
    }
    Ok(out)
}
