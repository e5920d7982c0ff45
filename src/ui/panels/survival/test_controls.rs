//! The survival table's times, the restricted mean, the test and its
//! strata.

use leptos::prelude::*;

use crate::engine::data::MAX_NUMERIC_LEVELS;
use crate::engine::survival::RmstHorizon;
use crate::ui::components::column_select::ColumnSelect;
use crate::ui::state::AppState;

#[component]
pub fn TestControls() -> impl IntoView {
    let state = AppState::get();
    let sv = state.survival;
    let cats = state.group_columns(MAX_NUMERIC_LEVELS);
    let at_text = sv
        .at
        .get_untracked()
        .iter()
        .map(|t| t.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <label>
            "Survival at "
            <input
                type="text"
                id="s-at"
                size="12"
                value=at_text
                on:change=move |ev| {
                    let v: Vec<f64> = event_target_value(&ev)
                        .split([',', ';', ' '])
                        .filter_map(|x| x.trim().parse::<f64>().ok())
                        .filter(|x| x.is_finite() && *x >= 0.0)
                        .collect();
                    sv.at.set(v);
                }
            />
        </label>
        <label title="The area under the curve up to this time: the mean survival time within that horizon, compared between the groups (difference and ratio, as survRM2). A time, or auto: the smallest of the groups' last follow-up times. Empty: none.">
            "Restricted mean to "
            <input
                type="text"
                id="s-rmst"
                size="5"
                placeholder="none"
                value=sv.rmst.get_untracked().map_or(String::new(), |t| match t {
                    RmstHorizon::At(t) => t.to_string(),
                    RmstHorizon::Default => "auto".into(),
                })
                on:change=move |ev| {
                    let text = event_target_value(&ev).trim().to_lowercase();
                    // Text that is not a time is kept as NaN, which the
                    // settings' check names.
                    let v = match text.as_str() {
                        "" => None,
                        "auto" => Some(RmstHorizon::Default),
                        t => Some(RmstHorizon::At(t.parse::<f64>().unwrap_or(f64::NAN))),
                    };
                    sv.rmst.set(v);
                }
            />
        </label>
        <label title="Peto-Peto weights early differences more (Fleming-Harrington rho = 1).">
            "Test "
            <select id="s-test" on:change=move |ev| {
                sv.rho.set(if event_target_value(&ev) == "peto" { 1.0 } else { 0.0 });
            }>
                <option value="logrank" selected=sv.rho.get_untracked() == 0.0>"log-rank"</option>
                <option value="peto" selected=sv.rho.get_untracked() == 1.0>"Peto-Peto"</option>
            </select>
        </label>
        <label title="A stratified test compares the groups within each stratum, e.g. within matched sets.">
            "stratified by "
            <ColumnSelect
                id="s-strata"
                options=cats
                value=sv.strata.get_untracked()
                none=true
                on_change=Callback::new(move |s| sv.strata.set(s))
            />
        </label>
    }
}
