//! The generated cohort shared by the benchmarks (`engine`, `compare`):
//! seeded, a 20% treated group, 8 categorical covariates with 2 to 4
//! levels, 4 numeric ones, a binary outcome and an exponential survival
//! time with uniform censoring, all depending on the covariates.

#![allow(dead_code)]

use cohortlab::engine::data::{Column, ColumnData, ColumnKind, Dataset};
use cohortlab::engine::rng::Rng;
use cohortlab::engine::survival::{CoxSpec, SurvivalSpec};

pub fn categorical(name: &str, codes: Vec<u32>, k: usize) -> Column {
    Column {
        name: name.into(),
        kind: if k == 2 {
            ColumnKind::Binary
        } else {
            ColumnKind::Categorical
        },
        suggested: ColumnKind::Categorical,
        derived_from: None,
        data: ColumnData::Categorical {
            codes,
            levels: (0..k).map(|l| format!("L{l}")).collect(),
            reference: 0,
        },
    }
}

/// A cohort of `n` patients: a 20% treated group, 8 categorical and 4
/// numeric covariates, and a binary outcome depending on them.
pub fn cohort(n: usize) -> Dataset {
    let mut rng = Rng::seed_from_u64(42);
    let mut columns = Vec::new();
    let group: Vec<u32> = (0..n).map(|_| u32::from(rng.uniform() < 0.2)).collect();
    let mut lin = vec![-0.5; n];
    for (j, k) in [2usize, 2, 3, 4, 4, 3, 2, 3].into_iter().enumerate() {
        let codes: Vec<u32> = (0..n).map(|_| rng.below(k as u64) as u32).collect();
        for (l, &c) in lin.iter_mut().zip(&codes) {
            *l += 0.2 * c as f64;
        }
        columns.push(categorical(&format!("cat{j}"), codes, k));
    }
    for j in 0..4 {
        let v: Vec<f64> = (0..n).map(|_| 50.0 + 10.0 * rng.normal()).collect();
        for (l, &x) in lin.iter_mut().zip(&v) {
            *l += 0.01 * (x - 50.0);
        }
        columns.push(Column {
            name: format!("num{j}"),
            kind: ColumnKind::Numeric,
            suggested: ColumnKind::Numeric,
            derived_from: None,
            data: ColumnData::Numeric(v),
        });
    }
    let outcome: Vec<u32> = lin
        .iter()
        .map(|l| u32::from(rng.uniform() < 1.0 / (1.0 + (-l).exp())))
        .collect();
    // Survival: exponential event times depending on the linear predictor,
    // uniform censoring.
    let (mut time, mut status) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for l in &lin {
        let t_event = rng.exponential() / (0.02 * (0.5 * l).exp());
        let t_cens = 100.0 * rng.uniform();
        time.push(t_event.min(t_cens));
        status.push(u32::from(t_event <= t_cens));
    }
    columns.push(Column {
        name: "time".into(),
        kind: ColumnKind::Numeric,
        suggested: ColumnKind::Numeric,
        derived_from: None,
        data: ColumnData::Numeric(time),
    });
    columns.push(categorical("status", status, 2));
    columns.push(categorical("group", group, 2));
    columns.push(categorical("outcome", outcome, 2));
    Dataset {
        n_rows: n,
        columns,
        row_numbers: (2..n + 2).collect(),
        diagnostics: Vec::new(),
    }
}

/// The cohort as CSV (id, group, cat0..cat7, num0..num3, outcome, time,
/// status), numbers printed exactly (shortest round-trip form).
pub fn to_csv(ds: &Dataset) -> String {
    let mut out = String::from("id");
    let names = [
        "group", "cat0", "cat1", "cat2", "cat3", "cat4", "cat5", "cat6", "cat7", "num0", "num1",
        "num2", "num3", "outcome", "time", "status",
    ];
    for n in names {
        out.push(',');
        out.push_str(n);
    }
    out.push('\n');
    let cols: Vec<&Column> = names
        .iter()
        .map(|n| ds.column(n).expect("column"))
        .collect();
    for i in 0..ds.n_rows {
        out.push_str(&format!("P{}", i + 1));
        for c in &cols {
            out.push(',');
            match &c.data {
                ColumnData::Numeric(v) => out.push_str(&format!("{}", v[i])),
                ColumnData::Categorical { codes, levels, .. } => {
                    // Binary 0/1 columns as 0/1, the others by level name.
                    if ["group", "outcome", "status"].contains(&c.name.as_str()) {
                        out.push_str(&codes[i].to_string());
                    } else {
                        out.push_str(&levels[codes[i] as usize]);
                    }
                }
                ColumnData::Text(_) => {}
            }
        }
        out.push('\n');
    }
    out
}

