//! The matching step's settings: treatment, ratio, caliper, distance,
//! order, replacement, covariates.

use leptos::prelude::*;

use super::caliper_control::CaliperControl;
use super::edit;
use super::order_control::OrderControl;
use crate::engine::data::ColumnKind;
use crate::engine::defaults::MAX_RATIO;
use crate::engine::matching::DistanceScale;
use crate::ui::components::column_select::ColumnSelect;
use crate::ui::components::enum_select::EnumSelect;
use crate::ui::components::variable_picker::VariablePicker;
use crate::ui::state::AppState;

#[component]
pub fn MatchingControls() -> impl IntoView {
    let state = AppState::get();
    let settings = state.matching;
    let spec_signal = settings.spec;
    move || {
        let spec = settings.spec.get_untracked()?;
        let cols: Vec<(String, ColumnKind)> = state.columns();
        let treatments = state.group_columns(2);
        let set_treatment = Callback::new(move |t: Option<String>| {
            if let Some(t) = t {
                settings.covariates.update(|c| c.retain(|x| *x != t));
                edit(spec_signal, move |s| s.treatment = t);
            }
        });
        let covs: Vec<String> = cols
            .iter()
            .filter(|c| c.1 != ColumnKind::Text && c.0 != spec.treatment)
            .map(|c| c.0.clone())
            .collect();
        let cats: Vec<String> = cols
            .iter()
            .filter(|c| c.1.is_categorical() && c.0 != spec.treatment)
            .map(|c| c.0.clone())
            .collect();
        let set_scale =
            Callback::new(move |sc: DistanceScale| edit(spec_signal, move |s| s.scale = sc));
        Some(view! {
            <div class="settings matching-settings">
                <label>
                    "Treatment (group) "
                    <ColumnSelect id="m-treatment" options=treatments value=Some(spec.treatment.clone()) on_change=set_treatment />
                </label>
                <label title="Controls per treated patient; the model study used 2.">
                    "Controls per treated "
                    <input
                        type="number"
                        id="m-ratio"
                        min="1"
                        max=MAX_RATIO.to_string()
                        value=spec.ratio.to_string()
                        on:change=move |ev| {
                            if let Ok(k) = event_target_value(&ev).parse::<usize>() {
                                if (1..=MAX_RATIO).contains(&k) {
                                    edit(spec_signal, move |s| s.ratio = k);
                                }
                            }
                        }
                    />
                </label>
                <CaliperControl caliper=spec.caliper />
                <label title="Austin (2011) recommends matching on the logit of the score with a caliper of 0.2 SD.">
                    "Distance "
                    <EnumSelect id="m-scale" value=Signal::stored(spec.scale) on_change=set_scale label=scale_label />
                </label>
                <OrderControl order=spec.order />
                <label title="With replacement a control may serve several treated patients.">
                    <input
                        type="checkbox"
                        id="m-replace"
                        prop:checked=spec.replace
                        on:change=move |ev| {
                            let r = event_target_checked(&ev);
                            edit(spec_signal, move |s| s.replace = r);
                        }
                    />
                    " with replacement"
                </label>
                <ul class="explain">
                    <li>"Controls per treated: how many controls each treated patient gets (the model study: 2)."</li>
                    <li>"Caliper: the largest score distance allowed for a pair; 0.2 SD of the logit is the usual choice (Austin 2011)."</li>
                    <li>"Distance: match on the logit of the propensity score, or on the score itself (R MatchIt's default)."</li>
                    <li>"Order: who picks first; largest score first is MatchIt's default; a random order needs a seed."</li>
                    <li>"With replacement: a control may be matched to several treated patients (weights account for it)."</li>
                </ul>
                <details>
                    <summary>"Covariates of the propensity model"</summary>
                    <VariablePicker legend="Covariates" options=covs selected=settings.covariates />
                    <VariablePicker legend="Match exactly on" options=cats selected=settings.exact />
                </details>
            </div>
        })
    }
}

/// The distance's words in the list.
fn scale_label(s: DistanceScale) -> &'static str {
    match s {
        DistanceScale::Logit => "logit of the score",
        DistanceScale::Probability => "score (probability)",
    }
}
