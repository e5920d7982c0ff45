//! The first rows of the data, as typed.

use std::sync::Arc;

use leptos::prelude::*;

use crate::ui::engine_client::SessionInfo;

#[component]
pub fn PreviewTable(session: Arc<SessionInfo>) -> impl IntoView {
    let n = session.preview.rows.len();
    let total = session.inspection.rows;
    let head = session
        .inspection
        .columns
        .iter()
        .map(|c| view! { <th scope="col">{c.name.clone()}</th> })
        .collect_view();
    let rows = session
        .preview
        .rows
        .iter()
        .map(|(row, cells)| {
            let cells = cells
                .iter()
                .map(|v| {
                    let missing = v.is_empty();
                    view! { <td class:missing=missing>{if missing { "·".to_string() } else { v.clone() }}</td> }
                })
                .collect_view();
            view! {
                <tr>
                    <th scope="row" class="rownum">{*row}</th>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="preview" aria-labelledby="preview-title">
            <h3 id="preview-title">
                "First " {n} " of " {total} " rows"
                <span class="muted">" (row numbers as in the file; · is missing)"</span>
            </h3>
            <div class="scroll" tabindex="0" role="region" aria-labelledby="preview-title">
                <table class="data">
                    <thead>
                        <tr>
                            <th scope="col">"Row"</th>
                            {head}
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}
