//! The page: header, steps, the current step's panel.

use leptos::prelude::*;

use super::components::busy_bar::BusyBar;
use super::components::error_panel::ErrorPanel;
use super::panels::data_panel::DataPanel;
use super::panels::matching_panel::MatchingPanel;
use super::panels::outcomes_panel::OutcomesPanel;
use super::panels::regression_panel::RegressionPanel;
use super::panels::report_panel::ReportPanel;
use super::panels::sensitivity_panel::SensitivityPanel;
use super::panels::survival_panel::SurvivalPanel;
use super::panels::table1_panel::Table1Panel;
use super::state::{AppState, Step};

#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    provide_context(state);
    let steps = Step::ALL
        .into_iter()
        .enumerate()
        .map(|(i, step)| {
            let current = move || state.step.get() == step;
            view! {
                <li>
                    <button
                        type="button"
                        class="step"
                        class:current=current
                        aria-current=move || current().then_some("step")
                        on:click=move |_| state.step.set(step)
                    >
                        <span class="step-number">{i + 1}</span>
                        {step.title()}
                    </button>
                </li>
            }
        })
        .collect_view();
    view! {
        <a class="skip" href="#main">"Skip to content"</a>
        <header class="top">
            <div class="brand">
                <span class="logo" aria-hidden="true">"◐"</span>
                <div>
                    <h1>"CohortLab"</h1>
                    <p class="tagline">"Retrospective cohort studies, from spreadsheet to journal tables"</p>
                </div>
            </div>
            <p class="privacy-badge" id="privacy">
                "Your data never leaves this device: everything is computed in this browser tab, and the page cannot send anything anywhere."
            </p>
        </header>
        <nav class="steps" aria-label="Analysis steps">
            <ol>{steps}</ol>
        </nav>
        <main id="main" tabindex="-1">
            <ErrorPanel />
            <BusyBar />
            {move || match state.step.get() {
                Step::Data => view! { <DataPanel /> }.into_any(),
                Step::Table1 => view! { <Table1Panel /> }.into_any(),
                Step::Regression => view! { <RegressionPanel /> }.into_any(),
                Step::Matching => view! { <MatchingPanel /> }.into_any(),
                Step::Outcomes => view! { <OutcomesPanel /> }.into_any(),
                Step::Sensitivity => view! { <SensitivityPanel /> }.into_any(),
                Step::Survival => view! { <SurvivalPanel /> }.into_any(),
                Step::Report => view! { <ReportPanel /> }.into_any(),
            }}
        </main>
        <footer class="bottom">
            <p>
                <span id="build">{crate::engine::build_name()}</span>
                ". Free software; computations run locally in WebAssembly. Numbers are checked against R. Cite the version and commit with your results."
            </p>
        </footer>
    }
}
