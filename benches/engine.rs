//! Engine benchmarks on a generated cohort: `cargo bench --bench engine`
//! (optionally `-- ROWS`, default 1,000,000). Prints the median of 5 runs of
//! each stage (`--competing`: the fastest of 3). Not a test: figures go to
//! docs/BENCHMARKS.md.

use std::time::Instant;

#[path = "common/cohort.rs"]
mod cohort;
use cohort::cohort;

use cohortlab::engine::data::Dataset;
use cohortlab::engine::matching::{
    balance, match_patients, nearest_neighbour, MatchOrder, MatchSpec, NearestParams,
};
use cohortlab::engine::regression::{univariate_screen, LogisticSpec};
use cohortlab::engine::table1::{table1, Table1Spec};

fn median_time(mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..5)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[2]
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    // The whole model study on the built-in example (1049 patients), as
    // `cohortlab run` and the page's Report step do it.
    {
        use cohortlab::report::study::{run_study, StudySettings};
        let settings = StudySettings::example();
        let t = median_time(|| {
            let raw = cohortlab::engine::data::read(
                cohortlab::engine::example::EXAMPLE_CSV.as_bytes(),
                &Default::default(),
            )
            .expect("example");
            std::hint::black_box(
                run_study(&raw, "example-study.csv", &settings)
                    .map(|o| o.report_html.len())
                    .unwrap_or(0),
            );
        });
        println!(
            "example study: import, every step and the report (1049 patients): {:.1} ms (target < 100 ms)",
            1000.0 * t
        );
        if std::env::args().any(|a| a == "--example") {
            return;
        }
    }
    if std::env::args().any(|a| a == "--study") {
        whole_study(n);
        return;
    }
    if std::env::args().any(|a| a == "--competing") {
        competing_stages(n);
        return;
    }
    if let Some(dir) = arg_after("--write-registry") {
        let path = format!("{dir}/registry-{n}.csv");
        std::fs::write(&path, cohort::registry_csv(n)).expect("write the registry file");
        let settings = format!("{dir}/registry.settings.json");
        std::fs::write(&settings, cohort::registry_settings().to_json()).expect("write");
        println!("wrote {path} and {settings}");
        return;
    }
    let t = Instant::now();
    let ds = cohort(n);
    println!(
        "cohort of {n} patients generated in {:.2} s",
        t.elapsed().as_secs_f64()
    );
    if std::env::args().any(|a| a == "--survival") {
        survival_stages(&ds);
        return;
    }
    if std::env::args().any(|a| a == "--weighting") {
        weighting_stages(&ds);
        return;
    }
    let vars: Vec<String> = (0..8)
        .map(|j| format!("cat{j}"))
        .chain((0..4).map(|j| format!("num{j}")))
        .collect();
    let spec = Table1Spec {
        group: "group".into(),
        variables: vars.clone(),
        nonnormal: vec!["num3".into()],
        continuous: Vec::new(),
        categorical_test: Default::default(),
        continuous_test: Default::default(),
    };
    let t1 = median_time(|| {
        std::hint::black_box(table1(&ds, &spec).map(|t| t.variables.len()).unwrap_or(0));
    });
    println!(
        "table1, 12 variables (8 categorical, 3 Welch, 1 Mann-Whitney): {:.3} s",
        t1
    );
    let lspec = LogisticSpec {
        outcome: "outcome".into(),
        event: None,
        variables: vars,
        ordinal: Vec::new(),
        conf_level: 0.95,
        firth: false,
    };
    let t2 = median_time(|| {
        std::hint::black_box(univariate_screen(&ds, &lspec).len());
    });
    println!("univariate logistic screen, 12 variables: {:.3} s", t2);
    if std::env::args().any(|a| a == "--detail") {
        for v in &lspec.variables {
            let one = LogisticSpec {
                variables: vec![v.clone()],
                ..lspec.clone()
            };
            let t = Instant::now();
            let d = cohortlab::engine::regression::design_matrix(
                &ds,
                "outcome",
                None,
                &one.variables,
                &[],
            )
            .unwrap();
            let td = t.elapsed().as_secs_f64();
            let t = Instant::now();
            let f =
                cohortlab::engine::numeric::logistic_irls(&d.x, &d.y, Default::default()).unwrap();
            let ti = t.elapsed().as_secs_f64();
            let t = Instant::now();
            std::hint::black_box(univariate_screen(&ds, &one));
            println!(
                "  {v}: design {td:.3} s, irls {ti:.3} s ({} iterations), whole {:.3} s",
                f.convergence.iterations,
                t.elapsed().as_secs_f64()
            );
        }
    }
    println!(
        "table1 + screen: {:.3} s (target < 1 s at 1,000,000 rows)",
        t1 + t2
    );

    // Propensity model (12 covariates) and 2:1 nearest-neighbour matching
    // with a caliper of 0.2 SD of the logit.
    let covariates: Vec<&str> = lspec.variables.iter().map(String::as_str).collect();
    let mspec = MatchSpec {
        ratio: 2,
        ..MatchSpec::new("group", &covariates)
    };
    let mut matched = 0;
    let t3 = median_time(|| {
        matched = match_patients(&ds, &mspec)
            .map(|m| m.counts.matched.treated)
            .unwrap_or(0);
    });
    println!("propensity model + 2:1 matching with caliper: {t3:.3} s ({matched} treated matched; target < 2 s)");
    let m = match_patients(&ds, &mspec).expect("matching");
    let logit: Vec<f64> = m.distance.iter().map(|p| (p / (1.0 - p)).ln()).collect();
    let strata = vec![0u64; ds.n_rows];
    let params = NearestParams {
        ratio: 2,
        replace: false,
        caliper: m.caliper_width,
        order: MatchOrder::Largest,
    };
    let t4 = median_time(|| {
        std::hint::black_box(
            nearest_neighbour(&logit, &m.distance, &m.treated, &strata, &params).len(),
        );
    });
    println!("2:1 matching alone (scores given): {t4:.3} s");
    let t5 = median_time(|| {
        std::hint::black_box(balance(&ds, &m).len());
    });
    println!("balance of 12 covariates before and after: {t5:.3} s");

    weighting_stages(&ds);
    survival_stages(&ds);
}

