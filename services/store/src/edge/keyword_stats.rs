//! Reading keyword statistics from the shard: every stored point's keyword
//! terms once when the store opens, and the terms of the points a write is
//! about to replace or delete, so the kept [`KeywordStats`] follow each write.

use copmatch_core::StoreError;
use qdrant_edge::{
    EdgeShard, PointId, Record, ScrollRequest, VectorInternal, VectorStructInternal,
    WithPayloadInterface, WithVector,
};

use crate::keywords::{KeywordStats, KEYWORD_VECTOR};

fn internal(e: impl std::fmt::Display) -> StoreError {
    StoreError::Internal(e.to_string())
}

fn keyword_only() -> WithVector {
    WithVector::Selector(vec![KEYWORD_VECTOR.to_string()])
}

/// The keyword terms of a stored point (none when its text had none).
fn terms_of(record: &Record) -> Vec<u32> {
    match record.vector.as_ref() {
        Some(VectorStructInternal::Named(map)) => match map.get(KEYWORD_VECTOR) {
            Some(VectorInternal::Sparse(v)) => v.indices.clone(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// The statistics of everything the shard holds.
pub fn scan(shard: &EdgeShard) -> Result<KeywordStats, StoreError> {
    let mut stats = KeywordStats::default();
    let mut offset = None;
    loop {
        let (records, next) = shard
            .scroll(ScrollRequest {
                offset,
                limit: Some(1024),
                filter: None,
                with_payload: Some(WithPayloadInterface::Bool(false)),
                with_vector: keyword_only(),
                order_by: None,
            })
            .map_err(internal)?;
        for record in &records {
            stats.add(&terms_of(record));
        }
        match next {
            Some(n) => offset = Some(n),
            None => return Ok(stats),
        }
    }
}

/// The terms of those of `ids` that are stored now, one list per stored point.
pub fn stored_terms(shard: &EdgeShard, ids: &[PointId]) -> Result<Vec<Vec<u32>>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let records = shard
        .retrieve(
            ids,
            Some(WithPayloadInterface::Bool(false)),
            Some(keyword_only()),
        )
        .map_err(internal)?;
    Ok(records.iter().map(terms_of).collect())
}
