//! Random small tables (2-60 rows, random kinds, missing values, constant
//! columns, all-event or no-event, ties, negative and zero times, huge
//! values) and random requests on them, as the page sends them.

use cohortlab::engine::competing::{CifVariance, CompetingCovariates};
use cohortlab::engine::data::{Closed, ColumnKind, DatasetSpec, DerivedColumn, LevelMerge, Recode};
use cohortlab::engine::matching::{Caliper, DistanceScale, MatchOrder, MatchSpec};
use cohortlab::engine::regression::LogisticSpec;
use cohortlab::engine::rng::Rng;
use cohortlab::engine::study::{CompetingStep, SensitivityStep};
use cohortlab::engine::survival::{CiTransform, CoxSpec, RmstHorizon, SurvivalSpec, Ties};
use cohortlab::engine::table1::{CategoricalTest, ContinuousTest, Table1Spec};
use cohortlab::engine::weighting::{Estimand, WeightOptions};
use cohortlab::engine::Choice;
use cohortlab::report::service::Request;
use cohortlab::report::study::{RegressionStep, StudyCohort, StudySettings, SurvivalStep};

/// A table of cell texts by column ("" is an empty cell).
#[derive(Debug, Clone)]
pub struct Table {
    pub names: Vec<String>,
    pub columns: Vec<Vec<String>>,
    /// Distinct non-empty texts of each column, in first-seen order.
    pub levels: Vec<Vec<String>>,
}

fn pick<'a, T>(rng: &mut Rng, xs: &'a [T]) -> &'a T {
    &xs[rng.below(xs.len() as u64) as usize]
}

fn chance(rng: &mut Rng, p: f64) -> bool {
    rng.uniform() < p
}

/// A number as a file would hold it, sometimes extreme.
fn number(rng: &mut Rng, scale: f64, decimals: i32) -> String {
    let x = rng.normal() * scale;
    if chance(rng, 0.01) {
        return pick(rng, &["1e308", "-1e308", "-0", "0", "1e-320", "4.9e-324"]).to_string();
    }
    let m = 10f64.powi(decimals);
    let r = (x * m).round() / m;
    if r.is_finite() {
        format!("{r}")
    } else {
        format!("{x}")
    }
}

fn numeric_column(rng: &mut Rng, n: usize) -> Vec<String> {
    let scale = *pick(rng, &[1.0, 10.0, 100.0, 1e-8, 1e8, 1e300]);
    let offset = *pick(rng, &[0.0, 50.0, -3.0, 1e300]);
    let decimals = *pick(rng, &[0, 0, 1, 2, 6]);
    if chance(rng, 0.1) {
        let c = number(rng, scale, decimals);
        return vec![c; n];
    }
    if chance(rng, 0.3) {
        // Small integer codes (grade 1/2/3, counts).
        let k = 2 + rng.below(6);
        return (0..n).map(|_| (rng.below(k) + 1).to_string()).collect();
    }
    (0..n)
        .map(|_| {
            let s = number(rng, scale, decimals);
            match s.parse::<f64>() {
                Ok(v) if offset != 0.0 => format!("{}", v + offset),
                _ => s,
            }
        })
        .collect()
}

fn level_names(rng: &mut Rng, k: usize) -> Vec<String> {
    match rng.below(5) {
        0 => (0..k).map(|i| i.to_string()).collect(),
        1 => (1..=k).map(|i| i.to_string()).collect(),
        2 if k == 2 => pick(rng, &[["no", "yes"], ["FALSE", "TRUE"], ["M", "F"]])
            .iter()
            .map(|s| s.to_string())
            .collect(),
        3 => (0..k)
            .map(|i| format!("{}", 0.5 * i as f64 - 1.0))
            .collect(),
        _ => (0..k)
            .map(|i| format!("L{}", (b'A' + i as u8) as char))
            .collect(),
    }
}

