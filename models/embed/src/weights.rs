//! all-MiniLM-L6-v2's forward pass, written for serving short texts.
//!
//! rust-bert's `BertModel` is a faithful port of the training code: per layer
//! three query/key/value products, the attention as matmul, scale, mask add,
//! softmax, dropout and matmul, and — with bf16 autocast — a cast around every
//! product. On this service's texts (a role, a dozen tokens) those thirty-odd
//! small operator calls per layer, not the arithmetic, were most of the
//! model's time. This module runs the same weights in fewer, larger calls:
//! - one product for query, key and value (their weights stacked at load);
//! - libtorch's fused `scaled_dot_product_attention` (padding as a mask);
//! - weights converted to bf16 once at load when the CPU computes bf16
//!   natively, while the residual stream, layer norms and pooling stay
//!   float32 (what autocast did, without casting weights on every call).
//!
//! Tokenization is rust-bert's own (`TokenizerOption`, built the way
//! `SentenceEmbeddingsModel::new` builds it from the model folder), and the
//! output is what sentence-transformers computes: mean of the last hidden
//! states over real tokens, L2-normalized. `models/embed/tests/model.rs`
//! checks it against rust-bert's float32 pipeline (cosine ≥ 0.999 on 67
//! reference texts) and against sentence-transformers' published vector.

use std::path::Path;

use rust_bert::pipelines::common::{ModelType, TokenizerOption};
use rust_tokenizers::tokenizer::TruncationStrategy;
use serde::Deserialize;
use tch::{Kind, Tensor};

/// The fields of the model folder's `config.json` the forward pass needs.
#[derive(Debug, Deserialize)]
struct BertConfig {
    hidden_size: i64,
    num_attention_heads: i64,
    num_hidden_layers: usize,
    layer_norm_eps: f64,
    hidden_act: String,
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

struct Norm {
    weight: Tensor,
    bias: Tensor,
}

struct Layer {
    qkv_weight: Tensor,
    qkv_bias: Tensor,
    attention_out_weight: Tensor,
    attention_out_bias: Tensor,
    attention_norm: Norm,
    intermediate_weight: Tensor,
    intermediate_bias: Tensor,
    output_weight: Tensor,
    output_bias: Tensor,
    output_norm: Norm,
}

/// The model on one thread: weights, tokenizer and the forward pass.
pub struct MiniLm {
    tokenizer: TokenizerOption,
    pad_id: i64,
    max_tokens: usize,
    word_embeddings: Tensor,
    position_embeddings: Tensor,
    token_type_embedding: Tensor,
    embedding_norm: Norm,
    layers: Vec<Layer>,
    hidden: i64,
    heads: i64,
    eps: f64,
    /// The number format of the products' weights and inputs.
    products: Kind,
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("parsing {}: {e}", path.display()))
}

