//! The study's roles, set once on the Data step: the groups compared, the
//! binary outcomes, the time-to-event pair and the subgroup variable. Each
//! choice is carried into every step that uses it (each step can still
//! change its own copy).

use leptos::prelude::*;

use crate::engine::data::{ColumnKind, MAX_NUMERIC_LEVELS};
use crate::ui::components::column_select::ColumnSelect;
use crate::ui::components::variable_picker::VariablePicker;
use crate::ui::state::AppState;

#[component]
pub fn Roles() -> impl IntoView {
    let state = AppState::get();
    let cols: Vec<(String, ColumnKind)> = untrack(|| state.columns());
    let names = |kinds: &[ColumnKind]| -> Vec<String> {
        cols.iter()
            .filter(|c| kinds.contains(&c.1))
            .map(|c| c.0.clone())
            .collect()
    };
    let select = |id: &'static str,
                  options: Vec<String>,
                  current: Option<String>,
                  none: bool,
                  set: Callback<Option<String>>| {
        view! { <ColumnSelect id=id options=options value=current none=none on_change=set /> }
    };
    // Numeric codes (1/2, grade 1/2/3) count as groups: every step reads
    // them as levels.
    let groups = state.group_columns(MAX_NUMERIC_LEVELS);
    let binary = state.group_columns(2);
    let numeric = names(&[ColumnKind::Numeric]);
    let group = select(
        "role-group",
        binary.clone(),
        state.table1.group.get_untracked(),
        false,
        Callback::new(move |g: Option<String>| {
            if let Some(g) = g {
                state.set_group(&g);
            }
        }),
    );
    let time = select(
        "role-time",
        numeric,
        state.survival.time.get_untracked(),
        true,
        Callback::new(move |t| state.survival.time.set(t)),
    );
    let event = select(
        "role-event",
        binary.clone(),
        state.survival.event.get_untracked(),
        true,
        Callback::new(move |e| state.survival.event.set(e)),
    );
    let subgroup = select(
        "role-subgroup",
        groups,
        state.subgroup.get_untracked(),
        true,
        Callback::new(move |s| state.subgroup.set(s)),
    );
    // Never the groups themselves, nor a column left out as a second
    // coding of them.
    let left_out: Vec<String> = state.session.with_untracked(|s| {
        s.as_ref()
            .and_then(|s| s.design.as_ref())
            .map(|d| d.left_out.iter().map(|l| l.column.clone()).collect())
            .unwrap_or_default()
    });
    let current_group = state.table1.group.get_untracked();
    let outcome_options: Vec<String> = binary
        .iter()
        .filter(|c| current_group.as_ref() != Some(*c) && !left_out.contains(c))
        .cloned()
        .collect();
    let regression = select(
        "role-regression-outcome",
        binary.clone(),
        state.regression.outcome.get_untracked(),
        true,
        Callback::new(move |o| state.regression.outcome.set(o)),
    );
    view! {
        <details class="roles" open>
            <summary>"Study design: set once, used by every step"</summary>
            <div class="controls">
                <label>"Groups compared (treatment) " {group}</label>
                <label>"Outcome of the regression " {regression}</label>
                <label>"Follow-up time " {time}</label>
                <label>"Event " {event}</label>
                <label>"Subgroups by " {subgroup}</label>
            </div>
            <VariablePicker legend="Binary outcomes compared after matching" options=outcome_options selected=state.outcomes />
        </details>
    }
}
