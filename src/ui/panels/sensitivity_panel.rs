//! Step 6: the sensitivity analyses reviewers ask for. The weighted
//! analysis (the matching's propensity score, every patient kept) beside
//! the matched one: weights, balance, outcomes and the hazard ratio; the
//! E-value under every OR and HR; the Rosenbaum bounds of the matched
//! outcomes; and the sentences for the methods paragraph.

use leptos::prelude::*;

use crate::engine::study::{validate, SensitivityStep};
use crate::engine::weighting::{Estimand, WeightOptions};
use crate::report::study::StudySettings;
use crate::ui::components::analysis_step::AnalysisStep;
use crate::ui::components::enum_select::EnumSelect;
use crate::ui::components::figure::Figure;
use crate::ui::components::needs_role::NeedsRole;
use crate::ui::components::report_table::ReportTableView;
use crate::ui::components::step_result::StepResult;
use crate::ui::components::table_actions::TableActions;
use crate::ui::engine_client::{run_study, Channel, Failure, StudyView, UiError};
use crate::ui::state::{AppState, Step};

/// The tables of this step (name, element id), in the order shown.
const TABLES: [(&str, &str); 9] = [
    ("sensitivity_estimates", "sensitivity-estimates-table"),
    ("weights", "weights-table"),
    ("table1_weighted", "table1-weighted-table"),
    ("weighted_balance", "weighted-balance-table"),
    ("weighted_outcomes", "weighted-outcomes-table"),
    ("doubly_robust", "doubly-robust-table"),
    ("weighted_survival", "weighted-survival-table"),
    ("weighted_cox", "weighted-cox-table"),
    ("rosenbaum", "rosenbaum-table"),
];
const FIGURES: [&str; 3] = ["love_plot_weighted", "weights", "kaplan_meier_weighted"];

/// A number field that may be left empty (`None`); text that is not a
/// number is kept as NaN, which the settings' check names.
fn optional_number(text: &str) -> Option<f64> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.parse::<f64>().unwrap_or(f64::NAN))
}

#[component]
pub fn SensitivityPanel() -> impl IntoView {
    let state = AppState::get();
    let result = LocalResource::new(move || {
        let options = state.weighting.get();
        let p_values = state.weighted_p_values.get();
        let s = state
            .settings()
            .filter(|s| s.as_ref().map_or(true, |s| s.matching.is_some()))
            .map(|s| {
                let s = s?;
                validate::weight_options(&options).map_err(|e| {
                    UiError::Failed(Failure::new(
                        "The weighting's options are not valid",
                        e,
                        "Leave trimming and truncation empty, or give a number in the range named.",
                    ))
                })?;
                // Table 1 stays: the step shows it weighted.
                Ok(StudySettings {
                    regression: None,
                    sensitivity: Some(SensitivityStep {
                        weighting: options,
                        table1_p_values: p_values,
                    }),
                    ..s
                })
            });
        async move {
            match s {
                Some(Ok(s)) => Some(run_study(s, Channel::Step(Step::Sensitivity)).await),
                Some(Err(e)) => Some(Err(e)),
                None => None,
            }
        }
    });
    view! {
        <AnalysisStep title="Sensitivity">
            <p class="lead">
                "Does the result hold with weighting instead of matching, which keeps every patient? And how strong would an unmeasured confounder have to be to explain it away? The weighted analysis uses the matching's propensity score; E-values are given under every odds and hazard ratio, and Rosenbaum bounds for the matched outcomes."
            </p>
            {move || {
                state
                    .matching
                    .spec
                    .with(Option::is_none)
                    .then(|| view! { <NeedsRole role="the treatment and covariates of the propensity model (Matching step)" /> })
            }}
            <WeightingControls />
            <StepResult result=result ok=sensitivity_results unset="Choose the matching in the earlier steps." />
        </AnalysisStep>
    }
}

