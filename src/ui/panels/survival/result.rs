//! The survival step as run: the cohort, the curves, the table, the
//! crossed curves and the Cox model.

use leptos::prelude::*;

use crate::report::study::StudyCohort;
use crate::ui::components::km_plot::KmPlot;
use crate::ui::components::report_table::ReportTableView;
use crate::ui::components::step_error::StepError;
use crate::ui::components::table_actions::TableActions;
use crate::ui::engine_client::SurvivalView;

#[component]
pub fn SurvivalResult(data: SurvivalView) -> impl IntoView {
    let v = data;
    view! {
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
        {v.rmst.map(|r| match r {
            Ok(t) => view! {
                <TableActions table=t.clone() file_stem="rmst" />
                <ReportTableView table=t id="rmst-table" />
            }
            .into_any(),
            Err(e) => view! { <StepError error=e /> }.into_any(),
        })}
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
        {v.competing.map(|c| match c {
            Ok(c) => view! {
                <h3>"Competing risks"</h3>
                <KmPlot plot=c.figure file_stem="cumulative-incidence" id="cif-plot" />
                <TableActions table=c.incidence.clone() file_stem="cumulative-incidence" />
                <ReportTableView table=c.incidence id="cif-table" />
                {c.models.map(|m| match m {
                    Ok(t) => view! {
                        <TableActions table=t.clone() file_stem="competing-models" />
                        <ReportTableView table=t id="competing-models-table" />
                    }
                    .into_any(),
                    Err(e) => view! { <StepError error=e /> }.into_any(),
                })}
            }
            .into_any(),
            Err(e) => view! { <StepError error=e /> }.into_any(),
        })}
    }
}
