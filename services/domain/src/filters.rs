//! How a person narrows the results: platforms, categories, languages, cost,
//! and whether inactive communities count, resolved into a store filter.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::community::{Cost, Platform};
use crate::error::{CoreError, ErrorCode};
use crate::records::{FacetValues, StoreFilter};
use crate::text::normalize_key;

const MAX_FILTER_VALUES: usize = 50;

/// Optional restrictions on which communities may be recommended.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Filters {
    /// Any of these platforms, e.g. "slack", "discord".
    #[serde(default)]
    #[schema(value_type = Vec<Platform>, max_items = 50)]
    pub platforms: Vec<String>,
    /// Any of these categories (case-insensitive), e.g. "Public health".
    /// A category no community has is `unknown_filter_value` (404).
    #[serde(default)]
    #[schema(max_items = 50)]
    pub categories: Vec<String>,
    /// Any of these languages (case-insensitive), e.g. "English".
    #[serde(default)]
    #[schema(max_items = 50)]
    pub languages: Vec<String>,
    /// "free" or "paid".
    #[serde(default)]
    #[schema(value_type = Option<CostFilter>)]
    pub cost: Option<String>,
    /// Also show dead links, and rank inactive and unverified communities
    /// without demotion. Default false.
    #[serde(default)]
    pub include_inactive: bool,
}

/// The costs a filter can ask for.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum CostFilter {
    Free,
    Paid,
}

impl Filters {
    pub fn is_empty(&self) -> bool {
        self.platforms.is_empty()
            && self.categories.is_empty()
            && self.languages.is_empty()
            && self.cost.is_none()
            && !self.include_inactive
    }

    pub(crate) fn needs_facet_values(&self) -> bool {
        !self.categories.is_empty() || !self.languages.is_empty()
    }

    /// Resolves filter values into a store filter, rejecting any value that
    /// could never match (a typo would otherwise silently return nothing).
    pub fn resolve(&self, facets: Option<&FacetValues>) -> Result<StoreFilter, CoreError> {
        for (name, values) in [
            ("platforms", &self.platforms),
            ("categories", &self.categories),
            ("languages", &self.languages),
        ] {
            if values.len() > MAX_FILTER_VALUES {
                return Err(CoreError::new(
                    ErrorCode::UnknownFilterValue,
                    format!("filters.{name} has more than {MAX_FILTER_VALUES} values"),
                ));
            }
        }
        let mut filter = StoreFilter::default();
        if !self.include_inactive {
            filter
                .exclude_statuses
                .push(crate::community::Status::DeadLink);
        }
        for raw in &self.platforms {
            let platform = Platform::parse(raw).ok_or_else(|| {
                CoreError::new(
                    ErrorCode::UnknownFilterValue,
                    format!(
                        "unknown platform {raw:?} in filters.platforms; expected one of {}",
                        Platform::allowed_list()
                    ),
                )
            })?;
            filter.platforms.push(platform);
        }
        filter.cost = match self.cost.as_deref() {
            None => None,
            Some(raw) => match Cost::parse(raw) {
                Some(cost @ (Cost::Free | Cost::Paid)) => Some(cost),
                _ => {
                    return Err(CoreError::new(
                        ErrorCode::UnknownFilterValue,
                        format!(
                            "unknown cost {raw:?} in filters.cost; expected \"free\" or \"paid\""
                        ),
                    ))
                }
            },
        };
        if self.needs_facet_values() {
            let facets = facets.cloned().unwrap_or_default();
            filter.category_keys =
                known_keys("categories", &self.categories, &facets.category_keys)?;
            filter.language_keys = known_keys("languages", &self.languages, &facets.language_keys)?;
        }
        Ok(filter)
    }
}

fn known_keys(name: &str, values: &[String], known: &[String]) -> Result<Vec<String>, CoreError> {
    values
        .iter()
        .map(|raw| {
            let key = normalize_key(raw);
            if known.contains(&key) {
                Ok(key)
            } else {
                let mut examples: Vec<&str> = known.iter().map(String::as_str).collect();
                examples.sort_unstable();
                examples.truncate(40);
                Err(CoreError::new(
                    ErrorCode::UnknownFilterValue,
                    format!(
                        "no community has {raw:?} in filters.{name}; known values include: {}",
                        examples.join(", ")
                    ),
                ))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_platform_and_cost_are_refused() {
        let f = Filters {
            platforms: vec!["myspace".into()],
            ..Default::default()
        };
        assert_eq!(
            f.resolve(None).unwrap_err().code,
            ErrorCode::UnknownFilterValue
        );
        let f = Filters {
            cost: Some("cheap".into()),
            ..Default::default()
        };
        assert_eq!(
            f.resolve(None).unwrap_err().code,
            ErrorCode::UnknownFilterValue
        );
    }

    #[test]
    fn categories_resolve_case_insensitively_against_the_stores_facet_values() {
        let facets = FacetValues {
            category_keys: vec!["public health".into()],
            language_keys: vec!["english".into()],
        };
        let f = Filters {
            categories: vec!["Public Health".into()],
            languages: vec!["ENGLISH".into()],
            ..Default::default()
        };
        let resolved = f.resolve(Some(&facets)).unwrap();
        assert_eq!(resolved.category_keys, vec!["public health"]);
        let f = Filters {
            categories: vec!["astrology".into()],
            ..Default::default()
        };
        let err = f.resolve(Some(&facets)).unwrap_err();
        assert!(err.message.contains("public health"), "{}", err.message);
    }
}
