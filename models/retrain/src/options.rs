//! What `copmatch retrain` may learn and how it chooses (defaults, and the
//! command's `--method`, `--choose-on` and `--position-bias`).

use serde::{Deserialize, Serialize};

use crate::gate::GateRules;
use crate::targets::Propensity;

/// Which validation users choose the blends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChooseOn {
    /// People whose profile text nobody in the fit typed: a blend that helps
    /// only the trained wordings is not chosen.
    Queries,
    /// People held out by id (before issue 26: measures trained wordings).
    Users,
}

/// What a candidate may learn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// The global map (blend chosen on validation) and the segments.
    Both,
    /// The global map only.
    Global,
    /// Segments only: nothing changes for a profile nobody trained with.
    Segments,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RetrainOptions {
    /// Share of users held out for the final metrics (of queries and of
    /// users; half as much of fields, see [`splits::Shares::heldout`]).
    pub holdout: f64,
    pub seed: u64,
    /// Ridge penalties tried on the validation users.
    pub penalties: Vec<f64>,
    /// Blends toward the learned map tried on the validation users.
    pub blends: Vec<f32>,
    /// Blends toward a profile's segment tried on the validation users.
    pub segment_blends: Vec<f32>,
    /// Cosines to the training profiles' field centroids within which the
    /// global map acts, tried on the validation users (0: everywhere).
    pub reaches: Vec<f32>,
    /// Fewer users with joins than this is too little to learn from.
    pub min_users: usize,
    /// Fewer training users than this with one profile text make no segment.
    pub min_segment_users: usize,
    pub choose_on: ChooseOn,
    pub method: Method,
    pub propensity: Propensity,
    /// The gate the report's verdict applies (the activation gate reads the
    /// same rules from its configuration).
    pub gate: GateRules,
}

impl Default for RetrainOptions {
    fn default() -> Self {
        Self {
            holdout: 0.2,
            seed: 7,
            penalties: vec![0.001, 0.01],
            blends: vec![0.0, 0.25, 0.5, 0.75, 1.0],
            segment_blends: vec![0.0, 0.25, 0.5, 0.75, 1.0],
            reaches: vec![0.0, 0.5, 0.6, 0.7, 0.8],
            min_users: 30,
            min_segment_users: 2,
            choose_on: ChooseOn::Queries,
            method: Method::Both,
            propensity: Propensity::default(),
            gate: GateRules::default(),
        }
    }
}
