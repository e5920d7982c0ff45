//! Step 4: propensity-score matching, balance, and Table 1 before/after.

use leptos::prelude::*;

use crate::engine::data::ColumnKind;
use crate::engine::matching::{Caliper, DistanceScale, MatchOrder, MatchSpec};
use crate::ui::components::analysis_step::AnalysisStep;
use crate::ui::components::diagnostics::Diagnostics;
use crate::ui::components::figure::Figure;
use crate::ui::components::needs_role::NeedsRole;
use crate::ui::components::pending::Pending;
use crate::ui::components::report_table::ReportTableView;
use crate::ui::components::stability_check::StabilityCheck;
use crate::ui::components::step_error::StepError;
use crate::ui::components::table_actions::TableActions;
use crate::ui::components::variable_picker::VariablePicker;
use crate::ui::download::download_text;
use crate::ui::engine_client::{is_stale, matched_csv, run_matching};
use crate::ui::state::AppState;

#[component]
pub fn MatchingPanel() -> impl IntoView {
    let state = AppState::get();
    let settings = state.matching;
    let result = LocalResource::new(move || {
        let spec = settings.current();
        let t1 = state.table1.spec();
        let loaded = state.session.with(Option::is_some);
        async move {
            match spec {
                Some(spec) if loaded && !spec.treatment.is_empty() => {
                    Some(run_matching(spec, t1).await)
                }
                _ => None,
            }
        }
    });
    let edit = move |f: Box<dyn FnOnce(&mut crate::engine::matching::MatchSpec)>| {
        settings.spec.update(|s| {
            if let Some(s) = s.as_mut() {
                f(s);
            }
        });
    };
    let controls = move || {
        let spec = settings.spec.get_untracked()?;
        let cols: Vec<(String, ColumnKind)> = state.columns();
        let treatments = state
            .group_columns(2)
            .into_iter()
            .map(|c| {
                let sel = c == spec.treatment;
                view! { <option value=c.clone() selected=sel>{c.clone()}</option> }
            })
            .collect_view();
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
        let (cal_kind, cal_width) = match spec.caliper {
            Caliper::None => ("none", 0.2),
            Caliper::Sd(w) => ("sd", w),
            Caliper::Absolute(w) => ("absolute", w),
        };
        let seed = match spec.order {
            MatchOrder::Random(s) => s,
            _ => 1,
        };
        Some(view! {
            <div class="settings matching-settings">
                <label>
                    "Treatment (group) "
                    <select id="m-treatment" on:change=move |ev| {
                        let t = event_target_value(&ev);
                        settings.covariates.update(|c| c.retain(|x| *x != t));
                        edit(Box::new(move |s| s.treatment = t));
                    }>{treatments}</select>
                </label>
                <label title="Controls per treated patient; the model study used 2.">
                    "Controls per treated "
                    <input
                        type="number"
                        id="m-ratio"
                        min="1"
                        max="10"
                        value=spec.ratio.to_string()
                        on:change=move |ev| {
                            if let Ok(k) = event_target_value(&ev).parse::<usize>() {
                                if (1..=10).contains(&k) {
                                    edit(Box::new(move |s| s.ratio = k));
                                }
                            }
                        }
                    />
                </label>
                <label title="The largest distance allowed between a treated patient and its controls.">
                    "Caliper "
                    <select id="m-caliper" on:change=move |ev| {
                        let kind = event_target_value(&ev);
                        edit(Box::new(move |s| {
                            let w = match s.caliper {
                                Caliper::Sd(w) | Caliper::Absolute(w) => w,
                                Caliper::None => 0.2,
                            };
                            s.caliper = match kind.as_str() {
                                "none" => Caliper::None,
                                "absolute" => Caliper::Absolute(w),
                                _ => Caliper::Sd(w),
                            };
                        }));
                    }>
                        <option value="sd" selected=cal_kind == "sd">"in SDs of the distance"</option>
                        <option value="absolute" selected=cal_kind == "absolute">"absolute"</option>
                        <option value="none" selected=cal_kind == "none">"none"</option>
                    </select>
                    <input
                        type="text"
                        id="m-caliper-width"
                        size="5"
                        aria-label="Caliper width"
                        value=cal_width.to_string()
                        on:change=move |ev| {
                            if let Ok(w) = event_target_value(&ev).trim().parse::<f64>() {
                                if w > 0.0 {
                                    edit(Box::new(move |s| {
                                        s.caliper = match s.caliper {
                                            Caliper::Absolute(_) => Caliper::Absolute(w),
                                            _ => Caliper::Sd(w),
                                        };
                                    }));
                                }
                            }
                        }
                    />
                </label>
                <label title="Austin (2011) recommends matching on the logit of the score with a caliper of 0.2 SD.">
                    "Distance "
                    <select id="m-scale" on:change=move |ev| {
                        if let Some(sc) = DistanceScale::parse(&event_target_value(&ev)) {
                            edit(Box::new(move |s| s.scale = sc));
                        }
                    }>
                        <option value="logit" selected=spec.scale == DistanceScale::Logit>"logit of the score"</option>
                        <option value="probability" selected=spec.scale == DistanceScale::Probability>"score (probability)"</option>
                    </select>
                </label>
                <label title="The order in which treated patients pick their controls.">
                    "Order "
                    <select id="m-order" on:change=move |ev| {
                        let o = event_target_value(&ev);
                        edit(Box::new(move |s| {
                            let seed = match s.order {
                                MatchOrder::Random(x) => x,
                                _ => 1,
                            };
                            if let Some(order) = MatchOrder::parse(&o, seed) {
                                s.order = order;
                            }
                        }));
                    }>
                        {["largest", "smallest", "random", "data"]
                            .into_iter()
                            .map(|o| view! { <option value=o selected=spec.order.as_str() == o>{o}</option> })
                            .collect_view()}
                    </select>
                    <input
                        type="number"
                        id="m-seed"
                        min="0"
                        aria-label="Seed of the random order"
                        value=seed.to_string()
                        on:change=move |ev| {
                            if let Ok(x) = event_target_value(&ev).parse::<u64>() {
                                edit(Box::new(move |s| s.order = MatchOrder::Random(x)));
                            }
                        }
                    />
                </label>
                <label title="With replacement a control may serve several treated patients.">
                    <input
                        type="checkbox"
                        id="m-replace"
                        prop:checked=spec.replace
                        on:change=move |ev| {
                            let r = event_target_checked(&ev);
                            edit(Box::new(move |s| s.replace = r));
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
    };
    let results = move || match result.get() {
        Some(Some(Ok(v))) => {
            let spec = settings
                .current()
                .unwrap_or_else(|| MatchSpec::new("", &[]));
            let for_csv = spec.clone();
            let (nt, nc) = (v.treated, v.control);
            let caliper = v.caliper.clone();
            view! {
                <p class="lead" id="match-summary">
                    "Matched " <strong>{nt}</strong> " treated and " <strong>{nc}</strong> " control patients."
                    {caliper}
                    " Propensity model C-statistic: "
                    {v.c_statistic.map(|c| format!("{c:.3}")).unwrap_or_default()} "."
                </p>
                <Diagnostics items=v.diagnostics.clone() />
                <div class="table-actions">
                    <button
                        type="button"
                        class="button primary small"
                        id="download-matched"
                        on:click=move |_| {
                            let spec = for_csv.clone();
                            leptos::task::spawn_local(async move {
                                match matched_csv(spec).await {
                                    Ok(csv) => {
                                        let _ = download_text("matched.csv", "text/csv", &csv);
                                    }
                                    Err(e) => state.error.set(Some(e)),
                                }
                            });
                        }
                    >
                        "Download the matched dataset (CSV)"
                    </button>
                </div>
                <StabilityCheck spec=spec />
                <ReportTableView table=v.counts.clone() id="match-counts" />
                {v.table1.clone().map(|t| view! {
                    <TableActions table=t.clone() file_stem="table1-before-after" />
                    <ReportTableView table=t id="table1-matched" />
                })}
                <div class="figures">
                    <Figure svg=v.love_plot.clone() file_stem="love-plot" id="love-plot" />
                    <Figure svg=v.histograms.clone() file_stem="propensity-scores" id="score-plot" />
                </div>
                <TableActions table=v.balance.clone() file_stem="balance" />
                <ReportTableView table=v.balance.clone() id="balance" />
            }
            .into_any()
        }
        Some(Some(Err(e))) if !is_stale(&e) => view! { <StepError error=e /> }.into_any(),
        Some(_) => ().into_any(),
        None => view! { <Pending /> }.into_any(),
    };
    view! {
        <AnalysisStep title="Propensity-score matching">
            {move || {
                let missing = settings.spec.with(|s| s.as_ref().is_none_or(|s| s.treatment.is_empty()));
                missing.then(|| view! { <NeedsRole role="the groups compared" /> })
            }}
            {controls}
            {results}
        </AnalysisStep>
    }
}
