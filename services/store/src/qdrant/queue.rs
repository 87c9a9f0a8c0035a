//! The moderation queue as a Qdrant collection without vectors: one point per
//! item (id derived from the item id), the item under the payload key `item`
//! and its state in an indexed `state` field.

use std::sync::Arc;

use async_trait::async_trait;
use copmatch_core::submissions::{ItemState, ModerationItem};
use copmatch_core::{ModerationQueue, StoreError};
use qdrant_client::qdrant::{
    Condition, CreateCollectionBuilder, CreateFieldIndexCollectionBuilder, FieldType, Filter,
    GetPointsBuilder, PointId, PointStruct, UpsertPointsBuilder,
};
use qdrant_client::{Payload, Qdrant};
use uuid::Uuid;

use super::{scroll_payloads, store_error, QdrantOptions};

#[derive(Clone)]
pub struct QdrantQueue {
    client: Arc<Qdrant>,
    collection: String,
}

fn point_id(item_id: &str) -> PointId {
    PointId::from(
        Uuid::new_v5(
            &Uuid::NAMESPACE_URL,
            format!("copmatch:moderation:{item_id}").as_bytes(),
        )
        .to_string(),
    )
}

fn item_of(
    payload: std::collections::HashMap<String, qdrant_client::qdrant::Value>,
) -> Result<ModerationItem, StoreError> {
    let json = serde_json::Value::from(Payload::from(payload));
    serde_json::from_value(json.get("item").cloned().unwrap_or_default()).map_err(|e| {
        StoreError::Internal(format!("a stored moderation item could not be read: {e}"))
    })
}

impl QdrantQueue {
    /// Opens the queue, creating its collection on first use.
    pub async fn open(client: Arc<Qdrant>, options: &QdrantOptions) -> Result<Self, StoreError> {
        let collection = options.moderation_collection();
        let exists = client
            .collection_exists(&collection)
            .await
            .map_err(|e| store_error("checking a collection", e))?;
        if !exists {
            let request = CreateCollectionBuilder::new(&collection)
                .replication_factor(options.replication_factor)
                .write_consistency_factor(options.write_consistency_factor);
            if let Err(e) = client.create_collection(request).await {
                // Another replica may have created it a moment ago.
                if !client.collection_exists(&collection).await.unwrap_or(false) {
                    return Err(store_error("creating the moderation collection", e));
                }
            }
            client
                .create_field_index(
                    CreateFieldIndexCollectionBuilder::new(
                        &collection,
                        "state",
                        FieldType::Keyword,
                    )
                    .wait(true),
                )
                .await
                .map_err(|e| store_error("creating a payload index", e))?;
        }
        Ok(Self { client, collection })
    }
}

#[async_trait]
impl ModerationQueue for QdrantQueue {
    async fn put(&self, item: ModerationItem) -> Result<(), StoreError> {
        let json = serde_json::json!({"state": item.state, "item": item});
        let payload = Payload::try_from(json).map_err(|e| StoreError::Internal(e.to_string()))?;
        let point = PointStruct::new(
            point_id(&item.id),
            std::collections::HashMap::<String, Vec<f32>>::new(),
            payload,
        );
        self.client
            .upsert_points(
                UpsertPointsBuilder::new(&self.collection, vec![point])
                    .wait(true)
                    .ordering(super::strong_ordering()),
            )
            .await
            .map_err(|e| store_error("writing a moderation item", e))?;
        Ok(())
    }

    async fn get(&self, id: &str) -> Result<Option<ModerationItem>, StoreError> {
        let response = self
            .client
            .get_points(
                GetPointsBuilder::new(&self.collection, vec![point_id(id)]).with_payload(true),
            )
            .await
            .map_err(|e| store_error("reading a moderation item", e))?;
        response
            .result
            .into_iter()
            .next()
            .map(|p| item_of(p.payload))
            .transpose()
    }

    async fn list(&self, state: Option<ItemState>) -> Result<Vec<ModerationItem>, StoreError> {
        let filter = match state {
            Some(state) => {
                let value =
                    serde_json::to_value(state).map_err(|e| StoreError::Internal(e.to_string()))?;
                let state = value.as_str().unwrap_or_default().to_string();
                Some(Filter::must([Condition::matches("state", state)]))
            }
            None => None,
        };
        let mut items = scroll_payloads(
            &self.client,
            &self.collection,
            filter,
            "listing moderation items",
        )
        .await?
        .into_iter()
        .map(item_of)
        .collect::<Result<Vec<_>, _>>()?;
        items.sort_by(|a, b| {
            a.created_at
                .cmp(&b.created_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        Ok(items)
    }
}