/// Levels drawn with random (sometimes degenerate) probabilities.
fn level_column(rng: &mut Rng, n: usize, k: usize) -> Vec<String> {
    let names = level_names(rng, k);
    let mut w: Vec<f64> = (0..k).map(|_| rng.uniform().powi(2)).collect();
    match rng.below(6) {
        0 => w.iter_mut().skip(1).for_each(|x| *x = 0.0), // constant
        1 => w[k - 1] = 0.0,                              // a level absent
        _ => {}
    }
    let total: f64 = w.iter().sum::<f64>().max(1e-12);
    (0..n)
        .map(|_| {
            let mut u = rng.uniform() * total;
            for (j, wj) in w.iter().enumerate() {
                if u < *wj {
                    return names[j].clone();
                }
                u -= wj;
            }
            names[0].clone()
        })
        .collect()
}

fn time_column(rng: &mut Rng, n: usize) -> Vec<String> {
    let scale = *pick(rng, &[1.0, 12.0, 100.0, 1e-6, 1e300]);
    let ties = chance(rng, 0.5);
    (0..n)
        .map(|_| {
            let t = rng.exponential() * scale;
            let t = if ties { t.round() } else { t };
            match rng.below(40) {
                0 => "0".into(),
                1 => "-1".into(),
                2 => "1e308".into(),
                _ => format!("{t}"),
            }
        })
        .collect()
}

fn event_column(rng: &mut Rng, n: usize) -> Vec<String> {
    let p = *pick(rng, &[0.0, 1.0, 0.5, 0.1, 0.9, 0.3]);
    let three = chance(rng, 0.15);
    let names = if chance(rng, 0.2) {
        ["no", "yes", "other"]
    } else {
        ["0", "1", "2"]
    };
    (0..n)
        .map(|_| {
            if three && chance(rng, 0.2) {
                names[2].into()
            } else if chance(rng, p) {
                names[1].into()
            } else {
                names[0].into()
            }
        })
        .collect()
}

fn column_name(rng: &mut Rng, i: usize) -> String {
    match rng.below(30) {
        0 => format!("x/../{i}"),
        1 => format!("a \"q\" {i}"),
        2 => format!("é;{i}"),
        3 => " ".repeat(1 + i),
        4 => format!("{i}"),
        _ => format!("c{i}"),
    }
}

/// A random table: the first three columns are a group, a time and an
/// event (of random shapes), then 0-6 columns of random kinds.
pub fn table(rng: &mut Rng) -> Table {
    let n = 2 + rng.below(59) as usize;
    let extra = rng.below(7) as usize;
    let mut columns = Vec::new();
    let k = 2 + usize::from(chance(rng, 0.2));
    columns.push(level_column(rng, n, k));
    columns.push(time_column(rng, n));
    columns.push(event_column(rng, n));
    for _ in 0..extra {
        columns.push(match rng.below(6) {
            0 | 1 => numeric_column(rng, n),
            2 => level_column(rng, n, 2),
            3 | 4 => {
                let max = if chance(rng, 0.1) { 12 } else { 5 };
                let k = 1 + rng.below(max) as usize;
                level_column(rng, n, k)
            }
            _ => (0..n).map(|i| format!("id{i}")).collect(),
        });
    }
    for col in &mut columns {
        let pm = *pick(rng, &[0.0, 0.0, 0.0, 0.05, 0.2, 0.6, 1.0]);
        for cell in col.iter_mut() {
            if chance(rng, pm) {
                *cell = pick(rng, &["", "NA", "."]).to_string();
            }
        }
    }
    let names = (0..columns.len()).map(|i| column_name(rng, i)).collect();
    let levels = columns
        .iter()
        .map(|c| {
            let mut seen: Vec<String> = Vec::new();
            for v in c {
                if !v.is_empty() && !seen.contains(v) && seen.len() < 16 {
                    seen.push(v.clone());
                }
            }
            seen
        })
        .collect();
    Table {
        names,
        columns,
        levels,
    }
}

