//! Browsing by field: the one field list with how many communities each
//! holds, and a field's communities a page at a time. Fields come from the
//! taxonomy (`data/fields.toml`); a community is in a field when its
//! categories name it.

use std::sync::Arc;

use copmatch_domain::error::{CoreError, ErrorCode};
use copmatch_domain::text::normalize_key;
use copmatch_harvest::fields::Field;
use serde::Serialize;
use utoipa::ToSchema;

use crate::ports::StoreFilter;

use super::{Catalog, CommunityPage};

/// One field and its size.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FieldCount {
    /// Stable key, for `GET /v1/communities?field=`.
    #[schema(example = "nursing")]
    pub id: String,
    #[schema(example = "Nursing and midwifery")]
    pub name: String,
    /// Communities in the field now.
    pub communities: usize,
}

/// Every field of the taxonomy, in its order, with counts (zero included).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FieldList {
    pub fields: Vec<FieldCount>,
}

#[derive(Clone)]
pub struct Browse {
    catalog: Catalog,
    /// (id, name) of every field.
    fields: Arc<Vec<(String, String)>>,
}

impl Browse {
    pub fn new(catalog: Catalog, fields: &[Field]) -> Browse {
        let fields = fields
            .iter()
            .map(|f| (f.id.clone(), f.name.clone()))
            .collect();
        Browse {
            catalog,
            fields: Arc::new(fields),
        }
    }

    fn filter(name: &str) -> StoreFilter {
        StoreFilter {
            category_keys: vec![normalize_key(name)],
            ..StoreFilter::default()
        }
    }

    pub async fn fields(&self) -> Result<FieldList, CoreError> {
        let mut fields = Vec::with_capacity(self.fields.len());
        for (id, name) in self.fields.iter() {
            let communities = self
                .catalog
                .store
                .count_matching(&Self::filter(name))
                .await?;
            fields.push(FieldCount {
                id: id.clone(),
                name: name.clone(),
                communities,
            });
        }
        Ok(FieldList { fields })
    }

    /// A page of the field's communities, in the store's stable order.
    pub async fn communities(
        &self,
        field: &str,
        limit: Option<usize>,
        offset: Option<usize>,
    ) -> Result<CommunityPage, CoreError> {
        let (_, name) = self
            .fields
            .iter()
            .find(|(id, _)| id == field.trim())
            .ok_or_else(|| {
                CoreError::new(
                    ErrorCode::UnknownField,
                    format!("no field {field:?}; GET /v1/fields lists them"),
                )
            })?;
        let limit = self.catalog.limits.validated_limit(limit)?;
        let offset = offset.unwrap_or(0);
        let filter = Self::filter(name);
        let total = self.catalog.store.count_matching(&filter).await?;
        let communities = if offset >= total {
            Vec::new()
        } else {
            self.catalog.store.list(&filter, offset, limit).await?
        };
        Ok(CommunityPage {
            communities,
            total,
            offset,
            limit,
        })
    }
}
