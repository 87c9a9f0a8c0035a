//! The report's inline SVG plots: grouped bars, two overlaid histograms, and
//! the validation curves.

use std::fmt::Write;

use super::CurvePoint;

const W: f64 = 640.0;
const H: f64 = 260.0;
const PAD: f64 = 40.0;
const COLORS: [&str; 2] = ["#8c8c8c", "#2b6cb0"];

pub(super) fn esc(s: &str) -> String {
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
pub(super) fn bars(groups: &[(String, [f64; 2])], names: [&str; 2]) -> String {
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
pub(super) fn histogram(series: [(&str, &[f32]); 2]) -> String {
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

/// Validation nDCG@10 against the blend toward the global map: per penalty,
/// one line for validation users with new profile texts (what chooses the
/// blend) and one for those with trained texts.
pub(super) fn curve_plot(curve: &[CurvePoint]) -> String {
    let global: Vec<&CurvePoint> = curve
        .iter()
        .filter(|p| p.segment_blend == 0.0 && p.reach == 0.0)
        .collect();
    let mut penalties: Vec<f64> = global.iter().map(|p| p.penalty).collect();
    penalties.dedup();
    let (min, max) = global.iter().fold((1.0f64, 0.0f64), |(a, b), p| {
        (
            a.min(p.by_user).min(p.by_query),
            b.max(p.by_user).max(p.by_query),
        )
    });
    let (min, max) = (min - 0.02, max + 0.02);
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{}" role="img">"#,
        H + 30.0
    );
    legend(&mut svg, &["trained texts (dashed)", "new texts (solid)"]);
    let x = |b: f32| PAD + (W - 2.0 * PAD) * f64::from(b);
    let y = |v: f64| H - (H - PAD) * (v - min) / (max - min).max(1e-9);
    for penalty in &penalties {
        for (i, (of, dash)) in [
            (
                (|p: &CurvePoint| p.by_user) as fn(&CurvePoint) -> f64,
                "4 3",
            ),
            (|p: &CurvePoint| p.by_query, ""),
        ]
        .into_iter()
        .enumerate()
        {
            let points: Vec<String> = global
                .iter()
                .filter(|p| p.penalty == *penalty)
                .map(|p| format!("{:.1},{:.1}", x(p.blend), y(of(p))))
                .collect();
            let _ = write!(
                svg,
                r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="2" stroke-dasharray="{dash}"><title>penalty {penalty}</title></polyline>"#,
                points.join(" "),
                COLORS[i % 2]
            );
        }
    }
    for p in &global {
        for v in [p.by_user, p.by_query] {
            let _ = write!(
                svg,
                r#"<circle cx="{:.1}" cy="{:.1}" r="3"><title>penalty {} blend {}: {v:.3}</title></circle>"#,
                x(p.blend),
                y(v),
                p.penalty,
                p.blend,
            );
        }
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
