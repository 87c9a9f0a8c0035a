//! The bounds on stored users (`copmatch_core::retention`) on a Qdrant
//! server: folding a user's oldest events, and finding idle anonymous users
//! by their `active_ms`.

use copmatch_core::feedback::User;
use copmatch_core::retention::roll_up;
use copmatch_core::{StoreError, UserStore};
use jiff::Timestamp;
use qdrant_client::qdrant::{
    Condition, DeletePointsBuilder, Filter, PointId, Range, ScrollPointsBuilder,
};

use super::store_error;
use super::users::{from_payload, point_id, QdrantUsers};

impl QdrantUsers {
    /// Folds one user's oldest events past `keep`; how many.
    pub(super) async fn roll_up_one(
        &self,
        user_id: &str,
        keep: usize,
    ) -> Result<usize, StoreError> {
        let Some(user) = self.get_user(user_id).await? else {
            return Ok(0);
        };
        let events = self.events_of_user(user_id).await?;
        let Some((user, folded)) = roll_up(&user, &events, keep) else {
            return Ok(0);
        };
        // The record first: it alone says which events are counted, so a
        // failure before the delete leaves events that are skipped, never
        // counted twice.
        self.set_user_payload(
            vec![point_id("user", user_id)],
            serde_json::json!({ "user": user }),
        )
        .await?;
        let points: Vec<PointId> = folded.iter().map(|id| point_id("feedback", id)).collect();
        self.client
            .delete_points(
                DeletePointsBuilder::new(&self.feedback)
                    .points(points)
                    .wait(true)
                    .ordering(super::strong_ordering()),
            )
            .await
            .map_err(|e| store_error("folding feedback", e))?;
        Ok(folded.len())
    }

    /// Anonymous users whose `active_ms` is before `before`.
    pub(super) async fn idle_users(
        &self,
        before: Timestamp,
        limit: usize,
    ) -> Result<Vec<String>, StoreError> {
        let filter = Filter::must([
            Condition::matches("user.anonymous", true),
            Condition::range(
                "active_ms",
                Range {
                    lt: Some(before.as_millisecond() as f64),
                    ..Default::default()
                },
            ),
        ]);
        let response = self
            .client
            .scroll(
                ScrollPointsBuilder::new(&self.users)
                    .filter(filter)
                    .limit(limit.max(1) as u32)
                    .with_payload(true)
                    .with_vectors(false),
            )
            .await
            .map_err(|e| store_error("reading users", e))?;
        response
            .result
            .into_iter()
            .map(|p| from_payload::<User>(p.payload, Some("user")).map(|u| u.id.to_string()))
            .collect()
    }
}
