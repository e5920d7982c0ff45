//! Restores a saved analysis: on the Data step right after opening the
//! file (so a large cohort is analysed once, with the saved settings) and
//! on the Report step.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::report::study::StudySettings;
use crate::ui::engine_client::Failure;
use crate::ui::state::AppState;

#[component]
pub fn SettingsLoader() -> impl IntoView {
    let state = AppState::get();
    // In the app's state: loading replaces the data, which redraws the
    // Data step and this component with it.
    let status = state.settings_note;
    let load_settings = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        let name = file.name();
        // The same file can be loaded again.
        input.set_value("");
        spawn_local(async move {
            let text = JsFuture::from(file.text())
                .await
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_default();
            match StudySettings::from_json(&text) {
                Ok(s) => {
                    if state.apply_settings(s).await {
                        status.set(Some(format!("Settings restored from {name}.")));
                    } else {
                        status.set(None);
                    }
                }
                Err(e) => state.error.set(Some(Failure {
                    context: format!("{name} could not be loaded"),
                    message: crate::ui::engine_client::capitalise(&e),
                    hint: "Choose a settings file saved by CohortLab's Report step. Your analysis is unchanged.".into(),
                })),
            }
        });
    };
    view! {
        <div class="settings-loader">
            <label class="button secondary">
                "Load settings…"
                <input type="file" accept=".json,application/json" id="load-settings" class="visually-hidden" on:change=load_settings />
            </label>
            <p class="status" role="status" id="settings-status">{move || status.get()}</p>
        </div>
    }
}
