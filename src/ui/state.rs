//! The app's shared state, provided as context.

use std::sync::Arc;

use leptos::prelude::*;

use super::engine_client::{Session, UiError};

/// The workflow steps, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Data,
    Table1,
    Regression,
    Matching,
    Survival,
    Report,
}

impl Step {
    pub const ALL: [Step; 6] = [
        Step::Data,
        Step::Table1,
        Step::Regression,
        Step::Matching,
        Step::Survival,
        Step::Report,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Step::Data => "Data",
            Step::Table1 => "Table 1",
            Step::Regression => "Regression",
            Step::Matching => "Matching",
            Step::Survival => "Survival",
            Step::Report => "Report",
        }
    }

    /// What the step will do, shown on its page.
    pub fn purpose(self) -> &'static str {
        match self {
            Step::Data => "Load a file and check how each column was understood.",
            Step::Table1 => "Baseline characteristics by group: n (%), mean (SD) or median [IQR], P values and SMD, before and after matching.",
            Step::Regression => "Univariate and multivariable logistic regression: OR, 95% CI and P.",
            Step::Matching => "Propensity scores, nearest-neighbour matching (1:k, caliper) and balance diagnostics.",
            Step::Survival => "Kaplan-Meier curves with numbers at risk, log-rank tests, landmark survival and Cox models.",
            Step::Report => "Every table and figure in one file, with a methods paragraph.",
        }
    }

    pub fn available(self) -> bool {
        self == Step::Data
    }
}

/// Everything the components share.
#[derive(Clone, Copy)]
pub struct AppState {
    /// The loaded data, if any. Replaced only by a successful load or change.
    pub session: RwSignal<Option<Arc<Session>>>,
    /// The last error, shown until dismissed or replaced.
    pub error: RwSignal<Option<UiError>>,
    /// What is being read right now, if anything.
    pub busy: RwSignal<Option<String>>,
    pub step: RwSignal<Step>,
}

impl AppState {
    pub fn new() -> Self {
        Self {
            session: RwSignal::new(None),
            error: RwSignal::new(None),
            busy: RwSignal::new(None),
            step: RwSignal::new(Step::Data),
        }
    }

    pub fn get() -> Self {
        expect_context::<AppState>()
    }

    /// Applies a change to the dataset specification; on failure the data
    /// stays as it was and the error is shown. Returns whether it applied.
    pub fn update_spec(self, change: impl FnOnce(&mut engine_spec::DatasetSpec)) -> bool {
        let Some(session) = self.session.get_untracked() else {
            return false;
        };
        let mut spec = session.spec.clone();
        change(&mut spec);
        match super::engine_client::apply_spec(&session, spec) {
            Ok(s) => {
                self.session.set(Some(Arc::new(s)));
                self.error.set(None);
                true
            }
            Err(e) => {
                self.error.set(Some(e));
                false
            }
        }
    }
}

pub use crate::engine::data as engine_spec;
