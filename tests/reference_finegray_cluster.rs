//! The Fine-Gray model with SEs clustered by matched set (Zhou et al.
//! 2012, as crrSC's `crrc`) and the cause-specific Cox models with robust
//! SEs clustered alike, against R 4.2.2 (fixture
//! tests/reference/finegray_cluster.json from finegray_cluster.R, which
//! writes the influence terms ηᵢ + ψᵢ of Fine & Gray 1999 out, checks them
//! against `cmprsk::crr`'s variance without clusters, and sums them by
//! cluster; coxph(cluster = ) for the Cox models). Data:
//! tests/data/example-study-matched-competing.csv (the example study
//! matched 1:1, the unmatched without a set) and finegray_pairs.csv (40
//! pairs, tied times, three patients without a pair).
//!
//! Per case: the coefficients at 1e-8 (the optimum, refined beyond crr's
//! stopping point in the script), the clustered and unclustered SEs and
//! the model-based SE at 1e-6, SHR and CI, P, the counts (patients,
//! rows left out for a missing cluster, clusters, events); per cause the
//! Cox coefficients at 1e-8, model-based and clustered robust SEs, the
//! robust CI and P at 1e-6. And: one patient per cluster is the
//! unclustered fit exactly; without competing events the clustered
//! Fine-Gray is the Breslow Cox model's clustered robust SE; a cluster
//! column in another role is refused by name.

mod common;

use cohortlab::engine::competing::*;
use cohortlab::engine::data::{Dataset, DatasetSpec};
use common::{close, floats_na, reference, strings, Tol};
use serde_json::Value;

/// The coefficients: the optimum on both sides.
const COEF: Tol = Tol::relative(1e-8);

fn spec_of(c: &Value) -> CompetingSpec {
    CompetingSpec {
        time: c["time"].as_str().unwrap().into(),
        status: c["status"].as_str().unwrap().into(),
        event_level: c["event"].as_str().unwrap().into(),
        competing_levels: strings(&c["competing"]),
        group: None,
    }
}

fn covariates(c: &Value, cluster: Option<&str>) -> CompetingCovariates {
    CompetingCovariates {
        variables: strings(&c["vars"]),
        ordinal: Vec::new(),
        cluster: cluster.map(str::to_owned),
    }
}

fn file(c: &Value) -> Dataset {
    common::data(c["file"].as_str().unwrap(), DatasetSpec::default())
}

fn cases() -> Vec<Value> {
    reference("finegray_cluster")["cases"]
        .as_array()
        .unwrap()
        .clone()
}

fn n(v: &Value) -> usize {
    v.as_u64().unwrap() as usize
}

fn r_name(term: &str) -> String {
    term.replace(": ", "")
}

fn check_fine_gray(name: &str, fit: &FineGrayFit, c: &Value) {
    let r = &c["finegray"];
    assert!(fit.convergence.converged, "{name}: {:?}", fit.convergence);
    let terms: Vec<String> = fit.terms.iter().map(|t| r_name(&t.term)).collect();
    assert_eq!(terms, strings(&r["terms"]), "{name} terms");
    assert_eq!(fit.n, n(&r["n"]), "{name} n");
    assert_eq!(fit.dropped, n(&c["dropped"]), "{name} dropped");
    assert_eq!(fit.events, n(&r["events"]), "{name} events");
    assert_eq!(fit.competing_events, n(&r["competing"]), "{name} competing");
    assert_eq!(fit.censored, n(&r["censored"]), "{name} censored");
    assert_eq!(
        fit.variance,
        FineGrayVariance::Clustered {
            column: c["cluster"].as_str().unwrap().into(),
            clusters: n(&r["clusters"]),
        },
        "{name} variance"
    );
    let col = |k: &str| floats_na(&r[k]);
    for (j, t) in fit.terms.iter().enumerate() {
        let what = |x: &str| format!("{name} {} {x}", t.term);
        close(t.coef, col("coef")[j], COEF, &what("coef"));
        close(t.se, col("se")[j], Tol::REFERENCE, &what("clustered se"));
        close(
            t.naive_se,
            col("naive_se")[j],
            Tol::REFERENCE,
            &what("naive"),
        );
        close(t.z, col("z")[j], Tol::REFERENCE, &what("z"));
        close(t.shr, col("shr")[j], COEF, &what("shr"));
        close(t.ci_lower, col("lower")[j], Tol::REFERENCE, &what("lower"));
        close(t.ci_upper, col("upper")[j], Tol::REFERENCE, &what("upper"));
        close(t.p_value, col("p")[j], Tol::REFERENCE, &what("p"));
    }
    close(
        fit.log_likelihood,
        r["loglik"].as_f64().unwrap(),
        Tol::SAME_FORMULA,
        &format!("{name} loglik"),
    );
}

