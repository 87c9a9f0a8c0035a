//! BM25 keyword vectors, computed with qdrant-edge's own BM25 (the same
//! tokenizer, stopwords and stemmer as a Qdrant server). Documents carry
//! saturated, length-normalized term frequencies; a query carries each term's
//! IDF, computed here from [`KeywordStats`].
//!
//! Why not Qdrant's own IDF (`Modifier::Idf`): Qdrant counts a term in every
//! stored version of a point until its segments are vacuumed, deleted points
//! and replaced versions included, so a store that had communities deleted or
//! edited ranked differently from a fresh store of the same communities (and
//! from itself after a restart). The statistics here count only what the store
//! holds now; each store keeps them up to date on its own writes.

use std::collections::HashMap;

use qdrant_edge::bm25_embed::{EdgeBm25, EdgeBm25Config};
use qdrant_edge::external::ordered_float::NotNan;
use qdrant_edge::SparseVector;

/// Name of the sparse vector in the shard.
pub const KEYWORD_VECTOR: &str = "bm25";

/// Community texts are short (name, description, topics): tens of tokens, not
/// the 256 of BM25's default, which would under-normalize long descriptions.
const AVERAGE_DOCUMENT_TOKENS: f64 = 48.0;

pub struct Keywords {
    bm25: EdgeBm25,
}

impl Keywords {
    pub fn new() -> Self {
        let config = EdgeBm25Config {
            avg_len: NotNan::new(AVERAGE_DOCUMENT_TOKENS).expect("a number"),
            ..Default::default()
        };
        Self {
            bm25: EdgeBm25::new(config).expect("the default English BM25 configuration is valid"),
        }
    }

    pub fn document(&self, text: &str) -> SparseVector {
        self.bm25.embed_document(text)
    }

    /// The query vector, each term weighted by its IDF in `stats`; `None`
    /// when the text has no searchable term (only stopwords, say).
    pub fn query(&self, text: &str, stats: &KeywordStats) -> Option<SparseVector> {
        let mut v = self.bm25.embed_query(text);
        if v.indices.is_empty() {
            return None;
        }
        for (value, term) in v.values.iter_mut().zip(&v.indices) {
            *value *= stats.idf(*term);
        }
        Some(v)
    }
}

/// How many stored documents hold each term, and how many documents there
/// are: what IDF is computed from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KeywordStats {
    documents: u64,
    holding: HashMap<u32, u64>,
}

impl KeywordStats {
    /// Counts a document that is now stored (its keyword vector's terms).
    pub fn add(&mut self, terms: &[u32]) {
        self.documents += 1;
        for term in terms {
            *self.holding.entry(*term).or_default() += 1;
        }
    }

    /// Forgets a document that is no longer stored, or no longer in this form.
    pub fn remove(&mut self, terms: &[u32]) {
        self.documents = self.documents.saturating_sub(1);
        for term in terms {
            if let Some(n) = self.holding.get_mut(term) {
                *n -= 1;
                if *n == 0 {
                    self.holding.remove(term);
                }
            }
        }
    }

    /// BM25's IDF, as Qdrant computes it: `ln(1 + (N - n + 0.5) / (n + 0.5))`,
    /// never negative, so rare terms weigh most and common ones still count.
    pub fn idf(&self, term: u32) -> f32 {
        let n = self.holding.get(&term).copied().unwrap_or(0) as f64;
        let total = self.documents as f64;
        ((total - n + 0.5) / (n + 0.5) + 1.0).ln() as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_and_drops_stopwords_like_qdrant() {
        let k = Keywords::new();
        let none = KeywordStats::default();
        assert_eq!(
            k.query("nurses", &none).unwrap().indices,
            k.query("nurse", &none).unwrap().indices
        );
        assert!(k.query("the and of", &none).is_none());
        assert!(!k.document("Critical care nurses").indices.is_empty());
    }

    #[test]
    fn rare_terms_weigh_more_and_removing_a_document_undoes_adding_it() {
        let k = Keywords::new();
        let mut stats = KeywordStats::default();
        let empty = stats.clone();
        let docs = ["welding shop", "welding guild", "nursing guild"];
        for d in docs {
            stats.add(&k.document(d).indices);
        }
        let q = k.query("welding nursing", &stats).unwrap();
        let weight = |word: &str| {
            let term = k.query(word, &empty).unwrap().indices[0];
            q.values[q.indices.iter().position(|t| *t == term).unwrap()]
        };
        assert!(weight("nursing") > weight("welding"));
        // Qdrant's formula: 3 documents, "welding" in 2.
        assert!((weight("welding") - (1.0f32 + 1.5 / 2.5).ln()).abs() < 1e-6);
        let before = stats.clone();
        let extra = k.document("welding nursing farming");
        stats.add(&extra.indices);
        stats.remove(&extra.indices);
        assert_eq!(stats, before);
        for d in docs {
            stats.remove(&k.document(d).indices);
        }
        assert_eq!(stats, empty, "nothing is left of removed documents");
    }
}
