//! The analyst's report: one self-contained HTML file with inline SVG plots
//! (no scripts, no external files): the gate's verdict and why, held-out
//! metrics by user, by query and by field side by side, the fields that
//! gained and lost, score distributions, and the validation curves.

mod svg;

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use crate::heldout::{Compared, Evaluation, Metrics};
use crate::registry::{HeldOut, Manifest};
use svg::{bars, curve_plot, esc, histogram};

/// One point of validation: nDCG@10 of validation users with trained
/// profile texts (`by_user`) and with new ones (`by_query`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CurvePoint {
    pub penalty: f64,
    pub blend: f32,
    /// Cosine to a training field's centroid within which the map acts (0: everywhere).
    pub reach: f32,
    /// 0 on the global curve; the segment blend tried otherwise.
    pub segment_blend: f32,
    pub by_user: f64,
    pub by_query: f64,
    /// Validation users of fields held out of the fit, when there were any.
    pub by_field: Option<f64>,
}

/// Fields listed as gained or lost, each way.
const FIELDS_LISTED: usize = 8;

fn metric_rows(rows: &mut String, set: &str, version: &str, h: &HeldOut) {
    let mut row = |name: &str, m: &Metrics, delta: Option<f64>| {
        let _ = write!(
            rows,
            "<tr><td>{}</td><td>{}</td><td>{:.4}</td><td>{}</td><td>{:.3}</td><td>{:.3}</td><td>{}</td></tr>",
            esc(set),
            esc(name),
            m.ndcg_at_10,
            delta.map_or(String::new(), |d| format!("{d:+.4}")),
            m.recall_at_10,
            m.coverage,
            m.users
        );
    };
    row("base model", &h.base, None);
    if let Some((name, m)) = &h.active {
        row(&format!("{name} (serving when trained)"), m, None);
    }
    row(
        &format!("{version} (candidate)"),
        &h.candidate,
        Some(h.candidate.ndcg_at_10 - h.base.ndcg_at_10),
    );
}

/// Fields whose recall@10 moved most, up and down, on one held-out set.
fn fields_moved(set: &str, c: &Compared) -> String {
    let mut moved: Vec<(String, f64, f64)> = c
        .candidate
        .recall_by_category
        .iter()
        .map(|(field, after)| {
            let before = c.base.recall_by_category.get(field).copied().unwrap_or(0.0);
            (field.clone(), before, *after)
        })
        .filter(|(_, before, after)| (after - before).abs() > 1e-9)
        .collect();
    moved.sort_by(|a, b| (b.2 - b.1).total_cmp(&(a.2 - a.1)));
    let gained: Vec<_> = moved
        .iter()
        .filter(|m| m.2 > m.1)
        .take(FIELDS_LISTED)
        .collect();
    let lost: Vec<_> = moved
        .iter()
        .rev()
        .filter(|m| m.2 < m.1)
        .take(FIELDS_LISTED)
        .collect();
    let list = |items: &[&(String, f64, f64)]| {
        if items.is_empty() {
            return "<li>none</li>".to_string();
        }
        items
            .iter()
            .map(|(f, before, after)| format!("<li>{}: {before:.2} → {after:.2}</li>", esc(f)))
            .collect()
    };
    format!(
        "<h3>{}</h3><p>Gained:</p><ul>{}</ul><p>Lost:</p><ul>{}</ul>",
        esc(set),
        list(&gained),
        list(&lost)
    )
}

