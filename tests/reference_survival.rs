//! Kaplan-Meier and log-rank against R 4.2.2, survival 3.5-3 (fixture
//! tests/reference/survival.json from tests/reference/survival.R).

mod common;

use cohortlab::engine::data::{ColumnKind, Dataset, DatasetSpec};
use cohortlab::engine::survival::*;
use common::{close, data, dataset, example, floats_na, labels, named, reference, Tol};
use serde_json::Value;

fn fixture() -> Value {
    reference("survival")
}

fn case(kind: &str, name: &str) -> Value {
    named(&fixture()[kind], name)
}

fn lung() -> Dataset {
    data(
        "lung.csv",
        DatasetSpec::default()
            .with_kind("ph.ecog", ColumnKind::Categorical)
            .with_kind("sex", ColumnKind::Categorical),
    )
}

fn spec(time: &str, event: &str, groups: &[&str]) -> SurvivalSpec {
    SurvivalSpec {
        time: time.into(),
        event: event.into(),
        event_level: None,
        groups: groups.iter().map(|g| g.to_string()).collect(),
        strata: None,
    }
}

fn check_km(ds: &Dataset, s: &SurvivalSpec, r: &Value) {
    let name = r["name"].as_str().unwrap();
    let transform = CiTransform::parse(r["ctype"].as_str().unwrap()).unwrap();
    let d = survival_data(ds, s).unwrap();
    let groups = labels(&r["groups"]);
    let row_strata = labels(&r["strata"]);
    let at_strata = labels(&r["at_strata"]);
    for (gi, label) in groups.iter().enumerate() {
        let g = d
            .group_labels
            .iter()
            .position(|l| l == label)
            .unwrap_or_else(|| panic!("{name}: no group {label} in {:?}", d.group_labels));
        let keep: Vec<usize> = (0..d.time.len()).filter(|&i| d.group[i] == g).collect();
        let t: Vec<f64> = keep.iter().map(|&i| d.time[i]).collect();
        let e: Vec<bool> = keep.iter().map(|&i| d.event[i]).collect();
        let fit = kaplan_meier(&t, &e, transform, 0.95);
        let idx: Vec<usize> = (0..row_strata.len())
            .filter(|&i| row_strata[i] == *label)
            .collect();
        assert_eq!(fit.rows.len(), idx.len(), "{name} {label}: rows");
        for (row, &i) in fit.rows.iter().zip(&idx) {
            let what = format!("{name} {label} t={}", row.time);
            close(row.time, floats_na(&r["time"])[i], Tol::IDENTICAL, &what);
            assert_eq!(row.n_risk as f64, floats_na(&r["n_risk"])[i], "{what}");
            assert_eq!(row.n_event as f64, floats_na(&r["n_event"])[i], "{what}");
            assert_eq!(row.n_censor as f64, floats_na(&r["n_censor"])[i], "{what}");
            close(row.surv, floats_na(&r["surv"])[i], Tol::SAME_FORMULA, &what);
            close(
                row.std_err,
                floats_na(&r["std_err"])[i],
                Tol::SAME_FORMULA,
                &what,
            );
            close(
                row.lower,
                floats_na(&r["lower"])[i],
                Tol::SAME_FORMULA,
                &what,
            );
            close(
                row.upper,
                floats_na(&r["upper"])[i],
                Tol::SAME_FORMULA,
                &what,
            );
        }
        let at: Vec<usize> = (0..at_strata.len())
            .filter(|&i| at_strata[i] == *label)
            .collect();
        for &i in &at {
            let lm = fit.at(floats_na(&r["at_time"])[i]);
            let what = format!("{name} {label} at {}", lm.time);
            assert_eq!(lm.n_risk as f64, floats_na(&r["at_n_risk"])[i], "{what}");
            close(
                lm.surv,
                floats_na(&r["at_surv"])[i],
                Tol::SAME_FORMULA,
                &what,
            );
            close(
                lm.std_err,
                floats_na(&r["at_std_err"])[i],
                Tol::SAME_FORMULA,
                &what,
            );
            close(
                lm.lower,
                floats_na(&r["at_lower"])[i],
                Tol::SAME_FORMULA,
                &what,
            );
            close(
                lm.upper,
                floats_na(&r["at_upper"])[i],
                Tol::SAME_FORMULA,
                &what,
            );
        }
        let opt = |v: Option<f64>| v.unwrap_or(f64::NAN);
        close(
            opt(fit.median.median),
            floats_na(&r["median"])[gi],
            Tol::IDENTICAL,
            &format!("{name} {label} median"),
        );
        close(
            opt(fit.median.lower),
            floats_na(&r["median_lower"])[gi],
            Tol::IDENTICAL,
            &format!("{name} {label} median lower"),
        );
        close(
            opt(fit.median.upper),
            floats_na(&r["median_upper"])[gi],
            Tol::IDENTICAL,
            &format!("{name} {label} median upper"),
        );
        close(
            fit.rmst(r["tau"].as_f64().unwrap()),
            floats_na(&r["rmean"])[gi],
            Tol::SAME_FORMULA,
            &format!("{name} {label} rmean"),
        );
    }
}