/// The Sensitivity step's weighting on the 12-covariate propensity model:
/// ATE weights, balance after weighting, one outcome weighted and the
/// weighted Cox model of the group alone (robust SEs).
fn weighting_stages(ds: &Dataset) {
    use cohortlab::engine::survival::cox_model_weighted;
    use cohortlab::engine::weighting::{
        doubly_robust, weight_patients, weighted_balance, weighted_outcome, WeightOptions,
        WeightSpec,
    };
    let covariates: Vec<String> = (0..8)
        .map(|j| format!("cat{j}"))
        .chain((0..4).map(|j| format!("num{j}")))
        .collect();
    let covs: Vec<&str> = covariates.iter().map(String::as_str).collect();
    let wspec = WeightSpec::from_match(&MatchSpec::new("group", &covs), WeightOptions::default());
    let tw = median_time(|| {
        std::hint::black_box(
            weight_patients(ds, &wspec)
                .map(|w| w.weights.len())
                .unwrap_or(0),
        );
    });
    let w = weight_patients(ds, &wspec).expect("weights");
    let tb = median_time(|| {
        std::hint::black_box(weighted_balance(ds, &w).rows.len());
    });
    let to = median_time(|| {
        std::hint::black_box(
            weighted_outcome(ds, &w, "outcome", 0.95)
                .map(|o| o.p_value)
                .ok(),
        );
    });
    let tdr = median_time(|| {
        std::hint::black_box(
            doubly_robust(ds, &w, "outcome", 0.95)
                .map(|o| o.p_value)
                .ok(),
        );
    });
    let cox = cohortlab::engine::survival::CoxSpec {
        variables: vec!["group".into()],
        ..cohort::cox_spec()
    };
    let tc = median_time(|| {
        std::hint::black_box(
            cox_model_weighted(ds, &cox, Some(&w.weights))
                .map(|f| f.n)
                .ok(),
        );
    });
    println!("propensity model + ATE weights: {tw:.3} s");
    println!("balance of 12 covariates before and after weighting: {tb:.3} s");
    println!("weighted outcome (RD, RR, OR, robust SEs): {to:.3} s");
    println!("weighted Cox model of the group, robust SEs: {tc:.3} s");
    println!("doubly robust estimate of the outcome (12 covariates; not in the sum): {tdr:.3} s");
    println!(
        "weighting, balance, outcome and Cox: {:.3} s (target < 1.5 s at 1,000,000 rows)",
        tw + tb + to + tc
    );
}

