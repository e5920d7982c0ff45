//! A step's result as it arrives: "working" while it runs, the result when
//! it is there, why not when it failed (a replaced request shows nothing),
//! nothing when the step is not set up.

use leptos::prelude::*;

use crate::ui::components::pending::Pending;
use crate::ui::components::step_error::StepError;
use crate::ui::engine_client::UiError;

/// What a step's resource holds: `None` when the step is not set up.
pub type StepOutcome<T> = Option<Result<T, UiError>>;

#[component]
pub fn StepResult<T, F, V>(
    result: LocalResource<StepOutcome<T>>,
    /// Draws the result.
    ok: F,
    /// Said when the step is not set up (default: nothing).
    #[prop(optional)]
    unset: Option<&'static str>,
) -> impl IntoView
where
    T: Clone + 'static,
    F: Fn(T) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    move || match result.get() {
        Some(Some(Ok(v))) => ok(v).into_any(),
        Some(Some(Err(e))) => match e.shown() {
            Some(error) => view! { <StepError error=error /> }.into_any(),
            None => ().into_any(),
        },
        Some(None) => unset.map(|t| view! { <p>{t}</p> }).into_any(),
        None => view! { <Pending /> }.into_any(),
    }
}