#[test]
fn kaplan_meier_equals_survfit() {
    let lung = lung();
    for name in ["lung_sex_log", "lung_sex_loglog", "lung_sex_plain"] {
        check_km(&lung, &spec("time", "status", &["sex"]), &case("km", name));
    }
    let vet = data("veteran.csv", DatasetSpec::default());
    check_km(
        &vet,
        &spec("time", "status", &["celltype"]),
        &case("km", "veteran_celltype"),
    );
    let ex = example();
    check_km(
        &ex,
        &spec("idfs_months", "idfs_event", &["seed_marking"]),
        &case("km", "example_marking"),
    );
    check_km(
        &ex,
        &spec("idfs_months", "idfs_event", &["seed_marking", "tpcr"]),
        &case("km", "example_marking_tpcr"),
    );
}

fn check_lr(ds: &Dataset, s: &SurvivalSpec, r: &Value) {
    let name = r["name"].as_str().unwrap();
    let d = survival_data(ds, s).unwrap();
    let lr = log_rank(
        &d.time,
        &d.event,
        &d.group,
        &d.stratum,
        &d.group_labels,
        r["rho"].as_f64().unwrap(),
    )
    .unwrap();
    close(
        lr.chi_square,
        r["chisq"].as_f64().unwrap(),
        Tol::REFERENCE,
        name,
    );
    close(lr.p_value, r["p"].as_f64().unwrap(), Tol::REFERENCE, name);
    // Observed and expected per group (R orders groups as we do for these).
    for (g, (o, e)) in floats_na(&r["observed"])
        .iter()
        .zip(floats_na(&r["expected"]))
        .enumerate()
    {
        close(lr.observed[g], *o, Tol::SAME_FORMULA, name);
        close(lr.expected[g], e, Tol::SAME_FORMULA, name);
    }
}

#[test]
fn log_rank_equals_survdiff() {
    let lung = lung();
    check_lr(
        &lung,
        &spec("time", "status", &["sex"]),
        &case("logrank", "lung_sex"),
    );
    check_lr(
        &lung,
        &spec("time", "status", &["ph.ecog"]),
        &case("logrank", "lung_ecog"),
    );
    check_lr(
        &lung,
        &spec("time", "status", &["sex"]),
        &case("logrank", "lung_sex_peto"),
    );
    let mut strat = spec("time", "status", &["sex"]);
    strat.strata = Some("ph.ecog".into());
    check_lr(&lung, &strat, &case("logrank", "lung_sex_strata_ecog"));
    let ex = example();
    check_lr(
        &ex,
        &spec("idfs_months", "idfs_event", &["seed_marking"]),
        &case("logrank", "example_marking"),
    );
    check_lr(
        &ex,
        &spec("idfs_months", "idfs_event", &["seed_marking", "tpcr"]),
        &case("logrank", "example_marking_tpcr"),
    );
}

#[test]
fn lung_reverse_km_follow_up_equals_r() {
    let d = survival_data(&lung(), &spec("time", "status", &[])).unwrap();
    let m = median_follow_up(&d.time, &d.event, CiTransform::Log, 0.95);
    let f = &fixture()["lung_follow_up"];
    assert_eq!(m.median, f["median"].as_f64());
    assert_eq!(m.lower, f["lower"].as_f64());
    assert_eq!(m.upper, f["upper"].as_f64());
}