/// Kaplan-Meier and log-rank by group, as both benchmarks run them.
pub fn survival_spec() -> SurvivalSpec {
    SurvivalSpec {
        time: "time".into(),
        event: "status".into(),
        event_level: None,
        groups: vec!["group".into()],
        strata: None,
    }
}

/// The Cox model of both benchmarks: group and 9 covariates (12 terms).
pub fn cox_spec() -> CoxSpec {
    CoxSpec {
        time: "time".into(),
        event: "status".into(),
        event_level: None,
        variables: [
            "group", "cat0", "cat1", "cat2", "cat5", "cat6", "num0", "num1", "num2", "num3",
        ]
        .map(String::from)
        .to_vec(),
        ordinal: Vec::new(),
        strata: None,
        cluster: None,
        ties: Default::default(),
        conf_level: cohortlab::engine::defaults::CONF_LEVEL,
    }
}

/// The registry file of the scale benchmarks: the cohort's 17 columns and
/// 8 more (25), numbers with one or two decimals as registries export
/// them: about 95 bytes a patient, 95 MB for a million.
pub fn registry_csv(n: usize) -> String {
    let ds = cohort(n);
    let mut rng = Rng::seed_from_u64(7);
    let mut out = String::with_capacity(96 * n + 256);
    out.push_str(
        "id,group,cat0,cat1,cat2,cat3,cat4,cat5,cat6,cat7,num0,num1,num2,num3,outcome,time,status,\
         site,year,bmi,sex,stage,grade,smoker,charlson\n",
    );
    let col = |name: &str| ds.column(name).map(|c| &c.data);
    let codes = |name: &str| match col(name) {
        Some(ColumnData::Categorical { codes, .. }) => codes.clone(),
        _ => Vec::new(),
    };
    let nums = |name: &str| match col(name) {
        Some(ColumnData::Numeric(v)) => v.clone(),
        _ => Vec::new(),
    };
    let (group, outcome, status) = (codes("group"), codes("outcome"), codes("status"));
    let cats: Vec<Vec<u32>> = (0..8).map(|j| codes(&format!("cat{j}"))).collect();
    let numbers: Vec<Vec<f64>> = (0..4).map(|j| nums(&format!("num{j}"))).collect();
    let time = nums("time");
    const STAGES: [&str; 4] = ["I", "II", "III", "IV"];
    use std::fmt::Write;
    for i in 0..n {
        let _ = write!(out, "P{},{}", i + 1, group[i]);
        for c in &cats {
            let _ = write!(out, ",L{}", c[i]);
        }
        for v in &numbers {
            let _ = write!(out, ",{:.1}", v[i]);
        }
        let _ = write!(out, ",{},{:.2},{}", outcome[i], time[i], status[i]);
        let _ = writeln!(
            out,
            ",S{:02},{},{:.1},{},{},G{},{},{}",
            rng.below(40),
            2008 + rng.below(16),
            25.0 + 4.0 * rng.normal(),
            if rng.uniform() < 0.5 { "F" } else { "M" },
            STAGES[rng.below(4) as usize],
            1 + rng.below(3),
            if rng.uniform() < 0.2 { "yes" } else { "no" },
            rng.below(7),
        );
    }
    out
}

