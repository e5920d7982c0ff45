//! The study design guessed from the data, as a short checklist to
//! confirm: the groups compared, outcomes, time and event, baseline
//! variables, what is never analysed; each with its reason.

use leptos::prelude::*;

use crate::engine::design::DesignGuess;
use crate::report::design::reasons;
use crate::ui::state::AppState;

#[component]
pub fn DesignChecklist(design: DesignGuess) -> impl IntoView {
    let state = AppState::get();
    let lines = design.summary_lines();
    let why = reasons(&design);
    let no_treatment = design.treatment.is_none();
    view! {
        <section class="design" id="design-checklist" aria-labelledby="design-title">
            <h3 id="design-title">"Study design, guessed from your file"</h3>
            <ul class="checklist">
                {lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}
            </ul>
            {no_treatment.then(|| view! {
                <p class="notice" id="design-no-treatment">
                    "No column looks like the groups compared: choose it under “Study design” below. Until then, the steps that compare groups wait for it."
                </p>
            })}
            <details>
                <summary>"Why each column was placed"</summary>
                <table class="reasons">
                    <thead><tr><th>"Role"</th><th>"Column"</th><th>"Why"</th></tr></thead>
                    <tbody>
                        {why.into_iter().map(|(role, column, reason)| view! {
                            <tr><td>{role}</td><td>{column}</td><td>{reason}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </details>
            {move || if state.design_confirmed.get() {
                view! { <p class="confirmed" id="design-confirmed">"✓ Confirmed. Change any role below; every step follows."</p> }.into_any()
            } else {
                view! {
                    <p>
                        <button id="design-looks-right" on:click=move |_| state.design_confirmed.set(true)>
                            "Looks right"
                        </button>
                        " or change the roles below."
                    </p>
                }.into_any()
            }}
        </section>
    }
}
