//! Reading a sentence-transformers folder into [`Encoder`]'s parts: the
//! configuration, the tokenizer and the weights, for the two architectures
//! copmatch serves (BERT: all-MiniLM-L6-v2; MPNet: all-mpnet-base-v2).
//!
//! The differences that matter to the forward pass are read here once:
//! BERT adds a token-type embedding and counts positions from 0; MPNet has
//! no token types, counts positions from `pad id + 1` (as RoBERTa does) and
//! adds a learned bias by bucketed relative position to every layer's
//! attention scores. MPNet's tokenizer is BERT's WordPiece with `<s>`,
//! `</s>` and `<pad>` as its special tokens.

use std::collections::HashMap;
use std::path::Path;

use rust_bert::pipelines::common::{ModelType, TokenizerOption};
use serde::Deserialize;
use tch::{Kind, Tensor};

use crate::encoder::{Encoder, Layer, Norm, RelativeBias};

/// The fields of the model folder's `config.json` the forward pass needs.
#[derive(Debug, Deserialize)]
struct Config {
    #[serde(default = "bert")]
    model_type: String,
    hidden_size: i64,
    num_attention_heads: i64,
    num_hidden_layers: usize,
    layer_norm_eps: f64,
    hidden_act: String,
    pad_token_id: Option<i64>,
    relative_attention_num_buckets: Option<i64>,
}

fn bert() -> String {
    "bert".into()
}

#[derive(Debug, Deserialize)]
struct SentenceBertConfig {
    max_seq_length: usize,
}

#[derive(Debug, Deserialize)]
struct TokenizerConfig {
    do_lower_case: Option<bool>,
    strip_accents: Option<bool>,
}

/// The two architectures, told apart by `config.json`'s `model_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Architecture {
    Bert,
    MpNet,
}

/// MPNet's relative positions are bucketed up to this distance (its
/// `relative_position_bucket`, fixed in the reference implementation).
const MPNET_MAX_DISTANCE: i64 = 128;

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("parsing {}: {e}", path.display()))
}

fn architecture(dir: &Path, config: &Config) -> Result<Architecture, String> {
    match config.model_type.as_str() {
        "bert" => Ok(Architecture::Bert),
        "mpnet" => Ok(Architecture::MpNet),
        other => Err(format!(
            "{}: model_type {other:?} is not supported (\"bert\" or \"mpnet\")",
            dir.display()
        )),
    }
}

/// The tokenizer, its pad id, and the ids to swap in after tokenizing.
struct Tokenizer {
    tokenizer: TokenizerOption,
    pad_id: i64,
    /// (BERT's special id, the model's own): MPNet's WordPiece wraps a text
    /// in `<s>` … `</s>` where BERT's has `[CLS]` … `[SEP]`. rust_tokenizers
    /// cannot be given other special tokens without a file, so the ids are
    /// swapped after tokenizing.
    swaps: Vec<(i64, i64)>,
}

fn token_id(vocab: &str, token: &str, path: &Path) -> Result<i64, String> {
    vocab
        .lines()
        .position(|line| line == token)
        .map(|i| i as i64)
        .ok_or_else(|| format!("{} has no token {token}", path.display()))
}

fn tokenizer(dir: &Path, arch: Architecture) -> Result<Tokenizer, String> {
    let config: TokenizerConfig = read_json(&dir.join("tokenizer_config.json"))?;
    let lower_case = config.do_lower_case.unwrap_or(false);
    let vocab_path = dir.join("vocab.txt");
    // Hugging Face's BasicTokenizer strips accents whenever it lower-cases,
    // unless told otherwise; rust-bert's `from_file` does the same with None.
    let tokenizer = TokenizerOption::from_file(
        ModelType::Bert,
        &vocab_path.to_string_lossy(),
        None,
        lower_case,
        config.strip_accents,
        None,
    )
    .map_err(|e| format!("loading the tokenizer {}: {e}", vocab_path.display()))?;
    match arch {
        Architecture::Bert => Ok(Tokenizer {
            pad_id: tokenizer.get_pad_id().unwrap_or(0),
            tokenizer,
            swaps: Vec::new(),
        }),
        Architecture::MpNet => {
            let vocab = std::fs::read_to_string(&vocab_path)
                .map_err(|e| format!("reading {}: {e}", vocab_path.display()))?;
            let id = |token: &str| token_id(&vocab, token, &vocab_path);
            Ok(Tokenizer {
                pad_id: id("<pad>")?,
                swaps: vec![(id("[CLS]")?, id("<s>")?), (id("[SEP]")?, id("</s>")?)],
                tokenizer,
            })
        }
    }
}

/// The tensors of `model.safetensors` by name, taken out one by one.
struct Tensors {
    path: std::path::PathBuf,
    by_name: HashMap<String, Tensor>,
}