impl MiniLm {
    /// Loads the sentence-transformers folder `dir`; `bf16` runs the
    /// products in bfloat16.
    pub fn load(dir: &Path, bf16: bool) -> Result<Self, String> {
        let config: BertConfig = read_json(&dir.join("config.json"))?;
        if config.hidden_act != "gelu" {
            return Err(format!(
                "{}: hidden_act {:?} is not supported (only \"gelu\")",
                dir.display(),
                config.hidden_act
            ));
        }
        let sentence: SentenceBertConfig = read_json(&dir.join("sentence_bert_config.json"))?;
        let tokenizer_config: TokenizerConfig = read_json(&dir.join("tokenizer_config.json"))?;
        let vocab = dir.join("vocab.txt");
        let tokenizer = TokenizerOption::from_file(
            ModelType::Bert,
            &vocab.to_string_lossy(),
            None,
            tokenizer_config.do_lower_case.unwrap_or(false),
            tokenizer_config.strip_accents,
            None,
        )
        .map_err(|e| format!("loading the tokenizer {}: {e}", vocab.display()))?;
        let pad_id = tokenizer.get_pad_id().unwrap_or(0);

        let weights_path = dir.join("model.safetensors");
        let mut weights: std::collections::HashMap<String, Tensor> =
            Tensor::read_safetensors(&weights_path)
                .map_err(|e| format!("reading {}: {e}", weights_path.display()))?
                .into_iter()
                // Checkpoints saved from BertModel have no prefix; from BertFor… they have "bert.".
                .map(|(name, t)| (name.trim_start_matches("bert.").to_string(), t))
                .collect();
        let mut take = |name: &str| {
            weights
                .remove(name)
                .ok_or_else(|| format!("{} has no tensor {name}", weights_path.display()))
        };
        let products = if bf16 { Kind::BFloat16 } else { Kind::Float };
        let product = |t: Tensor| t.to_kind(products).contiguous();
        let embedding_norm = Norm {
            weight: take("embeddings.LayerNorm.weight")?,
            bias: take("embeddings.LayerNorm.bias")?,
        };
        let word_embeddings = take("embeddings.word_embeddings.weight")?;
        let position_embeddings = take("embeddings.position_embeddings.weight")?;
        let token_type_embedding = take("embeddings.token_type_embeddings.weight")?.get(0);
        let mut layers = Vec::with_capacity(config.num_hidden_layers);
        for i in 0..config.num_hidden_layers {
            let p = format!("encoder.layer.{i}");
            let mut part = |name: &str| take(&format!("{p}.{name}"));
            let qkv_weight = Tensor::cat(
                &[
                    part("attention.self.query.weight")?,
                    part("attention.self.key.weight")?,
                    part("attention.self.value.weight")?,
                ],
                0,
            );
            let qkv_bias = Tensor::cat(
                &[
                    part("attention.self.query.bias")?,
                    part("attention.self.key.bias")?,
                    part("attention.self.value.bias")?,
                ],
                0,
            );
            layers.push(Layer {
                qkv_weight: product(qkv_weight),
                qkv_bias: product(qkv_bias),
                attention_out_weight: product(part("attention.output.dense.weight")?),
                attention_out_bias: product(part("attention.output.dense.bias")?),
                attention_norm: Norm {
                    weight: part("attention.output.LayerNorm.weight")?,
                    bias: part("attention.output.LayerNorm.bias")?,
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
        Ok(Self {
            tokenizer,
            pad_id,
            max_tokens: sentence.max_seq_length,
            word_embeddings,
            position_embeddings,
            token_type_embedding,
            embedding_norm,
            layers,
            hidden: config.hidden_size,
            heads: config.num_attention_heads,
            eps: config.layer_norm_eps,
            products,
        })
    }

    fn norm(&self, x: &Tensor, norm: &Norm) -> Tensor {
        x.layer_norm(
            [self.hidden],
            Some(&norm.weight),
            Some(&norm.bias),
            self.eps,
            false,
        )
    }

    /// One normalized embedding per text, in order.
    pub fn encode(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, String> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        // One text at a time on this thread: `encode_list` would hand a
        // dozen tokens to rayon's pool and wait for it.
        let encoded: Vec<_> = texts
            .iter()
            .map(|text| {
                self.tokenizer.encode_pair(
                    text,
                    None,
                    self.max_tokens,
                    &TruncationStrategy::LongestFirst,
                    0,
                )
            })
            .collect();
        let batch = encoded.len() as i64;
        let length = encoded.iter().map(|e| e.token_ids.len()).max().unwrap_or(0) as i64;
        let mut ids = Vec::with_capacity((batch * length) as usize);
        for e in &encoded {
            ids.extend_from_slice(&e.token_ids);
            ids.extend(std::iter::repeat_n(
                self.pad_id,
                length as usize - e.token_ids.len(),
            ));
        }
        tch::no_grad(|| self.forward(&ids, batch, length))
    }

    fn forward(&self, ids: &[i64], batch: i64, length: i64) -> Result<Vec<Vec<f32>>, String> {
        let (hidden, heads) = (self.hidden, self.heads);
        let head_dim = hidden / heads;
        let ids = Tensor::from_slice(ids);
        // Padding is the pad id, as rust-bert's pipeline defines it.
        let real = ids.ne(self.pad_id).view([batch, length]);
        let mut x = self
            .word_embeddings
            .index_select(0, &ids)
            .view([batch, length, hidden])
            + self.position_embeddings.narrow(0, 0, length)
            + &self.token_type_embedding;
        x = self.norm(&x, &self.embedding_norm);
        // [batch, 1, 1, length]: every query may look at the real keys only.
        let attend = real.view([batch, 1, 1, length]);
        for layer in &self.layers {
            let input = x.to_kind(self.products);
            let qkv = input
                .linear(&layer.qkv_weight, Some(&layer.qkv_bias))
                .view([batch, length, 3, heads, head_dim])
                .permute([2, 0, 3, 1, 4]);
            let context = Tensor::scaled_dot_product_attention(
                &qkv.get(0),
                &qkv.get(1),
                &qkv.get(2),
                Some(&attend),
                0.0,
                false,
                None,
            )
            .transpose(1, 2)
            .reshape([batch, length, hidden]);
            let attended =
                context.linear(&layer.attention_out_weight, Some(&layer.attention_out_bias));
            x = self.norm(&(attended + &x), &layer.attention_norm);
            let inner = x
                .to_kind(self.products)
                .linear(&layer.intermediate_weight, Some(&layer.intermediate_bias))
                .gelu("none")
                .linear(&layer.output_weight, Some(&layer.output_bias));
            x = self.norm(&(inner + &x), &layer.output_norm);
        }
        let weights = real.to_kind(Kind::Float).unsqueeze(-1);
        let pooled = (x * &weights).sum_dim_intlist(&[1i64][..], false, Kind::Float)
            / weights
                .sum_dim_intlist(&[1i64][..], false, Kind::Float)
                .clamp_min(1e-9);
        let normalized = &pooled / pooled.norm_scalaropt_dim(2, [1i64], true).clamp_min(1e-12);
        Vec::<Vec<f32>>::try_from(normalized.contiguous())
            .map_err(|e| format!("reading the embeddings: {e}"))
    }
}
