//! Retrained models: a learned linear map applied to profile vectors.
//!
//! `copmatch retrain` learns, from what people joined, where a profile should
//! point in the embedding space: `y = x·W + b` maps a profile vector `x` toward
//! the communities such profiles join (W is `dimension × dimension`, row-major).
//! Serving blends the two, `normalize((1 - blend)·x + blend·normalize(y))`, so
//! `blend = 0` is the base model and the trainer picks `blend` on validation
//! users. Community vectors are the base model's, so every version shares one
//! catalog embedding; which version serves is recorded on the index version
//! (see [`crate::IndexVersion::adapter`]) and switched with it.
//!
//! The map may be limited to what it was trained on: with `reach`, it moves
//! only vectors close to a centroid of the training profiles (one per field
//! they came from), so a field nobody trained with keeps the base ranking.
//!
//! A model may also carry *segments*: for a profile typed exactly as several
//! training users typed it ([`profile_key`]), where those people's joins
//! point. Only a request with that same profile is moved toward it
//! (`segment_blend`), so what was learned about one wording never leaks to
//! people who wrote something else.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};

use copmatch_domain::profile::Profile;
use copmatch_ranking::normalize;

/// A profile's normalised text: each item lower-cased with its spaces
/// collapsed, items sorted per kind. Two people who typed the same things in
/// another order or case have the same key.
pub fn profile_key(profile: &Profile) -> String {
    let norm = |text: &str| {
        text.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let items = |list: &[String]| {
        let mut v: Vec<String> = list
            .iter()
            .map(|t| norm(t))
            .filter(|t| !t.is_empty())
            .collect();
        v.sort();
        v.dedup();
        v.join("; ")
    };
    format!(
        "roles: {} | skills: {} | interests: {} | about: {}",
        items(&profile.roles),
        items(&profile.skills),
        items(&profile.interests),
        norm(&profile.about)
    )
}

/// A trained query adapter, as stored in a model artifact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryAdapter {
    /// The artifact's version, e.g. `ft3`.
    pub version: String,
    /// The embedding model it was trained on; it serves only with that one.
    pub base_model: String,
    /// The [`copmatch_ranking::wordings::EMBEDDING_TEXT_VERSION`] of the vectors it was
    /// trained on; it serves only with that one too.
    #[serde(default = "texts_before_versioning")]
    pub text_version: u32,
    pub dimension: usize,
    /// `dimension × dimension`, row-major: `y[j] = Σ_i x[i]·W[i][j] + b[j]`.
    pub weights: Vec<f32>,
    pub bias: Vec<f32>,
    pub blend: f32,
    /// Unit vectors by [`profile_key`]: where the training users who typed
    /// that profile went.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub segments: BTreeMap<String, Vec<f32>>,
    /// How far a request whose profile has a segment moves toward it.
    #[serde(default)]
    pub segment_blend: f32,
    /// Unit centroids of the training profiles, one per field they came from.
    /// With `reach > 0`, the map moves only vectors at least that close
    /// (cosine) to one of them: a field nobody trained with is left alone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub anchors: Vec<Vec<f32>>,
    #[serde(default)]
    pub reach: f32,
}

/// Artifacts written before models recorded their text version were trained
/// on version 2.
pub fn texts_before_versioning() -> u32 {
    2
}

impl QueryAdapter {
    /// Why this adapter cannot serve with `base_model` embedding texts of
    /// `text_version`, if it cannot.
    pub fn mismatch(
        &self,
        base_model: &str,
        text_version: u32,
        dimension: usize,
    ) -> Option<String> {
        if self.base_model != base_model || self.dimension != dimension {
            Some(format!(
                "{} was trained on {} ({} dimensions) but {base_model} ({dimension}) serves",
                self.version, self.base_model, self.dimension
            ))
        } else if self.text_version != text_version {
            Some(format!(
                "{} was trained on community texts of version {}, and this copmatch embeds version {text_version}; retrain it",
                self.version, self.text_version
            ))
        } else {
            None
        }
    }

