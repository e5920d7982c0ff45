//! Order, merge and pick the reference level of a categorical column.

use leptos::prelude::*;

use crate::engine::data::ColumnSummary;
use crate::ui::state::AppState;

#[component]
pub fn LevelEditor(column: ColumnSummary) -> impl IntoView {
    let state = AppState::get();
    let Some(levels) = column.levels.as_ref() else {
        return ().into_any();
    };
    let levels: Vec<String> = levels.iter().map(|l| l.level.clone()).collect();
    let reference = column
        .reference
        .as_ref()
        .and_then(|r| levels.iter().position(|l| l == r))
        .unwrap_or(0);
    let name = column.name.clone();
    let (checked, set_checked) = signal(Vec::<String>::new());
    let (merged_name, set_merged_name) = signal(String::new());

    let ref_options = levels
        .iter()
        .enumerate()
        .map(
            |(i, l)| view! { <option value=l.clone() selected=i == reference>{l.clone()}</option> },
        )
        .collect_view();
    let n_ref = name.clone();
    let current_ref = levels.get(reference).cloned().unwrap_or_default();
    let items = levels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let (n, all, level) = (name.clone(), levels.clone(), l.clone());
            let level2 = l.clone();
            view! {
                <li>
                    <label>
                        <input
                            type="checkbox"
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                let level = level2.clone();
                                set_checked
                                    .update(|c| {
                                        c.retain(|x| *x != level);
                                        if on {
                                            c.push(level);
                                        }
                                    });
                            }
                        />
                        {level.clone()}
                    </label>
                    <button
                        type="button"
                        class="button tiny"
                        disabled=i == 0
                        aria-label=format!("Move {level} up")
                        on:click=move |_| {
                            let (n, all) = (n.clone(), all.clone());
                            state.change_spec(move |s| s.move_level_up(&n, &all, i));
                        }
                    >
                        "↑"
                    </button>
                </li>
            }
        })
        .collect_view();
    let n_merge = name.clone();
    let n_reset = name.clone();
    view! {
        <div class="levels">
            <label class="inline">
                "Reference "
                <select
                    aria-label=format!("Reference level of {name}")
                    on:change=move |ev| {
                        let (n, v) = (n_ref.clone(), event_target_value(&ev));
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
                    {ref_options}
                </select>
            </label>
            <details>
                <summary>"Order or merge levels"</summary>
                <ul class="level-list">{items}</ul>
                <div class="merge">
                    <input
                        type="text"
                        placeholder="name of merged level"
                        aria-label=format!("Name for the merged levels of {name}")
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
                            let n = n_reset.clone();
                            state.change_spec(move |s| s.reset_levels(&n));
                        }
                    >
                        "Reset levels"
                    </button>
                </div>
            </details>
        </div>
    }
    .into_any()
}
