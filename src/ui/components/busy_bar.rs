//! What the engine is doing, how far it is, and a button to stop it.

use leptos::prelude::*;

use crate::ui::engine_client::{busy, cancel};

#[component]
pub fn BusyBar() -> impl IntoView {
    let b = busy();
    move || {
        b.get().map(|b| {
            let percent = b.fraction.map(|f| (100.0 * f).clamp(0.0, 100.0));
            view! {
                <div class="busy" role="status" id="busy">
                    <span class="busy-label">
                        {b.stage.clone()}
                        {percent.map(|p| format!(" ({p:.0}%)"))}
                        "…"
                    </span>
                    <progress max="100" value=percent.map(|p| p.to_string())></progress>
                    <button type="button" class="button small" id="cancel" on:click=move |_| cancel()>
                        "Stop"
                    </button>
                </div>
            }
        })
    }
}
