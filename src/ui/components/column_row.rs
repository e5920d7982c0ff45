//! One column of the column table.

use leptos::prelude::*;

use super::cut_form::CutForm;
use super::level_editor::LevelEditor;
use crate::engine::data::{ColumnKind, ColumnSummary};
use crate::report::inspect::describe_values;
use crate::ui::state::AppState;

/// `overridden`: the kind was set by the user, not inferred.
#[component]
pub fn ColumnRow(column: ColumnSummary, overridden: bool) -> impl IntoView {
    let state = AppState::get();
    let summary = column.clone();
    let name = column.name.clone();
    let kind = column.kind;
    let derived = column.derived_from.clone();
    let kind_cell = if let Some(source) = derived.clone() {
        let n = name.clone();
        view! {
            <span class="derived">"groups of " {source}</span>
            <button
                type="button"
                class="button small"
                aria-label=format!("Remove column {n}")
                on:click=move |_| {
                    let n = n.clone();
                    state.change_spec(move |s| s.remove_derived(&n));
                }
            >
                "Remove"
            </button>
        }
        .into_any()
    } else {
        let n = name.clone();
        let options = ColumnKind::ALL
            .into_iter()
            .map(|k| view! { <option value=k.as_str() selected=k == kind>{k.as_str()}</option> })
            .collect_view();
        view! {
            <select
                aria-label=format!("Kind of {name}")
                class="kind-select"
                on:change=move |ev| {
                    if let Some(k) = ColumnKind::parse(&event_target_value(&ev)) {
                        let n = n.clone();
                        let select = event_target::<web_sys::HtmlSelectElement>(&ev);
                        leptos::task::spawn_local(async move {
                            if !state.update_spec(move |s| s.set_kind(&n, k)).await {
                                // Refused: show the kind that is still in force.
                                select.set_value(kind.as_str());
                            }
                        });
                    }
                }
            >
                {options}
            </select>
            {overridden.then(|| view! { <span class="badge" title="Set by you">"set"</span> })}
        }
        .into_any()
    };
    let recode = match kind {
        ColumnKind::Numeric => view! { <CutForm source=name.clone() /> }.into_any(),
        ColumnKind::Binary | ColumnKind::Categorical => {
            view! { <LevelEditor column=column.clone() /> }.into_any()
        }
        ColumnKind::Text => view! { <span class="muted">"not analysed"</span> }.into_any(),
    };
    view! {
        <tr data-column=name.clone()>
            <th scope="row">{name.clone()}</th>
            <td class="kind">{kind_cell}</td>
            <td class="num">{summary.missing}</td>
            <td class="values">{describe_values(&summary)}</td>
            <td class="recode">{recode}</td>
        </tr>
    }
}
