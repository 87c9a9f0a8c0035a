//! Users and feedback on a Qdrant server: two collections without vectors,
//! so that replicas of copmatch share them and keep no local state.
//!
//! `<prefix>users` holds one point per user (id derived from the user id) with
//! the user under the payload key `user` and the time of the user's last write
//! (a put or an event), in milliseconds, under `active_ms`: the expiry of
//! anonymous users filters on both. `<prefix>feedback` holds one point
//! per event (id derived from the event id) with the event's fields as payload,
//! `user_id`, `community_id` and `type` indexed for the history and dead-link
//! queries.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use copmatch_core::feedback::{FeedbackEvent, FeedbackKind, User};
use copmatch_core::time::order_key;
use copmatch_core::time::parse_time;
use copmatch_core::StoreError;
use copmatch_core::UserStore;
use jiff::Timestamp;
use qdrant_client::qdrant::{
    facet_value, Condition, CreateCollectionBuilder, CreateFieldIndexCollectionBuilder,
    DeletePointsBuilder, FacetCountsBuilder, FieldType, Filter, GetPointsBuilder, PointId,
    PointStruct, ScrollPointsBuilder, SetPayloadPointsBuilder, UpsertPointsBuilder, Value,
};
use qdrant_client::{Payload, Qdrant};
use uuid::Uuid;

use super::{scroll_payloads, store_error, QdrantOptions};

#[derive(Clone)]
pub struct QdrantUsers {
    pub(super) client: Arc<Qdrant>,
    pub(super) users: String,
    pub(super) feedback: String,
}

pub(super) fn point_id(kind: &str, id: &str) -> PointId {
    PointId::from(
        Uuid::new_v5(
            &Uuid::NAMESPACE_URL,
            format!("copmatch:{kind}:{id}").as_bytes(),
        )
        .to_string(),
    )
}

pub(super) fn payload(json: serde_json::Value) -> Result<Payload, StoreError> {
    Payload::try_from(json).map_err(|e| StoreError::Internal(e.to_string()))
}

pub(super) fn from_payload<T: serde::de::DeserializeOwned>(
    payload: HashMap<String, Value>,
    key: Option<&str>,
) -> Result<T, StoreError> {
    let json = serde_json::Value::from(Payload::from(payload));
    let json = match key {
        Some(key) => json.get(key).cloned().unwrap_or_default(),
        None => json,
    };
    serde_json::from_value(json)
        .map_err(|e| StoreError::Internal(format!("a stored record could not be read: {e}")))
}

fn no_vectors() -> HashMap<String, Vec<f32>> {
    HashMap::new()
}

/// Creates a payload-only collection with keyword indexes, unless it exists.
pub(super) async fn ensure_collection(
    client: &Qdrant,
    options: &QdrantOptions,
    name: &str,
    indexed: &[&str],
) -> Result<(), StoreError> {
    let exists = client
        .collection_exists(name)
        .await
        .map_err(|e| store_error("checking a collection", e))?;
    if exists {
        return Ok(());
    }
    let request = CreateCollectionBuilder::new(name)
        .replication_factor(options.replication_factor)
        .write_consistency_factor(options.write_consistency_factor);
    if let Err(e) = client.create_collection(request).await {
        // Another replica may have created it a moment ago.
        if !client.collection_exists(name).await.unwrap_or(false) {
            return Err(store_error("creating a collection", e));
        }
    }
    for field in indexed {
        client
            .create_field_index(
                CreateFieldIndexCollectionBuilder::new(name, *field, FieldType::Keyword).wait(true),
            )
            .await
            .map_err(|e| store_error("creating a payload index", e))?;
    }
    Ok(())
}