#[test]
fn invariants_two_group_equals_k_group_and_row_order() {
    let ex = example();
    let d = survival_data(&ex, &spec("idfs_months", "idfs_event", &["seed_marking"])).unwrap();
    let lr = log_rank(
        &d.time,
        &d.event,
        &d.group,
        &d.stratum,
        &d.group_labels,
        0.0,
    )
    .unwrap();
    let pw = pairwise_log_rank(
        &d.time,
        &d.event,
        &d.group,
        &d.stratum,
        &d.group_labels,
        0.0,
        Adjustment::Holm,
    );
    assert_eq!(pw.len(), 1);
    assert!((pw[0].chi_square - lr.chi_square).abs() < 1e-12);
    // Reversing the rows changes nothing.
    let rev = |v: &[f64]| v.iter().rev().copied().collect::<Vec<_>>();
    let t2 = rev(&d.time);
    let e2: Vec<bool> = d.event.iter().rev().copied().collect();
    let g2: Vec<usize> = d.group.iter().rev().copied().collect();
    let s2: Vec<usize> = d.stratum.iter().rev().copied().collect();
    let lr2 = log_rank(&t2, &e2, &g2, &s2, &d.group_labels, 0.0).unwrap();
    assert!((lr2.chi_square - lr.chi_square).abs() < 1e-9);
    let km = kaplan_meier(&d.time, &d.event, CiTransform::Log, 0.95);
    let mut prev = 1.0;
    for r in &km.rows {
        assert!(r.surv <= prev && (0.0..=1.0).contains(&r.surv));
        prev = r.surv;
    }
    assert_eq!(kaplan_meier(&t2, &e2, CiTransform::Log, 0.95), km);
}

#[test]
fn bad_survival_data_says_where() {
    let csv = "t,e,g\n5,1,a\n-2,0,b\n3,1,a\n";
    let ds = dataset(csv, DatasetSpec::default());
    let err = survival_data(&ds, &spec("t", "e", &["g"])).unwrap_err();
    assert_eq!(
        err.to_string(),
        "column `t` has a negative time (-2) in row 3"
    );
    let csv = "t,e\n5,0\n3,0\n";
    let ds = dataset(csv, DatasetSpec::default());
    assert_eq!(
        survival_data(&ds, &spec("t", "e", &[])).unwrap_err(),
        SurvivalError::NoEvents
    );
    assert_eq!(
        adjust(&[0.01, 0.04, 0.03], Adjustment::Holm),
        vec![0.03, 0.06, 0.06]
    );
}

fn cox_case(name: &str) -> Value {
    named(&reference("survival_cox")["cox"], name)
}

fn check_cox(ds: &Dataset, spec: &CoxSpec, name: &str) {
    let r = cox_case(name);
    let fit = cox_model(ds, spec).unwrap();
    assert!(fit.convergence.converged, "{name}");
    assert_eq!(fit.n as u64, r["n"].as_u64().unwrap(), "{name} n");
    assert_eq!(
        fit.events as u64,
        r["nevent"].as_u64().unwrap(),
        "{name} events"
    );
    let (coef, se, p) = (
        floats_na(&r["coef"]),
        floats_na(&r["se"]),
        floats_na(&r["p"]),
    );
    assert_eq!(fit.terms.len(), coef.len(), "{name}");
    for (i, t) in fit.terms.iter().enumerate() {
        let what = format!("{name} {}", t.term);
        close(t.coef, coef[i], Tol::REFERENCE, &what);
        close(t.se, se[i], Tol::REFERENCE, &what);
        close(t.p_value, p[i], Tol::WALD_P, &what);
        close(t.hazard_ratio, coef[i].exp(), Tol::REFERENCE, &what);
    }
    if let Some(rw) = r.get("robust_wald").and_then(Value::as_f64) {
        close(
            fit.robust_wald_chi_square.unwrap(),
            rw,
            Tol::REFERENCE,
            &format!("{name} robust Wald"),
        );
    }
    if let Some(rse) = r.get("robust_se").filter(|v| v.is_array() || v.is_f64()) {
        for (t, se) in fit.terms.iter().zip(floats_na(rse)) {
            close(
                t.robust.unwrap().se,
                se,
                Tol::REFERENCE,
                &format!("{name} {} robust", t.term),
            );
        }
    }
    let ll = floats_na(&r["loglik"]);
    close(fit.log_likelihood_null, ll[0], Tol::SAME_FORMULA, name);
    close(fit.log_likelihood, ll[1], Tol::SAME_FORMULA, name);
    close(
        fit.lr_chi_square,
        r["lr"].as_f64().unwrap(),
        Tol::REFERENCE,
        name,
    );
    close(
        fit.wald_chi_square,
        r["wald"].as_f64().unwrap(),
        Tol::REFERENCE,
        name,
    );
    close(
        fit.score_chi_square,
        r["score"].as_f64().unwrap(),
        Tol::REFERENCE,
        name,
    );
    close(
        fit.concordance,
        r["concordance"].as_f64().unwrap(),
        Tol::SAME_FORMULA,
        name,
    );
}

