//! A community as a qdrant-edge point and back: point ids, payload, vectors,
//! filters, and the nearest-neighbour query both halves of a search use.

use copmatch_core::{Community, CommunityRecord, ScoredRecord, StoreError, StoreFilter};
use qdrant_edge::{
    Condition, EdgeShard, FieldCondition, Filter, HasIdCondition, Match, NamedQuery,
    PayloadSchemaType, PointId, QueryEnum, QueryRequest, Record, ScoringQuery, VectorInternal,
    VectorStructInternal, WithPayloadInterface, WithVector,
};
use std::collections::HashMap;
use std::sync::Arc;

use uuid::Uuid;

use super::read_cache::{Lookup, ReadCache};
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

/// Nearest points by one vector, with their community and dense vector.
/// The query itself returns ids, scores and vectors only; communities come
/// from `cache`, and those it lacks from one read of the shard.
pub fn nearest(
    shard: &EdgeShard,
    cache: &ReadCache,
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
        with_payload: WithPayloadInterface::Bool(false),
    };
    let points = shard
        .query(request)
        .map_err(|e| StoreError::Internal(e.to_string()))?;
    let ids: Vec<PointId> = points.iter().map(|p| p.id).collect();
    let communities = communities_of(shard, cache, &ids)?;
    let mut out = Vec::with_capacity(points.len());
    // A point deleted between the query and the read is left out.
    for (point, community) in points.iter().zip(communities) {
        if let Some(community) = community {
            out.push(ScoredRecord {
                community: Community::clone(&community),
                vector: dense_vector(point.vector.as_ref()).map_err(StoreError::Internal)?,
                score: point.score,
            });
        }
    }
    Ok(out)
}

/// The community of each point, `None` for points not (or no longer) stored.
fn communities_of(
    shard: &EdgeShard,
    cache: &ReadCache,
    ids: &[PointId],
) -> Result<Vec<Option<Arc<Community>>>, StoreError> {
    let Lookup {
        generation,
        mut found,
    } = cache.lookup(ids);
    let missing: Vec<PointId> = ids
        .iter()
        .zip(&found)
        .filter(|(_, cached)| cached.is_none())
        .map(|(id, _)| *id)
        .collect();
    if missing.is_empty() {
        return Ok(found);
    }
    let records = shard
        .retrieve(
            &missing,
            Some(WithPayloadInterface::Bool(true)),
            Some(WithVector::Bool(false)),
        )
        .map_err(|e| StoreError::Internal(e.to_string()))?;
    let mut read = HashMap::with_capacity(records.len());
    for record in &records {
        let community = community_from_point(record).map_err(StoreError::Internal)?;
        read.insert(record.id, Arc::new(community));
    }
    for (slot, id) in found.iter_mut().zip(ids) {
        if slot.is_none() {
            *slot = read.get(id).cloned();
        }
    }
    cache.insert(generation, read);
    Ok(found)
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
            exclude_ids: vec![copmatch_core::CommunityId::parse("x").unwrap()],
            ..Default::default()
        })
        .unwrap();
        assert!(f.must.is_none() && f.must_not.is_some());
    }
}
