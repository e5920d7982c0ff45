//! The study as one self-contained HTML file.

use crate::engine::study::StudyResults;
use crate::report::html::escape as esc;
use crate::report::table::ReportTable;

/// A table as HTML that Word keeps when pasted.
pub fn table_html(t: &ReportTable) -> String {
    t.to_html()
}

/// One self-contained HTML file: methods, every table, every figure
/// (inline SVG), the diagnostics.
pub fn report_html(
    r: &StudyResults,
    tables: &[(String, ReportTable)],
    figures: &[(String, String)],
) -> String {
    let mut h =
        String::from("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str(&format!(
        "<title>CohortLab report: {}</title>\n<style>\nbody{{font-family:Arial,Helvetica,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}}\ntable{{border-collapse:collapse;margin:1rem 0;font-size:.9rem}}\ncaption{{text-align:left;font-weight:bold;margin-bottom:.3rem}}\nth,td{{border-top:1px solid #999;border-bottom:1px solid #999;padding:.2rem .5rem;text-align:left}}\ntr.variable td:first-child{{font-weight:bold}}\ntr.level td:first-child{{padding-left:1.5rem}}\n.note{{font-size:.8rem;color:#555;margin:.2rem 0}}\nfigure{{margin:1.5rem 0}}\n</style>\n</head>\n<body>\n",
        esc(&r.file)
    ));
    h.push_str(&format!(
        "<h1>Retrospective cohort analysis</h1>\n<p>{} · {} · {} patients</p>\n",
        esc(&r.engine),
        esc(&r.file),
        r.n_rows
    ));
    if let Some(design) = &r.design {
        h.push_str(&crate::report::design::design_html(design));
    }
    h.push_str(&format!(
        "<h2>Methods</h2>\n<p id=\"methods\">{}</p>\n",
        esc(&r.methods)
    ));
    h.push_str("<h2>Tables</h2>\n");
    for (_, t) in tables {
        h.push_str(&table_html(t));
    }
    h.push_str("<h2>Figures</h2>\n");
    for (name, svg) in figures {
        h.push_str(&format!(
            "<figure id=\"figure-{}\">\n{}\n</figure>\n",
            esc(name),
            svg
        ));
    }
    if !r.diagnostics.is_empty() {
        h.push_str("<h2>Notes</h2>\n<ul>\n");
        for d in &r.diagnostics {
            h.push_str(&format!("<li>{}</li>\n", esc(&d.message)));
        }
        h.push_str("</ul>\n");
    }
    h.push_str("</body>\n</html>\n");
    h
}