fn cox_spec(time: &str, event: &str, vars: &[&str], ties: Ties) -> CoxSpec {
    CoxSpec {
        time: time.into(),
        event: event.into(),
        event_level: None,
        variables: vars.iter().map(|v| v.to_string()).collect(),
        ordinal: Vec::new(),
        strata: None,
        cluster: None,
        ties,
        conf_level: cohortlab::engine::defaults::CONF_LEVEL,
    }
}

#[test]
fn cox_equals_coxph() {
    let lung = data(
        "lung.csv",
        DatasetSpec::default()
            .with_kind("sex", ColumnKind::Categorical)
            .with_kind("inst", ColumnKind::Categorical),
    );
    check_cox(
        &lung,
        &cox_spec("time", "status", &["age", "sex", "ph.ecog"], Ties::Efron),
        "lung_efron",
    );
    check_cox(
        &lung,
        &cox_spec("time", "status", &["age", "sex", "ph.ecog"], Ties::Breslow),
        "lung_breslow",
    );
    let mut strat = cox_spec("time", "status", &["age", "sex"], Ties::Efron);
    strat.strata = Some("inst".into());
    check_cox(&lung, &strat, "lung_strata");
    let mut vspec = DatasetSpec::default()
        .with_kind("trt", ColumnKind::Categorical)
        .with_kind("celltype", ColumnKind::Categorical);
    vspec.column_mut("celltype").level_order = ["squamous", "smallcell", "adeno", "large"]
        .map(String::from)
        .to_vec();
    let vet = data("veteran.csv", vspec);
    check_cox(
        &vet,
        &cox_spec("time", "status", &["trt", "celltype", "karno"], Ties::Efron),
        "veteran_efron",
    );
    check_cox(
        &example(),
        &cox_spec(
            "idfs_months",
            "idfs_event",
            &["seed_marking", "tpcr"],
            Ties::Efron,
        ),
        "example_marking",
    );
}

#[test]
fn cox_on_the_matched_example_with_se_clustered_by_matched_set() {
    use cohortlab::engine::data::{Column, ColumnData};
    use cohortlab::engine::matching::{match_patients, Caliper, DistanceScale, MatchSpec};
    let ds = example();
    let cov = [
        "age_group",
        "menopausal",
        "ki67_group",
        "location",
        "ct",
        "cn",
        "subtype",
    ];
    let spec = MatchSpec {
        ratio: 2,
        caliper: Caliper::None,
        scale: DistanceScale::Probability,
        ..MatchSpec::new("seed_marking", &cov)
    };
    let m = match_patients(&ds, &spec).unwrap();
    let rows: Vec<usize> = (0..ds.n_rows).filter(|&i| m.is_matched(i)).collect();
    let mut matched = ds.subset(&rows);
    matched.columns.push(Column {
        name: "subclass".into(),
        kind: ColumnKind::Numeric,
        suggested: ColumnKind::Numeric,
        derived_from: None,
        data: ColumnData::Numeric(
            rows.iter()
                .map(|&r| m.subclass[r].map_or(f64::NAN, f64::from))
                .collect(),
        ),
    });
    let mut c = cox_spec("idfs_months", "idfs_event", &["seed_marking"], Ties::Efron);
    c.cluster = Some("subclass".into());
    check_cox(&matched, &c, "example_matched_cluster");
}

#[test]
fn proportional_hazards_test_equals_cox_zph() {
    let v = reference("survival_cox");
    let zph = |name: &str| named(&v["zph"], name);
    let lung = data(
        "lung.csv",
        DatasetSpec::default().with_kind("sex", ColumnKind::Categorical),
    );
    let mut vspec = DatasetSpec::default()
        .with_kind("trt", ColumnKind::Categorical)
        .with_kind("celltype", ColumnKind::Categorical);
    vspec.column_mut("celltype").level_order = ["squamous", "smallcell", "adeno", "large"]
        .map(String::from)
        .to_vec();
    let vet = data("veteran.csv", vspec);
    for (ds, spec, name) in [
        (
            &lung,
            cox_spec("time", "status", &["age", "sex", "ph.ecog"], Ties::Efron),
            "lung",
        ),
        (
            &vet,
            cox_spec("time", "status", &["trt", "celltype", "karno"], Ties::Efron),
            "veteran",
        ),
    ] {
        let r = zph(name);
        let (_, rows) = cox_model_with_ph_test(ds, &spec).unwrap();
        let chis = floats_na(&r["chisq"]);
        let ps = floats_na(&r["p"]);
        assert_eq!(rows.len(), chis.len(), "{name}");
        for (i, row) in rows.iter().enumerate() {
            close(
                row.chi_square,
                chis[i],
                Tol::REFERENCE,
                &format!("{name} {}", row.term),
            );
            close(
                row.p_value,
                ps[i],
                Tol::REFERENCE,
                &format!("{name} {}", row.term),
            );
            assert_eq!(row.df as f64, floats_na(&r["df"])[i]);
        }
    }
}

