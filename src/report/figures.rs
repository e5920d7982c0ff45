//! Figures as SVG text: the same markup is shown in the page and
//! downloaded, and tested natively. Colour-blind-safe colours (Okabe-Ito),
//! system sans-serif text.

use crate::engine::matching::{BalanceRow, MatchResult};

const BEFORE: &str = "#E69F00"; // orange
const AFTER: &str = "#0072B2"; // blue
const TREATED: &str = "#D55E00"; // vermillion
const CONTROL: &str = "#0072B2";

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Love plot: |SMD| before (orange circles) and after (blue triangles)
/// matching per covariate, with reference lines at 0.1 and 0.2.
pub fn love_plot_svg(rows: &[BalanceRow]) -> String {
    let left = 230.0;
    let width = 640.0;
    let plot_w = width - left - 30.0;
    let row_h = 22.0;
    let top = 40.0;
    let height = top + row_h * rows.len() as f64 + 60.0;
    let max = rows
        .iter()
        .flat_map(|r| [r.before.smd.abs(), r.after.smd.abs()])
        .filter(|v| v.is_finite())
        .fold(0.25f64, f64::max);
    let xmax = (max * 10.0).ceil() / 10.0;
    let x = |v: f64| left + plot_w * (v.abs().min(xmax) / xmax);
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" font-family="Helvetica, Arial, sans-serif" font-size="12" role="img" aria-label="Love plot: absolute standardised mean differences before and after matching">"#
    );
    s.push_str(&format!(
        r#"<rect width="{width}" height="{height}" fill="white"/>"#
    ));
    s.push_str(r#"<text x="10" y="20" font-size="14" font-weight="bold">Covariate balance (Love plot)</text>"#);
    let bottom = top + row_h * rows.len() as f64;
    for t in [0.1, 0.2] {
        if t <= xmax {
            s.push_str(&format!(
                r##"<line x1="{0}" y1="{top}" x2="{0}" y2="{bottom}" stroke="#888" stroke-dasharray="4 3"/>"##,
                x(t)
            ));
        }
    }
    s.push_str(&format!(
        r##"<line x1="{left}" y1="{bottom}" x2="{}" y2="{bottom}" stroke="#333"/>"##,
        left + plot_w
    ));
    let ticks = (xmax / 0.1).round() as usize;
    for k in 0..=ticks {
        let v = k as f64 * 0.1;
        s.push_str(&format!(
            r##"<line x1="{0}" y1="{bottom}" x2="{0}" y2="{1}" stroke="#333"/><text x="{0}" y="{2}" text-anchor="middle">{3:.1}</text>"##,
            x(v),
            bottom + 5.0,
            bottom + 18.0,
            v
        ));
    }
    s.push_str(&format!(
        r#"<text x="{}" y="{}" text-anchor="middle">Absolute standardised mean difference</text>"#,
        left + plot_w / 2.0,
        bottom + 36.0
    ));
    for (i, r) in rows.iter().enumerate() {
        let y = top + row_h * (i as f64 + 0.5);
        s.push_str(&format!(
            r##"<line x1="{left}" y1="{y}" x2="{}" y2="{y}" stroke="#eee"/><text x="{}" y="{}" text-anchor="end">{}</text>"##,
            left + plot_w,
            left - 8.0,
            y + 4.0,
            esc(&r.term)
        ));
        let (xb, xa) = (x(r.before.smd), x(r.after.smd));
        s.push_str(&format!(
            r#"<circle cx="{xb}" cy="{y}" r="5" fill="{BEFORE}"/>"#
        ));
        s.push_str(&format!(
            r#"<path d="M{} {} L{} {} L{} {} Z" fill="{AFTER}"/>"#,
            xa,
            y - 5.5,
            xa - 5.5,
            y + 4.5,
            xa + 5.5,
            y + 4.5
        ));
    }
    let ly = height - 12.0;
    s.push_str(&format!(
        r#"<circle cx="{}" cy="{}" r="5" fill="{BEFORE}"/><text x="{}" y="{}">Before matching</text>"#,
        left,
        ly - 4.0,
        left + 10.0,
        ly
    ));
    s.push_str(&format!(
        r#"<path d="M{0} {1} L{2} {3} L{4} {3} Z" fill="{AFTER}"/><text x="{5}" y="{6}">After matching</text>"#,
        left + 150.0,
        ly - 9.5,
        left + 144.5,
        ly + 0.5,
        left + 155.5,
        left + 162.0,
        ly
    ));
    s.push_str("</svg>");
    s
}

