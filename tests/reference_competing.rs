//! Competing risks against R 4.2.2, survival 3.5-3 and cmprsk 2.2-11
//! (fixture tests/reference/competing.json from tests/reference/competing.R;
//! data tests/data/mgus2.csv, lung_competing.csv,
//! example-study-competing.csv, competing_edge.csv): every group's
//! cumulative incidence per cause at every time with its numbers at risk,
//! censored and events, the event-free probability, survfit's SE and log
//! CI, cmprsk::cuminc's variance; the values at landmark times with both
//! variances and their intervals; Gray's test per cause; and the status
//! column's errors.

mod common;

use cohortlab::engine::competing::*;
use cohortlab::engine::data::{Dataset, DatasetSpec};
use cohortlab::engine::survival::CiTransform;
use common::{close, floats_na, labels, reference, strings, Tol};
use serde_json::Value;

/// CIF values and variances at 1e-6 relative; an expected 0 (before a
/// cause's first event) may be a rounding error in R's sums.
const TOL: Tol = Tol::REFERENCE.near_zero(1e-8);

fn spec_of(c: &Value) -> CompetingSpec {
    CompetingSpec {
        time: c["time"].as_str().unwrap().into(),
        status: c["status"].as_str().unwrap().into(),
        event_level: c["event"].as_str().unwrap().into(),
        competing_levels: strings(&c["competing"]),
        group: Some(c["group"].as_str().unwrap().into()),
    }
}

fn file(c: &Value) -> Dataset {
    common::data(c["file"].as_str().unwrap(), DatasetSpec::default())
}

fn run(c: &Value, variance: CifVariance) -> CompetingAnalysis {
    let at = floats_na(&c["groups"][0]["landmarks"]["times"]);
    let options = CifOptions::new(&at).variance(variance);
    competing_analysis(&file(c), &spec_of(c), &options).unwrap()
}

/// Every time of one group's curves.
fn check_curves(name: &str, g: &CifGroup, r: &Value) {
    let what = |x: &str| format!("{name} {} {x}", g.group);
    let time = floats_na(&r["time"]);
    assert_eq!(g.time, time, "{}", what("times"));
    assert_eq!(g.n as f64, r["n"].as_f64().unwrap(), "{}", what("n"));
    let n_risk: Vec<f64> = g.n_risk.iter().map(|&x| x as f64).collect();
    assert_eq!(n_risk, floats_na(&r["n_risk"]), "{}", what("n_risk"));
    let n_censor: Vec<f64> = g.n_censor.iter().map(|&x| x as f64).collect();
    assert_eq!(n_censor, floats_na(&r["n_censor"]), "{}", what("n_censor"));
    for (i, (&a, e)) in g.event_free.iter().zip(floats_na(&r["event_free"])).enumerate() {
        close(a, e, TOL, &what(&format!("event-free t={}", time[i])));
    }
    let rc = r["causes"].as_array().unwrap();
    assert_eq!(g.causes.len(), rc.len());
    for (cv, rc) in g.causes.iter().zip(rc) {
        assert_eq!(cv.cause, rc["cause"].as_str().unwrap());
        let n_event: Vec<f64> = cv.n_event.iter().map(|&x| x as f64).collect();
        assert_eq!(n_event, floats_na(&rc["n_event"]), "{}", what("n_event"));
        let (lower, upper) = cv.confidence_curves(CifVariance::Survfit, CiTransform::Log, 0.95);
        let fields: [(&str, &[f64]); 6] = [
            ("cif", &cv.cif),
            ("se_survfit", &cv.se_survfit),
            ("lower", &lower),
            ("upper", &upper),
            ("cif_cuminc", &cv.cif),
            ("var_cuminc", &cv.var_cuminc),
        ];
        for (field, ours) in fields {
            let theirs = floats_na(&rc[field]);
            assert_eq!(ours.len(), theirs.len(), "{}", what(field));
            for (i, (&a, &e)) in ours.iter().zip(&theirs).enumerate() {
                let w = what(&format!("cause {} {field} t={}", cv.cause, time[i]));
                close(a, e, TOL, &w);
            }
        }
    }
}

/// The landmark values of one group with both variances.
fn check_landmarks(name: &str, g: &GroupLandmarks, h: &GroupLandmarks, r: &Value) {
    let times = floats_na(&r["times"]);
    let n_risk = floats_na(&r["n_risk"]);
    for ((ours, other), rc) in g.causes.iter().zip(&h.causes).zip(r["causes"].as_array().unwrap()) {
        let cif = floats_na(&rc["cif"]);
        let mut k = 0;
        for (i, &t) in times.iter().enumerate() {
            let what = format!("{name} {} cause {} at {t}", g.group, ours.cause);
            if cif[i].is_nan() {
                // Past the group's last follow-up: none (R drops it).
                assert!(ours.points.iter().all(|p| p.time != t), "{what}");
                continue;
            }
            let (p, q) = (ours.points[k], other.points[k]);
            k += 1;
            assert_eq!(p.time, t, "{what}");
            assert_eq!(p.n_risk as f64, n_risk[i], "{what} n_risk");
            let pairs = [
                (p.cif, "cif"),
                (p.std_err, "se_survfit"),
                (p.lower, "lower"),
                (p.upper, "upper"),
                (q.cif, "cif_cuminc"),
                (q.std_err * q.std_err, "var_cuminc"),
                (q.lower, "lower_loglog"),
                (q.upper, "upper_loglog"),
            ];
            for (a, field) in pairs {
                close(a, floats_na(&rc[field])[i], TOL, &format!("{what} {field}"));
            }
        }
        assert_eq!(k, ours.points.len(), "{name}: extra landmarks");
    }
}

#[test]
fn cumulative_incidence_landmarks_and_gray_as_r() {
    let f = reference("competing");
    for c in f["cases"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let a = run(c, CifVariance::Survfit);
        let b = run(c, CifVariance::Cuminc);
        assert_eq!(a.transform, CiTransform::Log);
        assert_eq!(b.transform, CiTransform::LogLog);
        assert_eq!(a.n as f64, c["n"].as_f64().unwrap(), "{name}: n");
        let rg = c["groups"].as_array().unwrap();
        assert_eq!(a.groups.len(), rg.len(), "{name}: groups");
        for r in rg {
            let label = labels(&r["group"])[0].clone();
            let at = |gs: &[GroupLandmarks]| gs.iter().find(|g| g.group == label).unwrap().clone();
            let g = a.groups.iter().find(|g| g.group == label);
            let g = g.unwrap_or_else(|| panic!("{name}: no group {label}"));
            check_curves(name, g, r);
            check_landmarks(name, &at(&a.landmarks), &at(&b.landmarks), &r["landmarks"]);
        }
        let rt = c["gray"].as_array().unwrap();
        assert_eq!(a.gray.len(), rt.len(), "{name}: Gray's tests");
        for (t, r) in a.gray.iter().zip(rt) {
            let what = format!("{name} Gray cause {}", t.cause);
            assert_eq!(t.cause, r["cause"].as_str().unwrap(), "{what}");
            assert_eq!(t.df as f64, r["df"].as_f64().unwrap(), "{what} df");
            let stat = t.statistic.unwrap_or(f64::NAN);
            close(stat, floats_na(&r["stat"])[0], Tol::REFERENCE, &what);
            let p = t.p_value.unwrap_or(f64::NAN);
            close(p, floats_na(&r["p"])[0], Tol::REFERENCE, &format!("{what} P"));
        }
        assert_eq!(a.gray, b.gray, "{name}: the test does not depend on the variance");
    }
}
