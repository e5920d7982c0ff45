//! A step's place while the engine computes it for the first time.

use leptos::prelude::*;

#[component]
pub fn Pending() -> impl IntoView {
    view! { <p class="pending muted" role="status">"Computing…"</p> }
}
