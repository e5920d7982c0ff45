//! Step 5: binary outcomes compared between the groups in the matched
//! cohort (rates, difference, OR, P; and within matched sets), by subgroup
//! with the P for interaction, a forest plot and rate bars (the model
//! study's Figure 1C-F).

use leptos::prelude::*;

use crate::engine::data::MAX_NUMERIC_LEVELS;
use crate::report::study::StudySettings;
use crate::ui::components::analysis_step::AnalysisStep;
use crate::ui::components::figure::Figure;
use crate::ui::components::needs_role::NeedsRole;
use crate::ui::components::pending::Pending;
use crate::ui::components::report_table::ReportTableView;
use crate::ui::components::step_error::StepError;
use crate::ui::components::table_actions::TableActions;
use crate::ui::components::variable_picker::VariablePicker;
use crate::ui::engine_client::{is_stale, run_study, Channel};
use crate::ui::state::{AppState, Step};

#[component]
pub fn OutcomesPanel() -> impl IntoView {
    let state = AppState::get();
    // Only what the outcomes need: the matching and the comparisons.
    let result = LocalResource::new(move || {
        let s = state
            .settings()
            .filter(|s| !s.outcomes.is_empty() && (s.matching.is_some() || s.table1.is_some()))
            .map(|s| StudySettings {
                table1: None,
                regression: None,
                survival: None,
                ..s
            });
        async move {
            match s {
                Some(s) => Some(run_study(s, Channel::Step(Step::Outcomes)).await),
                None => None,
            }
        }
    });
    let controls = move || {
        let (binary, categorical) = (
            state.group_columns(2),
            state.group_columns(MAX_NUMERIC_LEVELS),
        );
        let current = state.subgroup.get_untracked();
        let subgroup_options = std::iter::once(
            view! { <option value="" selected=current.is_empty()>"(none)"</option> }.into_any(),
        )
        .chain(categorical.into_iter().map(|c| {
            let sel = c == current;
            view! { <option value=c.clone() selected=sel>{c.clone()}</option> }.into_any()
        }))
        .collect::<Vec<_>>();
        view! {
            <div class="controls">
                <label>
                    "Subgroups by "
                    <select
                        id="outcomes-subgroup"
                        on:change=move |ev| state.subgroup.set(event_target_value(&ev))
                    >
                        {subgroup_options}
                    </select>
                </label>
                <details>
                    <summary>"Outcomes compared"</summary>
                    <VariablePicker legend="Binary outcomes" options=binary selected=state.outcomes />
                </details>
            </div>
        }
    };
    let results = move || match result.get() {
        Some(Some(Ok(out))) => {
            let tables = out
                .tables
                .iter()
                .filter(|(n, _)| n == "outcomes" || n == "subgroups")
                .map(|(n, t)| {
                    let (id, stem) = if n == "outcomes" {
                        ("outcomes-table", "outcomes")
                    } else {
                        ("subgroups-table", "subgroups")
                    };
                    view! {
                        <TableActions table=t.clone() file_stem=stem />
                        <ReportTableView table=t.clone() id=id />
                    }
                })
                .collect_view();
            let figures = out
                .figures
                .iter()
                .filter(|(n, _)| n.starts_with("forest_") || n.starts_with("rates_"))
                .map(|(n, svg)| {
                    view! { <Figure svg=svg.clone() file_stem=n.clone() id=format!("figure-{n}") /> }
                })
                .collect_view();
            let empty = (!out.has_outcomes).then(|| {
                view! { <p class="notice">"Choose the binary outcomes to compare (here or on the Data step), and the groups on the Matching or Table 1 step."</p> }
            });
            view! {
                {empty}
                {tables}
                <div class="figure-grid">{figures}</div>
            }
            .into_any()
        }
        Some(Some(Err(e))) if !is_stale(&e) => view! { <StepError error=e /> }.into_any(),
        Some(Some(Err(_))) => ().into_any(),
        Some(None) => view! { <p>"Choose the analysis in the earlier steps."</p> }.into_any(),
        None => view! { <Pending /> }.into_any(),
    };
    view! {
        <AnalysisStep title="Outcomes">
            <p class="lead">
                "Each binary outcome by group, in the matched cohort when there is a matching: events/n (%), the difference and odds ratio with 95% CIs, P; the odds ratio within matched sets (Mantel-Haenszel) respects the matching. Then the same within each subgroup, with the P for interaction."
            </p>
            {move || {
                if state.table1.group.with(String::is_empty) {
                    Some(view! { <NeedsRole role="the groups compared" /> })
                } else if state.outcomes.with(Vec::is_empty) {
                    Some(view! { <NeedsRole role="the binary outcomes compared" /> })
                } else {
                    None
                }
            }}
            {controls}
            {results}
        </AnalysisStep>
    }
}
