//! The confidence level of every interval of the study (the settings'
//! `conf_level`, `cohortlab run --conf-level`).

use leptos::prelude::*;

use crate::ui::state::AppState;

#[component]
pub fn ConfLevelInput() -> impl IntoView {
    let state = AppState::get();
    view! {
        <p class="field">
            <label title="The level of every confidence interval in the tables, figures and methods text, e.g. 0.95 for 95% intervals.">
                "Confidence level of the intervals "
                <input type="number" id="conf-level" min="0.5" max="0.999" step="0.01"
                    prop:value=move || state.conf_level.get().to_string()
                    on:change=move |ev| {
                        // A value that is not a level is named by the
                        // settings' check (the step shows why).
                        let v = event_target_value(&ev).trim().parse::<f64>().unwrap_or(f64::NAN);
                        state.conf_level.set(v);
                    } />
            </label>
        </p>
    }
}
