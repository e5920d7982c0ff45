//! The first rows of the data, as typed.

use std::sync::Arc;

use leptos::prelude::*;

use crate::engine::data::Dataset;

const PREVIEW_ROWS: usize = 10;

#[component]
pub fn PreviewTable(dataset: Arc<Dataset>) -> impl IntoView {
    let n = dataset.n_rows.min(PREVIEW_ROWS);
    let head = dataset
        .columns
        .iter()
        .map(|c| view! { <th scope="col">{c.name.clone()}</th> })
        .collect_view();
    let rows = (0..n)
        .map(|r| {
            let cells = dataset
                .columns
                .iter()
                .map(|c| {
                    let v = c.display(r);
                    let missing = v.is_empty();
                    view! { <td class:missing=missing>{if missing { "·".to_string() } else { v }}</td> }
                })
                .collect_view();
            view! {
                <tr>
                    <th scope="row" class="rownum">{dataset.row_numbers.get(r).copied().unwrap_or(r + 2)}</th>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="preview" aria-labelledby="preview-title">
            <h3 id="preview-title">
                "First " {n} " of " {dataset.n_rows} " rows"
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
