//! The catalog's use cases: read, write, delete, import communities and
//! record their liveness. Every write embeds the community before storing it.

use crate::embedding::embed_communities;
use crate::import::{parse_lines, ImportReport};
use crate::ports::{CommunityRecord, StoreFilter};
use crate::progress::JobProgress;
use copmatch_domain::community::{check_timestamp, Community, Status};
use copmatch_domain::error::{CoreError, ErrorCode};
use copmatch_domain::ids::CommunityId;

use super::{Catalog, CommunityPage, StatusUpdate};

impl Catalog {
    /// Records what is known about a community's liveness. Fields left out
    /// keep their values; the embedding is unchanged.
    pub async fn update_status(
        &self,
        id: &CommunityId,
        update: StatusUpdate,
    ) -> Result<Community, CoreError> {
        let mut record = self.record(id).await?;
        let c = &mut record.community;
        c.status = Status::parse(&update.status).ok_or_else(|| {
            CoreError::new(
                ErrorCode::InvalidCommunity,
                format!(
                    "unknown status {:?}; expected active, inactive, dead_link or unknown",
                    update.status
                ),
            )
        })?;
        if let Some(at) = check_timestamp("last_verified_at", update.last_verified_at)? {
            c.last_verified_at = Some(at);
        }
        if let Some(at) = check_timestamp("last_activity_at", update.last_activity_at)? {
            c.last_activity_at = Some(at);
        }
        if update.member_count.is_some() {
            c.member_count = update.member_count;
        }
        if let Some(pinned) = update.pinned {
            c.liveness.pinned = pinned;
        }
        let community = c.clone();
        self.store.upsert(vec![record]).await?;
        Ok(community)
    }

    /// Changes a stored community in place, keeping its vector (for fields
    /// the model does not read: status, liveness, url).
    pub async fn update_stored(
        &self,
        id: &CommunityId,
        change: impl FnOnce(&mut Community),
    ) -> Result<Community, CoreError> {
        let mut record = self.record(id).await?;
        change(&mut record.community);
        let community = record.community.clone();
        self.store.upsert(vec![record]).await?;
        Ok(community)
    }

    pub(super) async fn record(&self, id: &CommunityId) -> Result<CommunityRecord, CoreError> {
        self.store.get(id).await?.ok_or_else(|| {
            CoreError::new(
                ErrorCode::CommunityNotFound,
                format!("no community with id {id:?}"),
            )
        })
    }

    pub async fn get(&self, id: &CommunityId) -> Result<Community, CoreError> {
        Ok(self.record(id).await?.community)
    }

    /// A page of the catalog. Any offset is accepted: past the end the page is empty.
    pub async fn list(
        &self,
        limit: Option<usize>,
        offset: Option<usize>,
    ) -> Result<CommunityPage, CoreError> {
        let limit = self.limits.validated_limit(limit)?;
        let offset = offset.unwrap_or(0);
        let total = self.store.count().await?;
        let communities = if offset >= total {
            Vec::new()
        } else {
            self.store
                .list(&StoreFilter::default(), offset, limit)
                .await?
        };
        Ok(CommunityPage {
            communities,
            total,
            offset,
            limit,
        })
    }

    /// Creates or replaces the community `id`. The body's `id` may be omitted;
    /// if present it must equal `id`. Returns whether it was created.
    pub async fn put(
        &self,
        id: &CommunityId,
        mut body: serde_json::Value,
    ) -> Result<(Community, bool), CoreError> {
        let object = body.as_object_mut().ok_or_else(|| {
            CoreError::new(
                ErrorCode::InvalidRequestBody,
                "the body must be a JSON object describing the community",
            )
        })?;
        match object.get("id") {
            None | Some(serde_json::Value::Null) => {
                object.insert("id".into(), serde_json::Value::String(id.to_string()));
            }
            Some(serde_json::Value::String(body_id)) if id == body_id => {}
            Some(other) => {
                return Err(CoreError::new(
                    ErrorCode::IdMismatch,
                    format!("the body's id {other} differs from the id {id:?} in the path"),
                ))
            }
        }
        let community = Community::from_json_value(body)?;
        let existed = self.store.get(id).await?.is_some();
        self.store_communities(vec![community.clone()]).await?;
        Ok((community, !existed))
    }

    pub async fn delete(&self, id: &CommunityId) -> Result<(), CoreError> {
        if self.store.delete(id).await? {
            Ok(())
        } else {
            Err(CoreError::new(
                ErrorCode::CommunityNotFound,
                format!("no community with id {id:?}"),
            ))
        }
    }

    /// Embeds and stores communities as they are (already validated).
    pub async fn store_communities(&self, communities: Vec<Community>) -> Result<(), CoreError> {
        let vectors = embed_communities(self.embedder.as_ref(), &communities).await?;
        let records = communities
            .into_iter()
            .zip(vectors)
            .map(|(community, vector)| CommunityRecord { community, vector })
            .collect();
        self.store.upsert(records).await?;
        Ok(())
    }

    /// Imports JSON Lines text; see [`crate::import`] for the semantics.
    pub async fn import(
        &self,
        text: &str,
        progress: &dyn JobProgress,
    ) -> Result<ImportReport, CoreError> {
        let (valid, errors, received) = parse_lines(text);
        progress.start(received);
        progress.advance(errors.len());
        let mut imported = 0;
        for batch in valid.chunks(self.limits.import_batch.max(1)) {
            self.store_communities(batch.iter().map(|(_, c)| c.clone()).collect())
                .await?;
            imported += batch.len();
            progress.advance(batch.len());
        }
        progress.finish();
        Ok(ImportReport {
            received,
            imported,
            failed: errors.len(),
            errors,
        })
    }
}
