//! The moderation use cases: submit, report, list, approve, reject.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::embedding::embed_communities;
use crate::ports::{ModerationQueue, StoreFilter, VectorQuery};
use crate::service::{Catalog, StatusUpdate};
use crate::submissions::{
    duplicate_flags, ItemKind, ItemState, ModerationItem, RejectInput, ReportInput, SubmissionInput,
};
use copmatch_domain::community::{Community, Status};
use copmatch_domain::error::{CoreError, ErrorCode};
use copmatch_domain::ids::CommunityId;

const NEIGHBOURS: usize = 10;
const MAX_REASON_CHARS: usize = 500;

/// Seconds since the epoch, for `created_at` and `decided_at`.
fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs()
}

pub use copmatch_domain::time::{now_timestamp, today};

#[derive(Clone)]
pub struct Moderator {
    catalog: Catalog,
    queue: Arc<dyn ModerationQueue>,
}

impl Moderator {
    pub fn new(catalog: Catalog, queue: Arc<dyn ModerationQueue>) -> Self {
        Self { catalog, queue }
    }

    fn item(
        kind: ItemKind,
        community: Community,
        contact: Option<String>,
        note: Option<String>,
    ) -> ModerationItem {
        let secs = now();
        ModerationItem {
            // uuid v7: time-ordered like the old clock id, but with 74 random
            // bits, so two replicas (or two items in one tick) never collide.
            id: format!("sub-{}", uuid::Uuid::now_v7().simple()),
            kind,
            state: ItemState::Pending,
            community,
            contact,
            note,
            duplicates: Vec::new(),
            created_at: secs,
            decided_at: None,
            reason: None,
            suggested_url: None,
        }
    }

    /// Queues a community for moderation, flagging likely duplicates.
    pub async fn submit(&self, input: SubmissionInput) -> Result<ModerationItem, CoreError> {
        let explicit_id = input
            .community
            .id
            .as_deref()
            .is_some_and(|id| !id.trim().is_empty());
        let (mut community, contact) = input.validate()?;
        let note = None;
        if self.catalog.store().get(&community.id).await?.is_some() {
            if explicit_id {
                return Err(CoreError::new(
                    ErrorCode::CommunityIdTaken,
                    format!(
                        "the catalog already has a community with id {:?}; leave `id` out to get a free one",
                        community.id.as_str()
                    ),
                ));
            }
            community.id = self.free_id(&community.id).await?;
        }
        self.queue_new(community, contact, note).await
    }

    /// Queues a harvested community from a source that is not trusted
    /// straight into the catalog; `note` says which source.
    pub async fn queue_harvested(
        &self,
        community: Community,
        note: String,
    ) -> Result<ModerationItem, CoreError> {
        self.queue_new(community, None, Some(note)).await
    }

    async fn queue_new(
        &self,
        community: Community,
        contact: Option<String>,
        note: Option<String>,
    ) -> Result<ModerationItem, CoreError> {
        let vector = embed_communities(
            self.catalog.embedder().as_ref(),
            std::slice::from_ref(&community),
        )
        .await?
        .remove(0);
        let hits = self
            .catalog
            .store()
            .search(VectorQuery {
                vector,
                keywords: None,
                filter: StoreFilter::default(),
                limit: NEIGHBOURS,
            })
            .await?;
        let neighbours: Vec<(Community, f32)> = hits
            .dense
            .into_iter()
            .map(|h| (h.community, h.score))
            .collect();
        let mut item = Self::item(ItemKind::Community, community, contact, note);
        item.duplicates = duplicate_flags(&item.community, &neighbours);
        self.queue.put(item.clone()).await?;
        Ok(item)
    }

    /// `base-2`, `base-3`, …: the first that no community has (one read).
    async fn free_id(&self, base: &CommunityId) -> Result<CommunityId, CoreError> {
        let candidates: Vec<CommunityId> = (2..1000)
            .filter_map(|n| CommunityId::parse(format!("{base}-{n}")).ok())
            .collect();
        let taken: Vec<CommunityId> = self
            .catalog
            .store()
            .get_many(&candidates)
            .await?
            .into_iter()
            .map(|r| r.community.id)
            .collect();
        candidates
            .into_iter()
            .find(|c| !taken.contains(c))
            .ok_or_else(|| {
                CoreError::new(
                    ErrorCode::InvalidSubmission,
                    "too many communities share this name; give an id",
                )
            })
    }

    /// Queues the checker's suggestion that a community's link moved to
    /// `url`, unless the same suggestion is already waiting.
    pub async fn suggest_move(&self, community: Community, url: String) -> Result<(), CoreError> {
        let waiting = self.queue.list(Some(ItemState::Pending)).await?;
        if waiting.iter().any(|i| {
            i.kind == ItemKind::MovedLink
                && i.community.id == community.id
                && i.suggested_url.as_deref() == Some(url.as_str())
        }) {
            return Ok(());
        }
        let note = Some(format!("the link redirects permanently to {url}"));
        let mut item = Self::item(ItemKind::MovedLink, community, None, note);
        item.suggested_url = Some(url);
        self.queue.put(item).await?;
        Ok(())
    }

