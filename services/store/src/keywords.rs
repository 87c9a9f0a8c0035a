//! BM25 keyword vectors, computed with qdrant-edge's own BM25 (the same
//! tokenizer, stopwords and stemmer as a Qdrant server), stored as a sparse
//! vector whose IDF Qdrant applies at query time (`Modifier::Idf`). Documents
//! carry saturated, length-normalized term frequencies; queries carry 1 per term.

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

    /// `None` when the text has no searchable term (only stopwords, say).
    pub fn query(&self, text: &str) -> Option<SparseVector> {
        let v = self.bm25.embed_query(text);
        (!v.indices.is_empty()).then_some(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_and_drops_stopwords_like_qdrant() {
        let k = Keywords::new();
        assert_eq!(
            k.query("nurses").unwrap().indices,
            k.query("nurse").unwrap().indices
        );
        assert!(k.query("the and of").is_none());
        assert!(!k.document("Critical care nurses").indices.is_empty());
    }
}
