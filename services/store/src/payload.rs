//! How a community is laid out as a Qdrant point: a UUID derived from the
//! community id, the community document, and flat normalized fields that
//! filters and payload indexes work on.

use copmatch_core::{Community, CommunityRecord, StoreError, StoreFilter};
use qdrant_edge::{
    Condition, FieldCondition, Filter, HasIdCondition, Match, PayloadSchemaType, PointId, Record,
    ScoredPoint, VectorInternal, VectorStructInternal,
};
use serde_json::{json, Value};
use uuid::Uuid;

/// Payload fields that filters use; each gets a keyword index.
pub const INDEXED_FIELDS: [(&str, PayloadSchemaType); 6] = [
    ("id", PayloadSchemaType::Keyword),
    ("status", PayloadSchemaType::Keyword),
    ("platform", PayloadSchemaType::Keyword),
    ("cost", PayloadSchemaType::Keyword),
    ("category_keys", PayloadSchemaType::Keyword),
    ("language_keys", PayloadSchemaType::Keyword),
];

/// Community ids are free-form strings; Qdrant wants integers or UUIDs, so the
/// point id is a name-based UUID (v5) of the community id: stable across runs,
/// which makes upserts idempotent.
pub fn point_id(community_id: &str) -> PointId {
    PointId::Uuid(point_uuid(community_id))
}

pub fn point_uuid(community_id: &str) -> Uuid {
    Uuid::new_v5(
        &Uuid::NAMESPACE_URL,
        format!("copmatch:community:{community_id}").as_bytes(),
    )
}

/// A scroll cursor is the next point's UUID.
pub fn parse_cursor(cursor: &str) -> Result<PointId, StoreError> {
    Uuid::parse_str(cursor).map(PointId::Uuid).map_err(|_| {
        StoreError::Internal(format!("{cursor:?} is not a scroll cursor of this store"))
    })
}

pub fn to_payload(community: &Community) -> Value {
    json!({
        "id": community.id,
        "platform": community.platform.as_str(),
        "cost": community.cost.as_str(),
        "status": community.status.as_str(),
        "category_keys": community.category_keys(),
        "language_keys": community.language_keys(),
        "community": community,
    })
}

fn community_from_payload(payload: Option<&qdrant_edge::Payload>) -> Result<Community, String> {
    community_from_document(payload.and_then(|p| p.0.get("community")))
}

/// The community document kept under the payload key `community`.
pub fn community_from_document(doc: Option<&Value>) -> Result<Community, String> {
    let doc = doc.ok_or_else(|| "a stored point has no community payload".to_string())?;
    serde_json::from_value(doc.clone())
        .map_err(|e| format!("a stored community could not be read: {e}"))
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

pub fn scored_from_point(point: &ScoredPoint) -> Result<copmatch_core::ScoredRecord, String> {
    Ok(copmatch_core::ScoredRecord {
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

/// A domain filter as engine-neutral conditions: every `must` field must
/// match one of its values, no `must_not` field may, and the excluded
/// communities are left out. Both stores build their engine's filter from it.
#[derive(Debug, Default, PartialEq)]
pub struct FilterParts {
    pub must: Vec<(&'static str, Vec<String>)>,
    pub must_not: Vec<(&'static str, Vec<String>)>,
    pub excluded_ids: Vec<String>,
}

impl FilterParts {
    pub fn of(filter: &StoreFilter) -> Self {
        let mut parts = FilterParts::default();
        if !filter.platforms.is_empty() {
            parts.must.push((
                "platform",
                filter
                    .platforms
                    .iter()
                    .map(|p| p.as_str().to_string())
                    .collect(),
            ));
        }
        if !filter.category_keys.is_empty() {
            parts
                .must
                .push(("category_keys", filter.category_keys.clone()));
        }
        if !filter.language_keys.is_empty() {
            parts
                .must
                .push(("language_keys", filter.language_keys.clone()));
        }
        if let Some(cost) = filter.cost {
            parts.must.push(("cost", vec![cost.as_str().to_string()]));
        }
        if !filter.exclude_statuses.is_empty() {
            parts.must_not.push((
                "status",
                filter
                    .exclude_statuses
                    .iter()
                    .map(|s| s.as_str().to_string())
                    .collect(),
            ));
        }
        parts.excluded_ids = filter.exclude_ids.clone();
        parts
    }

    pub fn is_empty(&self) -> bool {
        self.must.is_empty() && self.must_not.is_empty() && self.excluded_ids.is_empty()
    }
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
