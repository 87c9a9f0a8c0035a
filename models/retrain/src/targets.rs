//! What each training user teaches: their profile vector, and where it should
//! point, the mean vector of what they joined (clicks count half), each
//! weighted against position bias; and the segments, the same targets pooled
//! by exact profile text.
//!
//! Position bias: people click what is shown first whether or not it fits
//! best, so a join at rank 1 says less about what they wanted than one at
//! rank 8. Under the examination model, a result at rank `k` is looked at
//! with probability `k^-η`; weighting each click or join by the inverse,
//! `min(clip, k^η)`, makes every rank count as if all had been looked at
//! (inverse propensity weighting, Joachims et al., WSDM 2017). η defaults to
//! 1, that paper's estimate for ranked lists; estimate your own from
//! randomised exposure (swap two results for a sample of requests and
//! compare click rates) and set `retrain.position_bias`. Joins without a
//! position (from browsing, or an app that did not say) weigh 1. The clip
//! bounds the variance a few deep clicks could add.

use std::collections::{BTreeMap, HashMap};

use copmatch_core::progress::JobProgress;
use copmatch_core::served_model::profile_key;
use copmatch_core::Recommender;
use copmatch_ranking::normalize;
use serde::{Deserialize, Serialize};

use crate::data::UserData;

/// How clicks and joins are weighted against position bias.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Propensity {
    /// η in `k^-η`; 0 turns the correction off.
    pub power: f64,
    /// The largest weight one event may get.
    pub clip: f64,
}

impl Default for Propensity {
    fn default() -> Self {
        Self {
            power: 1.0,
            clip: 10.0,
        }
    }
}

impl Propensity {
    /// The weight of an event at `position` (1 = first shown).
    pub fn weight(&self, position: Option<u32>) -> f32 {
        match position {
            Some(k) if self.power > 0.0 => {
                (f64::from(k.max(1)).powf(self.power)).min(self.clip.max(1.0)) as f32
            }
            _ => 1.0,
        }
    }
}

/// One training user: profile key, main field, profile vector, target vector.
#[derive(Debug, Clone)]
pub struct Example {
    pub key: String,
    pub field: Option<String>,
    pub x: Vec<f32>,
    pub y: Vec<f32>,
}

/// The examples of `users`, in their order.
pub async fn examples(
    service: &Recommender,
    vectors: &HashMap<String, Vec<f32>>,
    field_of: &HashMap<String, String>,
    users: &[UserData],
    propensity: Propensity,
    progress: &dyn JobProgress,
) -> anyhow::Result<Vec<Example>> {
    progress.start(users.len());
    let mut rows = Vec::with_capacity(users.len());
    for u in users {
        let x = service.base_profile_vector(&u.user.profile).await?;
        let mut y = vec![0.0f32; x.len()];
        let liked = u
            .joined
            .iter()
            .map(|id| (id, 1.0f32))
            .chain(u.clicked.iter().map(|id| (id, 0.5f32)));
        for (id, w) in liked {
            if let Some(v) = vectors.get(id) {
                let w = w * propensity.weight(u.positions.get(id).copied());
                y.iter_mut().zip(v).for_each(|(a, b)| *a += w * b);
            }
        }
        rows.push(Example {
            key: profile_key(&u.user.profile),
            field: crate::splits::main_field(u, field_of),
            x,
            y: normalize(y),
        });
        progress.advance(1);
    }
    progress.finish();
    Ok(rows)
}

/// Anchors: the unit centroid of the training profiles of each field.
pub fn anchors(rows: &[Example]) -> Vec<Vec<f32>> {
    let mut pooled: BTreeMap<&str, Vec<f32>> = BTreeMap::new();
    for r in rows {
        if let Some(f) = r.field.as_deref() {
            let sum = pooled.entry(f).or_insert_with(|| vec![0.0; r.x.len()]);
            sum.iter_mut().zip(&r.x).for_each(|(a, b)| *a += b);
        }
    }
    pooled.into_values().map(normalize).collect()
}

/// Segments: for every profile text at least `min_users` training users
/// typed, the normalised sum of their targets. Fewer users than that would
/// serve one person's joins to whoever types the same words.
pub fn segments(rows: &[Example], min_users: usize) -> BTreeMap<String, Vec<f32>> {
    let mut pooled: BTreeMap<&str, (usize, Vec<f32>)> = BTreeMap::new();
    for r in rows {
        let entry = pooled
            .entry(r.key.as_str())
            .or_insert_with(|| (0, vec![0.0; r.y.len()]));
        entry.0 += 1;
        entry.1.iter_mut().zip(&r.y).for_each(|(a, b)| *a += b);
    }
    pooled
        .into_iter()
        .filter(|(_, (n, _))| *n >= min_users.max(1))
        .map(|(k, (_, v))| (k.to_string(), normalize(v)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_results_weigh_more_up_to_the_clip_and_unknown_positions_weigh_one() {
        let p = Propensity::default();
        assert_eq!(p.weight(None), 1.0);
        assert_eq!(p.weight(Some(1)), 1.0);
        assert_eq!(p.weight(Some(4)), 4.0);
        assert_eq!(p.weight(Some(50)), 10.0);
        let off = Propensity { power: 0.0, ..p };
        assert_eq!(off.weight(Some(8)), 1.0);
    }

    #[test]
    fn a_profile_typed_by_one_person_makes_no_segment() {
        let row = |key: &str, y: [f32; 2]| Example {
            key: key.into(),
            field: None,
            x: vec![1.0, 0.0],
            y: y.to_vec(),
        };
        let rows = [
            row("nurse", [0.0, 1.0]),
            row("nurse", [0.0, 1.0]),
            row("welder", [1.0, 0.0]),
        ];
        let s = segments(&rows, 2);
        assert_eq!(s.len(), 1);
        assert!((s["nurse"][1] - 1.0).abs() < 1e-6);
    }
}
