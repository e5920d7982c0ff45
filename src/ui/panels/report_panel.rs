//! The last step: the whole study in one file: methods paragraph and every
//! export (report, results, settings, matched dataset). Loading a settings
//! file restores the analysis.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::report::study::StudySettings;
use crate::ui::components::analysis_step::AnalysisStep;
use crate::ui::components::conf_level_input::ConfLevelInput;
use crate::ui::components::settings_loader::SettingsLoader;
use crate::ui::components::step_result::StepResult;
use crate::ui::download::download_text;
use crate::ui::engine_client::{matched_csv, run_study, study_files, Channel, StudyView};
use crate::ui::state::{AppState, Step};

#[component]
pub fn ReportPanel() -> impl IntoView {
    let state = AppState::get();
    // Memos: a change that leaves the settings as they were reruns nothing.
    let checked = Memo::new(move |_| state.settings());
    let settings = Memo::new(move |_| checked.get().and_then(Result::ok));
    let result = LocalResource::new(move || {
        let s = checked.get();
        async move {
            match s {
                Some(Ok(s)) => Some(run_study(s, Channel::Step(Step::Report)).await),
                Some(Err(e)) => Some(Err(e)),
                None => None,
            }
        }
    });
    let results = move |out: StudyView| {
        let study = settings.get_untracked();
        let for_json = study.clone();
        let settings_json = settings.get().map(|s| s.to_json()).unwrap_or_default();
        let matched = settings
            .get_untracked()
            .and_then(|s| s.matching)
            .filter(|_| out.has_matching);
        let diagnostics = out
            .diagnostics
            .iter()
            .map(|d| view! { <li>{d.message.clone()}</li> })
            .collect_view();
        let summary = format!(
            "{} tables and {} figures.",
            out.tables.len(),
            out.figures.len()
        );
        view! {
            <div class="report-actions">
                <button type="button" class="button" id="download-report"
                    on:click=move |_| download_file(state, study.clone(), "report.html")>
                    "Download the report (HTML)"
                </button>
                <button type="button" class="button secondary" id="download-results"
                    on:click=move |_| download_file(state, for_json.clone(), "results.json")>
                    "Results (JSON)"
                </button>
                <button type="button" class="button secondary" id="download-settings"
                    on:click=move |_| { let _ = download_text("settings.json", "application/json", &settings_json); }>
                    "Save settings"
                </button>
                {matched.map(|spec| view! {
                    <button type="button" class="button secondary" id="download-matched"
                        on:click=move |_| {
                            let spec = spec.clone();
                            spawn_local(async move {
                                match matched_csv(spec).await {
                                    Ok(csv) => { let _ = download_text("matched.csv", "text/csv", &csv); }
                                    Err(e) => state.fail(e),
                                }
                            });
                        }>
                        "Matched dataset (CSV)"
                    </button>
                })}
            </div>
            <p class="lead">"The report holds every step's tables and figures: " {summary}</p>
            <h3>"Methods"</h3>
            <p id="methods">{out.methods.clone()}</p>
            <p>
                "Outcomes by group and subgroup are on the "
                <a href="#" on:click=move |ev| { ev.prevent_default(); state.step.set(crate::ui::state::Step::Outcomes); }>"Outcomes"</a>
                " step; every table and figure is in the report."
            </p>
            <h3>"Notes"</h3>
            <ul class="diagnostics">{diagnostics}</ul>
        }
    };
    view! {
        <AnalysisStep title="Report">
            <p class="lead">
                "Everything in one file: the methods paragraph written from what was run, every table and figure. Save the settings to redo the analysis later, here or with "
                <code>"cohortlab run"</code> "."
            </p>
            <SettingsLoader />
            <ConfLevelInput />
            <StepResult result=result ok=results unset="Choose the analysis in the earlier steps." />
        </AnalysisStep>
    }
}

/// Fetches the report or the results from the engine and downloads it.
fn download_file(state: AppState, settings: Option<StudySettings>, name: &'static str) {
    let Some(settings) = settings else { return };
    spawn_local(async move {
        match study_files(settings).await {
            Ok((report, results)) => {
                let _ = if name == "report.html" {
                    download_text(name, "text/html", &report)
                } else {
                    download_text(name, "application/json", &results)
                };
            }
            Err(e) => state.fail(e),
        }
    });
}