fn quote(s: &str, sep: char) -> String {
    if s.contains(sep) || s.contains('"') || s.contains('\n') || s.contains('\r') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The table as a CSV file: comma-separated, or semicolon-separated with
/// decimal commas.
pub fn to_csv(rng: &mut Rng, t: &Table) -> Vec<u8> {
    let (sep, comma) = if chance(rng, 0.2) {
        (';', true)
    } else {
        (',', false)
    };
    let mut out = String::new();
    let line = |cells: Vec<String>, out: &mut String| {
        let q: Vec<String> = cells.iter().map(|c| quote(c, sep)).collect();
        out.push_str(&q.join(&sep.to_string()));
        out.push('\n');
    };
    line(t.names.clone(), &mut out);
    let n = t.columns.first().map_or(0, Vec::len);
    for r in 0..n {
        let cells = t
            .columns
            .iter()
            .map(|c| {
                let v = &c[r];
                if comma && v.parse::<f64>().is_ok() {
                    v.replace('.', ",")
                } else {
                    v.clone()
                }
            })
            .collect();
        line(cells, &mut out);
    }
    out.into_bytes()
}

/// A column name of the table (the roles' columns more often), sometimes
/// one that does not exist.
fn col(rng: &mut Rng, t: &Table, role: usize) -> String {
    match rng.below(20) {
        0 => "no such column".into(),
        1..=5 => pick(rng, &t.names).clone(),
        _ => t.names[role.min(t.names.len() - 1)].clone(),
    }
}

fn cols(rng: &mut Rng, t: &Table, max: usize) -> Vec<String> {
    let k = rng.below(max as u64 + 1) as usize;
    let mut v: Vec<String> = (0..k).map(|_| pick(rng, &t.names).clone()).collect();
    if !chance(rng, 0.1) {
        v.dedup();
    }
    v
}

/// A level of column `c` (by index), or a text that is not one.
fn level(rng: &mut Rng, t: &Table, c: usize) -> Option<String> {
    match rng.below(6) {
        0..=2 => None,
        3 => Some(pick(rng, &["7", "yes", "2", "LB", ""]).to_string()),
        _ => t
            .levels
            .get(c)
            .filter(|l| !l.is_empty())
            .map(|l| pick(rng, l).clone()),
    }
}

fn some_f64(rng: &mut Rng, usual: &[f64], odd: &[f64]) -> f64 {
    if chance(rng, 0.05) {
        *pick(rng, odd)
    } else {
        *pick(rng, usual)
    }
}

/// A dataset specification with random kinds, references, level orders,
/// merges and cuts.
pub fn dataset_spec(rng: &mut Rng, t: &Table) -> DatasetSpec {
    let mut spec = DatasetSpec::default();
    if chance(rng, 0.1) {
        spec.missing_tokens
            .push(pick(rng, &["-9", "0", "1", "yes"]).to_string());
    }
    for _ in 0..rng.below(4) {
        let c = rng.below(t.names.len() as u64) as usize;
        let name = t.names[c].clone();
        let o = spec.column_mut(&name);
        if chance(rng, 0.7) {
            o.kind = Some(*pick(rng, &ColumnKind::ALL));
        }
        if chance(rng, 0.3) {
            o.reference = level(rng, t, c);
        }
        if chance(rng, 0.2) {
            let mut l = t.levels[c].clone();
            rng.shuffle(&mut l);
            l.truncate(rng.below(l.len() as u64 + 1) as usize);
            o.level_order = l;
        }
        if chance(rng, 0.15) && t.levels[c].len() >= 2 {
            o.merges.push(LevelMerge {
                levels: t.levels[c][..2].to_vec(),
                into: pick(rng, &["merged", "", "LA"]).to_string(),
            });
        }
    }
    if chance(rng, 0.2) {
        let mut thresholds: Vec<f64> = (0..=rng.below(3)).map(|_| rng.normal() * 10.0).collect();
        if chance(rng, 0.7) {
            thresholds.sort_by(f64::total_cmp);
        }
        let labels = chance(rng, 0.3).then(|| {
            (0..=thresholds.len() + usize::from(chance(rng, 0.3)))
                .map(|i| format!("g{i}"))
                .collect()
        });
        spec.derived.push(DerivedColumn {
            name: pick(rng, &["cut", "c0", ""]).to_string(),
            source: col(rng, t, 1),
            recode: Recode::Cut {
                thresholds,
                closed: *pick(rng, &[Closed::Right, Closed::Left]),
                labels,
            },
        });
    }
    spec
}

pub fn table1_spec(rng: &mut Rng, t: &Table) -> Table1Spec {
    Table1Spec {
        group: col(rng, t, 0),
        variables: cols(rng, t, 6),
        nonnormal: cols(rng, t, 2),
        continuous: cols(rng, t, 1),
        categorical_test: *pick(rng, &CategoricalTest::ALL),
        continuous_test: *pick(rng, &ContinuousTest::ALL),
    }
}

pub fn logistic_spec(rng: &mut Rng, t: &Table) -> LogisticSpec {
    LogisticSpec {
        outcome: col(rng, t, 2),
        event: level(rng, t, 2),
        variables: cols(rng, t, 5),
        ordinal: cols(rng, t, 1),
        conf_level: some_f64(rng, &[0.95, 0.9, 0.99], &[0.5, 0.999999]),
        firth: chance(rng, 0.2),
    }
}

pub fn match_spec(rng: &mut Rng, t: &Table) -> MatchSpec {
    MatchSpec {
        treatment: col(rng, t, 0),
        treated_level: level(rng, t, 0),
        covariates: cols(rng, t, 5),
        ordinal: cols(rng, t, 1),
        ratio: if chance(rng, 0.05) {
            rng.below(13) as usize
        } else {
            1 + rng.below(3) as usize
        },
        replace: chance(rng, 0.3),
        caliper: match rng.below(5) {
            0 => Caliper::None,
            1 => Caliper::Absolute(some_f64(rng, &[0.01, 0.1, 1.0], &[0.0, -1.0, 1e308])),
            _ => Caliper::Sd(some_f64(rng, &[0.2, 0.1, 1.0], &[0.0, -0.2, 1e-300, 1e308])),
        },
        scale: *pick(rng, &[DistanceScale::Logit, DistanceScale::Probability]),
        order: match rng.below(4) {
            0 => MatchOrder::Largest,
            1 => MatchOrder::Smallest,
            2 => MatchOrder::Random(rng.next_u64()),
            _ => MatchOrder::Data,
        },
        exact: cols(rng, t, 1),
    }
}

fn survival_spec(rng: &mut Rng, t: &Table) -> SurvivalSpec {
    let mut groups = cols(rng, t, 1);
    if chance(rng, 0.6) {
        groups.insert(0, col(rng, t, 0));
    }
    SurvivalSpec {
        time: col(rng, t, 1),
        event: col(rng, t, 2),
        event_level: level(rng, t, 2),
        groups,
        strata: chance(rng, 0.2).then(|| col(rng, t, 3)),
    }
}

fn cox_spec(rng: &mut Rng, t: &Table, s: &SurvivalSpec) -> CoxSpec {
    CoxSpec {
        time: s.time.clone(),
        event: s.event.clone(),
        event_level: s.event_level.clone(),
        variables: cols(rng, t, 4),
        ordinal: cols(rng, t, 1),
        strata: chance(rng, 0.2).then(|| col(rng, t, 3)),
        cluster: chance(rng, 0.3).then(|| {
            if chance(rng, 0.5) {
                "subclass".to_string()
            } else {
                col(rng, t, 4)
            }
        }),
        ties: *pick(rng, &[Ties::Efron, Ties::Breslow]),
        conf_level: cohortlab::engine::defaults::CONF_LEVEL,
    }
}

pub fn survival_step(rng: &mut Rng, t: &Table) -> SurvivalStep {
    let spec = survival_spec(rng, t);
    let cox = chance(rng, 0.7).then(|| cox_spec(rng, t, &spec));
    SurvivalStep {
        at: (0..rng.below(4))
            .map(|_| some_f64(rng, &[0.0, 1.0, 12.0, 36.0, 0.5], &[-1.0, 1e308]))
            .collect(),
        transform: *pick(rng, &CiTransform::ALL),
        rho: some_f64(rng, &[0.0, 1.0, 0.5], &[-1.0, 1e308]),
        rmst: chance(rng, 0.3).then(|| {
            if chance(rng, 0.3) {
                RmstHorizon::Default
            } else {
                RmstHorizon::At(some_f64(rng, &[1.0, 12.0, 100.0], &[0.0, -1.0]))
            }
        }),
        cox,
        cohort: *pick(rng, &[StudyCohort::Matched, StudyCohort::All]),
        cross: chance(rng, 0.3).then(|| col(rng, t, 3)),
        competing: chance(rng, 0.2).then(|| competing_step(rng, t)),
        spec,
    }
}

/// The competing-risks options, valid and not (levels that may be
/// missing, repeated or the event's; covariates that may be the outcome).
fn competing_step(rng: &mut Rng, t: &Table) -> CompetingStep {
    let levels = ["1", "2", "0", "3", "x", ""];
    CompetingStep {
        event_level: pick(rng, &levels).to_string(),
        competing_levels: (0..rng.below(3))
            .map(|_| pick(rng, &levels).to_string())
            .collect(),
        variance: *pick(rng, &[CifVariance::Survfit, CifVariance::Cuminc]),
        covariates: chance(rng, 0.5).then(|| CompetingCovariates {
            variables: (0..rng.below(3)).map(|_| col(rng, t, 4)).collect(),
            ordinal: Vec::new(),
            cluster: chance(rng, 0.3).then(|| col(rng, t, 4)),
        }),
    }
}

/// The Sensitivity step's options, valid and not.
fn sensitivity_step(rng: &mut Rng) -> SensitivityStep {
    SensitivityStep {
        weighting: WeightOptions {
            estimand: *pick(rng, Estimand::ALL),
            stabilize: chance(rng, 0.5),
            trim: chance(rng, 0.3).then(|| some_f64(rng, &[0.01, 0.05, 0.1], &[0.5, -1.0])),
            truncate: chance(rng, 0.3).then(|| some_f64(rng, &[0.9, 0.99, 0.999], &[1.0, 0.2])),
        },
        table1_p_values: chance(rng, 0.5),
    }
}

/// Study settings using the table's columns.
pub fn settings(rng: &mut Rng, t: &Table, spec: &DatasetSpec) -> StudySettings {
    StudySettings {
        cohortlab_settings: 1,
        dataset: spec.clone(),
        table1: chance(rng, 0.7).then(|| table1_spec(rng, t)),
        regression: chance(rng, 0.5).then(|| RegressionStep {
            spec: logistic_spec(rng, t),
            threshold: chance(rng, 0.5).then(|| some_f64(rng, &[0.05, 0.2, 1.0], &[0.0, -1.0])),
        }),
        matching: chance(rng, 0.6).then(|| match_spec(rng, t)),
        outcomes: cols(rng, t, 2),
        subgroup: chance(rng, 0.3).then(|| col(rng, t, 3)),
        survival: chance(rng, 0.7).then(|| survival_step(rng, t)),
        sensitivity: chance(rng, 0.4).then(|| sensitivity_step(rng)),
        allow_outcome_covariates: chance(rng, 0.2),
        conf_level: cohortlab::engine::defaults::CONF_LEVEL,
    }
}

/// The analysis classes and the requests each sends after applying the
/// dataset specification.
pub fn requests(rng: &mut Rng, t: &Table, class: &str) -> Vec<Request> {
    let spec = dataset_spec(rng, t);
    let mut out = vec![Request::ApplySpec(spec.clone())];
    match class {
        "table1" => {
            for _ in 0..=rng.below(2) {
                out.push(Request::Table1(table1_spec(rng, t)));
            }
        }
        "logistic" => {
            for _ in 0..=rng.below(2) {
                out.push(Request::Regression {
                    spec: logistic_spec(rng, t),
                    threshold: chance(rng, 0.5)
                        .then(|| some_f64(rng, &[0.05, 0.2, 1.0], &[0.0, -1.0])),
                });
            }
        }
        "matching" => {
            let m = match_spec(rng, t);
            out.push(Request::Matching {
                spec: m.clone(),
                table1: table1_spec(rng, t),
            });
            match rng.below(3) {
                0 => out.push(Request::MatchedCsv(m)),
                1 => out.push(Request::Stability {
                    spec: m,
                    runs: rng.below(4),
                    outcome: chance(rng, 0.5).then(|| col(rng, t, 2)),
                }),
                _ => {}
            }
        }
        "survival" => {
            let mut s = settings(rng, t, &spec);
            s.survival = Some(survival_step(rng, t));
            out.push(Request::Survival(s));
        }
        _ => {
            let s = settings(rng, t, &spec);
            out.push(Request::Study(s.clone()));
            if chance(rng, 0.3) {
                out.push(Request::StudyFiles(s));
            }
        }
    }
    out
}
