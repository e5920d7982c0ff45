//! Why a step's result could not be computed, next to its settings (the
//! settings stay as they are so the user can correct them).

use leptos::prelude::*;

use crate::ui::engine_client::Failure;

#[component]
pub fn StepError(error: Failure) -> impl IntoView {
    view! {
        <p class="error-panel" role="alert">
            <strong>{error.context} ": "</strong>
            {error.message}
            " "
            {error.hint}
        </p>
    }
}
