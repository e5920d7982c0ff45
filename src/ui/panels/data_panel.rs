//! Step 1: load data and check how it was understood.

use std::sync::Arc;

use leptos::prelude::*;

use crate::engine::data::FileFormat;
use crate::ui::components::column_table::ColumnTable;
use crate::ui::components::design_checklist::DesignChecklist;
use crate::ui::components::diagnostics::Diagnostics;
use crate::ui::components::file_drop::FileDrop;
use crate::ui::components::missing_data::MissingData;
use crate::ui::components::preview_table::PreviewTable;
use crate::ui::components::roles::Roles;
use crate::ui::components::settings_loader::SettingsLoader;
use crate::ui::engine_client::{self, SessionInfo};
use crate::ui::state::AppState;

#[component]
pub fn DataPanel() -> impl IntoView {
    let state = AppState::get();
    view! {
        <section class="panel" aria-labelledby="step-title">
            <h2 id="step-title" class="visually-hidden">"Data"</h2>
            <FileDrop />
            {move || match state.session.get() {
                Some(session) => view! { <LoadedData session=session /> }.into_any(),
                None => {
                    view! {
                        <p class="empty-state">
                            "No data loaded yet. Your file stays on this computer: CohortLab reads it in this tab and never uploads it."
                        </p>
                    }
                        .into_any()
                }
            }}
        </section>
    }
}

/// The loaded file: what it is, its columns, its first rows.
#[component]
fn LoadedData(session: Arc<SessionInfo>) -> impl IntoView {
    let state = AppState::get();
    let inspection = session.inspection.clone();
    let sheet_select = match &session.format {
        FileFormat::Spreadsheet { sheet, sheets } if sheets.len() > 1 => {
            let options = sheets
                .iter()
                .map(|s| view! { <option value=s.clone() selected=s == sheet>{s.clone()}</option> })
                .collect_view();
            Some(view! {
                <label class="inline">
                    "Sheet "
                    <select aria-label="Sheet" id="sheet-select" on:change=move |ev| {
                        let sheet = event_target_value(&ev);
                        leptos::task::spawn_local(async move {
                            match engine_client::choose_sheet(sheet).await {
                                Ok(s) => state.load(s),
                                Err(e) => state.fail(e),
                            }
                        });
                    }>{options}</select>
                </label>
            })
        }
        _ => None,
    };
    let tokens = session
        .spec
        .missing_tokens
        .iter()
        .filter(|t| !t.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <section class="loaded" aria-labelledby="loaded-title">
            <h3 id="loaded-title">
                <span class="file-name">{session.file_name.clone()}</span>
                ": "
                <span id="row-count">{inspection.rows}</span>
                " patients, "
                <span id="column-count">{inspection.columns.len()}</span>
                " columns"
            </h3>
            <p class="muted">"Read as " {inspection.format.clone()} ". " {sheet_select}</p>
            <form
                class="inline missing-form"
                on:submit=move |ev: leptos::ev::SubmitEvent| ev.prevent_default()
            >
                <label>
                    "Missing-value codes "
                    <input
                        type="text"
                        id="missing-tokens"
                        value=tokens.clone()
                        size="30"
                        on:change=move |ev| {
                            let text = event_target_value(&ev);
                            let input = event_target::<web_sys::HtmlInputElement>(&ev);
                            let tokens = tokens.clone();
                            leptos::task::spawn_local(async move {
                                let applied = state
                                    .update_spec(move |s| {
                                        s.missing_tokens = std::iter::once(String::new())
                                            .chain(
                                                text
                                                    .split(',')
                                                    .map(|t| t.trim().to_owned())
                                                    .filter(|t| !t.is_empty()),
                                            )
                                            .collect();
                                    })
                                    .await;
                                if !applied {
                                    input.set_value(&tokens);
                                }
                            });
                        }
                    />
                </label>
                <span class="muted">" comma-separated; empty cells are always missing"</span>
            </form>
            <Diagnostics items=inspection.diagnostics.clone() />
            {session.design.clone().map(|design| view! { <DesignChecklist design=design /> })}
            <Roles />
            <MissingData />
            <SettingsLoader />
            <ColumnTable session=session.clone() />
            <PreviewTable session=session.clone() />
        </section>
    }
}
