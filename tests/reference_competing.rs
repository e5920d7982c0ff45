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
    for (i, (&a, e)) in g
        .event_free
        .iter()
        .zip(floats_na(&r["event_free"]))
        .enumerate()
    {
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
    for ((ours, other), rc) in g
        .causes
        .iter()
        .zip(&h.causes)
        .zip(r["causes"].as_array().unwrap())
    {
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
            close(
                p,
                floats_na(&r["p"])[0],
                Tol::REFERENCE,
                &format!("{what} P"),
            );
        }
        assert_eq!(
            a.gray, b.gray,
            "{name}: the test does not depend on the variance"
        );
    }
}

fn edge(csv: &str, event: &str, competing: &[&str]) -> Result<CompetingAnalysis, CompetingError> {
    let ds = common::dataset(csv, DatasetSpec::default());
    let spec = CompetingSpec {
        time: "time".into(),
        status: "status".into(),
        event_level: event.into(),
        competing_levels: competing.iter().map(|s| s.to_string()).collect(),
        group: Some("grp".into()),
    };
    competing_analysis(&ds, &spec, &CifOptions::new(&[1.0, 5.0]))
}

const EDGE: &str =
    "grp,time,status\nA,1,0\nA,2,1\nA,3,2\nA,3,1\nA,4,0\nB,1,1\nB,2,2\nB,2,0\nB,5,1\nB,6,9\n";

/// The status column's errors: a level not in it (naming the column and
/// its levels), a level named twice, no competing level, a negative time
/// (naming its row); bad options.
#[test]
fn status_errors_name_the_column_and_its_levels() {
    let e = edge(EDGE, "1", &["3"]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the column `status` has no level `3`; its levels are 0, 1, 2, 9"
    );
    assert_eq!(e.hint(), "use one of: 0, 1, 2, 9");
    let e = edge(EDGE, "2", &["1", "2"]).unwrap_err();
    assert!(
        matches!(
            e,
            CompetingError::LevelTwice {
                first: "the event",
                ..
            }
        ),
        "{e}"
    );
    let e = edge(EDGE, "2", &["1", "1.0"]).unwrap_err();
    assert!(
        matches!(
            e,
            CompetingError::LevelTwice {
                first: "a competing event",
                ..
            }
        ),
        "{e}"
    );
    assert!(matches!(
        edge(EDGE, "1", &[]).unwrap_err(),
        CompetingError::NoCompetingLevel { .. }
    ));
    let e = edge(&EDGE.replace("B,5,1", "B,-5,1"), "1", &["2"]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "column `time` has a negative time (-5) in row 10"
    );
    let ds = common::dataset(EDGE, DatasetSpec::default());
    let spec = CompetingSpec {
        time: "time".into(),
        status: "status".into(),
        event_level: "1".into(),
        competing_levels: vec!["2".into()],
        group: None,
    };
    for options in [
        CifOptions {
            conf_level: 1.0,
            ..CifOptions::new(&[])
        },
        CifOptions::new(&[f64::NAN]),
        CifOptions {
            rho: f64::INFINITY,
            ..CifOptions::new(&[])
        },
    ] {
        let e = competing_analysis(&ds, &spec, &options).unwrap_err();
        assert!(matches!(e, CompetingError::InvalidOption { .. }), "{e}");
    }
    // One group: no Gray's test; 9 censored beside 0, with a note.
    let a = competing_analysis(&ds, &spec, &CifOptions::new(&[])).unwrap();
    assert!(a.gray.is_empty() && a.groups.len() == 1 && a.groups[0].group == "All");
    assert_eq!(a.censored_levels, ["0", "9"]);
    assert_eq!(a.diagnostics.len(), 1, "{:?}", a.diagnostics);
}

/// Invariants: the event-free probability and the incidences add up to 1;
/// the event's incidence, both its variances and Gray's test do not depend
/// on whether the other causes are two or merged into one; the row order
/// changes nothing.
#[test]
fn incidences_add_up_and_do_not_depend_on_splitting_or_order() {
    let two = edge(EDGE, "1", &["2", "9"]).unwrap();
    for g in &two.groups {
        for i in 0..g.time.len() {
            let total: f64 = g.event_free[i] + g.causes.iter().map(|c| c.cif[i]).sum::<f64>();
            close(total, 1.0, Tol::EXACT, "S + sum F");
        }
    }
    let merged = edge(&EDGE.replace("B,6,9", "B,6,2"), "1", &["2"]).unwrap();
    for (a, b) in two.groups.iter().zip(&merged.groups) {
        let (x, y) = (&a.causes[0], &b.causes[0]);
        assert_eq!(x.cif, y.cif);
        for i in 0..x.cif.len() {
            close(x.se_survfit[i], y.se_survfit[i], Tol::EXACT, "survfit SE");
            close(
                x.var_cuminc[i],
                y.var_cuminc[i],
                Tol::EXACT,
                "cuminc variance",
            );
        }
    }
    close(
        two.gray[0].statistic.unwrap(),
        merged.gray[0].statistic.unwrap(),
        Tol::EXACT,
        "Gray",
    );
    let mut lines: Vec<&str> = EDGE.lines().collect();
    lines[1..].reverse();
    let reversed = edge(&(lines.join("\n") + "\n"), "1", &["2", "9"]).unwrap();
    assert_eq!(reversed.groups, two.groups);
    assert_eq!(reversed.gray, two.gray);
}
