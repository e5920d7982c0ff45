//! Step 2: Table 1 by group.

use leptos::prelude::*;

use crate::engine::data::{ColumnKind, MAX_NUMERIC_LEVELS};
use crate::engine::table1::{CategoricalTest, ContinuousTest};
use crate::ui::components::analysis_step::AnalysisStep;
use crate::ui::components::diagnostics::Diagnostics;
use crate::ui::components::needs_role::NeedsRole;
use crate::ui::components::pending::Pending;
use crate::ui::components::report_table::ReportTableView;
use crate::ui::components::step_error::StepError;
use crate::ui::components::table_actions::TableActions;
use crate::ui::components::variable_picker::VariablePicker;
use crate::ui::engine_client::{is_stale, run_table1};
use crate::ui::state::AppState;

#[component]
pub fn Table1Panel() -> impl IntoView {
    let state = AppState::get();
    let settings = state.table1;
    let columns = move || state.columns();
    let result = LocalResource::new(move || {
        let spec = settings.spec();
        let loaded = state.session.with(Option::is_some) && !spec.group.is_empty();
        async move {
            if loaded {
                Some(run_table1(spec).await)
            } else {
                None
            }
        }
    });
    let controls = move || {
        let cols = columns();
        let groups: Vec<String> = AppState::get().group_columns(MAX_NUMERIC_LEVELS);
        let group = settings.group.get_untracked();
        let vars: Vec<String> = cols
            .iter()
            .filter(|c| c.1 != ColumnKind::Text && c.0 != group)
            .map(|c| c.0.clone())
            .collect();
        let numeric: Vec<String> = cols
            .iter()
            .filter(|c| c.1 == ColumnKind::Numeric)
            .map(|c| c.0.clone())
            .collect();
        let group_options = groups
            .into_iter()
            .map(|g| {
                let sel = g == group;
                view! { <option value=g.clone() selected=sel>{g.clone()}</option> }
            })
            .collect_view();
        let cat_options = CategoricalTest::ALL
            .into_iter()
            .map(|t| view! { <option value=t.as_str() selected=move || settings.categorical_test.get() == t>{t.describe()}</option> })
            .collect_view();
        let cont_options = ContinuousTest::ALL
            .into_iter()
            .map(|t| view! { <option value=t.as_str() selected=move || settings.continuous_test.get() == t>{t.describe()}</option> })
            .collect_view();
        view! {
            <div class="settings">
                <label>
                    "Compare groups of "
                    <select id="t1-group" on:change=move |ev| {
                        let g = event_target_value(&ev);
                        settings.variables.update(|v| v.retain(|x| *x != g));
                        settings.group.set(g);
                    }>{group_options}</select>
                </label>
                <label>
                    "Categorical variables: "
                    <select id="t1-cat-test" on:change=move |ev| {
                        if let Some(t) = CategoricalTest::parse(&event_target_value(&ev)) {
                            settings.categorical_test.set(t);
                        }
                    }>{cat_options}</select>
                </label>
                <label>
                    "Continuous variables: "
                    <select id="t1-cont-test" on:change=move |ev| {
                        if let Some(t) = ContinuousTest::parse(&event_target_value(&ev)) {
                            settings.continuous_test.set(t);
                        }
                    }>{cont_options}</select>
                </label>
                <details>
                    <summary>"Variables in the table"</summary>
                    <VariablePicker legend="Rows of Table 1" options=vars selected=settings.variables />
                    <VariablePicker
                        legend="Not normally distributed: median [IQR] and Mann-Whitney"
                        options=numeric
                        selected=settings.nonnormal
                    />
                </details>
            </div>
        }
    };
    view! {
        <AnalysisStep title="Table 1">
            {controls}
            {move || settings.group.with(String::is_empty).then(|| view! { <NeedsRole role="the groups compared" /> })}
            {move || match result.get() {
                Some(Some(Ok((table, diagnostics)))) => {
                    view! {
                        <Diagnostics items=diagnostics />
                        <TableActions table=table.clone() file_stem="table1" />
                        <ReportTableView table=table id="table1" />
                    }
                        .into_any()
                }
                Some(Some(Err(e))) if !is_stale(&e) => view! { <StepError error=e /> }.into_any(),
                Some(_) => ().into_any(),
                None => view! { <Pending /> }.into_any(),
            }}
        </AnalysisStep>
    }
}
