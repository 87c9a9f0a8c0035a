//! A community as a qdrant-edge point and back: point ids, payload, vectors,
//! filters, and the nearest-neighbour query both halves of a search use.

use copmatch_core::{Community, CommunityRecord, ScoredRecord, StoreError, StoreFilter};
use qdrant_edge::{
    Condition, EdgeShard, FieldCondition, Filter, HasIdCondition, Match, NamedQuery,
    PayloadSchemaType, PointId, QueryEnum, QueryRequest, Record, ScoredPoint, ScoringQuery,
    VectorInternal, VectorStructInternal, WithPayloadInterface, WithVector,
};
use uuid::Uuid;

use crate::payload::{community_from_document, point_uuid, FilterParts, INDEXED_FIELDS};

/// Every indexed payload field is a keyword field.
pub fn indexed_fields() -> impl Iterator<Item = (&'static str, PayloadSchemaType)> {
    INDEXED_FIELDS
        .into_iter()
        .map(|field| (field, PayloadSchemaType::Keyword))
}

pub fn point_id(community_id: &str) -> PointId {
    PointId::Uuid(point_uuid(community_id))
}

/// A scroll cursor is the next point's UUID.
pub fn parse_cursor(cursor: &str) -> Result<PointId, StoreError> {
    Uuid::parse_str(cursor).map(PointId::Uuid).map_err(|_| {
        StoreError::Internal(format!("{cursor:?} is not a scroll cursor of this store"))
    })
}

fn community_from_payload(payload: Option<&qdrant_edge::Payload>) -> Result<Community, String> {
    community_from_document(payload.and_then(|p| p.0.get("community")))
}

pub fn dense_vector(vector: Option<&VectorStructInternal>) -> Result<Vec<f32>, String> {
    match vector {
        Some(VectorStructInternal::Single(v)) => Ok(v.clone()),
        Some(VectorStructInternal::Named(map)) => match map.get("") {
            Some(VectorInternal::Dense(v)) => Ok(v.clone()),
            _ => Err("a stored point has no dense vector".into()),
        },
        _ => Err("a stored point has no dense vector".into()),
    }
}

pub fn record_from_point(record: &Record) -> Result<CommunityRecord, String> {
    Ok(CommunityRecord {
        community: community_from_payload(record.payload.as_ref())?,
        vector: dense_vector(record.vector.as_ref())?,
    })
}

pub fn community_from_point(record: &Record) -> Result<Community, String> {
    community_from_payload(record.payload.as_ref())
}

pub fn scored_from_point(point: &ScoredPoint) -> Result<ScoredRecord, String> {
    Ok(ScoredRecord {
        community: community_from_payload(point.payload.as_ref())?,
        vector: dense_vector(point.vector.as_ref())?,
        score: point.score,
    })
}

fn any_of(field: &str, values: Vec<String>) -> Condition {
    Condition::Field(FieldCondition::new_match(
        field
            .try_into()
            .expect("static field names are valid JSON paths"),
        Match::from(values),
    ))
}

/// Translates a domain filter into a qdrant-edge filter (None when unrestricted).
pub fn to_filter(filter: &StoreFilter) -> Option<Filter> {
    let parts = FilterParts::of(filter);
    if parts.is_empty() {
        return None;
    }
    let must: Vec<Condition> = parts
        .must
        .into_iter()
        .map(|(field, values)| any_of(field, values))
        .collect();
    let mut must_not: Vec<Condition> = parts
        .must_not
        .into_iter()
        .map(|(field, values)| any_of(field, values))
        .collect();
    if !parts.excluded_ids.is_empty() {
        must_not.push(Condition::HasId(HasIdCondition::from_iter(
            parts.excluded_ids.iter().map(|id| point_id(id)),
        )));
    }
    Some(Filter {
        should: None,
        min_should: None,
        must: (!must.is_empty()).then_some(must),
        must_not: (!must_not.is_empty()).then_some(must_not),
    })
}

/// Nearest points by one vector, with payload and the dense vector.
pub fn nearest(
    shard: &EdgeShard,
    vector: VectorInternal,
    using: Option<&str>,
    filter: Option<Filter>,
    limit: usize,
    params: qdrant_edge::SearchParams,
) -> Result<Vec<ScoredRecord>, StoreError> {
    let request = QueryRequest {
        prefetches: vec![],
        query: Some(ScoringQuery::Vector(QueryEnum::Nearest(NamedQuery {
            query: vector,
            using: using.map(str::to_string),
        }))),
        filter,
        score_threshold: None,
        limit,
        offset: 0,
        params: Some(params),
        with_vector: WithVector::Selector(vec![String::new()]),
        with_payload: WithPayloadInterface::Bool(true),
    };
    let points = shard
        .query(request)
        .map_err(|e| StoreError::Internal(e.to_string()))?;
    points
        .iter()
        .map(|p| scored_from_point(p).map_err(StoreError::Internal))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn point_ids_are_stable_and_distinct() {
        assert_eq!(point_id("a"), point_id("a"));
        assert_ne!(point_id("a"), point_id("b"));
    }

    #[test]
    fn empty_filter_means_no_filter() {
        assert!(to_filter(&StoreFilter::default()).is_none());
        let f = to_filter(&StoreFilter {
            exclude_ids: vec!["x".into()],
            ..Default::default()
        })
        .unwrap();
        assert!(f.must.is_none() && f.must_not.is_some());
    }
}
