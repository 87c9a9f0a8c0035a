//! The forward pass of a sentence-transformers encoder (all-MiniLM-L6-v2's
//! BERT, all-mpnet-base-v2's MPNet), written for serving short texts.
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
//! MPNet differs from BERT in three places (`weights.rs` reads which): no
//! token-type embedding, positions counted from the pad id + 1, and a learned
//! bias by relative position added to every layer's attention scores, which
//! here joins the padding mask as one additive mask.
//!
//! Tokenization is rust-bert's own (`TokenizerOption`, built the way
//! `SentenceEmbeddingsModel::new` builds it from the model folder), and the
//! output is what sentence-transformers computes: mean of the last hidden
//! states over real tokens, L2-normalized. `models/embed/tests/model.rs`
//! checks it against rust-bert's float32 pipeline (cosine ≥ 0.999 on 67
//! reference texts) and against sentence-transformers' published vector.

use rust_bert::pipelines::common::TokenizerOption;
use rust_tokenizers::tokenizer::TruncationStrategy;
use tch::{Kind, Tensor};

pub(crate) struct Norm {
    pub(crate) weight: Tensor,
    pub(crate) bias: Tensor,
}

pub(crate) struct Layer {
    pub(crate) qkv_weight: Tensor,
    pub(crate) qkv_bias: Tensor,
    pub(crate) attention_out_weight: Tensor,
    pub(crate) attention_out_bias: Tensor,
    pub(crate) attention_norm: Norm,
    pub(crate) intermediate_weight: Tensor,
    pub(crate) intermediate_bias: Tensor,
    pub(crate) output_weight: Tensor,
    pub(crate) output_bias: Tensor,
    pub(crate) output_norm: Norm,
}

/// MPNet's attention bias by relative position: a learned value per head and
/// bucket, the buckets exact up to a few tokens apart and logarithmic beyond.
pub(crate) struct RelativeBias {
    /// [buckets, heads].
    pub(crate) table: Tensor,
    pub(crate) buckets: i64,
    pub(crate) max_distance: i64,
}

impl RelativeBias {
    /// MPNet's `relative_position_bucket` for `relative` = key − query
    /// position (bidirectional: half the buckets for each direction). The
    /// logarithm is taken in float32, as the reference computes it.
    fn bucket(&self, relative: i64) -> i64 {
        let half = self.buckets / 2;
        let n = -relative;
        let base = if n < 0 { half } else { 0 };
        let n = n.abs();
        let exact = half / 2;
        if n < exact {
            return base + n;
        }
        let scaled = (n as f32 / exact as f32).ln()
            / (self.max_distance as f32 / exact as f32).ln()
            * (half - exact) as f32;
        base + (exact + scaled as i64).min(half - 1)
    }

    /// [1, heads, length, length], to add to the attention scores.
    fn for_length(&self, length: i64) -> Tensor {
        let buckets: Vec<i64> = (0..length)
            .flat_map(|query| (0..length).map(move |key| (query, key)))
            .map(|(query, key)| self.bucket(key - query))
            .collect();
        self.table
            .index_select(0, &Tensor::from_slice(&buckets))
            .view([length, length, -1])
            .permute([2, 0, 1])
            .unsqueeze(0)
    }
}

/// A sentence-transformers model on one thread: weights, tokenizer and the
/// forward pass (BERT or MPNet, read from the folder by `weights::load`).
pub struct Encoder {
    pub(crate) tokenizer: TokenizerOption,
    pub(crate) pad_id: i64,
    /// Token ids to replace after tokenizing (MPNet's `<s>`/`</s>` for BERT's
    /// `[CLS]`/`[SEP]`); empty for BERT.
    pub(crate) swaps: Vec<(i64, i64)>,
    pub(crate) max_tokens: usize,
    pub(crate) word_embeddings: Tensor,
    pub(crate) position_embeddings: Tensor,
    /// The position embedding of a text's first token: 0 for BERT, pad id + 1 for MPNet.
    pub(crate) first_position: i64,
    /// BERT's (every text is segment 0); MPNet has none.
    pub(crate) token_type_embedding: Option<Tensor>,
    pub(crate) embedding_norm: Norm,
    pub(crate) layers: Vec<Layer>,
    /// MPNet's, shared by every layer; BERT has none.
    pub(crate) relative: Option<RelativeBias>,
    pub(crate) hidden: i64,
    pub(crate) heads: i64,
    pub(crate) eps: f64,
    /// The number format of the products' weights and inputs.
    pub(crate) products: Kind,
}

impl Encoder {
    /// The length of the vectors [`Encoder::encode`] returns.
    pub fn dimension(&self) -> usize {
        self.hidden as usize
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
            ids.extend(e.token_ids.iter().map(|id| {
                self.swaps
                    .iter()
                    .find(|(from, _)| from == id)
                    .map_or(*id, |(_, to)| *to)
            }));
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
            + self
                .position_embeddings
                .narrow(0, self.first_position, length);
        if let Some(token_type) = &self.token_type_embedding {
            x += token_type;
        }
        x = self.norm(&x, &self.embedding_norm);
        // [batch, 1, 1, length]: every query may look at the real keys only.
        // With a relative bias the mask is additive: the bias, and −∞ at padding.
        let real_keys = real.view([batch, 1, 1, length]);
        let attend = match &self.relative {
            None => real_keys,
            Some(relative) => {
                let padding = real_keys.logical_not().to_kind(Kind::Float) * f64::from(f32::MIN);
                (relative.for_length(length) + padding).to_kind(self.products)
            }
        };
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
