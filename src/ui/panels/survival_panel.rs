//! Step 5: Kaplan-Meier curves, landmark survival, log-rank.

use leptos::prelude::*;

use crate::ui::components::analysis_step::AnalysisStep;
use crate::ui::components::needs_role::NeedsRole;
use crate::ui::components::step_result::StepResult;
use crate::ui::engine_client::{run_survival, SurvivalView};
use crate::ui::panels::survival::cox_controls::CoxControls;
use crate::ui::panels::survival::curve_controls::CurveControls;
use crate::ui::panels::survival::result::SurvivalResult;
use crate::ui::panels::survival::test_controls::TestControls;
use crate::ui::state::AppState;

#[component]
pub fn SurvivalPanel() -> impl IntoView {
    let state = AppState::get();
    let sv = state.survival;
    let result = LocalResource::new(move || {
        let settings = state
            .settings()
            .filter(|s| s.as_ref().map_or(true, |s| s.survival.is_some()));
        async move {
            match settings {
                Some(Ok(s)) => Some(run_survival(s).await),
                Some(Err(e)) => Some(Err(e)),
                None => None,
            }
        }
    });
    // Redrawn when the data changes (the lists of columns).
    let controls = move || {
        state.session.track();
        view! {
            <div class="settings">
                <CurveControls />
                <TestControls />
                <CoxControls />
            </div>
        }
    };
    view! {
        <AnalysisStep title="Survival">
            {move || (sv.time.with(Option::is_none) || sv.event.with(Option::is_none))
                .then(|| view! { <NeedsRole role="the follow-up time and its event" /> })}
            {controls}
            <StepResult result=result ok=|v: SurvivalView| view! { <SurvivalResult data=v /> } />
        </AnalysisStep>
    }
}
