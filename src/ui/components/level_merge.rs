//! Merges the checked levels of a column, or resets its levels.

use leptos::prelude::*;

use crate::ui::state::AppState;

#[component]
pub fn LevelMerge(column: String, checked: RwSignal<Vec<String>>) -> impl IntoView {
    let state = AppState::get();
    let (merged_name, set_merged_name) = signal(String::new());
    let label = format!("Name for the merged levels of {column}");
    let n_merge = column.clone();
    view! {
        <div class="merge">
            <input
                type="text"
                placeholder="name of merged level"
                aria-label=label
                prop:value=merged_name
                on:input=move |ev| set_merged_name.set(event_target_value(&ev))
            />
            <button
                type="button"
                class="button small"
                disabled=move || checked.with(|c| c.len() < 2)
                on:click=move |_| {
                    let levels = checked.get_untracked();
                    let mut into = merged_name.get_untracked().trim().to_owned();
                    if into.is_empty() {
                        into = levels.join(" or ");
                    }
                    let n = n_merge.clone();
                    state.change_spec(move |s| s.merge_levels(&n, levels, &into));
                }
            >
                "Merge checked"
            </button>
            <button
                type="button"
                class="button small"
                on:click=move |_| {
                    let n = column.clone();
                    state.change_spec(move |s| s.reset_levels(&n));
                }
            >
                "Reset levels"
            </button>
        </div>
    }
}