fn check_cox(name: &str, got: &[CauseCox], c: &Value) {
    let r = c["cox"].as_array().unwrap();
    assert_eq!(got.len(), r.len(), "{name} causes");
    for (g, e) in got.iter().zip(r) {
        let what = |x: &str| format!("{name} cause {} {x}", g.cause);
        assert_eq!(g.cause, e["cause"].as_str().unwrap(), "{}", what("level"));
        assert_eq!(g.events, n(&e["events"]), "{}", what("events"));
        let fit = g.fit.as_ref().unwrap();
        assert_eq!(fit.n, n(&c["n"]), "{}", what("n"));
        assert_eq!(fit.dropped, n(&c["dropped"]), "{}", what("dropped"));
        let col = |k: &str| floats_na(&e[k]);
        for (j, t) in fit.terms.iter().enumerate() {
            let w = |x: &str| what(&format!("{} {x}", t.term));
            assert_eq!(r_name(&t.term), strings(&e["terms"])[j]);
            close(t.coef, col("coef")[j], COEF, &w("coef"));
            close(t.se, col("se")[j], Tol::REFERENCE, &w("se"));
            let rob = t.robust.unwrap_or_else(|| panic!("{}", w("no robust SE")));
            close(rob.se, col("robust_se")[j], Tol::REFERENCE, &w("robust"));
            close(rob.ci_lower, col("lower")[j], Tol::REFERENCE, &w("lower"));
            close(rob.ci_upper, col("upper")[j], Tol::REFERENCE, &w("upper"));
            close(rob.p_value, col("p")[j], Tol::REFERENCE, &w("p"));
        }
    }
}

#[test]
fn clustered_fine_gray_matches_the_written_out_crrc() {
    for c in cases() {
        let name = c["name"].as_str().unwrap();
        let cov = covariates(&c, c["cluster"].as_str());
        let m = competing_models(&file(&c), &spec_of(&c), &cov, 0.95)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        check_fine_gray(name, &m.fine_gray, &c);
        check_cox(name, &m.cause_specific, &c);
    }
}

/// Without the cluster, the same patients give crr's unclustered SE (R's
/// `se_unclustered`, at the same optimum) and crr's own SE at 1e-6.
#[test]
fn unclustered_on_the_same_patients_is_crr() {
    for c in cases() {
        let name = c["name"].as_str().unwrap();
        // The cluster's missing rows out as R left them out.
        let mut ds = file(&c);
        let cl = c["cluster"].as_str().unwrap();
        let keep: Vec<usize> = (0..ds.n_rows)
            .filter(|&r| !ds.column(cl).unwrap().display(r).is_empty())
            .collect();
        ds = ds.subset(&keep);
        let fit = fine_gray(&ds, &spec_of(&c), &covariates(&c, None), 0.95).unwrap();
        assert_eq!(fit.variance, FineGrayVariance::Sandwich);
        let r = &c["finegray"];
        for (j, t) in fit.terms.iter().enumerate() {
            let what = format!("{name} {} unclustered se", t.term);
            close(
                t.se,
                floats_na(&r["se_unclustered"])[j],
                Tol::REFERENCE,
                &what,
            );
            close(t.se, floats_na(&r["crr_se"])[j], Tol::REFERENCE, &what);
            close(t.coef, floats_na(&r["crr_coef"])[j], Tol::REFERENCE, "crr");
        }
    }
}