impl Tensors {
    fn read(dir: &Path) -> Result<Self, String> {
        let path = dir.join("model.safetensors");
        let by_name = Tensor::read_safetensors(&path)
            .map_err(|e| format!("reading {}: {e}", path.display()))?
            .into_iter()
            // Checkpoints saved from BertModel have no prefix; from BertFor… they have "bert.".
            .map(|(name, t)| {
                let name = name
                    .trim_start_matches("bert.")
                    .trim_start_matches("mpnet.");
                (name.to_string(), t)
            })
            .collect();
        Ok(Self { path, by_name })
    }

    fn take(&mut self, name: &str) -> Result<Tensor, String> {
        self.by_name
            .remove(name)
            .ok_or_else(|| format!("{} has no tensor {name}", self.path.display()))
    }
}

/// Loads the sentence-transformers folder `dir`; `bf16` runs the products
/// in bfloat16.
pub fn load(dir: &Path, bf16: bool) -> Result<Encoder, String> {
    let config: Config = read_json(&dir.join("config.json"))?;
    if config.hidden_act != "gelu" {
        return Err(format!(
            "{}: hidden_act {:?} is not supported (only \"gelu\")",
            dir.display(),
            config.hidden_act
        ));
    }
    let arch = architecture(dir, &config)?;
    let sentence: SentenceBertConfig = read_json(&dir.join("sentence_bert_config.json"))?;
    let Tokenizer {
        tokenizer,
        pad_id,
        swaps,
    } = tokenizer(dir, arch)?;
    let mut tensors = Tensors::read(dir)?;
    let products = if bf16 { Kind::BFloat16 } else { Kind::Float };
    let product = |t: Tensor| t.to_kind(products).contiguous();
    let (attention, attention_norm, q, k, v, o) = match arch {
        Architecture::Bert => (
            "attention.self",
            "attention.output.LayerNorm",
            "query",
            "key",
            "value",
            "attention.output.dense",
        ),
        Architecture::MpNet => (
            "attention.attn",
            "attention.LayerNorm",
            "q",
            "k",
            "v",
            "attention.attn.o",
        ),
    };
    let embedding_norm = Norm {
        weight: tensors.take("embeddings.LayerNorm.weight")?,
        bias: tensors.take("embeddings.LayerNorm.bias")?,
    };
    let word_embeddings = tensors.take("embeddings.word_embeddings.weight")?;
    let position_embeddings = tensors.take("embeddings.position_embeddings.weight")?;
    let (token_type_embedding, first_position, relative) = match arch {
        Architecture::Bert => (
            Some(
                tensors
                    .take("embeddings.token_type_embeddings.weight")?
                    .get(0),
            ),
            0,
            None,
        ),
        Architecture::MpNet => (
            None,
            pad_id + 1,
            Some(RelativeBias {
                table: tensors.take("encoder.relative_attention_bias.weight")?,
                buckets: config.relative_attention_num_buckets.unwrap_or(32),
                max_distance: MPNET_MAX_DISTANCE,
            }),
        ),
    };
    if arch == Architecture::MpNet && config.pad_token_id.is_some_and(|p| p != pad_id) {
        return Err(format!(
            "{}: config.json's pad_token_id {:?} is not the tokenizer's <pad> ({pad_id})",
            dir.display(),
            config.pad_token_id
        ));
    }
    let mut layers = Vec::with_capacity(config.num_hidden_layers);
    for i in 0..config.num_hidden_layers {
        let p = format!("encoder.layer.{i}");
        let mut part = |name: &str| tensors.take(&format!("{p}.{name}"));
        let stacked = |part: &mut dyn FnMut(&str) -> Result<Tensor, String>, what: &str| {
            Ok::<_, String>(Tensor::cat(
                &[
                    part(&format!("{attention}.{q}.{what}"))?,
                    part(&format!("{attention}.{k}.{what}"))?,
                    part(&format!("{attention}.{v}.{what}"))?,
                ],
                0,
            ))
        };
        let qkv_weight = stacked(&mut part, "weight")?;
        let qkv_bias = stacked(&mut part, "bias")?;
        layers.push(Layer {
            qkv_weight: product(qkv_weight),
            qkv_bias: product(qkv_bias),
            attention_out_weight: product(part(&format!("{o}.weight"))?),
            attention_out_bias: product(part(&format!("{o}.bias"))?),
            attention_norm: Norm {
                weight: part(&format!("{attention_norm}.weight"))?,
                bias: part(&format!("{attention_norm}.bias"))?,
            },
            intermediate_weight: product(part("intermediate.dense.weight")?),
            intermediate_bias: product(part("intermediate.dense.bias")?),
            output_weight: product(part("output.dense.weight")?),
            output_bias: product(part("output.dense.bias")?),
            output_norm: Norm {
                weight: part("output.LayerNorm.weight")?,
                bias: part("output.LayerNorm.bias")?,
            },
        });
    }
    Ok(Encoder {
        tokenizer,
        pad_id,
        swaps,
        max_tokens: sentence.max_seq_length,
        word_embeddings,
        position_embeddings,
        first_position,
        token_type_embedding,
        embedding_norm,
        layers,
        relative,
        hidden: config.hidden_size,
        heads: config.num_attention_heads,
        eps: config.layer_norm_eps,
        products,
    })
}
