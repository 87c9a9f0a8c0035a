//! The `retrain` configuration section: what `copmatch retrain` and the
//! activation gate read beyond `models.*`.

use serde::{Deserialize, Serialize};

use crate::targets::Propensity;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetrainSettings {
    /// The most a model may lower held-out-query nDCG@10 (people whose profile
    /// text nobody in training typed) and still pass the gate.
    pub max_heldout_drop: f64,
    /// η of the examination model `rank^-η` that clicks and joins are
    /// weighted against; 0 turns the position-bias correction off.
    pub position_bias: f64,
    /// The largest inverse-propensity weight one event may get.
    pub propensity_clip: f64,
    /// Training users who must share a profile text before it gets a segment.
    pub min_segment_users: usize,
}

impl Default for RetrainSettings {
    fn default() -> Self {
        let p = Propensity::default();
        Self {
            max_heldout_drop: crate::gate::GateRules::default().max_heldout_drop,
            position_bias: p.power,
            propensity_clip: p.clip,
            min_segment_users: 2,
        }
    }
}

impl RetrainSettings {
    pub fn propensity(&self) -> Propensity {
        Propensity {
            power: self.position_bias,
            clip: self.propensity_clip,
        }
    }
}