/// One patient per cluster (the id column): the clustered SE is the
/// unclustered one exactly (crrc has no small-sample factor), and the
/// estimates are the same doubles.
#[test]
fn one_patient_per_cluster_is_the_unclustered_fit() {
    let c = cases()
        .into_iter()
        .find(|c| c["name"] == "pairs_singletons")
        .unwrap();
    let ds = file(&c);
    let by_id = fine_gray(&ds, &spec_of(&c), &covariates(&c, Some("id")), 0.95).unwrap();
    let plain = fine_gray(&ds, &spec_of(&c), &covariates(&c, None), 0.95).unwrap();
    assert_eq!(
        by_id.variance,
        FineGrayVariance::Clustered {
            column: "id".into(),
            clusters: ds.n_rows
        }
    );
    for (a, b) in by_id.terms.iter().zip(&plain.terms) {
        assert_eq!(a.coef, b.coef);
        assert_eq!(a.naive_se, b.naive_se);
        close(a.se, b.se, Tol::EXACT, &format!("{} se", a.term));
    }
    // And the pairs differ from it (the frailty is shared within pairs).
    let pairs = fine_gray(&ds, &spec_of(&c), &covariates(&c, Some("pair")), 0.95).unwrap();
    assert_eq!(pairs.dropped, 3);
    assert!((pairs.terms[0].se / by_id.terms[0].se - 1.0).abs() > 1e-3);
}

/// With no competing event before the last time the Fine-Gray model is
/// the Breslow Cox model, and clustered by pair its SE is the Cox model's
/// robust SE clustered by pair (the censoring term vanishes).
#[test]
fn without_competing_events_clustered_fine_gray_is_clustered_cox() {
    use cohortlab::engine::survival::{fit_cox, CoxData, Ties};
    let mut csv = String::from("t,s,x,z,pair\n");
    let (mut time, mut event, mut x, mut pair) = (vec![], vec![], vec![], vec![]);
    for i in 0..61u32 {
        let (t, s) = if i == 60 {
            (99.0, 2)
        } else {
            (f64::from((i * 37) % 23 + 1), u32::from((i * 11) % 5 != 0))
        };
        let (a, b) = (f64::from((i * 13) % 7) - 3.0, f64::from(i % 2));
        csv.push_str(&format!("{t},{s},{a},{b},{}\n", i / 2));
        time.push(t);
        event.push(s == 1);
        x.extend([a, b]);
        pair.push((i / 2) as usize);
    }
    let ds = common::dataset(&csv, DatasetSpec::default());
    let spec = CompetingSpec {
        time: "t".into(),
        status: "s".into(),
        event_level: "1".into(),
        competing_levels: vec!["2".into()],
        group: None,
    };
    let cov = CompetingCovariates {
        variables: vec!["x".into(), "z".into()],
        ordinal: Vec::new(),
        cluster: Some("pair".into()),
    };
    let fg = fine_gray(&ds, &spec, &cov, 0.95).unwrap();
    let n = time.len();
    let d = CoxData {
        x: &x,
        columns: 2,
        time: &time,
        event: &event,
        stratum: &vec![0; n],
        cluster: Some(&pair),
        weights: None,
    };
    let names = vec!["x".to_string(), "z".to_string()];
    let cox = fit_cox(&d, &names, Ties::Breslow, 0.95).unwrap();
    for (f, c) in fg.terms.iter().zip(&cox.terms) {
        close(f.coef, c.coef, Tol::relative(1e-9), "coef");
        close(
            f.se,
            c.robust.unwrap().se,
            Tol::relative(1e-9),
            "clustered se",
        );
    }
}

/// A cluster column that is the time, the status or a covariate is
/// refused, naming it; an unknown one too; a fit saved before clustering
/// reads as the sandwich.
#[test]
fn a_cluster_in_another_role_is_refused() {
    let c = cases().into_iter().next().unwrap();
    let ds = file(&c);
    let spec = spec_of(&c);
    for col in ["idfs_months", "recurrence", "age", "nope"] {
        let e = fine_gray(&ds, &spec, &covariates(&c, Some(col)), 0.95).unwrap_err();
        assert!(e.to_string().contains(col), "{e}");
        assert!(!e.hint().is_empty());
        if col != "nope" {
            assert!(e.to_string().contains("the cluster"), "{e}");
        }
        assert!(cause_specific_cox(&ds, &spec, &covariates(&c, Some(col)), 0.95).is_err());
    }
    let fit = fine_gray(&ds, &spec, &covariates(&c, None), 0.95).unwrap();
    let mut json = serde_json::to_value(&fit).unwrap();
    assert_eq!(json["variance"], serde_json::json!({"kind": "sandwich"}));
    json.as_object_mut().unwrap().remove("variance");
    let old: FineGrayFit = serde_json::from_value(json).unwrap();
    assert_eq!(old, fit);
    // The covariates without a cluster serialise as before.
    let v = serde_json::to_value(covariates(&c, None)).unwrap();
    assert!(v.get("cluster").is_none(), "{v}");
}
