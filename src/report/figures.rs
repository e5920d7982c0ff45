//! Figures as SVG text: the same markup is shown in the page and
//! downloaded, and tested natively. Colour-blind-safe colours (Okabe-Ito),
//! system sans-serif text.

use crate::engine::matching::{BalanceRow, MatchResult};

const BEFORE: &str = "#E69F00"; // orange
const AFTER: &str = "#0072B2"; // blue
const TREATED: &str = "#D55E00"; // vermillion
const CONTROL: &str = "#0072B2";

pub(crate) use super::html::escape as esc;

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
    // Finite even when the largest SMD is near the largest double.
    let xmax = ((max * 10.0).ceil() / 10.0).min(f64::MAX);
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
    // Ticks every 0.1, or every 10^k times that when an SMD is huge (a
    // near-constant covariate), so that there are at most 50 of them.
    let mut step = 0.1;
    while xmax / step > 50.0 {
        step *= 10.0;
    }
    let ticks = (xmax / step).round() as usize;
    for k in 0..=ticks {
        let v = k as f64 * step;
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

/// Kaplan-Meier curves with 95% CI bands, censoring marks, the log-rank P
/// on the plot, and the numbers at risk aligned under the time axis, drawn
/// by plotters (see [`super::km_figure`]).
pub fn km_plot_svg(a: &crate::report::survival::SurvivalAnalysis, time_label: &str) -> String {
    super::km_figure::KmFigure::new(a, time_label).to_svg()
}

/// The opening of a figure: the SVG element (titled for screen readers), a
/// white background and the title.
fn svg_open(width: f64, height: f64, title: &str) -> String {
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" font-family="Helvetica, Arial, sans-serif" font-size="12" role="img" aria-label="{0}"><rect width="{width}" height="{height}" fill="white"/><text x="10" y="20" font-size="14" font-weight="bold">{0}</text>"#,
        esc(title)
    )
}

/// One row of a forest plot: a label, counts text, and an OR with CI
/// (`None` when not estimable).
#[derive(Debug, Clone, PartialEq)]
pub struct ForestRow {
    pub label: String,
    pub detail: String,
    pub estimate: Option<[f64; 3]>,
    /// A heading row (bold, no estimate) or the overall row (diamond).
    pub overall: bool,
}