/// KM by group + log-rank, and Cox with 10 covariates.
fn survival_stages(ds: &Dataset) {
    // Survival: KM by group + log-rank, and Cox with 10 covariates.
    use cohortlab::engine::survival::cox_model;
    let sspec = cohort::survival_spec();
    let t6 = median_time(|| {
        let a = cohortlab::report::survival::survival_analysis(
            ds,
            &sspec,
            Default::default(),
            &[36.0],
            0.0,
        );
        std::hint::black_box(a.map(|a| a.groups.len()).unwrap_or(0));
    });
    println!("Kaplan-Meier by group + log-rank: {t6:.3} s");
    let cspec = cohort::cox_spec();
    let mut p = 0;
    let t7 = median_time(|| {
        p = cox_model(ds, &cspec).map(|f| f.terms.len()).unwrap_or(0);
    });
    println!("Cox, 10 covariates ({p} terms), Efron: {t7:.3} s");
    if std::env::args().any(|a| a == "--detail") {
        let t = Instant::now();
        let d =
            cohortlab::engine::regression::design_matrix(ds, "status", None, &cspec.variables, &[])
                .unwrap();
        println!("  cox design: {:.3} s", t.elapsed().as_secs_f64());
        let t = Instant::now();
        let sd = cohortlab::engine::survival::survival_data(ds, &sspec).unwrap();
        println!("  survival data: {:.3} s", t.elapsed().as_secs_f64());
        let x: Vec<f64> = (0..d.x.rows)
            .flat_map(|i| d.x.row(i)[1..].to_vec())
            .collect();
        let names: Vec<String> = d.columns[1..].iter().map(|c| c.term.clone()).collect();
        let strata = vec![0usize; d.x.rows];
        let data = cohortlab::engine::survival::CoxData {
            x: &x,
            columns: names.len(),
            time: &sd.time,
            event: &sd.event,
            stratum: &strata,
            cluster: None,
            weights: None,
        };
        let t = Instant::now();
        let f =
            cohortlab::engine::survival::fit_cox(&data, &names, Default::default(), 0.95).unwrap();
        println!(
            "  fit: {:.3} s ({} iterations)",
            t.elapsed().as_secs_f64(),
            f.convergence.iterations
        );
        let eta: Vec<f64> = x
            .chunks_exact(names.len())
            .map(|r| r.iter().zip(&f.terms).map(|(a, t)| a * t.coef).sum())
            .collect();
        let t = Instant::now();
        std::hint::black_box(cohortlab::engine::survival::concordance(
            &sd.time, &sd.event, &eta, &strata,
        ));
        println!("  concordance: {:.3} s", t.elapsed().as_secs_f64());
    }
    println!(
        "KM + log-rank + Cox: {:.3} s (target < 1 s at 1,000,000 rows)",
        t6 + t7
    );
    let t8 = median_time(|| {
        let (a, c) = cohortlab::engine::parallel::join(
            || {
                cohortlab::report::survival::survival_analysis(
                    ds,
                    &sspec,
                    Default::default(),
                    &[36.0],
                    0.0,
                )
            },
            || cox_model(ds, &cspec),
        );
        std::hint::black_box((a.is_ok(), c.is_ok()));
    });
    println!("KM + log-rank and Cox side by side, as the study runs them: {t8:.3} s");
    // As the study runs them: the curves and the Cox model (with its PH
    // test) side by side, on two cores natively.
    let step = cohortlab::report::study::SurvivalStep {
        spec: cohort::survival_spec(),
        at: vec![36.0],
        transform: Default::default(),
        rho: 0.0,
        rmst: None,
        cox: Some(cohort::cox_spec()),
        cohort: cohortlab::report::study::StudyCohort::All,
        cross: None,
        competing: None,
    };
    let t = median_time(|| {
        let r = cohortlab::report::study::survival_step(
            ds,
            None,
            &step,
            cohortlab::engine::defaults::CONF_LEVEL,
        );
        std::hint::black_box(r.analysis.is_ok());
    });
    println!("the study's survival step (the same, plus the PH test; curves and Cox in parallel): {t:.3} s");
}

