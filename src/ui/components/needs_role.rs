//! What an analysis step shows when a role it needs is not set: which role
//! to set, and where, instead of computing on a guess.

use leptos::prelude::*;

use crate::ui::state::{AppState, Step};

#[component]
pub fn NeedsRole(role: &'static str) -> impl IntoView {
    let state = AppState::get();
    view! {
        <p class="notice needs-role">
            {format!("Choose {role} first: ")}
            <button class="link" on:click=move |_| state.step.set(Step::Data)>"Data step, Study design"</button>
            "."
        </p>
    }
}