/// Forest plot of odds ratios on a log axis with a line at 1: one row per
/// subgroup, the overall estimate as a diamond, the P for interaction
/// under the plot.
pub fn forest_plot_svg(
    title: &str,
    rows: &[ForestRow],
    (left_label, right_label): (&str, &str),
    footer: &str,
    level: f64,
) -> String {
    let (width, left, right_text) = (760.0, 190.0, 210.0);
    let plot_w = width - left - right_text - 20.0;
    let (top, row_h) = (48.0, 26.0);
    let bottom = top + row_h * rows.len() as f64;
    let height = bottom + 78.0;
    // Axis: powers of two around the estimates, at least 0.25 to 4.
    let (mut lo, mut hi) = (0.25f64, 4.0f64);
    for r in rows.iter().filter_map(|r| r.estimate) {
        for v in [r[1], r[2]] {
            if v.is_finite() && v > 0.0 {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
    }
    let (lo, hi) = (
        2f64.powf(lo.log2().floor().max(-6.0)),
        2f64.powf(hi.log2().ceil().min(6.0)),
    );
    let x = |v: f64| left + plot_w * ((v.clamp(lo, hi).ln() - lo.ln()) / (hi.ln() - lo.ln()));
    let mut s = svg_open(width, height, title);
    s.push_str(&format!(
        r#"<text x="{}" y="{}" font-weight="bold">OR ({} CI)</text>"#,
        left + plot_w + 16.0,
        top - 10.0,
        super::table::level_label(level)
    ));
    s.push_str(&format!(
        r##"<line x1="{0}" y1="{top}" x2="{0}" y2="{bottom}" stroke="#555"/>"##,
        x(1.0)
    ));
    s.push_str(&format!(
        r##"<line x1="{left}" y1="{bottom}" x2="{}" y2="{bottom}" stroke="#333"/>"##,
        left + plot_w
    ));
    let mut t = lo;
    while t <= hi * 1.0001 {
        let label = if t >= 1.0 {
            format!("{t:.0}")
        } else {
            format!("{t}")
        };
        s.push_str(&format!(
            r##"<line x1="{0}" y1="{bottom}" x2="{0}" y2="{1}" stroke="#333"/><text x="{0}" y="{2}" text-anchor="middle">{3}</text>"##,
            x(t),
            bottom + 5.0,
            bottom + 18.0,
            label
        ));
        t *= 2.0;
    }
    s.push_str(&format!(
        r#"<text x="{}" y="{}" text-anchor="end">← {}</text><text x="{}" y="{}">{} →</text>"#,
        x(1.0) - 6.0,
        bottom + 36.0,
        esc(left_label),
        x(1.0) + 6.0,
        bottom + 36.0,
        esc(right_label)
    ));
    for (i, r) in rows.iter().enumerate() {
        let y = top + row_h * (i as f64 + 0.5);
        let weight = if r.overall { "bold" } else { "normal" };
        s.push_str(&format!(
            r##"<text x="10" y="{}" font-weight="{weight}">{}</text><text x="10" y="{}" font-size="10" fill="#555">{}</text>"##,
            y,
            esc(&r.label),
            y + 11.0,
            esc(&r.detail)
        ));
        match r.estimate {
            Some([e, l, u]) if e.is_finite() && e > 0.0 => {
                let (xe, xl, xu) = (x(e), x(l), x(u));
                s.push_str(&format!(
                    r##"<line class="forest-ci" x1="{xl}" y1="{y}" x2="{xu}" y2="{y}" stroke="#000"/>"##
                ));
                if r.overall {
                    s.push_str(&format!(
                        r##"<path class="forest-overall" d="M{xl} {y} L{xe} {} L{xu} {y} L{xe} {} Z" fill="{CONTROL}"/>"##,
                        y - 7.0,
                        y + 7.0
                    ));
                } else {
                    s.push_str(&format!(
                        r##"<rect class="forest-point" x="{}" y="{}" width="10" height="10" fill="{CONTROL}"/>"##,
                        xe - 5.0,
                        y - 5.0
                    ));
                }
                s.push_str(&format!(
                    r#"<text x="{}" y="{}">{:.2} ({:.2}–{:.2})</text>"#,
                    left + plot_w + 16.0,
                    y + 4.0,
                    e,
                    l,
                    u
                ));
            }
            _ => s.push_str(&format!(
                r##"<text x="{}" y="{}" fill="#555">not estimable</text>"##,
                left + plot_w + 16.0,
                y + 4.0
            )),
        }
    }
    s.push_str(&format!(
        r#"<text x="10" y="{}">{}</text></svg>"#,
        height - 10.0,
        esc(footer)
    ));
    s
}

/// One category of [`rate_bars_svg`]: its name, (events, patients) per
/// group, and the P printed under it.
#[derive(Debug, Clone, PartialEq)]
pub struct RateCategory {
    pub name: String,
    pub counts: Vec<(usize, usize)>,
    pub p: String,
}

/// Grouped bars: the outcome rate (%) per group within each category (e.g.
/// pCR by marking within each subtype, the model study's Figure 1C-F),
/// the percentage over each bar and P under each category.
pub fn rate_bars_svg(title: &str, groups: &[String], categories: &[RateCategory]) -> String {
    const COLOURS: [&str; 4] = [CONTROL, TREATED, "#009E73", "#CC79A7"];
    let (width, height) = (760.0, 340.0);
    let (left, top, bottom) = (60.0, 50.0, 260.0);
    let plot_w = width - left - 20.0;
    let y = |pct: f64| bottom - (bottom - top) * pct / 100.0;
    let mut s = svg_open(width, height, title);
    for k in 0..=5 {
        let v = 20.0 * k as f64;
        s.push_str(&format!(
            r##"<line x1="{left}" y1="{0}" x2="{1}" y2="{0}" stroke="#eee"/><text x="{2}" y="{3}" text-anchor="end">{4}</text>"##,
            y(v),
            left + plot_w,
            left - 6.0,
            y(v) + 4.0,
            v
        ));
    }
    s.push_str(&format!(
        r##"<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="#333"/><line x1="{left}" y1="{bottom}" x2="{}" y2="{bottom}" stroke="#333"/><text transform="translate(16 {}) rotate(-90)" text-anchor="middle">Patients with the outcome (%)</text>"##,
        left + plot_w,
        (top + bottom) / 2.0
    ));
    let slot = plot_w / categories.len().max(1) as f64;
    let bar = (slot * 0.7 / groups.len().max(1) as f64).min(60.0);
    for (c, RateCategory { name, counts, p }) in categories.iter().enumerate() {
        let cx = left + slot * (c as f64 + 0.5);
        let x0 = cx - bar * counts.len() as f64 / 2.0;
        for (g, &(k, n)) in counts.iter().enumerate() {
            let pct = if n > 0 {
                100.0 * k as f64 / n as f64
            } else {
                0.0
            };
            let xg = x0 + bar * g as f64;
            s.push_str(&format!(
                r#"<rect class="rate-bar" x="{xg}" y="{}" width="{}" height="{}" fill="{}"/><text x="{}" y="{}" text-anchor="middle" font-size="11">{:.1}%</text>"#,
                y(pct),
                bar - 2.0,
                bottom - y(pct),
                COLOURS[g % COLOURS.len()],
                xg + bar / 2.0 - 1.0,
                y(pct) - 4.0,
                pct
            ));
        }
        s.push_str(&format!(
            r#"<text x="{cx}" y="{}" text-anchor="middle">{}</text><text x="{cx}" y="{}" text-anchor="middle" font-size="11">P {}</text>"#,
            bottom + 16.0,
            esc(name),
            bottom + 31.0,
            esc(p)
        ));
    }
    let mut lx = left;
    for (g, name) in groups.iter().enumerate() {
        s.push_str(&format!(
            r#"<rect x="{lx}" y="{}" width="12" height="12" fill="{}"/><text x="{}" y="{}">{}</text>"#,
            height - 26.0,
            COLOURS[g % COLOURS.len()],
            lx + 16.0,
            height - 16.0,
            esc(name)
        ));
        lx += 40.0 + 8.0 * name.chars().count() as f64;
    }
    s.push_str("</svg>");
    s
}
