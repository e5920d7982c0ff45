//! The sensitivity step's figures: the weights and the score before and
//! after weighting (mirrored histograms, as cobalt's `bal.plot`), and the
//! Love plot with the matched and weighted SMDs side by side.

use crate::engine::matching::BalanceRow;
use crate::engine::study::WeightingSummary;
use crate::report::figures::esc;
use crate::report::table::fmt_num;

const BEFORE: &str = "#E69F00"; // orange
const MATCHED: &str = "#0072B2"; // blue
const WEIGHTED: &str = "#009E73"; // bluish green
const TREATED: &str = "#D55E00"; // vermillion
const CONTROL: &str = "#0072B2";

/// One panel of mirrored histograms: the treated above the axis, the
/// controls below, bars as shares of the group.
struct Panel<'a> {
    title: &'a str,
    treated: &'a [f64],
    control: &'a [f64],
    /// The axis' range, labelled at both ends and the middle.
    range: (f64, f64),
}

fn panel(s: &mut String, p: &Panel<'_>, x0: f64, ymax: f64) {
    let (pw, mid, half) = (250.0, 150.0, 100.0);
    s.push_str(&format!(
        r#"<text x="{}" y="40" text-anchor="middle">{}</text>"#,
        x0 + pw / 2.0,
        esc(p.title)
    ));
    let bins = p.treated.len().max(1) as f64;
    let bw = pw / bins;
    for (b, (t, c)) in p.treated.iter().zip(p.control).enumerate() {
        let bx = x0 + b as f64 * bw;
        let (th, ch) = (half * t / ymax, half * c / ymax);
        s.push_str(&format!(
            r#"<rect x="{bx:.1}" y="{:.1}" width="{:.1}" height="{th:.1}" fill="{TREATED}" fill-opacity="0.85"/><rect x="{bx:.1}" y="{mid}" width="{:.1}" height="{ch:.1}" fill="{CONTROL}" fill-opacity="0.85"/>"#,
            mid - th,
            (bw - 1.0).max(0.5),
            (bw - 1.0).max(0.5),
        ));
    }
    s.push_str(&format!(
        r##"<line x1="{x0}" y1="{mid}" x2="{}" y2="{mid}" stroke="#333"/>"##,
        x0 + pw
    ));
    let (lo, hi) = p.range;
    for k in 0..=2 {
        let v = lo + (hi - lo) * k as f64 / 2.0;
        s.push_str(&format!(
            r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
            x0 + pw * k as f64 / 2.0,
            mid + half + 18.0,
            fmt_num(v, if hi > 10.0 { 0 } else { 1 })
        ));
    }
}

/// The weights by group, and the score by group before and after
/// weighting.
pub fn weights_figure_svg(w: &WeightingSummary) -> String {
    let f = &w.figure;
    let (width, height) = (900.0, 300.0);
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" font-family="Helvetica, Arial, sans-serif" font-size="12" role="img" aria-label="Distributions of the weights, and of the propensity score before and after weighting, by group">"#
    );
    s.push_str(&format!(
        r#"<rect width="{width}" height="{height}" fill="white"/><text x="10" y="20" font-size="14" font-weight="bold">Weights and propensity score by group</text>"#
    ));
    let panels = [
        Panel {
            title: "Weights",
            treated: &f.weights_treated,
            control: &f.weights_control,
            range: (0.0, f.max_weight),
        },
        Panel {
            title: "Score, before weighting",
            treated: &f.score_treated,
            control: &f.score_control,
            range: (0.0, 1.0),
        },
        Panel {
            title: "Score, after weighting",
            treated: &f.score_treated_weighted,
            control: &f.score_control_weighted,
            range: (0.0, 1.0),
        },
    ];
    let ymax = panels
        .iter()
        .flat_map(|p| p.treated.iter().chain(p.control))
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.05f64, f64::max);
    for (k, p) in panels.iter().enumerate() {
        panel(&mut s, p, 30.0 + 290.0 * k as f64, ymax);
    }
    s.push_str(&format!(
        r#"<text x="{}" y="{}" text-anchor="middle">Bars: share of the group (after weighting, of its weight)</text>"#,
        width / 2.0,
        height - 24.0
    ));
    s.push_str(&format!(
        r#"<rect x="30" y="{0}" width="10" height="10" fill="{TREATED}"/><text x="44" y="{1}">Treated (above)</text><rect x="170" y="{0}" width="10" height="10" fill="{CONTROL}"/><text x="184" y="{1}">Control (below)</text>"#,
        height - 14.0,
        height - 5.0
    ));
    s.push_str("</svg>");
    s
}