/// The whole study on the registry file: Table 1, the propensity model
/// and 2:1 matching with a 0.2 SD caliper, balance, Kaplan-Meier and
/// log-rank by group, Cox with 10 covariates, on the matched cohort, and
/// the report (what the page's Report step runs).
pub fn registry_settings() -> cohortlab::report::study::StudySettings {
    use cohortlab::engine::matching::{Caliper, MatchSpec};
    use cohortlab::engine::table1::Table1Spec;
    use cohortlab::report::study::{StudyCohort, StudySettings, SurvivalStep, SETTINGS_VERSION};
    let covariates = [
        "cat0", "cat1", "cat2", "cat3", "cat4", "cat5", "cat6", "cat7", "num0", "num1", "num2",
        "num3",
    ];
    let mut t1 = covariates.map(String::from).to_vec();
    t1.extend(["sex", "stage", "grade", "smoker", "bmi", "charlson"].map(String::from));
    StudySettings {
        cohortlab_settings: SETTINGS_VERSION,
        dataset: Default::default(),
        table1: Some(Table1Spec {
            group: "group".into(),
            variables: t1,
            nonnormal: vec!["charlson".into()],
            continuous: Vec::new(),
            categorical_test: Default::default(),
            continuous_test: Default::default(),
        }),
        regression: None,
        matching: Some(MatchSpec {
            ratio: 2,
            caliper: Caliper::Sd(0.2),
            ..MatchSpec::new("group", &covariates)
        }),
        outcomes: vec!["outcome".into()],
        subgroup: None,
        survival: Some(SurvivalStep {
            spec: survival_spec(),
            at: vec![12.0, 36.0, 60.0],
            transform: Default::default(),
            rho: 0.0,
            rmst: None,
            cox: Some(cox_spec()),
            cohort: StudyCohort::Matched,
            cross: None,
            competing: None,
        }),
        sensitivity: None,
        allow_outcome_covariates: false,
        conf_level: cohortlab::engine::defaults::CONF_LEVEL,
    }
}

/// A competing-risks cohort of `n` patients (`engine --competing`): two
/// groups (40% treated), age, size (numeric), grade (3 levels), node
/// (0/1); cause-specific exponential hazards of local (1) and distant (2)
/// recurrence depending on them, uniform censoring over 120 months, the
/// time rounded to 0.1 month (so tied times mix events, competing events
/// and censorings), status 0/1/2.
pub fn competing_cohort(n: usize) -> Dataset {
    let mut rng = Rng::seed_from_u64(18);
    let (mut group, mut grade, mut node) = (vec![0; n], vec![0; n], vec![0; n]);
    let (mut age, mut size) = (vec![0.0; n], vec![0.0; n]);
    let (mut time, mut status) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for i in 0..n {
        group[i] = u32::from(rng.uniform() < 0.4);
        grade[i] = rng.below(3) as u32;
        node[i] = u32::from(rng.uniform() < 0.3);
        age[i] = (55.0 + 10.0 * rng.normal()).round();
        size[i] = (20.0 + 8.0 * rng.normal()).abs();
        let lin = -0.3 * f64::from(group[i])
            + 0.25 * f64::from(grade[i])
            + 0.4 * f64::from(node[i])
            + 0.01 * (age[i] - 55.0)
            + 0.02 * (size[i] - 20.0);
        let t1 = rng.exponential() / (0.006 * lin.exp());
        let t2 = rng.exponential() / (0.004 * (0.5 * lin).exp());
        let tc = 120.0 * rng.uniform();
        let t = t1.min(t2).min(tc);
        time.push((10.0 * t).round() / 10.0);
        status.push(if t == t1 {
            1
        } else if t == t2 {
            2
        } else {
            0
        });
    }
    let numeric = |name: &str, v: Vec<f64>| Column {
        name: name.into(),
        kind: ColumnKind::Numeric,
        suggested: ColumnKind::Numeric,
        derived_from: None,
        data: ColumnData::Numeric(v),
    };
    let mut status_col = categorical("status", status, 3);
    if let ColumnData::Categorical { levels, .. } = &mut status_col.data {
        *levels = vec!["0".into(), "1".into(), "2".into()];
    }
    Dataset {
        n_rows: n,
        columns: vec![
            categorical("group", group, 2),
            numeric("age", age),
            numeric("size", size),
            categorical("grade", grade, 3),
            categorical("node", node, 2),
            numeric("time", time),
            status_col,
        ],
        row_numbers: (2..n + 2).collect(),
        diagnostics: Vec::new(),
    }
}