pub fn render(
    manifest: &Manifest,
    curve: &[CurvePoint],
    by_user: &Compared,
    by_query: &Compared,
    by_field: Option<&Compared>,
) -> String {
    let version = manifest.version.as_str();
    let names = ["base model", version];
    let mut rows = String::new();
    let mut groups = Vec::new();
    let sets = [
        (
            "trained queries (held out by user)",
            Some(&manifest.metrics),
        ),
        (
            "new queries (held out by profile text)",
            manifest.heldout_queries.as_ref(),
        ),
        ("held-out fields", manifest.heldout_fields.as_ref()),
    ];
    for (set, h) in sets {
        if let Some(h) = h {
            metric_rows(&mut rows, set, version, h);
            groups.push((set.to_string(), [h.base.ndcg_at_10, h.candidate.ndcg_at_10]));
        }
    }
    let verdict = match &manifest.verdict {
        Some(v) if v.passed => format!(
            "<p class=\"pass\"><b>Gate: passes.</b> {}</p>",
            esc(&v.reason)
        ),
        Some(v) => format!(
            "<p class=\"fail\"><b>Gate: refused.</b> {}</p>",
            esc(&v.reason)
        ),
        None => "<p>No gate verdict recorded.</p>".to_string(),
    };
    let mut moved = fields_moved("New queries", by_query);
    moved.push_str(&fields_moved("Trained queries", by_user));
    if let Some(f) = by_field {
        moved.push_str(&fields_moved("Held-out fields", f));
    }
    let points: String = curve
        .iter()
        .filter(|p| p.segment_blend == 0.0)
        .map(|p| {
            format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{:.4}</td><td>{:.4}</td><td>{}</td></tr>",
                p.penalty,
                p.blend,
                p.reach,
                p.by_user,
                p.by_query,
                p.by_field.map_or("-".to_string(), |f| format!("{f:.4}"))
            )
        })
        .collect();
    let segments_tried: String = curve
        .iter()
        .filter(|p| p.segment_blend > 0.0)
        .map(|p| {
            format!(
                "<tr><td>{}</td><td>{:.4}</td></tr>",
                p.segment_blend, p.by_user
            )
        })
        .collect();
    let scores = |e: &Evaluation| {
        histogram([
            ("joined", &e.positive_scores),
            ("not joined", &e.negative_scores),
        ])
    };
    let p = &manifest.parameters;
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>copmatch retrain {version}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:760px;margin:2em auto;color:#222}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:4px 8px;text-align:right}}td:first-child,td:nth-child(2){{text-align:left}}code{{background:#f3f3f3}}.pass{{color:#1d6b2f}}.fail{{color:#a01616}}</style>
</head><body>
<h1>Retrained model {version}</h1>
{verdict}
<p>Base model <code>{base_model}</code>; {method}.</p>
<p>Data: {source} (<code>{hash}</code>), {events} events. {train} training users; held out: {by_user_n} who typed a profile some training user typed, {by_query_n} who typed one nobody in training typed, {by_field_n} of fields held out whole (seed {seed}).
Chosen on validation users with {chosen_on} texts: penalty {penalty}, blend {blend}, reach {reach} (the map moves only profiles at least this close to a training field's centroid; 0 = all); segment blend {segment_blend} ({segments} profile texts with a segment); solver steps {steps}. Created {created}.</p>
<h2>Held-out metrics</h2>
<table><tr><th>held out</th><th>model</th><th>nDCG@10</th><th>Δ</th><th>Recall@10</th><th>coverage</th><th>users</th></tr>{rows}</table>
{metrics}
<h2>Fields gained and lost</h2>
<p>Recall@10 of joined communities, by the joined community's field, base model → {version}.</p>
{moved}
<h2>Score distributions (new queries)</h2>
<p>Cosine between a held-out user's ranking vector and communities they joined, against communities they did not join. Base model:</p>
{scores_base}
<p>{version}:</p>
{scores_candidate}
<h2>Validation curves</h2>
<p>nDCG@10 of validation users (part of the training users, never fitted) for each penalty and blend toward the global map, with the map acting everywhere (reach 0); blend 0 is the base model. The blend is chosen on the users with {chosen_on} texts (and of held-out fields).</p>
{curve_svg}
<table><tr><th>penalty</th><th>blend</th><th>reach</th><th>trained texts</th><th>new texts</th><th>held-out fields</th></tr>{points}</table>
<p>Segment blends tried, on validation users who typed a fitted profile text:</p>
<table><tr><th>segment blend</th><th>nDCG@10</th></tr>{segments_tried}</table>
</body></html>
"#,
        version = esc(version),
        base_model = esc(&manifest.base_model),
        method = esc(&manifest.method),
        source = esc(&manifest.data_source),
        hash = esc(&manifest.data_hash),
        events = p.events,
        train = p.train_users,
        by_user_n = p.heldout_users,
        by_query_n = p.heldout_query_users,
        by_field_n = p.heldout_field_users,
        seed = p.seed,
        chosen_on = if p.chosen_on == "users" {
            "trained"
        } else {
            "new"
        },
        penalty = p.penalty,
        blend = p.blend,
        reach = p.reach,
        segment_blend = p.segment_blend,
        segments = p.segments,
        steps = p.solver_steps,
        created = esc(&manifest.created_at),
        metrics = bars(&groups, names),
        scores_base = scores(&by_query.base),
        scores_candidate = scores(&by_query.candidate),
        curve_svg = curve_plot(curve),
        points = points,
    )
}
