//! How a community is laid out as a point, whatever the engine: a UUID derived
//! from the community id, the community document, flat normalized fields that
//! filters and payload indexes work on, and a domain filter as engine-neutral
//! conditions. Each backend converts these into its engine's types
//! (`edge::points`, `qdrant::convert`).

use copmatch_core::{Community, StoreFilter};
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

/// Payload fields that filters use; each gets a keyword index on both backends.
pub const INDEXED_FIELDS: [&str; 6] = [
    "id",
    "status",
    "platform",
    "cost",
    "category_keys",
    "language_keys",
];

/// Community ids are free-form strings; Qdrant wants integers or UUIDs, so the
/// point id is a name-based UUID (v5) of the community id: stable across runs,
/// which makes upserts idempotent.
pub fn point_uuid(community_id: &str) -> Uuid {
    Uuid::new_v5(
        &Uuid::NAMESPACE_URL,
        format!("copmatch:community:{community_id}").as_bytes(),
    )
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

/// The community document kept under the payload key `community`.
pub fn community_from_document(doc: Option<&Value>) -> Result<Community, String> {
    let doc = doc.ok_or_else(|| "a stored point has no community payload".to_string())?;
    Community::deserialize(doc).map_err(|e| format!("a stored community could not be read: {e}"))
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
        parts.excluded_ids = filter.exclude_ids.iter().map(|id| id.to_string()).collect();
        parts
    }

    pub fn is_empty(&self) -> bool {
        self.must.is_empty() && self.must_not.is_empty() && self.excluded_ids.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn point_ids_are_stable_and_distinct() {
        assert_eq!(point_uuid("a"), point_uuid("a"));
        assert_ne!(point_uuid("a"), point_uuid("b"));
    }

    #[test]
    fn an_empty_filter_has_no_parts() {
        assert!(FilterParts::of(&StoreFilter::default()).is_empty());
        let parts = FilterParts::of(&StoreFilter {
            exclude_ids: vec![copmatch_core::CommunityId::parse("x").unwrap()],
            ..Default::default()
        });
        assert!(parts.must.is_empty() && parts.excluded_ids == ["x"]);
    }
}
