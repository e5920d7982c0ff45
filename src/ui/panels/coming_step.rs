//! The page of a step that a later version fills.

use leptos::prelude::*;

use crate::ui::state::{AppState, Step};

/// Says what the step will do; the loaded data stays as it is.
#[component]
pub fn ComingStep(step: Step) -> impl IntoView {
    let state = AppState::get();
    let loaded = move || {
        state.session.with(|s| {
            s.as_ref()
                .map(|s| format!("Your data ({}) stays loaded.", s.file_name))
        })
    };
    view! {
        <section class="panel" aria-labelledby="step-title">
            <h2 id="step-title">{step.title()}</h2>
            <p class="lead">{step.purpose()}</p>
            <p class="notice">"This step is not available yet in this version of CohortLab. " {loaded}</p>
            <button type="button" class="button" on:click=move |_| state.step.set(Step::Data)>
                "Back to the data"
            </button>
        </section>
    }
}
