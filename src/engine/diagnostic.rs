//! Non-fatal problems returned beside a result and shown to the user.

use serde::{Deserialize, Serialize};

/// How much a diagnostic matters to the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; nothing is wrong.
    Info,
    /// The result stands, but the user should look at this.
    Warning,
}

/// What a diagnostic is about: stable across versions and languages, so a
/// test, a translation or a script can recognise it without reading the
/// words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    // Reading and typing the file.
    BlankRowsSkipped,
    EmptyColumn,
    TextInNumericColumn,
    // The design and the roles.
    SecondTreatmentCoding,
    OutcomeAsCovariate,
    // Table 1.
    GroupMissing,
    WholeNumbersAsLevels,
    SeparatesGroups,
    TestNote,
    SdOverflow,
    NoTest,
    // Regression.
    Separation,
    FirthWorkBound,
    NotConverged,
    FittedProbabilityExtreme,
    Firth,
    RowsDropped,
    FewEventsPerVariable,
    // Matching.
    PropensitySeparation,
    InfiniteLogit,
    UnmatchedTreated,
    ShortMatchedSets,
    SmallControlPool,
    // Weighting.
    WeightsTrimmed,
    WeightsTruncated,
    /// A propensity score of 0 or 1 gives no finite weight.
    InfiniteWeight,
    StabilizeIgnored,
    LowEffectiveSampleSize,
    ExtremeWeights,
    /// A weighted risk of 0 or 1: no finite ratio.
    RiskAtBound,
    /// The weighted Table 1 groups by the weighting's treatment, not by
    /// Table 1's grouping column.
    WeightedTable1Group,
    /// A covariate level that no patient of a weighted model has (all
    /// trimmed): left out of the model.
    EmptyLevel,
    // Survival.
    OtherEventCensored,
    /// The survival step asked for the matched cohort and there is none.
    AllPatientsAnalysed,
    // Competing risks and restricted means.
    /// Several levels of a competing-risks status counted as censored.
    LevelsCensored,
    /// A cause named (event or competing) that no patient analysed has.
    CauseWithoutEvents,
    // Sensitivity analysis.
    /// Matching with replacement put a control in several matched sets,
    /// so the Rosenbaum bound treats dependent sets as independent.
    ControlsReused,
    /// A design-based test of a weighted Table 1 that cannot be computed
    /// (one level or one group with values, no variation).
    DesignTestNotComputable,
    // The study: a step that could not be done (the message says which
    // and why).
    StepFailed,
}

/// A non-fatal problem: what happened, where, and what to do about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    /// The column concerned, if any.
    pub column: Option<String>,
    /// What happened, in words a clinician understands.
    pub message: String,
    /// What the user can do about it.
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn warning(code: Code, column: Option<&str>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Warning,
            code,
            column: column.map(str::to_owned),
            message: message.into(),
            hint: None,
        }
    }

    pub fn info(code: Code, column: Option<&str>, message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Info,
            ..Self::warning(code, column, message)
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// The message, as a note in a list.
impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}