    /// Whether the shapes agree (a corrupt or foreign artifact fails here).
    pub fn check(&self) -> Result<(), String> {
        let d = self.dimension;
        if self.weights.len() != d * d || self.bias.len() != d {
            return Err(format!(
                "adapter {} has {} weights and {} biases for dimension {d}",
                self.version,
                self.weights.len(),
                self.bias.len()
            ));
        }
        if !(0.0..=1.0).contains(&self.blend) || !(0.0..=1.0).contains(&self.segment_blend) {
            return Err(format!(
                "adapter {} has blend {} and segment blend {}",
                self.version, self.blend, self.segment_blend
            ));
        }
        if self.anchors.iter().any(|a| a.len() != d) || !(0.0..=1.0).contains(&self.reach) {
            return Err(format!(
                "adapter {} has anchors of another dimension or reach {}",
                self.version, self.reach
            ));
        }
        if let Some((key, v)) = self.segments.iter().find(|(_, v)| v.len() != d) {
            return Err(format!(
                "adapter {} has a segment {key:?} of dimension {}",
                self.version,
                v.len()
            ));
        }
        Ok(())
    }

    /// The adapted profile vector of a profile whose [`profile_key`] is `key`:
    /// the learned map, then the segment of that exact profile, if any.
    pub fn apply_profile(&self, key: &str, x: &[f32]) -> Vec<f32> {
        let y = self.apply(x);
        match self.segments.get(key) {
            Some(target) if self.segment_blend > 0.0 && target.len() == y.len() => normalize(
                y.iter()
                    .zip(target)
                    .map(|(a, b)| (1.0 - self.segment_blend) * a + self.segment_blend * b)
                    .collect(),
            ),
            _ => y,
        }
    }

    /// Whether the learned map may move `x`: it is within `reach` of what
    /// the training profiles looked like.
    pub fn reaches(&self, x: &[f32]) -> bool {
        self.reach <= 0.0
            || self
                .anchors
                .iter()
                .any(|a| copmatch_ranking::dot(a, x) >= self.reach)
    }

    /// The adapted, unit-length profile vector.
    pub fn apply(&self, x: &[f32]) -> Vec<f32> {
        let d = self.dimension;
        if x.len() != d || self.blend == 0.0 || !self.reaches(x) {
            return x.to_vec();
        }
        let mut y = self.bias.clone();
        for (i, xi) in x.iter().enumerate() {
            if *xi == 0.0 {
                continue;
            }
            let row = &self.weights[i * d..(i + 1) * d];
            for (yj, w) in y.iter_mut().zip(row) {
                *yj += xi * w;
            }
        }
        let y = normalize(y);
        let mixed = x
            .iter()
            .zip(&y)
            .map(|(a, b)| (1.0 - self.blend) * a + self.blend * b)
            .collect();
        normalize(mixed)
    }
}

/// The model requests are ranked with: the base embedding model, possibly
/// with a retrained adapter on top.
#[derive(Debug, Clone, PartialEq)]
pub struct ServedModel {
    pub base: String,
    pub adapter: Option<Arc<QueryAdapter>>,
}

impl ServedModel {
    /// How responses name it: `all-minilm-l6-v2` or `all-minilm-l6-v2/ft3`.
    pub fn name(&self) -> String {
        match &self.adapter {
            Some(a) => format!("{}/{}", self.base, a.version),
            None => self.base.clone(),
        }
    }

    pub fn adapter_version(&self) -> Option<String> {
        self.adapter.as_ref().map(|a| a.version.clone())
    }

    /// The adapted vector of one profile item (the learned map only).
    pub fn apply(&self, x: Vec<f32>) -> Vec<f32> {
        match &self.adapter {
            Some(a) => a.apply(&x),
            None => x,
        }
    }

    /// The adapted vector of a whole profile (`key` is its [`profile_key`]).
    pub fn apply_profile(&self, key: &str, x: Vec<f32>) -> Vec<f32> {
        match &self.adapter {
            Some(a) => a.apply_profile(key, &x),
            None => x,
        }
    }
}

/// The served model, shared by every clone of the service and switched
/// together with the index version it belongs to.
#[derive(Debug, Clone)]
pub struct ModelSlot(Arc<RwLock<ServedModel>>);

impl ModelSlot {
    pub fn new(model: ServedModel) -> Self {
        Self(Arc::new(RwLock::new(model)))
    }

