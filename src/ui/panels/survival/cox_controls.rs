//! The Cox model's ties, cluster and covariates, and the curves' CI.

use leptos::prelude::*;

use super::of_kind;
use crate::engine::data::ColumnKind;
use crate::engine::survival::{CiTransform, Ties};
use crate::engine::Choice;
use crate::report::study::{StudyCohort, MATCHED_SET_COLUMN};
use crate::ui::components::enum_select::EnumSelect;
use crate::ui::components::variable_picker::VariablePicker;
use crate::ui::state::AppState;

#[component]
pub fn CoxControls() -> impl IntoView {
    let state = AppState::get();
    let sv = state.survival;
    let cols = state.columns();
    let adjust: Vec<String> = cols
        .iter()
        .filter(|c| {
            c.1 != ColumnKind::Text
                && Some(&c.0) != sv.time.get_untracked().as_ref()
                && Some(&c.0) != sv.event.get_untracked().as_ref()
        })
        .map(|c| c.0.clone())
        .collect();
    let all_kinds = [
        ColumnKind::Binary,
        ColumnKind::Categorical,
        ColumnKind::Numeric,
        ColumnKind::Text,
    ];
    let current = sv.cluster.get_untracked().unwrap_or_default();
    let none = view! { <option value="" selected=current.is_empty()>"(none)"</option> };
    let clusters = of_kind(state, &all_kinds)
        .into_iter()
        .map(|c| {
            let sel = c == current;
            view! { <option value=c.clone() selected=sel>{c.clone()}</option> }
        })
        .collect_view();
    view! {
        <label title="Efron is R's and lifelines' default; Breslow is SPSS's and SAS's.">
            "Cox ties "
            <EnumSelect
                id="s-ties"
                value=Signal::stored(sv.ties.get_untracked())
                on_change=Callback::new(move |t: Ties| sv.ties.set(t))
                label=ties_label
            />
        </label>
        <label title="Robust standard errors clustered by this column, e.g. the matched set (subclass) of a matched dataset.">
            "Cluster SEs by "
            <select
                id="s-cluster"
                prop:value=move || sv.cluster.get().unwrap_or_default()
                on:change=move |ev| {
                    let c = event_target_value(&ev);
                    sv.cluster.set((!c.is_empty()).then_some(c));
                }
            >
                {move || (sv.cohort.get() == StudyCohort::Matched).then(|| {
                    let sel = sv.cluster.get_untracked().as_deref() == Some(MATCHED_SET_COLUMN);
                    view! { <option value=MATCHED_SET_COLUMN selected=sel>"matched set"</option> }
                })}
                {none}
                {clusters}
            </select>
        </label>
        <details>
            <summary>"More covariates in the Cox model"</summary>
            <VariablePicker legend="Adjust the hazard ratios for" options=adjust selected=sv.cox_extra />
        </details>
        <label title="R survival uses log; SAS and lifelines use log-log.">
            "CI "
            <EnumSelect
                id="s-ci"
                value=Signal::stored(sv.transform.get_untracked())
                on_change=Callback::new(move |t: CiTransform| sv.transform.set(t))
                label=CiTransform::key
            />
        </label>
    }
}

/// The ties method's name in the list.
fn ties_label(t: Ties) -> &'static str {
    match t {
        Ties::Efron => "Efron",
        Ties::Breslow => "Breslow",
    }
}
