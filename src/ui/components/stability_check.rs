//! Reruns the matching with 20 random orders and says how much changes.

use leptos::prelude::*;

use crate::engine::matching::MatchResult;
use crate::ui::engine_client::run_stability;
use crate::ui::state::AppState;

const RUNS: u64 = 20;

#[component]
pub fn StabilityCheck(m: MatchResult) -> impl IntoView {
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
                    let o = (!outcome.is_empty()).then(|| outcome.clone());
                    let msg = state.session.with_untracked(|s| match s {
                        Some(s) => run_stability(s, &m, RUNS, o.as_deref()).unwrap_or_else(|e| e.message),
                        None => String::new(),
                    });
                    set_text.set(msg);
                }
            >
                "Check stability over 20 random orders"
            </button>
            <p class="muted" id="stability-text" role="status">{text}</p>
        </div>
    }
}
