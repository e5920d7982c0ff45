//! Step 3: logistic regression, univariate and multivariable.

use leptos::prelude::*;

use crate::report::protocol::TableReply;
use crate::ui::components::analysis_step::AnalysisStep;
use crate::ui::components::diagnostics::Diagnostics;
use crate::ui::components::needs_role::NeedsRole;
use crate::ui::components::report_table::ReportTableView;
use crate::ui::components::step_result::StepResult;
use crate::ui::components::table_actions::TableActions;
use crate::ui::engine_client::run_regression;
use crate::ui::panels::regression::controls::RegressionControls;
use crate::ui::state::{invalid, AppState};

#[component]
pub fn RegressionPanel() -> impl IntoView {
    let state = AppState::get();
    let settings = state.regression;
    let result = LocalResource::new(move || {
        let step = settings.draft().step();
        let loaded = state.session.with(Option::is_some);
        async move {
            match step {
                Ok(Some(step)) if loaded => Some(run_regression(step.spec, step.threshold).await),
                Err(e) if loaded => Some(Err(invalid(e))),
                _ => None,
            }
        }
    });
    view! {
        <AnalysisStep title="Logistic regression">
            <RegressionControls />
            {move || settings.outcome.with(Option::is_none).then(|| view! { <NeedsRole role="the outcome of the regression" /> })}
            <StepResult
                result=result
                ok=|(table, diags): TableReply| {
                    view! {
                        <Diagnostics items=diags />
                        <TableActions table=table.clone() file_stem="logistic-regression" />
                        <ReportTableView table=table id="regression" />
                    }
                }
            />
        </AnalysisStep>
    }
}
