//! Every column as the app understood it, with the controls to correct it.

use std::sync::Arc;

use leptos::prelude::*;

use super::column_row::ColumnRow;
use crate::ui::engine_client::SessionInfo;

#[component]
pub fn ColumnTable(session: Arc<SessionInfo>) -> impl IntoView {
    let rows = session
        .inspection
        .columns
        .iter()
        .map(|c| {
            let ov = session
                .spec
                .columns
                .get(&c.name)
                .cloned()
                .unwrap_or_default();
            view! { <ColumnRow column=c.clone() overridden=ov.kind.is_some() /> }
        })
        .collect_view();
    view! {
        <section class="columns" aria-labelledby="columns-title">
            <h3 id="columns-title">"Columns"</h3>
            <p class="muted">
                "Check each column's kind; change it if the guess is wrong. Categorical columns have a reference level (used for odds and hazard ratios); numeric columns can be cut into groups."
            </p>
            <div class="scroll">
                <table class="columns-table">
                    <thead>
                        <tr>
                            <th scope="col">"Column"</th>
                            <th scope="col">"Kind"</th>
                            <th scope="col" class="num">"Missing"</th>
                            <th scope="col">"Levels (n) or range"</th>
                            <th scope="col">"Reference / recode"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}
