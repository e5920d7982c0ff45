//! Step 5: Kaplan-Meier curves, landmark survival, log-rank.

use leptos::prelude::*;

use crate::engine::data::{ColumnKind, MAX_NUMERIC_LEVELS};
use crate::engine::survival::{CiTransform, Ties};
use crate::report::study::{StudyCohort, MATCHED_SET_COLUMN};
use crate::ui::components::analysis_step::AnalysisStep;
use crate::ui::components::km_plot::KmPlot;
use crate::ui::components::needs_role::NeedsRole;
use crate::ui::components::pending::Pending;
use crate::ui::components::report_table::ReportTableView;
use crate::ui::components::step_error::StepError;
use crate::ui::components::table_actions::TableActions;
use crate::ui::components::variable_picker::VariablePicker;
use crate::ui::engine_client::{is_stale, run_survival};
use crate::ui::state::AppState;

#[component]
pub fn SurvivalPanel() -> impl IntoView {
    let state = AppState::get();
    let sv = state.survival;
    let result = LocalResource::new(move || {
        let settings = state.settings().filter(|s| s.survival.is_some());
        async move {
            match settings {
                Some(s) => Some(run_survival(s).await),
                None => None,
            }
        }
    });
    let controls = move || {
        let cols: Vec<(String, ColumnKind)> = state.columns();
        let of_kind = |kinds: &[ColumnKind]| -> Vec<String> {
            cols.iter()
                .filter(|c| kinds.contains(&c.1))
                .map(|c| c.0.clone())
                .collect()
        };
        let options = |names: &[String], current: String, none: bool| {
            let mut v: Vec<AnyView> = Vec::new();
            if none {
                v.push(
                    view! { <option value="" selected=current.is_empty()>"(none)"</option> }
                        .into_any(),
                );
            }
            for c in names {
                let sel = *c == current;
                v.push(
                    view! { <option value=c.clone() selected=sel>{c.clone()}</option> }.into_any(),
                );
            }
            v
        };
        let groups = sv.groups.get_untracked();
        let g1 = groups.first().cloned().unwrap_or_default();
        let g2 = groups.get(1).cloned().unwrap_or_default();
        let cats = state.group_columns(MAX_NUMERIC_LEVELS);
        let adjust: Vec<String> = cols
            .iter()
            .filter(|c| {
                c.1 != ColumnKind::Text
                    && c.0 != sv.time.get_untracked()
                    && c.0 != sv.event.get_untracked()
            })
            .map(|c| c.0.clone())
            .collect();
        let at_text = sv
            .at
            .get_untracked()
            .iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        view! {
            <div class="settings">
                <label title="After matching, the model study compared survival in the matched cohort.">
                    "Patients "
                    <select id="s-cohort" on:change=move |ev| {
                        let all = event_target_value(&ev) == "all";
                        if all && sv.cluster.get_untracked() == MATCHED_SET_COLUMN {
                            sv.cluster.set(String::new());
                        }
                        sv.cohort.set(if all { StudyCohort::All } else { StudyCohort::Matched });
                    }>
                        <option value="matched" selected=sv.cohort.get_untracked() == StudyCohort::Matched>"matched cohort"</option>
                        <option value="all" selected=sv.cohort.get_untracked() == StudyCohort::All>"all patients"</option>
                    </select>
                </label>
                <label>
                    "Time "
                    <select id="s-time" on:change=move |ev| sv.time.set(event_target_value(&ev))>
                        {options(&of_kind(&[ColumnKind::Numeric]), sv.time.get_untracked(), false)}
                    </select>
                </label>
                <label>
                    "Event "
                    <select id="s-event" on:change=move |ev| {
                        sv.event.set(event_target_value(&ev));
                        sv.event_level.set(None);
                    }>
                        {options(&of_kind(&[ColumnKind::Binary, ColumnKind::Categorical, ColumnKind::Numeric]), sv.event.get_untracked(), false)}
                    </select>
                </label>
                <label title="The code of the event (e.g. 1 of a 0/1/2 status, whose 2 is a competing event, censored here). Empty: the default (1 of 0/1, 2 of 1/2).">
                    "Event code "
                    <input
                        id="s-event-level"
                        size="6"
                        placeholder="default"
                        prop:value=move || sv.event_level.get().unwrap_or_default()
                        on:change=move |ev| {
                            let v = event_target_value(&ev).trim().to_owned();
                            sv.event_level.set((!v.is_empty()).then_some(v));
                        }
                    />
                </label>
                <label>
                    "Curves by "
                    <select id="s-group" on:change=move |ev| {
                        let g = event_target_value(&ev);
                        sv.groups.update(|v| {
                            let second = v.get(1).cloned();
                            v.clear();
                            if !g.is_empty() {
                                v.push(g);
                                v.extend(second);
                            }
                        });
                    }>{options(&cats, g1, true)}</select>
                </label>
                <label title="Cross with a second variable, e.g. marking x pCR for four curves.">
                    "and by "
                    <select id="s-group2" on:change=move |ev| {
                        let g = event_target_value(&ev);
                        sv.groups.update(|v| {
                            v.truncate(1);
                            if !g.is_empty() && !v.is_empty() {
                                v.push(g);
                            }
                        });
                    }>{options(&cats, g2, true)}</select>
                </label>
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
                <label title="The area under the curve up to this time: the mean survival time within that horizon.">
                    "Restricted mean to "
                    <input
                        type="text"
                        id="s-rmst"
                        size="5"
                        value=sv.rmst.get_untracked().map_or(String::new(), |t| t.to_string())
                        on:change=move |ev| {
                            let v = event_target_value(&ev).trim().parse::<f64>().ok().filter(|t| *t > 0.0);
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
                    <select id="s-strata" on:change=move |ev| sv.strata.set(event_target_value(&ev))>
                        {options(&cats, sv.strata.get_untracked(), true)}
                    </select>
                </label>
                <label title="Efron is R's and lifelines' default; Breslow is SPSS's and SAS's.">
                    "Cox ties "
                    <select id="s-ties" on:change=move |ev| {
                        if let Some(t) = Ties::parse(&event_target_value(&ev)) {
                            sv.ties.set(t);
                        }
                    }>
                        <option value="efron" selected=sv.ties.get_untracked() == Ties::Efron>"Efron"</option>
                        <option value="breslow" selected=sv.ties.get_untracked() == Ties::Breslow>"Breslow"</option>
                    </select>
                </label>
                <label title="Robust standard errors clustered by this column, e.g. the matched set (subclass) of a matched dataset.">
                    "Cluster SEs by "
                    <select
                        id="s-cluster"
                        prop:value=move || sv.cluster.get()
                        on:change=move |ev| sv.cluster.set(event_target_value(&ev))
                    >
                        {move || (sv.cohort.get() == StudyCohort::Matched).then(|| {
                            let sel = sv.cluster.get_untracked() == MATCHED_SET_COLUMN;
                            view! { <option value=MATCHED_SET_COLUMN selected=sel>"matched set"</option> }
                        })}
                        {options(&of_kind(&[ColumnKind::Binary, ColumnKind::Categorical, ColumnKind::Numeric, ColumnKind::Text]), sv.cluster.get_untracked(), true)}
                    </select>
                </label>
                <details>
                    <summary>"More covariates in the Cox model"</summary>
                    <VariablePicker legend="Adjust the hazard ratios for" options=adjust selected=sv.cox_extra />
                </details>
                <label title="R survival uses log; SAS and lifelines use log-log.">
                    "CI "
                    <select id="s-ci" on:change=move |ev| {
                        if let Some(t) = CiTransform::parse(&event_target_value(&ev)) {
                            sv.transform.set(t);
                        }
                    }>
                        {CiTransform::ALL
                            .into_iter()
                            .map(|t| view! { <option value=t.as_str() selected=sv.transform.get_untracked() == t>{t.as_str()}</option> })
                            .collect_view()}
                    </select>
                </label>
            </div>
        }
    };
    let results = move || match result.get() {
        Some(Some(Ok(v))) => view! {
            <p class="muted" id="survival-cohort">
                {if v.cohort == StudyCohort::Matched {
                    format!("The matched cohort: {} patients.", v.patients)
                } else {
                    format!("All patients: {}.", v.patients)
                }}
            </p>
            <KmPlot plot=v.figure file_stem="kaplan-meier" id="km-plot" />
            <TableActions table=v.table.clone() file_stem="survival" />
            <ReportTableView table=v.table id="survival-table" />
            {v.crossed.map(|(t, figure)| view! {
                <KmPlot plot=figure file_stem="kaplan-meier-crossed" id="km-plot-crossed" />
                <TableActions table=t.clone() file_stem="survival-crossed" />
                <ReportTableView table=t id="survival-crossed-table" />
            })}
            {v.cox.map(|c| match c {
                Ok(c) => view! {
                    <TableActions table=c.clone() file_stem="cox" />
                    <ReportTableView table=c id="cox-table" />
                }
                .into_any(),
                Err(e) => view! { <StepError error=e /> }.into_any(),
            })}
        }
        .into_any(),
        Some(Some(Err(e))) if !is_stale(&e) => view! { <StepError error=e /> }.into_any(),
        Some(_) => ().into_any(),
        None => view! { <Pending /> }.into_any(),
    };
    view! {
        <AnalysisStep title="Survival">
            {move || (sv.time.with(String::is_empty) || sv.event.with(String::is_empty))
                .then(|| view! { <NeedsRole role="the follow-up time and its event" /> })}
            {controls}
            {results}
        </AnalysisStep>
    }
}