    /// Queues a dead-link report about a catalog community.
    pub async fn report(&self, input: ReportInput) -> Result<ModerationItem, CoreError> {
        let note = input.validated_note()?;
        let id = CommunityId::parse(input.community_id.as_str())?;
        let community = self.catalog.get(&id).await?;
        let item = Self::item(ItemKind::DeadLinkReport, community, None, note);
        self.queue.put(item.clone()).await?;
        Ok(item)
    }

    /// Queues a report from feedback about `id`, unless a report of it is
    /// already waiting (many events about one community are one item).
    pub async fn report_once(&self, id: &CommunityId) -> Result<(), CoreError> {
        let waiting = self.queue.list(Some(ItemState::Pending)).await?;
        if waiting
            .iter()
            .any(|i| i.kind == ItemKind::DeadLinkReport && i.community.id == *id)
        {
            return Ok(());
        }
        let community = self.catalog.get(id).await?;
        let note = Some("reported by people through feedback (report_dead_link)".to_string());
        let item = Self::item(ItemKind::DeadLinkReport, community, None, note);
        self.queue.put(item).await?;
        Ok(())
    }

    pub async fn list(&self, state: Option<ItemState>) -> Result<Vec<ModerationItem>, CoreError> {
        Ok(self.queue.list(state).await?)
    }

    async fn pending(&self, id: &str) -> Result<ModerationItem, CoreError> {
        // Item ids are written in the community id alphabet; anything else
        // is refused as a malformed id before the queue is asked.
        CommunityId::parse(id)?;
        let item = self.queue.get(id).await?.ok_or_else(|| {
            CoreError::new(
                ErrorCode::SubmissionNotFound,
                format!("no submission or report with id {id:?}"),
            )
        })?;
        if item.state != ItemState::Pending {
            return Err(CoreError::new(
                ErrorCode::SubmissionAlreadyDecided,
                format!(
                    "{id:?} was already {}",
                    if item.state == ItemState::Approved {
                        "approved"
                    } else {
                        "rejected"
                    }
                ),
            ));
        }
        Ok(item)
    }

    /// Approves an item: a community enters the catalog (embedded and
    /// recommendable at once); a dead-link report marks its community dead; a
    /// moved link gives its community the new address.
    pub async fn approve(&self, id: &str) -> Result<ModerationItem, CoreError> {
        let mut item = self.pending(id).await?;
        match item.kind {
            ItemKind::Community => {
                self.catalog
                    .store_communities(vec![item.community.clone()])
                    .await?
            }
            ItemKind::DeadLinkReport => {
                let update = StatusUpdate {
                    status: Status::DeadLink.as_str().into(),
                    last_verified_at: Some(today()),
                    ..Default::default()
                };
                item.community = self
                    .catalog
                    .update_status(&item.community.id, update)
                    .await?;
            }
            ItemKind::MovedLink => {
                let url = item.suggested_url.clone().unwrap_or_default();
                item.community = self
                    .catalog
                    .update_stored(&item.community.id, |c| c.url = url)
                    .await?;
            }
        }
        item.state = ItemState::Approved;
        item.decided_at = Some(now());
        self.queue.put(item.clone()).await?;
        Ok(item)
    }

    pub async fn reject(&self, id: &str, input: RejectInput) -> Result<ModerationItem, CoreError> {
        // Blank is what the document's pattern says: space, tab, CR, LF.
        let reason = input
            .reason
            .trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n'))
            .to_string();
        if reason.is_empty() || input.reason.chars().count() > MAX_REASON_CHARS {
            return Err(CoreError::new(
                ErrorCode::InvalidRequestBody,
                format!("give a reason of 1 to {MAX_REASON_CHARS} characters"),
            ));
        }
        let mut item = self.pending(id).await?;
        item.state = ItemState::Rejected;
        item.decided_at = Some(now());
        item.reason = Some(reason);
        self.queue.put(item.clone()).await?;
        Ok(item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn item_ids_are_uuid_v7_in_the_id_alphabet_and_never_repeat() {
        let community = Community::from_json_value(serde_json::json!({
            "id": "x", "name": "X", "url": "https://x.example", "platform": "web"
        }))
        .unwrap();
        let ids: std::collections::HashSet<String> = (0..10_000)
            .map(|_| Moderator::item(ItemKind::Community, community.clone(), None, None).id)
            .collect();
        assert_eq!(ids.len(), 10_000, "ids made in one tick collide");
        let id = ids.iter().next().unwrap();
        CommunityId::parse(id.as_str()).unwrap();
        let uuid = uuid::Uuid::parse_str(id.strip_prefix("sub-").unwrap()).unwrap();
        assert_eq!(uuid.get_version_num(), 7, "{id}");
    }

    #[test]
    fn today_is_a_valid_date() {
        let t = today();
        assert!(
            copmatch_domain::community::check_timestamp("t", Some(t.clone()))
                .unwrap()
                .is_some(),
            "{t}"
        );
        assert!(t.as_str() >= "2024-01-01");
    }
}
