//! The regression step's settings: outcome, selection of the
//! multivariable model, Firth, variables.

use leptos::prelude::*;

use crate::engine::data::ColumnKind;
use crate::report::draft::DEFAULT_THRESHOLD;
use crate::ui::components::column_select::ColumnSelect;
use crate::ui::components::variable_picker::VariablePicker;
use crate::ui::state::AppState;

#[component]
pub fn RegressionControls() -> impl IntoView {
    let state = AppState::get();
    let settings = state.regression;
    move || {
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
        let outcomes = state.group_columns(2);
        let set_outcome = Callback::new(move |o: Option<String>| {
            if let Some(o) = o {
                settings.variables.update(|v| v.retain(|x| *x != o));
                settings.outcome.set(Some(o));
            }
        });
        let vars: Vec<String> = cols
            .iter()
            .filter(|c| c.1 != ColumnKind::Text && Some(&c.0) != outcome.as_ref())
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
                    <ColumnSelect id="lr-outcome" options=outcomes value=outcome on_change=set_outcome />
                </label>
                <fieldset class="inline-fieldset">
                    <legend>"Multivariable model"</legend>
                    <label>
                        <input
                            type="radio"
                            name="lr-select"
                            prop:checked=move || settings.threshold.get().is_some()
                            on:change=move |_| settings.threshold.set(Some(DEFAULT_THRESHOLD))
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
    }
}
