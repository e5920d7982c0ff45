//! The top-level error: one variant per module's own error enum.

use crate::engine::competing::CompetingError;
use crate::engine::data::{ImportError, LevelError, SpecError};
use crate::engine::design::RoleConflict;
use crate::engine::hypothesis::{FisherError, TestError};
use crate::engine::matching::MatchError;
use crate::engine::regression::RegressionError;
use crate::engine::sensitivity::SensitivityError;
use crate::engine::survival::{RmstError, SurvivalError};
use crate::engine::table1::Table1Error;
use crate::engine::weighting::WeightError;

/// Any error the engine returns. `Display` says what and where; [`hint`]
/// says what to do.
///
/// [`hint`]: AnalysisError::hint
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnalysisError {
    /// The file could not be read.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// The dataset specification does not fit the file.
    #[error(transparent)]
    Spec(#[from] SpecError),
    /// A column cannot be read as levels, or has no such level.
    #[error(transparent)]
    Level(#[from] LevelError),
    /// One column given two roles.
    #[error(transparent)]
    Roles(#[from] RoleConflict),
    /// Table 1 could not be made.
    #[error(transparent)]
    Table1(#[from] Table1Error),
    /// A logistic model could not be fitted.
    #[error(transparent)]
    Regression(#[from] RegressionError),
    /// The matching could not be done.
    #[error(transparent)]
    Matching(#[from] MatchError),
    /// The weighting could not be done.
    #[error(transparent)]
    Weighting(#[from] WeightError),
    /// The survival data could not be read or analysed.
    #[error(transparent)]
    Survival(#[from] SurvivalError),
    /// The competing-risks outcome could not be read or analysed.
    #[error(transparent)]
    Competing(#[from] CompetingError),
    /// The restricted means could not be compared.
    #[error(transparent)]
    Rmst(#[from] RmstError),
    /// A hypothesis test could not be computed.
    #[error(transparent)]
    Test(#[from] TestError),
    /// A sensitivity analysis (E-value, Rosenbaum bounds) could not be
    /// computed.
    #[error(transparent)]
    Sensitivity(#[from] SensitivityError),
}

impl From<FisherError> for AnalysisError {
    fn from(e: FisherError) -> Self {
        AnalysisError::Test(e.into())
    }
}

impl AnalysisError {
    /// What the user can do about the error.
    pub fn hint(&self) -> String {
        match self {
            AnalysisError::Import(e) => e.hint(),
            AnalysisError::Spec(e) => e.hint(),
            AnalysisError::Level(e) => e.hint(),
            AnalysisError::Roles(e) => e.hint(),
            AnalysisError::Table1(e) => e.hint(),
            AnalysisError::Regression(e) => e.hint(),
            AnalysisError::Matching(e) => e.hint(),
            AnalysisError::Survival(e) => e.hint(),
            AnalysisError::Weighting(e) => e.hint(),
            AnalysisError::Test(e) => e.hint(),
            AnalysisError::Sensitivity(e) => e.hint(),
            AnalysisError::Competing(e) => e.hint(),
            AnalysisError::Rmst(e) => e.hint(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::survival::SurvivalOption;

    fn s(x: &str) -> String {
        x.to_owned()
    }

    fn levels() -> Vec<LevelError> {
        vec![
            LevelError::TooManyValues {
                column: s("age"),
                distinct: 60,
                max: 20,
            },
            LevelError::Text { column: s("note") },
            LevelError::NotALevel {
                column: s("ct"),
                level: s("T9"),
                present: vec![s("T1"), s("T2")],
            },
        ]
    }

    fn roles() -> RoleConflict {
        RoleConflict {
            column: s("tpcr"),
            first: s("the outcome"),
            second: s("a covariate"),
            why: String::new(),
        }
    }

    fn imports() -> Vec<ImportError> {
        vec![
            ImportError::Empty,
            ImportError::HeaderOnly { columns: 3 },
            ImportError::TooLarge { bytes: 9, limit: 4 },
            ImportError::Binary { byte: 7 },
            ImportError::InvalidUtf8 { byte: 7 },
            ImportError::RaggedRow {
                row: 3,
                line: 3,
                expected: 3,
                found: 2,
            },
            ImportError::EmptyHeader { letter: s("B") },
            ImportError::DuplicateHeader {
                name: s("age"),
                first: s("A"),
                second: s("C"),
            },
            ImportError::Malformed {
                row: 3,
                message: s("quote"),
            },
            ImportError::NoSuchSheet {
                sheet: s("x"),
                available: vec![s("Sheet1")],
            },
            ImportError::NoSheetWithData,
            ImportError::Spreadsheet { message: s("zip") },
            ImportError::SheetReference {
                part: s("sheet1.xml"),
                reference: s("A0"),
            },
            ImportError::SheetTooLarge {
                part: s("sheet1.xml"),
                cells: 10,
                limit: 5,
            },
        ]
    }

    fn specs() -> Vec<SpecError> {
        vec![
            SpecError::UnknownColumn { column: s("x") },
            SpecError::NotANumber {
                column: s("ki67"),
                row: 4,
                text: s("12,5%"),
            },
            SpecError::NotBinary {
                column: s("x"),
                count: 3,
                levels: vec![s("a"), s("b"), s("c")],
            },
            SpecError::UnknownLevel {
                column: s("h"),
                level: s("Tubular"),
                present: vec![s("Ductal")],
            },
            SpecError::CutNeedsNumeric {
                column: s("h"),
                kind: s("categorical"),
            },
            SpecError::BadThresholds { column: s("g") },
            SpecError::BadLabels {
                column: s("g"),
                labels: 1,
                groups: 2,
            },
            SpecError::NameTaken { column: s("age") },
        ]
    }

    fn regressions() -> Vec<RegressionError> {
        let mut v = vec![
            RegressionError::UnknownColumn(s("x")),
            RegressionError::OutcomeNotBinary {
                column: s("ki67"),
                levels: 40,
            },
            RegressionError::TextVariable(s("note")),
            RegressionError::OutcomeAsVariable(s("tpcr")),
            RegressionError::TooFewRows {
                complete: 2,
                parameters: 3,
            },
            RegressionError::NoVariation {
                column: s("tpcr"),
                which: "events",
            },
            RegressionError::Collinear(vec![s("age"), s("age_group")]),
        ];
        v.extend(levels().into_iter().map(RegressionError::Level));
        v
    }

    fn matchings() -> Vec<MatchError> {
        let mut v: Vec<MatchError> = regressions().into_iter().map(MatchError::Model).collect();
        v.extend(levels().into_iter().map(MatchError::Exact));
        v.extend([
            MatchError::BadRatio(11),
            MatchError::BadCaliper(-1.0),
            MatchError::Roles(roles()),
            MatchError::UnknownColumn(s("x")),
        ]);
        v
    }

    fn survivals() -> Vec<SurvivalError> {
        let mut v = vec![
            SurvivalError::UnknownColumn(s("x")),
            SurvivalError::TimeNotNumeric(s("t")),
            SurvivalError::NegativeTime {
                column: s("t"),
                row: 2,
                time: -1.0,
            },
            SurvivalError::EventNotBinary {
                column: s("e"),
                levels: vec![s("0"), s("1"), s("2")],
            },
            SurvivalError::EventNotBinary {
                column: s("e"),
                levels: Vec::new(),
            },
            SurvivalError::NoRows,
            SurvivalError::NoEvents,
            SurvivalError::OneGroup,
            SurvivalError::Roles(roles()),
        ];
        v.extend(levels().into_iter().map(SurvivalError::Level));
        for option in [
            SurvivalOption::LandmarkTime,
            SurvivalOption::RmstHorizon,
            SurvivalOption::Rho,
        ] {
            v.push(SurvivalError::InvalidOption {
                option,
                value: f64::NAN,
            });
        }
        v
    }

    fn table1s() -> Vec<Table1Error> {
        let mut v = vec![
            Table1Error::UnknownColumn(s("x")),
            Table1Error::TooFewGroups {
                column: s("g"),
                groups: 1,
            },
            Table1Error::TextVariable(s("note")),
        ];
        v.extend(levels().into_iter().map(Table1Error::Group));
        v
    }

    fn tests() -> Vec<TestError> {
        vec![
            TestError::Degenerate,
            TestError::TooFew {
                needed: 2,
                found: 1,
            },
            TestError::Fisher(FisherError::TooLarge),
        ]
    }

    fn weightings() -> Vec<WeightError> {
        let mut v: Vec<WeightError> = regressions().into_iter().map(WeightError::Model).collect();
        v.extend(regressions().into_iter().map(WeightError::Outcome));
        v.extend([
            WeightError::Roles(roles()),
            WeightError::UnknownColumn(s("x")),
            WeightError::BadTrim(0.6),
            WeightError::BadTruncate(0.2),
            WeightError::BadConfLevel(95.0),
            WeightError::OutcomeConstantInGroup {
                outcome: s("tpcr"),
                group: "treated",
                events: 0,
                patients: 12,
            },
            WeightError::OutcomeSeparation {
                outcome: s("tpcr"),
                terms: vec![s("ki67")],
            },
        ]);
        v
    }

    fn competings() -> Vec<CompetingError> {
        let mut v: Vec<CompetingError> =
            survivals().into_iter().map(CompetingError::from).collect();
        v.extend([
            CompetingError::NoCompetingLevel {
                column: s("status"),
            },
            CompetingError::LevelTwice {
                column: s("status"),
                level: s("1"),
                first: "the event",
                second: "a competing event",
                levels: vec![s("0"), s("1"), s("2")],
            },
            CompetingError::InvalidOption {
                what: "a landmark time",
                value: -1.0,
                rule: "a number >= 0",
            },
        ]);
        v
    }

    fn rmsts() -> Vec<RmstError> {
        vec![
            RmstError::BadHorizon(-1.0),
            RmstError::PastFollowUp {
                tau: 100.0,
                limit: 80.0,
                group: s("No"),
            },
            RmstError::BadConfLevel(2.0),
            RmstError::NoGroups,
            RmstError::Weighted,
        ]
    }

    /// Every variant of [`AnalysisError`], so that a new one is not
    /// forgotten here.
    fn variant(e: &AnalysisError) -> usize {
        match e {
            AnalysisError::Import(_) => 0,
            AnalysisError::Spec(_) => 1,
            AnalysisError::Level(_) => 2,
            AnalysisError::Roles(_) => 3,
            AnalysisError::Table1(_) => 4,
            AnalysisError::Regression(_) => 5,
            AnalysisError::Matching(_) => 6,
            AnalysisError::Survival(_) => 7,
            AnalysisError::Test(_) => 8,
            AnalysisError::Weighting(_) => 9,
            AnalysisError::Sensitivity(_) => 10,
            AnalysisError::Competing(_) => 11,
            AnalysisError::Rmst(_) => 12,
        }
    }
    const VARIANTS: usize = 13;

    /// Every error the engine can return, each module's variants wrapped.
    fn every_error() -> Vec<AnalysisError> {
        let mut all: Vec<AnalysisError> = Vec::new();
        all.extend(imports().into_iter().map(AnalysisError::from));
        all.extend(specs().into_iter().map(AnalysisError::from));
        all.extend(levels().into_iter().map(AnalysisError::from));
        all.push(roles().into());
        all.extend(table1s().into_iter().map(AnalysisError::from));
        all.extend(regressions().into_iter().map(AnalysisError::from));
        all.extend(matchings().into_iter().map(AnalysisError::from));
        all.extend(survivals().into_iter().map(AnalysisError::from));
        all.extend(weightings().into_iter().map(AnalysisError::from));
        all.extend(tests().into_iter().map(AnalysisError::from));
        all.push(FisherError::TooLarge.into());
        all.extend(competings().into_iter().map(AnalysisError::from));
        all.extend(rmsts().into_iter().map(AnalysisError::from));
        all.push(SensitivityError::BadAlpha(2.0).into());
        all.push(
            SensitivityError::NotBinary {
                column: s("grade"),
                levels: vec![s("1"), s("2"), s("3")],
            }
            .into(),
        );
        all
    }

    #[test]
    fn every_error_says_what_and_what_to_do() {
        let all = every_error();
        let mut seen = [false; VARIANTS];
        for e in &all {
            seen[variant(e)] = true;
            assert!(!e.to_string().trim().is_empty(), "{e:?}: no message");
            let hint = e.hint();
            assert!(!hint.trim().is_empty(), "{e:?}: no hint");
            assert_ne!(hint, e.to_string(), "{e:?}: the hint repeats the message");
        }
        assert!(
            seen.iter().all(|&s| s),
            "a variant has no example: {seen:?}"
        );
    }

    /// The hints that the CLI and the page wrote by hand, now the errors'.
    #[test]
    fn matching_and_regression_hints_name_the_fix() {
        let m = AnalysisError::from(MatchError::Model(RegressionError::OutcomeNotBinary {
            column: s("ki67"),
            levels: 40,
        }));
        assert!(m.hint().contains("binary treatment"), "{}", m.hint());
        let m = AnalysisError::from(MatchError::Model(RegressionError::TextVariable(s("note"))));
        assert!(m.hint().contains("without text columns"), "{}", m.hint());
        let r = AnalysisError::from(RegressionError::OutcomeNotBinary {
            column: s("ki67"),
            levels: 40,
        });
        assert!(r.hint().contains("binary outcome"), "{}", r.hint());
        assert!(MatchError::BadRatio(11).hint().contains("1 to 10"));
    }
}

/// An error as a result keeps it (e.g. one variable's failed fit in a
/// univariate screen, in results.json): what went wrong and what to do,
/// both in words.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ErrorText {
    pub message: String,
    pub hint: String,
}

impl ErrorText {
    /// The words of `e`.
    pub fn of(e: &impl Hinted) -> ErrorText {
        ErrorText {
            message: e.to_string(),
            hint: e.hint(),
        }
    }
}

impl std::fmt::Display for ErrorText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// An error that says what to do about it.
pub trait Hinted: std::fmt::Display {
    fn hint(&self) -> String;
}

impl Hinted for crate::engine::regression::RegressionError {
    fn hint(&self) -> String {
        crate::engine::regression::RegressionError::hint(self)
    }
}
