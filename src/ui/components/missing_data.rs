//! The Data step's "Missing data" panel: the missing values per variable,
//! by the groups compared when they are chosen (with the test of whether
//! missingness differs between them), and the most frequent patterns, as
//! mice's md.pattern. Shown before any analysis; every analysis then uses
//! the complete cases of its own variables, and says how many it left out.

use leptos::prelude::*;

use crate::engine::missing::MissingSpec;
use crate::report::protocol::MissingReply;
use crate::ui::components::diagnostics::Diagnostics;
use crate::ui::components::report_table::ReportTableView;
use crate::ui::components::step_result::StepResult;
use crate::ui::components::table_actions::TableActions;
use crate::ui::engine_client::run_missing;
use crate::ui::state::AppState;

#[component]
pub fn MissingData() -> impl IntoView {
    let state = AppState::get();
    let group = state.table1.group;
    let result = LocalResource::new(move || {
        let loaded = state.session.with(Option::is_some);
        let spec = MissingSpec {
            variables: Vec::new(),
            group: group.get(),
        };
        async move {
            if loaded {
                Some(run_missing(spec).await)
            } else {
                None
            }
        }
    });
    view! {
        <details class="missing-data" id="missing-data">
            <summary>"Missing data"</summary>
            <p class="muted">
                "Every analysis uses the patients complete for its own variables and says how many it left out."
            </p>
            <StepResult
                result=result
                ok=|(missing, patterns, diagnostics): MissingReply| {
                    view! {
                        <Diagnostics items=diagnostics />
                        <TableActions table=missing.clone() file_stem="missing" />
                        <ReportTableView table=missing id="missing-table" />
                        <TableActions table=patterns.clone() file_stem="missing-patterns" />
                        <ReportTableView table=patterns id="missing-patterns-table" />
                    }
                }
            />
        </details>
    }
}
