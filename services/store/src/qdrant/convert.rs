//! Communities as Qdrant server points: the same point ids, vectors and
//! payload as the embedded store (see `crate::payload`), in the gRPC types.

use std::collections::HashMap;

use copmatch_core::{Community, CommunityRecord, ScoredRecord, StoreError, StoreFilter};
use qdrant_client::qdrant::{
    point_id::PointIdOptions, vector_output, vectors_output::VectorsOptions, Condition, Filter,
    PointId, PointStruct, RetrievedPoint, ScoredPoint, Value, Vector, VectorOutput, VectorsOutput,
};
use qdrant_client::Payload;

use crate::keywords::{Keywords, KEYWORD_VECTOR};
use crate::payload::{self, FilterParts};

pub fn point_id(community_id: &str) -> PointId {
    PointId::from(payload::point_uuid(community_id).to_string())
}

pub fn cursor_of(id: &PointId) -> Option<String> {
    match &id.point_id_options {
        Some(PointIdOptions::Uuid(uuid)) => Some(uuid.clone()),
        Some(PointIdOptions::Num(n)) => Some(n.to_string()),
        None => None,
    }
}

/// The point of a community, and its keyword terms.
pub fn to_point(
    keywords: &Keywords,
    record: CommunityRecord,
) -> Result<(PointStruct, Vec<u32>), StoreError> {
    let sparse = keywords.document(&copmatch_ranking::wordings::community_text(
        &record.community,
    ));
    let terms = sparse.indices.clone();
    let sparse: Vec<(u32, f32)> = sparse.indices.into_iter().zip(sparse.values).collect();
    let vectors: HashMap<String, Vector> = [
        (String::new(), Vector::from(record.vector)),
        (KEYWORD_VECTOR.to_string(), Vector::from(sparse)),
    ]
    .into();
    let payload = Payload::try_from(payload::to_payload(&record.community)).map_err(|e| {
        StoreError::Internal(format!(
            "a community could not be written as a payload: {e}"
        ))
    })?;
    let point = PointStruct::new(point_id(&record.community.id), vectors, payload);
    Ok((point, terms))
}

fn community(payload: HashMap<String, Value>) -> Result<Community, StoreError> {
    let json = serde_json::Value::from(Payload::from(payload));
    payload::community_from_document(json.get("community")).map_err(StoreError::Internal)
}

fn dense(output: &VectorOutput) -> Option<Vec<f32>> {
    match &output.vector {
        Some(vector_output::Vector::Dense(d)) => Some(d.data.clone()),
        Some(_) => None,
        // Servers before the typed vector output send the floats in `data`.
        #[allow(deprecated)]
        None => (!output.data.is_empty() && output.indices.is_none()).then(|| output.data.clone()),
    }
}

fn dense_vector(vectors: Option<VectorsOutput>) -> Result<Vec<f32>, StoreError> {
    let found = match vectors.and_then(|v| v.vectors_options) {
        Some(VectorsOptions::Vector(v)) => dense(&v),
        Some(VectorsOptions::Vectors(named)) => named.vectors.get("").and_then(dense),
        None => None,
    };
    found.ok_or_else(|| StoreError::Internal("a stored point has no dense vector".into()))
}

pub fn record(point: RetrievedPoint) -> Result<CommunityRecord, StoreError> {
    Ok(CommunityRecord {
        vector: dense_vector(point.vectors)?,
        community: community(point.payload)?,
    })
}

pub fn community_of(point: RetrievedPoint) -> Result<Community, StoreError> {
    community(point.payload)
}

pub fn scored(point: ScoredPoint) -> Result<ScoredRecord, StoreError> {
    Ok(ScoredRecord {
        vector: dense_vector(point.vectors)?,
        community: community(point.payload)?,
        score: point.score,
    })
}

/// Translates a domain filter into a server filter (None when unrestricted).
pub fn to_filter(filter: &StoreFilter) -> Option<Filter> {
    let parts = FilterParts::of(filter);
    if parts.is_empty() {
        return None;
    }
    let mut must_not: Vec<Condition> = parts
        .must_not
        .into_iter()
        .map(|(field, values)| Condition::matches(field, values))
        .collect();
    if !parts.excluded_ids.is_empty() {
        must_not.push(Condition::has_id(
            parts.excluded_ids.iter().map(|id| point_id(id)),
        ));
    }
    Some(Filter {
        must: parts
            .must
            .into_iter()
            .map(|(field, values)| Condition::matches(field, values))
            .collect(),
        must_not,
        ..Default::default()
    })
}
