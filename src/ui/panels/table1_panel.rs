//! Step 2: Table 1 by group.

use leptos::prelude::*;

use crate::engine::data::{ColumnKind, MAX_NUMERIC_LEVELS};
use crate::engine::table1::{CategoricalTest, ContinuousTest};
use crate::report::protocol::TableReply;
use crate::ui::components::analysis_step::AnalysisStep;
use crate::ui::components::column_select::ColumnSelect;
use crate::ui::components::diagnostics::Diagnostics;
use crate::ui::components::enum_select::EnumSelect;
use crate::ui::components::needs_role::NeedsRole;
use crate::ui::components::report_table::ReportTableView;
use crate::ui::components::step_result::StepResult;
use crate::ui::components::table_actions::TableActions;
use crate::ui::components::variable_picker::VariablePicker;
use crate::ui::engine_client::run_table1;
use crate::ui::state::AppState;

#[component]
pub fn Table1Panel() -> impl IntoView {
    let state = AppState::get();
    let settings = state.table1;
    let columns = move || state.columns();
    let result = LocalResource::new(move || {
        let spec = settings.draft().spec();
        let loaded = state.session.with(Option::is_some);
        async move {
            match spec {
                Some(spec) if loaded => Some(run_table1(spec).await),
                _ => None,
            }
        }
    });
    let controls = move || {
        let cols = columns();
        let groups: Vec<String> = AppState::get().group_columns(MAX_NUMERIC_LEVELS);
        let group = settings.group.get_untracked();
        let vars: Vec<String> = cols
            .iter()
            .filter(|c| c.1 != ColumnKind::Text && Some(&c.0) != group.as_ref())
            .map(|c| c.0.clone())
            .collect();
        let numeric: Vec<String> = cols
            .iter()
            .filter(|c| c.1 == ColumnKind::Numeric)
            .map(|c| c.0.clone())
            .collect();
        let set_group = Callback::new(move |g: Option<String>| {
            if let Some(g) = g {
                settings.variables.update(|v| v.retain(|x| *x != g));
                settings.group.set(Some(g));
            }
        });
        view! {
            <div class="settings">
                <label>
                    "Compare groups of "
                    <ColumnSelect id="t1-group" options=groups value=group on_change=set_group />
                </label>
                <label>
                    "Categorical variables: "
                    <EnumSelect
                        id="t1-cat-test"
                        value=settings.categorical_test
                        on_change=Callback::new(move |t: CategoricalTest| settings.categorical_test.set(t))
                    />
                </label>
                <label>
                    "Continuous variables: "
                    <EnumSelect
                        id="t1-cont-test"
                        value=settings.continuous_test
                        on_change=Callback::new(move |t: ContinuousTest| settings.continuous_test.set(t))
                    />
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
            {move || settings.group.with(Option::is_none).then(|| view! { <NeedsRole role="the groups compared" /> })}
            <StepResult
                result=result
                ok=|(table, diagnostics): TableReply| {
                    view! {
                        <Diagnostics items=diagnostics />
                        <TableActions table=table.clone() file_stem="table1" />
                        <ReportTableView table=table id="table1" />
                    }
                }
            />
        </AnalysisStep>
    }
}
