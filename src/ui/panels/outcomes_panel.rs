//! Step 5: binary outcomes compared between the groups in the matched
//! cohort (rates, difference, OR, P; and within matched sets), by subgroup
//! with the P for interaction, a forest plot and rate bars (the model
//! study's Figure 1C-F).

use leptos::prelude::*;

use crate::engine::data::MAX_NUMERIC_LEVELS;
use crate::report::study::StudySettings;
use crate::ui::components::analysis_step::AnalysisStep;
use crate::ui::components::column_select::ColumnSelect;
use crate::ui::components::figure::Figure;
use crate::ui::components::needs_role::NeedsRole;
use crate::ui::components::report_table::ReportTableView;
use crate::ui::components::step_result::StepResult;
use crate::ui::components::table_actions::TableActions;
use crate::ui::components::variable_picker::VariablePicker;
use crate::ui::engine_client::{run_study, Channel, StudyView};
use crate::ui::state::{AppState, Step};

#[component]
pub fn OutcomesPanel() -> impl IntoView {
    let state = AppState::get();
    // Only what the outcomes need: the matching and the comparisons.
    let result = LocalResource::new(move || {
        let s = state
            .settings()
            .filter(|s| {
                s.as_ref().map_or(true, |s| {
                    !s.outcomes.is_empty() && (s.matching.is_some() || s.table1.is_some())
                })
            })
            .map(|s| {
                s.map(|s| StudySettings {
                    table1: None,
                    regression: None,
                    survival: None,
                    ..s
                })
            });
        async move {
            match s {
                Some(Ok(s)) => Some(run_study(s, Channel::Step(Step::Outcomes)).await),
                Some(Err(e)) => Some(Err(e)),
                None => None,
            }
        }
    });
    let controls = move || {
        let (binary, categorical) = (
            state.group_columns(2),
            state.group_columns(MAX_NUMERIC_LEVELS),
        );
        let set_subgroup = Callback::new(move |s| state.subgroup.set(s));
        view! {
            <div class="controls">
                <label>
                    "Subgroups by "
                    <ColumnSelect
                        id="outcomes-subgroup"
                        options=categorical
                        value=state.subgroup.get_untracked()
                        none=true
                        on_change=set_subgroup
                    />
                </label>
                <details>
                    <summary>"Outcomes compared"</summary>
                    <VariablePicker legend="Binary outcomes" options=binary selected=state.outcomes />
                </details>
            </div>
        }
    };
    view! {
        <AnalysisStep title="Outcomes">
            <p class="lead">
                "Each binary outcome by group, in the matched cohort when there is a matching: events/n (%), the difference and odds ratio with 95% CIs, P; the odds ratio within matched sets (Mantel-Haenszel) respects the matching. Then the same within each subgroup, with the P for interaction."
            </p>
            {move || {
                if state.table1.group.with(Option::is_none) {
                    Some(view! { <NeedsRole role="the groups compared" /> })
                } else if state.outcomes.with(Vec::is_empty) {
                    Some(view! { <NeedsRole role="the binary outcomes compared" /> })
                } else {
                    None
                }
            }}
            {controls}
            <StepResult result=result ok=outcome_results unset="Choose the analysis in the earlier steps." />
        </AnalysisStep>
    }
}

/// The comparisons: tables, forest plots and rate bars.
fn outcome_results(out: StudyView) -> impl IntoView {
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
}
