//! One level of a categorical column: checked for a merge, moved up.

use leptos::prelude::*;

use crate::ui::state::AppState;

#[component]
pub fn LevelItem(
    column: String,
    /// Every level, in order; this one is `levels[index]`.
    levels: Vec<String>,
    index: usize,
    /// The levels checked for a merge.
    checked: RwSignal<Vec<String>>,
) -> impl IntoView {
    let state = AppState::get();
    let level = levels.get(index).cloned().unwrap_or_default();
    let toggled = level.clone();
    view! {
        <li>
            <label>
                <input
                    type="checkbox"
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        let level = toggled.clone();
                        checked
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
                disabled=index == 0
                aria-label=format!("Move {level} up")
                on:click=move |_| {
                    let (n, all) = (column.clone(), levels.clone());
                    state.change_spec(move |s| s.move_level_up(&n, &all, index));
                }
            >
                "↑"
            </button>
        </li>
    }
}
