//! The matching as run: counts, downloads, stability, Table 1 before and
//! after, balance and its figures.

use leptos::prelude::*;

use crate::engine::matching::MatchSpec;
use crate::ui::components::diagnostics::Diagnostics;
use crate::ui::components::figure::Figure;
use crate::ui::components::report_table::ReportTableView;
use crate::ui::components::stability_check::StabilityCheck;
use crate::ui::components::table_actions::TableActions;
use crate::ui::download::download_text;
use crate::ui::engine_client::{matched_csv, MatchView};
use crate::ui::state::AppState;

#[component]
pub fn MatchResult(data: MatchView) -> impl IntoView {
    let state = AppState::get();
    let v = data;
    let spec = state
        .matching
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
                            Err(e) => state.fail(e),
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
}