/// The fastest of 3 runs (the machine may be busy).
fn min_time(mut f: impl FnMut()) -> f64 {
    (0..3)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

/// Competing risks on `n` generated patients (0/1/2 status with ties, two
/// groups, five covariates one of them categorical): the cumulative
/// incidence by group with Gray's test, the Fine-Gray model, both, and
/// the cause-specific Cox models beside Fine-Gray.
fn competing_stages(n: usize) {
    use cohortlab::engine::competing::{
        competing_analysis, competing_models, fine_gray, CifOptions, CompetingCovariates,
        CompetingSpec,
    };
    let t = Instant::now();
    let ds = cohort::competing_cohort(n);
    println!(
        "competing-risks cohort of {n} patients generated in {:.2} s",
        t.elapsed().as_secs_f64()
    );
    let spec = CompetingSpec {
        time: "time".into(),
        status: "status".into(),
        event_level: "1".into(),
        competing_levels: vec!["2".into()],
        group: Some("group".into()),
    };
    let cov = CompetingCovariates {
        variables: ["group", "age", "size", "grade", "node"]
            .map(String::from)
            .to_vec(),
        ordinal: Vec::new(),
        cluster: None,
    };
    let at = [12.0, 36.0, 60.0];
    let options = CifOptions::new(&at);
    let cif = || competing_analysis(&ds, &spec, &options).map(|a| a.gray.len());
    let fg = || fine_gray(&ds, &spec, &cov, 0.95).map(|f| f.terms.len());
    let t_cif = min_time(|| {
        std::hint::black_box(cif().ok());
    });
    let a = competing_analysis(&ds, &spec, &options).expect("cif");
    println!(
        "cumulative incidence by group (2 causes) + Gray's test: {t_cif:.3} s ({} events, {} competing, {} censored)",
        a.events[0], a.events[1], a.censored
    );
    let t_fg = min_time(|| {
        std::hint::black_box(fg().ok());
    });
    let f = fine_gray(&ds, &spec, &cov, 0.95).expect("fine-gray");
    println!(
        "Fine-Gray, 5 covariates ({} terms, {} iterations): {t_fg:.3} s",
        f.terms.len(),
        f.convergence.iterations
    );
    let t_design = min_time(|| {
        std::hint::black_box(
            cohortlab::engine::competing::competing_design(&ds, &spec, &cov)
                .map(|d| d.time.len())
                .ok(),
        );
    });
    println!("  of which the patients and the design: {t_design:.3} s");
    let t_both = min_time(|| {
        std::hint::black_box((cif().ok(), fg().ok()));
    });
    println!("CIF + Gray + Fine-Gray, one after the other: {t_both:.3} s (target < 3 s at 1,000,000 patients)");
    let t_par = min_time(|| {
        let (a, f) = cohortlab::engine::parallel::join(cif, fg);
        std::hint::black_box((a.ok(), f.ok()));
    });
    println!("CIF + Gray and Fine-Gray side by side: {t_par:.3} s");
    let t_models = min_time(|| {
        std::hint::black_box(
            competing_models(&ds, &spec, &cov, 0.95)
                .map(|m| m.cause_specific.len())
                .ok(),
        );
    });
    println!("Fine-Gray + cause-specific Cox of both causes (not in the target): {t_models:.3} s");
}

fn arg_after(flag: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    let i = args.iter().position(|a| a == flag)?;
    args.get(i + 1).cloned()
}

/// The whole study on the registry file of `n` patients (25 columns), as
/// the page's worker runs it: the file read and typed, then every step and
/// the report. Each stage's time comes from the service's progress
/// messages; the total is the median of 3 runs.
fn whole_study(n: usize) {
    use cohortlab::report::service::{Progress, Reply, Request, Service};
    let csv = cohort::registry_csv(n);
    println!(
        "registry file: {n} patients, 25 columns, {:.0} MB",
        csv.len() as f64 / 1e6
    );
    let settings = cohort::registry_settings();
    let mut totals = Vec::new();
    for run in 0..3 {
        let mut service = Service::new();
        let start = Instant::now();
        let mut stages: Vec<(String, f64)> = Vec::new();
        let mut log = |p: Progress| {
            let t = start.elapsed().as_secs_f64();
            if stages.last().map(|s| &s.0) != Some(&p.stage) {
                stages.push((p.stage, t));
            }
        };
        let open = Request::Open {
            file_name: format!("registry-{n}.csv"),
            sheet: None,
            max_bytes: u64::MAX,
        };
        let r = service.handle(open, Some(csv.as_bytes().to_vec()), &mut log);
        assert!(matches!(r, Ok(Reply::Loaded(_))), "{r:?}");
        let r = service.handle(Request::Study(settings.clone()), None, &mut log);
        let total = start.elapsed().as_secs_f64();
        let Ok(Reply::Study(v)) = r else {
            panic!("the study failed: {r:?}");
        };
        std::hint::black_box(v.methods.len());
        totals.push(total);
        if run == 0 {
            for (i, (stage, t)) in stages.iter().enumerate() {
                let end = stages.get(i + 1).map_or(total, |s| s.1);
                println!("  {:<58} {:>6.3} s", stage, end - t);
            }
            for d in &v.diagnostics {
                println!("  note: {d}");
            }
            let figures: usize = v.figures.iter().map(|f| f.1.len()).sum();
            println!(
                "  sizes: figures {} KB, reply to the page {} KB",
                figures / 1000,
                serde_json::to_string(&v).map_or(0, |j| j.len()) / 1000
            );
        }
    }
    totals.sort_by(f64::total_cmp);
    println!(
        "whole study, {n} patients: {:.2} s (median of 3; target < 3 s natively)",
        totals[1]
    );
}