impl QdrantUsers {
    /// Opens both collections, creating them on first use.
    pub async fn open(client: Arc<Qdrant>, options: &QdrantOptions) -> Result<Self, StoreError> {
        let users = format!("{}users", options.collection_prefix);
        let feedback = format!("{}feedback", options.collection_prefix);
        ensure_collection(&client, options, &users, &[]).await?;
        ensure_collection(
            &client,
            options,
            &feedback,
            &["user_id", "community_id", "type"],
        )
        .await?;
        Ok(Self {
            client,
            users,
            feedback,
        })
    }

    /// The collections this store owns (tests drop them).
    pub fn collections(&self) -> [&str; 2] {
        [&self.users, &self.feedback]
    }

    async fn scroll_filtered(&self, filter: Filter) -> Result<Vec<FeedbackEvent>, StoreError> {
        let mut events = scroll_payloads(
            &self.client,
            &self.feedback,
            Some(filter),
            "reading feedback",
        )
        .await?
        .into_iter()
        .map(|payload| from_payload(payload, None))
        .collect::<Result<Vec<FeedbackEvent>, _>>()?;
        events.sort_by(|a, b| {
            order_key(&a.ts)
                .cmp(&order_key(&b.ts))
                .then_with(|| a.id.cmp(&b.id))
        });
        Ok(events)
    }

    /// Sets payload keys of the users' points (other keys stay).
    pub(super) async fn set_user_payload(
        &self,
        ids: Vec<PointId>,
        json: serde_json::Value,
    ) -> Result<(), StoreError> {
        self.client
            .set_payload(
                SetPayloadPointsBuilder::new(&self.users, payload(json)?)
                    .points_selector(ids)
                    .wait(true)
                    .ordering(super::strong_ordering()),
            )
            .await
            .map_err(|e| store_error("writing a user", e))?;
        Ok(())
    }

    async fn upsert(&self, collection: &str, points: Vec<PointStruct>) -> Result<(), StoreError> {
        self.client
            .upsert_points(
                UpsertPointsBuilder::new(collection, points)
                    .wait(true)
                    .ordering(super::strong_ordering()),
            )
            .await
            .map_err(|e| store_error("writing to Qdrant", e))?;
        Ok(())
    }
}

#[async_trait]
impl UserStore for QdrantUsers {
    async fn put_user(&self, user: User) -> Result<(), StoreError> {
        let active = parse_time(&user.updated_at).map_or(0, |t| t.as_millisecond());
        let point = PointStruct::new(
            point_id("user", &user.id),
            no_vectors(),
            payload(serde_json::json!({ "user": user, "active_ms": active }))?,
        );
        self.upsert(&self.users, vec![point]).await
    }

    async fn get_user(&self, id: &str) -> Result<Option<User>, StoreError> {
        let response = self
            .client
            .get_points(
                GetPointsBuilder::new(&self.users, vec![point_id("user", id)]).with_payload(true),
            )
            .await
            .map_err(|e| store_error("reading a user", e))?;
        response
            .result
            .into_iter()
            .next()
            .map(|p| from_payload(p.payload, Some("user")))
            .transpose()
    }

    async fn delete_user(&self, id: &str) -> Result<bool, StoreError> {
        Ok(self.delete_users(&[id.to_string()]).await? == 1)
    }

    async fn delete_users(&self, ids: &[String]) -> Result<usize, StoreError> {
        let points: Vec<PointId> = ids.iter().map(|id| point_id("user", id)).collect();
        let present = self
            .client
            .get_points(GetPointsBuilder::new(&self.users, points.clone()))
            .await
            .map_err(|e| store_error("reading users", e))?
            .result
            .len();
        if present == 0 {
            return Ok(0);
        }
        // Events first, as on disk: a failure in between leaves the users to
        // be deleted again, never orphaned history.
        self.client
            .delete_points(
                DeletePointsBuilder::new(&self.feedback)
                    .points(Filter::must([Condition::matches("user_id", ids.to_vec())]))
                    .wait(true)
                    .ordering(super::strong_ordering()),
            )
            .await
            .map_err(|e| store_error("deleting users' feedback", e))?;
        self.client
            .delete_points(
                DeletePointsBuilder::new(&self.users)
                    .points(points)
                    .wait(true)
                    .ordering(super::strong_ordering()),
            )
            .await
            .map_err(|e| store_error("deleting users", e))?;
        Ok(present)
    }

