//! The frame of an analysis step: its heading, and its content only once
//! data is loaded.

use leptos::prelude::*;

use crate::ui::state::AppState;

#[component]
pub fn AnalysisStep(title: &'static str, children: ChildrenFn) -> impl IntoView {
    let state = AppState::get();
    view! {
        <section class="panel" aria-labelledby="step-title">
            <h2 id="step-title">{title}</h2>
            {move || {
                if state.session.with(Option::is_some) {
                    children().into_any()
                } else {
                    view! { <p class="notice">"Load data first (step 1)."</p> }.into_any()
                }
            }}
        </section>
    }
}