    pub fn get(&self) -> ServedModel {
        self.0
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    pub fn set(&self, model: ServedModel) {
        *self
            .0
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = model;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn adapter(blend: f32) -> QueryAdapter {
        // Swaps the two axes: a profile on axis 0 is sent to axis 1.
        QueryAdapter {
            version: "ft1".into(),
            base_model: "m".into(),
            text_version: 3,
            dimension: 2,
            weights: vec![0.0, 1.0, 1.0, 0.0],
            bias: vec![0.0, 0.0],
            blend,
            segments: BTreeMap::new(),
            segment_blend: 0.0,
            anchors: Vec::new(),
            reach: 0.0,
        }
    }

    #[test]
    fn a_segment_moves_only_the_profile_typed_that_way() {
        let nurse = Profile {
            roles: vec!["Registered  Nurse".into()],
            ..Default::default()
        };
        let same = Profile {
            roles: vec!["registered nurse".into()],
            ..Default::default()
        };
        let other = Profile {
            roles: vec!["nurse".into()],
            ..Default::default()
        };
        assert_eq!(profile_key(&nurse), profile_key(&same));
        assert_ne!(profile_key(&nurse), profile_key(&other));
        let mut a = adapter(0.0);
        a.segments.insert(profile_key(&nurse), vec![0.0, 1.0]);
        a.segment_blend = 1.0;
        assert!(a.check().is_ok());
        let moved = a.apply_profile(&profile_key(&same), &[1.0, 0.0]);
        assert!((moved[1] - 1.0).abs() < 1e-6, "{moved:?}");
        assert_eq!(
            a.apply_profile(&profile_key(&other), &[1.0, 0.0]),
            vec![1.0, 0.0],
            "another wording is not moved"
        );
        assert_eq!(a.apply(&[1.0, 0.0]), vec![1.0, 0.0], "items are not moved");
    }

    #[test]
    fn the_map_leaves_profiles_beyond_its_reach_alone() {
        let mut a = adapter(1.0);
        a.anchors = vec![vec![1.0, 0.0]];
        a.reach = 0.8;
        assert!(a.check().is_ok());
        let near = a.apply(&[1.0, 0.0]);
        assert!(
            (near[1] - 1.0).abs() < 1e-6,
            "within reach it is mapped: {near:?}"
        );
        assert_eq!(
            a.apply(&[0.0, 1.0]),
            vec![0.0, 1.0],
            "beyond reach it is not"
        );
    }

    #[test]
    fn blend_zero_is_the_base_model() {
        assert_eq!(adapter(0.0).apply(&[1.0, 0.0]), vec![1.0, 0.0]);
    }

    #[test]
    fn a_full_blend_follows_the_learned_map() {
        let out = adapter(1.0).apply(&[1.0, 0.0]);
        assert!(
            (out[0]).abs() < 1e-6 && (out[1] - 1.0).abs() < 1e-6,
            "{out:?}"
        );
    }

    #[test]
    fn a_half_blend_lands_between_and_stays_unit_length() {
        let out = adapter(0.5).apply(&[1.0, 0.0]);
        let norm: f32 = out.iter().map(|v| v * v).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5);
        assert!((out[0] - out[1]).abs() < 1e-5, "{out:?}");
    }

    #[test]
    fn a_wrongly_shaped_artifact_is_refused() {
        let mut bad = adapter(0.5);
        bad.weights.pop();
        assert!(bad.check().is_err());
    }

    #[test]
    fn a_model_serves_only_with_the_model_and_texts_it_was_trained_on() {
        let a = adapter(0.5);
        assert_eq!(a.mismatch("m", 3, 2), None);
        assert!(a.mismatch("other", 3, 2).unwrap().contains("trained on m"));
        let why = a.mismatch("m", 4, 2).unwrap();
        assert!(
            why.contains("version 3") && why.contains("retrain"),
            "{why}"
        );
    }

    #[test]
    fn an_artifact_from_before_text_versions_counts_as_version_two() {
        let mut json = serde_json::to_value(adapter(0.5)).unwrap();
        json.as_object_mut().unwrap().remove("text_version");
        let old: QueryAdapter = serde_json::from_value(json).unwrap();
        assert_eq!(old.text_version, 2);
    }
}