    async fn append_events(&self, events: Vec<FeedbackEvent>) -> Result<(), StoreError> {
        let points = events
            .iter()
            .map(|e| {
                let json =
                    serde_json::to_value(e).map_err(|e| StoreError::Internal(e.to_string()))?;
                Ok(PointStruct::new(
                    point_id("feedback", &e.id),
                    no_vectors(),
                    payload(json)?,
                ))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        // One request: Qdrant applies a batch as one operation.
        self.upsert(&self.feedback, points).await?;
        let mut writers: Vec<&str> = events.iter().map(|e| e.user_id.as_str()).collect();
        writers.sort_unstable();
        writers.dedup();
        let ids = writers.iter().map(|id| point_id("user", id)).collect();
        let now = Timestamp::now().as_millisecond();
        self.set_user_payload(ids, serde_json::json!({ "active_ms": now }))
            .await
    }

    async fn events_of_user(&self, user_id: &str) -> Result<Vec<FeedbackEvent>, StoreError> {
        self.scroll_filtered(Filter::must([Condition::matches(
            "user_id",
            user_id.to_string(),
        )]))
        .await
    }

    async fn events_about(
        &self,
        community_id: &str,
        kind: FeedbackKind,
    ) -> Result<Vec<FeedbackEvent>, StoreError> {
        self.scroll_filtered(Filter::must([
            Condition::matches("community_id", community_id.to_string()),
            Condition::matches("type", kind.as_str().to_string()),
        ]))
        .await
    }

    async fn scroll_events(
        &self,
        cursor: Option<String>,
        limit: usize,
    ) -> Result<(Vec<FeedbackEvent>, Option<String>), StoreError> {
        let mut request = ScrollPointsBuilder::new(&self.feedback)
            .limit(limit.max(1) as u32)
            .with_payload(true)
            .with_vectors(false);
        if let Some(cursor) = cursor {
            request = request.offset(PointId::from(cursor));
        }
        let response = self
            .client
            .scroll(request)
            .await
            .map_err(|e| store_error("reading feedback", e))?;
        let events = response
            .result
            .into_iter()
            .map(|p| from_payload(p.payload, None))
            .collect::<Result<Vec<_>, _>>()?;
        let next = response
            .next_page_offset
            .and_then(|id| match id.point_id_options {
                Some(qdrant_client::qdrant::point_id::PointIdOptions::Uuid(u)) => Some(u),
                Some(qdrant_client::qdrant::point_id::PointIdOptions::Num(n)) => {
                    Some(n.to_string())
                }
                None => None,
            });
        Ok((events, next))
    }

    async fn roll_up_events(&self, user_ids: &[String], keep: usize) -> Result<usize, StoreError> {
        if user_ids.is_empty() {
            return Ok(0);
        }
        // One exact count per user, in one request.
        let counts = self
            .client
            .facet(
                FacetCountsBuilder::new(&self.feedback, "user_id")
                    .filter(Filter::must([Condition::matches(
                        "user_id",
                        user_ids.to_vec(),
                    )]))
                    .limit(user_ids.len() as u64)
                    .exact(true),
            )
            .await
            .map_err(|e| store_error("counting feedback", e))?;
        let mut folded = 0;
        for hit in counts.hits {
            if let (Some(facet_value::Variant::StringValue(id)), true) =
                (hit.value.and_then(|v| v.variant), hit.count as usize > keep)
            {
                folded += self.roll_up_one(&id, keep).await?;
            }
        }
        Ok(folded)
    }

    async fn idle_anonymous_users(
        &self,
        before: Timestamp,
        limit: usize,
    ) -> Result<Vec<String>, StoreError> {
        self.idle_users(before, limit).await
    }
}
