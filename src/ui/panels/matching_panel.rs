//! Step 4: propensity-score matching, balance, and Table 1 before/after.

use leptos::prelude::*;

use crate::ui::components::analysis_step::AnalysisStep;
use crate::ui::components::needs_role::NeedsRole;
use crate::ui::components::step_result::StepResult;
use crate::ui::engine_client::{run_matching, MatchView};
use crate::ui::panels::matching::controls::MatchingControls;
use crate::ui::panels::matching::result::MatchResult;
use crate::ui::state::AppState;

#[component]
pub fn MatchingPanel() -> impl IntoView {
    let state = AppState::get();
    let settings = state.matching;
    let result = LocalResource::new(move || {
        let spec = settings.current();
        let t1 = state.table1.draft().spec_or_empty();
        let loaded = state.session.with(Option::is_some);
        async move {
            match spec {
                Some(spec) if loaded && !spec.treatment.is_empty() => {
                    Some(run_matching(spec, t1).await)
                }
                _ => None,
            }
        }
    });
    view! {
        <AnalysisStep title="Propensity-score matching">
            {move || {
                let missing = settings.spec.with(|s| s.as_ref().is_none_or(|s| s.treatment.is_empty()));
                missing.then(|| view! { <NeedsRole role="the groups compared" /> })
            }}
            <MatchingControls />
            <StepResult result=result ok=|v: MatchView| view! { <MatchResult data=v /> } />
        </AnalysisStep>
    }
}
