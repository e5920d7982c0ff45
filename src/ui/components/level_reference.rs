//! The reference level of a categorical column.

use leptos::prelude::*;

use crate::ui::state::AppState;

#[component]
pub fn LevelReference(column: String, levels: Vec<String>, reference: usize) -> impl IntoView {
    let state = AppState::get();
    let current_ref = levels.get(reference).cloned().unwrap_or_default();
    let options = levels
        .iter()
        .enumerate()
        .map(
            |(i, l)| view! { <option value=l.clone() selected=i == reference>{l.clone()}</option> },
        )
        .collect_view();
    let label = format!("Reference level of {column}");
    view! {
        <label class="inline">
            "Reference "
            <select
                aria-label=label
                on:change=move |ev| {
                    let (n, v) = (column.clone(), event_target_value(&ev));
                    let select = event_target::<web_sys::HtmlSelectElement>(&ev);
                    let current = current_ref.clone();
                    leptos::task::spawn_local(async move {
                        if !state.update_spec(move |s| s.column_mut(&n).reference = Some(v)).await {
                            // Refused: show the reference still in force.
                            select.set_value(&current);
                        }
                    });
                }
            >
                {options}
            </select>
        </label>
    }
}
