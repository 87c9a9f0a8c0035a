//! The analyst's report: one self-contained HTML file with inline SVG plots
//! (no scripts, no external files): held-out metrics before and after,
//! recall per category, score distributions, and the validation curve.

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use crate::heldout::Evaluation;
use crate::registry::Manifest;

/// One point of the validation curve.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CurvePoint {
    pub penalty: f64,
    pub blend: f32,
    pub ndcg_at_10: f64,
}

const W: f64 = 640.0;
const H: f64 = 260.0;
const PAD: f64 = 40.0;
const COLORS: [&str; 2] = ["#8c8c8c", "#2b6cb0"];

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn legend(svg: &mut String, names: &[&str]) {
    for (i, name) in names.iter().enumerate() {
        let x = PAD + 150.0 * i as f64;
        let _ = write!(
            svg,
            r#"<rect x="{x}" y="6" width="12" height="12" fill="{}"/><text x="{}" y="16" font-size="12">{}</text>"#,
            COLORS[i % 2],
            x + 16.0,
            esc(name)
        );
    }
}

/// Grouped bars, values in 0..=1.
fn bars(groups: &[(String, [f64; 2])], names: [&str; 2]) -> String {
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{}" role="img">"#,
        H + 60.0
    );
    legend(&mut svg, &names);
    let plot_h = H - PAD;
    let slot = (W - 2.0 * PAD) / groups.len().max(1) as f64;
    let bar = (slot * 0.8) / 2.0;
    let _ = write!(
        svg,
        r##"<line x1="{PAD}" y1="{H}" x2="{}" y2="{H}" stroke="#333"/>"##,
        W - PAD
    );
    for (g, (label, values)) in groups.iter().enumerate() {
        let x0 = PAD + slot * g as f64 + slot * 0.1;
        for (i, v) in values.iter().enumerate() {
            let h = plot_h * v.clamp(0.0, 1.0);
            let x = x0 + bar * i as f64;
            let _ = write!(
                svg,
                r#"<rect x="{x:.1}" y="{:.1}" width="{:.1}" height="{h:.1}" fill="{}"><title>{}: {v:.3}</title></rect><text x="{:.1}" y="{:.1}" font-size="9" text-anchor="middle">{v:.2}</text>"#,
                H - h,
                bar - 1.0,
                COLORS[i],
                esc(names[i]),
                x + bar / 2.0,
                H - h - 3.0
            );
        }
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" font-size="10" text-anchor="end" transform="rotate(-35 {:.1} {:.1})">{}</text>"#,
            x0 + bar,
            H + 14.0,
            x0 + bar,
            H + 14.0,
            esc(label)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Two overlaid histograms of scores in -0.2..=1.
fn histogram(series: [(&str, &[f32]); 2]) -> String {
    const BINS: usize = 24;
    let (lo, hi) = (-0.2f32, 1.0f32);
    let counts: Vec<Vec<f64>> = series
        .iter()
        .map(|(_, values)| {
            let mut c = vec![0.0; BINS];
            for v in values.iter() {
                let b = (((v - lo) / (hi - lo)) * BINS as f32)
                    .floor()
                    .clamp(0.0, BINS as f32 - 1.0);
                c[b as usize] += 1.0;
            }
            let total = values.len().max(1) as f64;
            c.into_iter().map(|x| x / total).collect()
        })
        .collect();
    let peak = counts.iter().flatten().cloned().fold(0.01, f64::max);
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{}" role="img">"#,
        H + 30.0
    );
    legend(&mut svg, &[series[0].0, series[1].0]);
    let bw = (W - 2.0 * PAD) / BINS as f64;
    for (i, c) in counts.iter().enumerate() {
        for (b, v) in c.iter().enumerate() {
            let h = (H - PAD) * v / peak;
            let _ = write!(
                svg,
                r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{h:.1}" fill="{}" fill-opacity="0.55"/>"#,
                PAD + bw * b as f64,
                H - h,
                bw - 1.0,
                COLORS[i]
            );
        }
    }
    for t in [0.0f32, 0.25, 0.5, 0.75, 1.0] {
        let x = PAD + (W - 2.0 * PAD) * f64::from((t - lo) / (hi - lo));
        let _ = write!(
            svg,
            r#"<text x="{x:.1}" y="{}" font-size="10" text-anchor="middle">{t}</text>"#,
            H + 14.0
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Validation nDCG@10 against the blend, one line per penalty.
fn curve_plot(curve: &[CurvePoint]) -> String {
    let mut penalties: Vec<f64> = curve.iter().map(|p| p.penalty).collect();
    penalties.dedup();
    let (min, max) = curve.iter().fold((1.0f64, 0.0f64), |(a, b), p| {
        (a.min(p.ndcg_at_10), b.max(p.ndcg_at_10))
    });
    let (min, max) = (min - 0.02, max + 0.02);
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{}" role="img">"#,
        H + 30.0
    );
    let names: Vec<String> = penalties.iter().map(|p| format!("penalty {p}")).collect();
    legend(
        &mut svg,
        &names.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    let x = |b: f32| PAD + (W - 2.0 * PAD) * f64::from(b);
    let y = |v: f64| H - (H - PAD) * (v - min) / (max - min).max(1e-9);
    for (i, penalty) in penalties.iter().enumerate() {
        let points: Vec<String> = curve
            .iter()
            .filter(|p| p.penalty == *penalty)
            .map(|p| format!("{:.1},{:.1}", x(p.blend), y(p.ndcg_at_10)))
            .collect();
        let _ = write!(
            svg,
            r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>"#,
            points.join(" "),
            COLORS[i % 2]
        );
    }
    for p in curve {
        let _ = write!(
            svg,
            r#"<circle cx="{:.1}" cy="{:.1}" r="3"><title>penalty {} blend {}: {:.3}</title></circle>"#,
            x(p.blend),
            y(p.ndcg_at_10),
            p.penalty,
            p.blend,
            p.ndcg_at_10
        );
    }
    for b in [0.0f32, 0.25, 0.5, 0.75, 1.0] {
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{}" font-size="10" text-anchor="middle">blend {b}</text>"#,
            x(b),
            H + 14.0
        );
    }
    let _ = write!(
        svg,
        r#"<text x="4" y="{:.1}" font-size="10">{max:.2}</text><text x="4" y="{H}" font-size="10">{min:.2}</text>"#,
        PAD
    );
    svg.push_str("</svg>");
    svg
}

pub fn render(
    manifest: &Manifest,
    curve: &[CurvePoint],
    base: &Evaluation,
    candidate: &Evaluation,
) -> String {
    let names = ["base model", manifest.version.as_str()];
    let (b, c) = (&manifest.metrics.base, &manifest.metrics.candidate);
    let metrics = bars(
        &[
            ("nDCG@10".into(), [b.ndcg_at_10, c.ndcg_at_10]),
            ("Recall@10".into(), [b.recall_at_10, c.recall_at_10]),
            ("coverage".into(), [b.coverage, c.coverage]),
        ],
        names,
    );
    let categories: Vec<(String, [f64; 2])> = candidate
        .recall_by_category
        .iter()
        .map(|(cat, after)| {
            let before = base.recall_by_category.get(cat).copied().unwrap_or(0.0);
            (cat.clone(), [before, *after])
        })
        .collect();
    let per_category = bars(&categories, names);
    let scores_base = histogram([
        ("joined", &base.positive_scores),
        ("not joined", &base.negative_scores),
    ]);
    let scores_candidate = histogram([
        ("joined", &candidate.positive_scores),
        ("not joined", &candidate.negative_scores),
    ]);
    let mut rows = String::new();
    let mut row = |name: &str, m: &crate::heldout::Metrics| {
        let _ = write!(
            rows,
            "<tr><td>{}</td><td>{:.3}</td><td>{:.3}</td><td>{:.3}</td><td>{}</td></tr>",
            esc(name),
            m.ndcg_at_10,
            m.recall_at_10,
            m.coverage,
            m.users
        );
    };
    row("base model", b);
    if let Some((name, m)) = &manifest.metrics.active {
        row(&format!("{name} (serving when trained)"), m);
    }
    row(&format!("{} (candidate)", manifest.version), c);
    let p = &manifest.parameters;
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>copmatch retrain {version}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:720px;margin:2em auto;color:#222}}table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:4px 8px;text-align:right}}td:first-child{{text-align:left}}code{{background:#f3f3f3}}</style>
</head><body>
<h1>Retrained model {version}</h1>
<p>Base model <code>{base_model}</code>; {method}.</p>
<p>Data: {source} (<code>{hash}</code>), {events} events; {train} training users, {heldout} held-out users (split by user id, seed {seed}).
Chosen on validation users: penalty {penalty}, blend {blend}; solver steps {steps}. Created {created}.</p>
<h2>Held-out metrics</h2>
<table><tr><th>model</th><th>nDCG@10</th><th>Recall@10</th><th>coverage</th><th>users</th></tr>{rows}</table>
{metrics}
<h2>Recall@10 per category of the joined community</h2>
{per_category}
<h2>Score distributions</h2>
<p>Cosine between a held-out user's ranking vector and communities they joined, against communities they did not join. Base model:</p>
{scores_base}
<p>{version}:</p>
{scores_candidate}
<h2>Validation curve</h2>
<p>nDCG@10 on validation users (part of the training users) for each penalty and blend; blend 0 is the base model.</p>
{curve}
</body></html>
"#,
        version = esc(&manifest.version),
        base_model = esc(&manifest.base_model),
        method = esc(&manifest.method),
        source = esc(&manifest.data_source),
        hash = esc(&manifest.data_hash),
        events = p.events,
        train = p.train_users,
        heldout = p.heldout_users,
        seed = p.seed,
        penalty = p.penalty,
        blend = p.blend,
        steps = p.solver_steps,
        created = esc(&manifest.created_at),
        curve = curve_plot(curve),
    )
}
