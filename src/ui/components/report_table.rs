//! A rendered table with its footnotes, as in the paper.

use leptos::prelude::*;

use crate::report::table::{ReportTable, RowStyle};

#[component]
pub fn ReportTableView(table: ReportTable, id: &'static str) -> impl IntoView {
    let head = table
        .header
        .iter()
        .map(|h| view! { <th scope="col">{h.clone()}</th> })
        .collect_view();
    let rows = table
        .rows
        .iter()
        .map(|(style, cells)| {
            let class = match style {
                RowStyle::Variable => "var",
                RowStyle::Level => "level",
                RowStyle::Plain => "",
            };
            let cells = cells
                .iter()
                .enumerate()
                .map(|(j, c)| {
                    if j == 0 {
                        view! { <th scope="row">{c.clone()}</th> }.into_any()
                    } else {
                        view! { <td>{c.clone()}</td> }.into_any()
                    }
                })
                .collect_view();
            view! { <tr class=class>{cells}</tr> }
        })
        .collect_view();
    let notes = table
        .footnotes
        .iter()
        .map(|f| view! { <li>{f.clone()}</li> })
        .collect_view();
    view! {
        <figure class="report-table">
            <figcaption>{table.title.clone()}</figcaption>
            <div class="scroll">
                <table class="paper" id=id>
                    <thead>
                        <tr>{head}</tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <ul class="footnotes">{notes}</ul>
        </figure>
    }
}
