//! Held-out metrics of a model: each held-out user's stored profile is ranked
//! by the full serving pipeline (hybrid retrieval, status, diversity) with
//! that model, and the communities they joined are the relevant ones.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::devset::ndcg_at_10;
use copmatch_core::progress::JobProgress;
use copmatch_core::served_model::ServedModel;
use copmatch_core::{RecommendRequest, Recommender, Steering};
use copmatch_ranking::dot;
use serde::{Deserialize, Serialize};

use crate::data::UserData;

const CUTOFF: usize = 10;

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    pub ndcg_at_10: f64,
    pub recall_at_10: f64,
    /// Share of the catalog that appears in someone's top 10.
    pub coverage: f64,
    pub users: usize,
}

/// Metrics plus what the report plots.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Evaluation {
    pub metrics: Metrics,
    /// Recall@10 by the first category of the joined community.
    pub recall_by_category: BTreeMap<String, f64>,
    /// Cosine of the ranking vector with joined communities...
    pub positive_scores: Vec<f32>,
    /// ...and with communities the user did not join, from their candidates.
    pub negative_scores: Vec<f32>,
}

/// Base and candidate on one held-out set.
#[derive(Debug, Clone, Default)]
pub struct Compared {
    pub base: Evaluation,
    pub candidate: Evaluation,
}

/// What evaluation needs to know about the catalog.
pub struct Catalog {
    pub size: usize,
    /// A community's field: its first category.
    pub first_category: HashMap<String, String>,
    pub vectors: HashMap<String, Vec<f32>>,
}

impl Catalog {
    /// Reads every community of the service's store, a page at a time.
    pub async fn load(service: &Recommender, progress: &dyn JobProgress) -> anyhow::Result<Self> {
        let store = service.store();
        progress.start(store.count().await?);
        let mut vectors = HashMap::new();
        let mut first_category = HashMap::new();
        let mut cursor = None;
        loop {
            let (page, next) = store.scroll(cursor, 256).await?;
            let ids: Vec<_> = page.iter().map(|c| c.id.clone()).collect();
            for record in store.get_many(&ids).await? {
                vectors.insert(record.community.id.to_string(), record.vector);
            }
            for c in &page {
                if let Some(cat) = c.categories.first() {
                    first_category.insert(c.id.to_string(), cat.clone());
                }
            }
            progress.advance(page.len());
            match next {
                Some(n) => cursor = Some(n),
                None => break,
            }
        }
        progress.finish();
        Ok(Self {
            size: vectors.len(),
            first_category,
            vectors,
        })
    }
}

pub async fn evaluate(
    service: &Recommender,
    users: &[UserData],
    model: &ServedModel,
    catalog: &Catalog,
    progress: &dyn JobProgress,
) -> anyhow::Result<Evaluation> {
    progress.start(users.len());
    let mut seen = HashSet::new();
    let (mut ndcg, mut recall) = (0.0, 0.0);
    let mut by_category: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut positive_scores = Vec::new();
    let mut negative_scores = Vec::new();
    for u in users {
        let request = RecommendRequest {
            profile: u.user.profile.clone(),
            limit: Some(CUTOFF),
            ..Default::default()
        };
        let steering = Steering {
            model: Some(model.clone()),
            ..Default::default()
        };
        let response = service.recommend(request, &steering).await?;
        let ids: Vec<&str> = response
            .recommendations
            .iter()
            .map(|r| r.community.id.as_str())
            .collect();
        let joined: HashSet<&str> = u.joined.iter().map(String::as_str).collect();
        let earned: Vec<u8> = ids.iter().map(|id| u8::from(joined.contains(id))).collect();
        let ideal = vec![1u8; joined.len()];
        ndcg += ndcg_at_10(&earned, &ideal);
        let hits = earned.iter().filter(|g| **g > 0).count();
        recall += hits as f64 / joined.len().max(1) as f64;
        seen.extend(ids.iter().map(|s| s.to_string()));
        for id in &u.joined {
            let category = catalog.first_category.get(id).cloned().unwrap_or_default();
            let entry = by_category.entry(category).or_default();
            entry.0 += usize::from(ids.contains(&id.as_str()));
            entry.1 += 1;
        }
        let query = model.apply(service.base_profile_vector(&u.user.profile).await?);
        for (id, v) in &catalog.vectors {
            let score = dot(&query, v);
            if joined.contains(id.as_str()) {
                positive_scores.push(score);
            } else if negative_scores.len() < 20 * users.len() && fnv_pick(id, &u.user.id) {
                negative_scores.push(score);
            }
        }
        progress.advance(1);
    }
    progress.finish();
    let n = users.len().max(1) as f64;
    Ok(Evaluation {
        metrics: Metrics {
            ndcg_at_10: ndcg / n,
            recall_at_10: recall / n,
            coverage: seen.len() as f64 / catalog.size.max(1) as f64,
            users: users.len(),
        },
        recall_by_category: by_category
            .into_iter()
            .filter(|(c, _)| !c.is_empty())
            .map(|(c, (hit, all))| (c, hit as f64 / all as f64))
            .collect(),
        positive_scores,
        negative_scores,
    })
}

/// A deterministic sample of about one in twenty (user, community) pairs.
fn fnv_pick(community: &str, user: &str) -> bool {
    let mut h = crate::data::Fnv::new();
    h.write(user.as_bytes());
    h.write(community.as_bytes());
    h.0.is_multiple_of(20)
}
