//! Step 3: logistic regression, univariate and multivariable.

use leptos::prelude::*;

use crate::engine::data::ColumnKind;
use crate::ui::components::analysis_step::AnalysisStep;
use crate::ui::components::diagnostics::Diagnostics;
use crate::ui::components::needs_role::NeedsRole;
use crate::ui::components::pending::Pending;
use crate::ui::components::report_table::ReportTableView;
use crate::ui::components::step_error::StepError;
use crate::ui::components::table_actions::TableActions;
use crate::ui::components::variable_picker::VariablePicker;
use crate::ui::engine_client::{is_stale, run_regression};
use crate::ui::state::AppState;

#[component]
pub fn RegressionPanel() -> impl IntoView {
    let state = AppState::get();
    let settings = state.regression;
    let result = LocalResource::new(move || {
        let spec = settings.spec();
        let threshold = settings.threshold.get();
        let loaded = state.session.with(Option::is_some) && !spec.outcome.is_empty();
        async move {
            if loaded {
                Some(run_regression(spec, threshold).await)
            } else {
                None
            }
        }
    });
    let controls = move || {
        let cols: Vec<(String, ColumnKind, usize)> = state.session.with(|s| {
            s.as_ref()
                .map(|s| {
                    s.inspection
                        .columns
                        .iter()
                        .map(|c| {
                            let k = c.levels.as_ref().map_or(0, Vec::len);
                            (c.name.clone(), c.kind, k)
                        })
                        .collect()
                })
                .unwrap_or_default()
        });
        let outcome = settings.outcome.get_untracked();
        let outcomes = AppState::get()
            .group_columns(2)
            .into_iter()
            .map(|c| {
                let sel = c == outcome;
                view! { <option value=c.clone() selected=sel>{c.clone()}</option> }
            })
            .collect_view();
        let vars: Vec<String> = cols
            .iter()
            .filter(|c| c.1 != ColumnKind::Text && c.0 != outcome)
            .map(|c| c.0.clone())
            .collect();
        let multilevel: Vec<String> = cols
            .iter()
            .filter(|c| c.2 > 2)
            .map(|c| c.0.clone())
            .collect();
        let threshold_text = settings
            .threshold
            .get_untracked()
            .map_or(String::new(), |t| t.to_string());
        view! {
            <div class="settings">
                <label>
                    "Outcome "
                    <select id="lr-outcome" on:change=move |ev| {
                        let o = event_target_value(&ev);
                        settings.variables.update(|v| v.retain(|x| *x != o));
                        settings.outcome.set(o);
                    }>{outcomes}</select>
                </label>
                <fieldset class="inline-fieldset">
                    <legend>"Multivariable model"</legend>
                    <label>
                        <input
                            type="radio"
                            name="lr-select"
                            prop:checked=move || settings.threshold.get().is_some()
                            on:change=move |_| settings.threshold.set(Some(0.05))
                        />
                        "variables with univariate P below "
                    </label>
                    <input
                        type="text"
                        id="lr-threshold"
                        size="5"
                        aria-label="P value threshold for the multivariable model"
                        value=threshold_text
                        on:change=move |ev| {
                            if let Ok(t) = event_target_value(&ev).trim().parse::<f64>() {
                                if t > 0.0 && t <= 1.0 {
                                    settings.threshold.set(Some(t));
                                }
                            }
                        }
                    />
                    <label>
                        <input
                            type="radio"
                            name="lr-select"
                            id="lr-all"
                            prop:checked=move || settings.threshold.get().is_none()
                            on:change=move |_| settings.threshold.set(None)
                        />
                        "all chosen variables"
                    </label>
                </fieldset>
                <label title="Firth's penalised likelihood gives finite odds ratios when a level or value of a variable has all or no events (separation), with profile penalised-likelihood CIs and penalised likelihood-ratio P values (as R's logistf).">
                    <input
                        type="checkbox"
                        id="lr-firth"
                        prop:checked=move || settings.firth.get()
                        on:change=move |ev| settings.firth.set(event_target_checked(&ev))
                    />
                    " Firth's penalised likelihood"
                </label>
                <details>
                    <summary>"Variables"</summary>
                    <VariablePicker legend="Candidate variables" options=vars selected=settings.variables />
                    <VariablePicker
                        legend="Enter as an ordinal score (one OR per level step) instead of one OR per level"
                        options=multilevel
                        selected=settings.ordinal
                    />
                </details>
            </div>
        }
    };
    view! {
        <AnalysisStep title="Logistic regression">
            {controls}
            {move || settings.outcome.with(String::is_empty).then(|| view! { <NeedsRole role="the outcome of the regression" /> })}
            {move || match result.get() {
                Some(Some(Ok((table, diags)))) => {
                    view! {
                        <Diagnostics items=diags />
                        <TableActions table=table.clone() file_stem="logistic-regression" />
                        <ReportTableView table=table id="regression" />
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
