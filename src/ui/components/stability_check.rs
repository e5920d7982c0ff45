//! Reruns the matching with 20 random orders and says how much changes.

use leptos::prelude::*;

use crate::engine::matching::MatchSpec;
use crate::ui::engine_client::run_stability;
use crate::ui::state::AppState;

const RUNS: u64 = 20;

#[component]
pub fn StabilityCheck(spec: MatchSpec) -> impl IntoView {
    let state = AppState::get();
    let (text, set_text) = signal(String::new());
    let outcome = state.regression.outcome.get_untracked();
    view! {
        <div class="stability">
            <button
                type="button"
                class="button small"
                id="stability-check"
                title="Greedy matching depends on the order of the treated patients: this reruns it with 20 random orders."
                on:click=move |_| {
                    let o = outcome.clone().filter(|o| !o.is_empty());
                    let spec = spec.clone();
                    leptos::task::spawn_local(async move {
                        let msg = run_stability(spec, RUNS, o)
                            .await
                            .unwrap_or_else(|e| e.shown().map(|f| f.message).unwrap_or_default());
                        set_text.set(msg);
                    });
                }
            >
                "Check stability over 20 random orders"
            </button>
            <p class="muted" id="stability-text" role="status">{text}</p>
        </div>
    }
}
