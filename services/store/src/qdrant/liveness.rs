//! The liveness history on a Qdrant server: the `<prefix>liveness`
//! collection, one payload-only point per check with `community_id` indexed.
//! After each append the community's checks beyond the cap are deleted,
//! oldest first.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use copmatch_core::liveness::CheckResult;
use copmatch_core::{LivenessLog, StoreError};
use qdrant_client::qdrant::{
    Condition, DeletePointsBuilder, Filter, PointStruct, UpsertPointsBuilder,
};
use qdrant_client::Qdrant;

use super::users::{ensure_collection, from_payload, payload, point_id};
use super::{scroll_payloads, store_error, strong_ordering, QdrantOptions};

#[derive(Clone)]
pub struct QdrantLiveness {
    client: Arc<Qdrant>,
    collection: String,
    cap: usize,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Stored {
    /// Names the point: community, time, and a nanosecond stamp.
    key: String,
    community_id: String,
    check: CheckResult,
}

impl QdrantLiveness {
    pub async fn open(
        client: Arc<Qdrant>,
        options: &QdrantOptions,
        cap: usize,
    ) -> Result<Self, StoreError> {
        let collection = format!("{}liveness", options.collection_prefix);
        ensure_collection(&client, options, &collection, &["community_id"]).await?;
        Ok(Self {
            client,
            collection,
            cap: cap.max(1),
        })
    }

    /// The collection this store owns (tests drop it).
    pub fn collection(&self) -> &str {
        &self.collection
    }

    async fn stored(&self, community_id: &str) -> Result<Vec<Stored>, StoreError> {
        let filter = Filter::must([Condition::matches("community_id", community_id.to_string())]);
        let mut stored = scroll_payloads(
            &self.client,
            &self.collection,
            Some(filter),
            "reading liveness checks",
        )
        .await?
        .into_iter()
        .map(|p| from_payload::<Stored>(p, None))
        .collect::<Result<Vec<_>, _>>()?;
        stored.sort_by(|a, b| {
            b.check
                .checked_at
                .cmp(&a.check.checked_at)
                .then_with(|| b.key.cmp(&a.key))
        });
        Ok(stored)
    }
}

#[async_trait]
impl LivenessLog for QdrantLiveness {
    async fn append(&self, check: CheckResult) -> Result<(), StoreError> {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let key = format!("{}:{}:{nanos}", check.community_id, check.checked_at);
        let record = Stored {
            key: key.clone(),
            community_id: check.community_id.to_string(),
            check,
        };
        let json =
            serde_json::to_value(&record).map_err(|e| StoreError::Internal(e.to_string()))?;
        let point = PointStruct::new(
            point_id("liveness", &key),
            std::collections::HashMap::<String, Vec<f32>>::new(),
            payload(json)?,
        );
        self.client
            .upsert_points(
                UpsertPointsBuilder::new(&self.collection, vec![point])
                    .wait(true)
                    .ordering(strong_ordering()),
            )
            .await
            .map_err(|e| store_error("writing a liveness check", e))?;
        let beyond: Vec<_> = self
            .stored(&record.community_id)
            .await?
            .into_iter()
            .skip(self.cap)
            .map(|s| point_id("liveness", &s.key))
            .collect();
        if !beyond.is_empty() {
            self.client
                .delete_points(
                    DeletePointsBuilder::new(&self.collection)
                        .points(beyond)
                        .wait(true)
                        .ordering(strong_ordering()),
                )
                .await
                .map_err(|e| store_error("trimming liveness checks", e))?;
        }
        Ok(())
    }

    async fn history(
        &self,
        community_id: &str,
        limit: usize,
    ) -> Result<Vec<CheckResult>, StoreError> {
        Ok(self
            .stored(community_id)
            .await?
            .into_iter()
            .take(limit)
            .map(|s| s.check)
            .collect())
    }
}
