//! One column of the column table.

use leptos::prelude::*;

use super::cut_form::CutForm;
use super::enum_select::EnumSelect;
use super::level_editor::LevelEditor;
use crate::engine::data::{ColumnKind, ColumnSummary};
use crate::engine::Choice;
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
        // The kind shown: back to the one in force when a change is refused.
        let shown = RwSignal::new(kind);
        let set_kind = Callback::new(move |k: ColumnKind| {
            shown.set(k);
            let n = n.clone();
            leptos::task::spawn_local(async move {
                if !state.update_spec(move |s| s.set_kind(&n, k)).await {
                    shown.set(kind);
                }
            });
        });
        view! {
            <EnumSelect
                aria_label=format!("Kind of {name}")
                class="kind-select"
                value=shown
                on_change=set_kind
                label=ColumnKind::key
            />
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
