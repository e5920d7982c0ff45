//! The last error: what happened, where, what to do, and that the loaded
//! data is still there.

use leptos::prelude::*;

use crate::ui::state::AppState;

#[component]
pub fn ErrorPanel() -> impl IntoView {
    let state = AppState::get();
    move || {
        state.error.get().map(|e| {
            let kept = state.session.with_untracked(|s| {
                s.as_ref().map(|s| {
                    view! {
                        <p class="kept">
                            "Nothing was lost: " <strong>{s.file_name.clone()}</strong>
                            " is still loaded as before."
                        </p>
                    }
                })
            });
            view! {
                <div class="error-panel" role="alert" id="error">
                    <p class="error-message">
                        <strong>{e.context} ": "</strong>
                        {e.message}
                    </p>
                    <p class="hint">{e.hint}</p>
                    {kept}
                    <button type="button" class="button small" on:click=move |_| state.error.set(None)>
                        "Dismiss"
                    </button>
                </div>
            }
        })
    }
}
