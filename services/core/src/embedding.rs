//! Sending wordings to the model: every wording of a batch goes to the
//! [`Embedder`] in one call, and each group of wordings comes back as one
//! vector (their normalized mean). What the wordings are is decided in
//! `copmatch_ranking::wordings`.

use copmatch_ranking::vectors::group_means;
use copmatch_ranking::wordings::{community_wordings, item_wordings};

use crate::ports::{EmbedError, Embedder};
use copmatch_domain::community::Community;
use copmatch_domain::profile::ProfileItem;

/// One vector per group of texts: the normalized sum of the texts' embeddings.
pub async fn embed_groups(
    embedder: &dyn Embedder,
    groups: Vec<Vec<String>>,
) -> Result<Vec<Vec<f32>>, EmbedError> {
    let sizes: Vec<usize> = groups.iter().map(Vec::len).collect();
    let texts: Vec<String> = groups.into_iter().flatten().collect();
    if texts.is_empty() {
        return Ok(sizes.iter().map(|_| Vec::new()).collect());
    }
    Ok(group_means(embedder.embed(texts).await?, &sizes))
}

/// The stored vector of each community. Catalog writes are work that must
/// finish, not traffic to shed: when the model's queue is full they wait for
/// room (people's requests are the ones refused).
pub async fn embed_communities(
    embedder: &dyn Embedder,
    communities: &[Community],
) -> Result<Vec<Vec<f32>>, EmbedError> {
    let groups: Vec<Vec<String>> = communities.iter().map(community_wordings).collect();
    let mut wait = std::time::Duration::from_millis(20);
    loop {
        match embed_groups(embedder, groups.clone()).await {
            Err(EmbedError::Overloaded(_)) => {
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(std::time::Duration::from_secs(1));
            }
            other => return other,
        }
    }
}

/// The search vector of each profile item.
pub async fn embed_items(
    embedder: &dyn Embedder,
    items: &[ProfileItem],
) -> Result<Vec<Vec<f32>>, EmbedError> {
    embed_groups(embedder, items.iter().map(item_wordings).collect()).await
}