fn conf_level_case(name: &str) -> Value {
    let v: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/reference/survival_conf_level.json"
        ))
        .unwrap(),
    )
    .unwrap();
    v["cox"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap()
        .clone()
}

/// The CIs at a level chosen at summary time equal R's `summary(fit,
/// conf.int = )` (tests/reference/survival_conf_level.R): set in the spec,
/// or re-summarised from a fit at 0.95 without refitting; with a cluster,
/// the robust CI is R's.
#[test]
fn cox_ci_at_a_chosen_level_equals_summary_coxph() {
    let lung = data(
        "lung.csv",
        DatasetSpec::default()
            .with_kind("sex", ColumnKind::Categorical)
            .with_kind("inst", ColumnKind::Categorical),
    );
    let check = |fit: &CoxFit, name: &str, robust: bool| {
        let r = conf_level_case(name);
        assert_eq!(fit.conf_level, r["level"].as_f64().unwrap(), "{name}");
        let (coef, lower, upper) = (
            floats_na(&r["coef"]),
            floats_na(&r["lower"]),
            floats_na(&r["upper"]),
        );
        assert_eq!(fit.terms.len(), coef.len(), "{name}");
        for (i, t) in fit.terms.iter().enumerate() {
            let what = format!("{name} {}", t.term);
            close(t.coef, coef[i], Tol::REFERENCE, &what);
            let (lo, hi) = match (&t.robust, robust) {
                (Some(rt), true) => (rt.ci_lower, rt.ci_upper),
                _ => (t.ci_lower, t.ci_upper),
            };
            close(lo, lower[i], Tol::REFERENCE, &format!("{what} lower"));
            close(hi, upper[i], Tol::REFERENCE, &format!("{what} upper"));
        }
    };
    let mut spec = cox_spec("time", "status", &["age", "sex", "ph.ecog"], Ties::Efron);
    let at_95 = cox_model(&lung, &spec).unwrap();
    spec.conf_level = 0.90;
    let at_90 = cox_model(&lung, &spec).unwrap();
    check(&at_90, "lung_naive_90", false);
    check(&at_95.with_conf_level(0.90), "lung_naive_90", false);
    check(&at_95.with_conf_level(0.80), "lung_naive_80", false);
    assert_eq!(at_95.with_conf_level(0.90), at_90);
    assert_eq!(at_90.with_conf_level(0.95), at_95);
    // Only the CIs move.
    for (a, b) in at_90.terms.iter().zip(&at_95.terms) {
        assert_eq!((a.coef, a.se, a.p_value), (b.coef, b.se, b.p_value));
        assert!(a.ci_lower > b.ci_lower && a.ci_upper < b.ci_upper);
    }
    spec.cluster = Some("inst".into());
    let robust = cox_model(&lung, &spec).unwrap();
    check(&robust, "lung_cluster_inst_90", true);
    // The default level is not written; another is, and reads back.
    let json = serde_json::to_string(&at_95).unwrap();
    assert!(!json.contains("conf_level"));
    let json = serde_json::to_string(&at_90).unwrap();
    assert_eq!(
        serde_json::from_str::<CoxFit>(&json).unwrap().conf_level,
        0.90
    );
    let mut s = serde_json::to_value(&spec).unwrap();
    assert_eq!(s["conf_level"], 0.9);
    s.as_object_mut().unwrap().remove("conf_level");
    let read: CoxSpec = serde_json::from_value(s).unwrap();
    assert_eq!(read.conf_level, 0.95);
    assert!(!serde_json::to_string(&read).unwrap().contains("conf_level"));
    // A level outside (0, 1) is an error, not a panic.
    for bad in [0.0, 1.0, 1.5, -0.2, f64::NAN] {
        spec.conf_level = bad;
        let e = cox_model(&lung, &spec).unwrap_err();
        assert!(matches!(e, CoxError::ConfLevel(_)), "{bad}: {e}");
        assert!(spec.check().is_err());
        assert!(at_95.with_conf_level(bad).terms[0].ci_lower.is_nan());
    }
}
