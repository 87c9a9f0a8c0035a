//! The evaluation gate's rule, in one place: `retrain` writes its verdict
//! into the report, and [`crate::models`] applies it before activating.
//!
//! A candidate passes when, against the model serving now, measured on the
//! same held-out users:
//! 1. held-out-*query* nDCG@10 (people whose profile text nobody in training
//!    typed) drops by at most `max_heldout_drop`, whatever it gains elsewhere,
//!    and so does held-out-*field* nDCG@10 (people of fields nobody in
//!    training came from) when the manifest measured one;
//! 2. held-out-*user* nDCG@10 (the trained queries) gains at least `min_gain`.
//!
//! A candidate measured on held-out users only (trained before the by-query
//! split existed) is refused: it cannot show it does not hurt new people.

use serde::{Deserialize, Serialize};

use crate::heldout::Metrics;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GateRules {
    /// `models.gate_min_gain`.
    pub min_gain: f64,
    /// `retrain.max_heldout_drop`.
    pub max_heldout_drop: f64,
}

impl Default for GateRules {
    fn default() -> Self {
        Self {
            min_gain: 0.02,
            max_heldout_drop: 0.005,
        }
    }
}

/// One model's held-out figures.
#[derive(Debug, Clone)]
pub struct Measured<'a> {
    pub name: &'a str,
    /// Trained queries (held out by user).
    pub by_user: Metrics,
    /// New queries (held out by profile text).
    pub by_query: Option<Metrics>,
    /// Fields nobody trained with (held out by field), when measured.
    pub by_field: Option<Metrics>,
}

/// What the gate said and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub passed: bool,
    pub reason: String,
}

pub fn judge(rules: GateRules, serving: &Measured, candidate: &Measured) -> Verdict {
    let (c, s) = (candidate.name, serving.name);
    let refuse = |reason: String| Verdict {
        passed: false,
        reason,
    };
    let (Some(cq), Some(sq)) = (candidate.by_query, serving.by_query) else {
        return refuse(format!(
            "{c} was not measured on held-out queries against {s} (only on held-out users); retrain it to measure both"
        ));
    };
    let (cu, su) = (candidate.by_user.ndcg_at_10, serving.by_user.ndcg_at_10);
    let gain = cu - su;
    let change = cq.ndcg_at_10 - sq.ndcg_at_10;
    let figures = format!(
        "held-out queries {:.4} against {:.4} for {s} ({change:+.4}); trained queries {cu:.4} against {su:.4} ({gain:+.4})",
        cq.ndcg_at_10, sq.ndcg_at_10
    );
    if -change > rules.max_heldout_drop {
        return refuse(format!(
            "{c} lowers nDCG@10 for people nobody trained on by {:.4}, more than the {} allowed (retrain.max_heldout_drop), whatever it gains on trained queries: {figures}",
            -change, rules.max_heldout_drop
        ));
    }
    if let (Some(cf), Some(sf)) = (candidate.by_field, serving.by_field) {
        let drop = sf.ndcg_at_10 - cf.ndcg_at_10;
        if drop > rules.max_heldout_drop {
            return refuse(format!(
                "{c} lowers nDCG@10 for fields nobody trained on from {:.4} to {:.4} ({:+.4}), more than the {} allowed (retrain.max_heldout_drop), whatever it gains on trained queries: {figures}",
                sf.ndcg_at_10, cf.ndcg_at_10, -drop, rules.max_heldout_drop
            ));
        }
    }
    if gain < rules.min_gain {
        return refuse(format!(
            "{c} gains {gain:+.4} nDCG@10 on trained queries, less than the {} needed (models.gate_min_gain): {figures}",
            rules.min_gain
        ));
    }
    Verdict {
        passed: true,
        reason: format!("{c} passes against {s}: {figures}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(ndcg: f64) -> Metrics {
        Metrics {
            ndcg_at_10: ndcg,
            ..Default::default()
        }
    }

    fn side(name: &str, user: f64, query: Option<f64>) -> Measured<'_> {
        Measured {
            name,
            by_user: m(user),
            by_query: query.map(m),
            by_field: None,
        }
    }

    #[test]
    fn a_gain_on_trained_queries_does_not_excuse_a_loss_on_new_ones() {
        let rules = GateRules::default();
        let base = side("base", 0.50, Some(0.60));
        let v = judge(rules, &base, &side("ft1", 0.60, Some(0.59)));
        assert!(!v.passed);
        assert!(
            v.reason.contains("0.5900") && v.reason.contains("0.6000"),
            "{}",
            v.reason
        );
        assert!(v.reason.contains("retrain.max_heldout_drop"));
        assert!(judge(rules, &base, &side("ft1", 0.60, Some(0.596))).passed);
        assert!(!judge(rules, &base, &side("ft1", 0.51, Some(0.61))).passed);
        assert!(
            !judge(rules, &base, &side("ft1", 0.60, None)).passed,
            "unmeasured on new queries"
        );
        let fields = |s: Measured<'static>, f: f64| Measured {
            by_field: Some(m(f)),
            ..s
        };
        let v = judge(
            rules,
            &fields(side("base", 0.50, Some(0.60)), 0.40),
            &fields(side("ft1", 0.60, Some(0.61)), 0.30),
        );
        assert!(
            !v.passed && v.reason.contains("fields nobody trained on"),
            "{}",
            v.reason
        );
    }
}