/// The Love plot with three columns of marks: |SMD| before (orange
/// circles), after matching (blue triangles) and after weighting (green
/// squares), with reference lines at 0.1 and 0.2.
pub fn love_plot_weighted_svg(w: &WeightingSummary, matched: Option<&[BalanceRow]>) -> String {
    let rows = &w.balance;
    let matched_smd = |term: &str| {
        matched
            .and_then(|m| m.iter().find(|x| x.term == term))
            .map(|x| x.after.smd)
    };
    let (left, width, row_h, top) = (230.0, 640.0, 22.0, 40.0);
    let plot_w = width - left - 30.0;
    let height = top + row_h * rows.len() as f64 + 60.0;
    let max = rows
        .iter()
        .flat_map(|r| {
            [
                r.before.smd,
                r.after.smd,
                matched_smd(&r.term).unwrap_or(0.0),
            ]
        })
        .map(f64::abs)
        .filter(|v| v.is_finite())
        .fold(0.25f64, f64::max);
    let xmax = ((max * 10.0).ceil() / 10.0).min(f64::MAX);
    let x = |v: f64| left + plot_w * (v.abs().min(xmax) / xmax);
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" font-family="Helvetica, Arial, sans-serif" font-size="12" role="img" aria-label="Love plot: absolute standardised mean differences before, after matching and after weighting">"#
    );
    s.push_str(&format!(
        r#"<rect width="{width}" height="{height}" fill="white"/><text x="10" y="20" font-size="14" font-weight="bold">Covariate balance: matching and weighting</text>"#
    ));
    let bottom = top + row_h * rows.len() as f64;
    for t in [0.1, 0.2].into_iter().filter(|&t| t <= xmax) {
        s.push_str(&format!(
            r##"<line x1="{0}" y1="{top}" x2="{0}" y2="{bottom}" stroke="#888" stroke-dasharray="4 3"/>"##,
            x(t)
        ));
    }
    s.push_str(&format!(
        r##"<line x1="{left}" y1="{bottom}" x2="{}" y2="{bottom}" stroke="#333"/><text x="{left}" y="{}" text-anchor="middle">0</text><text x="{}" y="{}" text-anchor="middle">{}</text><text x="{}" y="{}" text-anchor="middle">Absolute standardised mean difference</text>"##,
        left + plot_w,
        bottom + 18.0,
        left + plot_w,
        bottom + 18.0,
        fmt_num(xmax, 1),
        left + plot_w / 2.0,
        bottom + 36.0
    ));
    let triangle = |cx: f64, cy: f64, colour: &str| {
        format!(
            r#"<path d="M{cx} {} L{} {} L{} {} Z" fill="{colour}"/>"#,
            cy - 5.5,
            cx - 5.5,
            cy + 4.5,
            cx + 5.5,
            cy + 4.5
        )
    };
    let square = |cx: f64, cy: f64| {
        format!(
            r#"<rect x="{}" y="{}" width="9" height="9" fill="{WEIGHTED}"/>"#,
            cx - 4.5,
            cy - 4.5
        )
    };
    for (i, r) in rows.iter().enumerate() {
        let y = top + row_h * (i as f64 + 0.5);
        s.push_str(&format!(
            r##"<line x1="{left}" y1="{y}" x2="{}" y2="{y}" stroke="#eee"/><text x="{}" y="{}" text-anchor="end">{}</text><circle cx="{}" cy="{y}" r="5" fill="{BEFORE}"/>"##,
            left + plot_w,
            left - 8.0,
            y + 4.0,
            esc(&r.term),
            x(r.before.smd),
        ));
        if let Some(m) = matched_smd(&r.term) {
            s.push_str(&triangle(x(m), y, MATCHED));
        }
        s.push_str(&square(x(r.after.smd), y));
    }
    let ly = height - 12.0;
    s.push_str(&format!(
        r#"<circle cx="{left}" cy="{}" r="5" fill="{BEFORE}"/><text x="{}" y="{ly}">Before</text>"#,
        ly - 4.0,
        left + 10.0
    ));
    if matched.is_some() {
        s.push_str(&triangle(left + 90.0, ly - 4.0, MATCHED));
        s.push_str(&format!(
            r#"<text x="{}" y="{ly}">Matched</text>"#,
            left + 100.0
        ));
    }
    s.push_str(&square(left + 190.0, ly - 4.0));
    s.push_str(&format!(
        r#"<text x="{}" y="{ly}">Weighted</text></svg>"#,
        left + 200.0
    ));
    s
}