/// The step's tables, figures and methods sentences.
fn sensitivity_results(out: StudyView) -> impl IntoView {
    let tables = TABLES
        .iter()
        .filter_map(|&(name, id)| {
            let (_, t) = out.tables.iter().find(|(n, _)| n == name)?;
            Some(view! {
                <TableActions table=t.clone() file_stem=name />
                <ReportTableView table=t.clone() id=id />
            })
        })
        .collect_view();
    let figures = FIGURES
        .iter()
        .filter_map(|&name| out.figures.iter().find(|(n, _)| n == name))
        .map(|(n, svg)| {
            view! { <Figure svg=svg.clone() file_stem=n.clone() id=format!("figure-{n}") /> }
        })
        .collect_view();
    let methods = (!out.sensitivity_methods.is_empty()).then(|| {
        view! {
            <h3>"For the methods paragraph"</h3>
            <p id="sensitivity-methods">{out.sensitivity_methods.clone()}</p>
        }
    });
    view! {
        {tables}
        <div class="figure-grid">{figures}</div>
        {methods}
    }
}

/// The weighting's options and whether the step is in the study. A
/// component (its body runs once), so that a rerun of the step never
/// replaces a control under the user's pointer; a value is set only when
/// it changes.
#[component]
fn WeightingControls() -> impl IntoView {
    let state = AppState::get();
    let set = move |change: &dyn Fn(&mut WeightOptions)| {
        let mut o = state.weighting.get_untracked();
        change(&mut o);
        if o != state.weighting.get_untracked() {
            state.weighting.set(o);
        }
    };
    view! {
            <div class="controls">
                <label>
                    "Weights for "
                    <EnumSelect
                        id="weight-estimand"
                        value=Signal::derive(move || state.weighting.get().estimand)
                        on_change=Callback::new(move |e: Estimand| set(&|o| o.estimand = e))
                    />
                </label>
                <label title="Multiply ATE weights by the proportion of the group received (Robins et al. 2000): the same estimate, weights that sum to about the number of patients.">
                    <input type="checkbox" id="weight-stabilize"
                        prop:checked=move || state.weighting.get().stabilize
                        on:change=move |ev| { let v = event_target_checked(&ev); set(&|o| o.stabilize = v) } />
                    " Stabilised (ATE)"
                </label>
                <label title="Leave out patients whose score is below q or above 1 - q (Crump et al. 2009), e.g. 0.05. Empty: none.">
                    "Trim scores at "
                    <input type="number" id="weight-trim" min="0" max="0.5" step="0.01" placeholder="none"
                        prop:value=move || state.weighting.get().trim.map_or(String::new(), |v| v.to_string())
                        on:change=move |ev| { let v = optional_number(&event_target_value(&ev)); set(&|o| o.trim = v) } />
                </label>
                <label title="Set the weights above this percentile of the weights to it, e.g. 0.99. Empty: none.">
                    "Truncate weights at percentile "
                    <input type="number" id="weight-truncate" min="0.5" max="1" step="0.01" placeholder="none"
                        prop:value=move || state.weighting.get().truncate.map_or(String::new(), |v| v.to_string())
                        on:change=move |ev| { let v = optional_number(&event_target_value(&ev)); set(&|o| o.truncate = v) } />
                </label>
                <label title="Design-based tests in the weighted Table 1 (Rao-Scott F, Wald F, rank test; as tableone's svyCreateTableOne). After weighting they describe the weighted pseudo-population, not balance: leave them out unless a reviewer asks.">
                    <input type="checkbox" id="weight-p-values"
                        prop:checked=move || state.weighted_p_values.get()
                        on:change=move |ev| state.weighted_p_values.set(event_target_checked(&ev)) />
                    " P values in the weighted Table 1"
                </label>
                <label>
                    <input type="checkbox" id="sensitivity-include"
                        prop:checked=move || state.sensitivity_included.get()
                        on:change=move |ev| state.sensitivity_included.set(event_target_checked(&ev)) />
                    " Include in the report and the saved settings"
                </label>
            </div>
    }
}