/// Propensity score distributions: treated above the axis, controls
/// below, before (left panel) and after matching (right panel, weighted).
pub fn score_histograms_svg(m: &MatchResult) -> String {
    const BINS: usize = 20;
    let (width, height) = (640.0, 300.0);
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" font-family="Helvetica, Arial, sans-serif" font-size="12" role="img" aria-label="Distributions of the propensity score by group, before and after matching">"#
    );
    s.push_str(&format!(
        r#"<rect width="{width}" height="{height}" fill="white"/>"#
    ));
    s.push_str(
        r#"<text x="10" y="20" font-size="14" font-weight="bold">Propensity score by group</text>"#,
    );
    let hist = |treated: bool, after: bool| {
        let mut h = [0.0f64; BINS];
        for i in 0..m.distance.len() {
            if m.treated[i] != Some(treated) {
                continue;
            }
            let w = if after { m.weights[i] } else { 1.0 };
            if w <= 0.0 {
                continue;
            }
            let b = ((m.distance[i] * BINS as f64) as usize).min(BINS - 1);
            h[b] += w;
        }
        let total: f64 = h.iter().sum();
        h.map(|v| if total > 0.0 { v / total } else { 0.0 })
    };
    let panels = [
        (false, "Before matching", 50.0),
        (true, "After matching", 350.0),
    ];
    let all: Vec<[f64; BINS]> = panels
        .iter()
        .flat_map(|&(after, _, _)| [hist(true, after), hist(false, after)])
        .collect();
    let ymax = all
        .iter()
        .flat_map(|h| h.iter().copied())
        .fold(0.05f64, f64::max);
    let (pw, mid, half) = (260.0, 150.0, 100.0);
    for (k, &(_, title, x0)) in panels.iter().enumerate() {
        let (ht, hc) = (&all[2 * k], &all[2 * k + 1]);
        s.push_str(&format!(
            r#"<text x="{}" y="40" text-anchor="middle">{title}</text>"#,
            x0 + pw / 2.0
        ));
        let bw = pw / BINS as f64;
        for b in 0..BINS {
            let bx = x0 + b as f64 * bw;
            let th = half * ht[b] / ymax;
            let ch = half * hc[b] / ymax;
            s.push_str(&format!(
                r#"<rect x="{bx:.1}" y="{:.1}" width="{:.1}" height="{th:.1}" fill="{TREATED}" fill-opacity="0.85"/>"#,
                mid - th,
                bw - 1.0
            ));
            s.push_str(&format!(
                r#"<rect x="{bx:.1}" y="{mid}" width="{:.1}" height="{ch:.1}" fill="{CONTROL}" fill-opacity="0.85"/>"#,
                bw - 1.0
            ));
        }
        s.push_str(&format!(
            r##"<line x1="{x0}" y1="{mid}" x2="{}" y2="{mid}" stroke="#333"/>"##,
            x0 + pw
        ));
        for v in [0.0, 0.5, 1.0] {
            s.push_str(&format!(
                r#"<text x="{}" y="{}" text-anchor="middle">{v:.1}</text>"#,
                x0 + pw * v,
                mid + half + 18.0
            ));
        }
    }
    s.push_str(&format!(
        r#"<text x="{}" y="{}" text-anchor="middle">Propensity score (bars: share of the group; after matching, weighted)</text>"#,
        width / 2.0,
        height - 24.0
    ));
    s.push_str(&format!(
        r#"<rect x="50" y="{0}" width="10" height="10" fill="{TREATED}"/><text x="64" y="{1}">Treated (above)</text><rect x="190" y="{0}" width="10" height="10" fill="{CONTROL}"/><text x="204" y="{1}">Control (below)</text>"#,
        height - 14.0,
        height - 5.0
    ));
    s.push_str("</svg>");
    s
}
