//! Index tuning shared by both stores (the `store.index` configuration
//! section). Defaults suit catalogs of thousands to a few hundred thousand
//! communities with 384-d vectors: HNSW m=16 / ef_construct=100 as Qdrant
//! ships, a search `ef` of 128 (recall ≈ 1 at that size), vectors in RAM, no
//! quantization (384 floats × 100k = 150 MB, small enough to keep exact).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Quantization {
    None,
    /// int8 scalar quantization: 4× less vector memory; candidates are
    /// rescored with the original vectors, so ranking quality holds.
    Int8,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IndexTuning {
    /// Edges per node of the HNSW graph.
    pub hnsw_m: usize,
    /// Neighbours considered while building the graph.
    pub hnsw_ef_construct: usize,
    /// Candidates examined per search: higher finds more, costs more.
    pub search_ef: usize,
    pub quantization: Quantization,
    /// Keep vectors and the graph memory-mapped on disk instead of in RAM.
    pub on_disk: bool,
}

impl Default for IndexTuning {
    fn default() -> Self {
        Self {
            hnsw_m: 16,
            hnsw_ef_construct: 100,
            search_ef: 128,
            quantization: Quantization::None,
            on_disk: false,
        }
    }
}

/// Below this many kilobytes of vectors a filtered search scans instead of
/// walking the graph (Qdrant's default).
pub const FULL_SCAN_THRESHOLD_KB: usize = 10_000;

impl IndexTuning {
    pub(crate) fn edge_hnsw(&self) -> qdrant_edge::HnswIndexConfig {
        serde_json::from_value(serde_json::json!({
            "m": self.hnsw_m,
            "ef_construct": self.hnsw_ef_construct,
            "full_scan_threshold": FULL_SCAN_THRESHOLD_KB,
            "max_indexing_threads": 0,
            "on_disk": self.on_disk,
        }))
        .expect("a valid HNSW configuration")
    }

    pub(crate) fn edge_quantization(&self) -> Option<qdrant_edge::QuantizationConfig> {
        match self.quantization {
            Quantization::None => None,
            Quantization::Int8 => Some(
                serde_json::from_value(serde_json::json!({"scalar": {"type": "int8", "quantile": 0.99, "always_ram": true}}))
                    .expect("a valid quantization configuration"),
            ),
        }
    }

    pub(crate) fn edge_search_params(&self) -> qdrant_edge::SearchParams {
        serde_json::from_value(serde_json::json!({"hnsw_ef": self.search_ef, "exact": false}))
            .expect("valid search parameters")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_converts_for_the_embedded_engine() {
        let mut tuning = IndexTuning {
            quantization: Quantization::Int8,
            on_disk: true,
            ..Default::default()
        };
        assert_eq!(tuning.edge_hnsw().m, 16);
        assert!(tuning.edge_quantization().is_some());
        assert_eq!(tuning.edge_search_params().hnsw_ef, Some(128));
        tuning.quantization = Quantization::None;
        assert!(tuning.edge_quantization().is_none());
    }
}
