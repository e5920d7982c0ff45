//! The restricted mean survival time against R 4.2.2, survival 3.5-3
//! (fixture tests/reference/rmst.json from tests/reference/rmst.R): per
//! group the area under the Kaplan-Meier curve to tau and its SE as
//! `summary(survfit(...), rmean = tau)` gives them, with the CI; between
//! groups the difference and the ratio with CIs and P (survRM2 1.0-4's
//! formulas); the default tau and its limit by survRM2's rule (lung, mgus2,
//! the example study, and an edge file whose group A ends with an event);
//! a tau past the limit refused.

mod common;

use cohortlab::engine::data::{Dataset, DatasetSpec};
use cohortlab::engine::survival::*;
use common::{close, floats_na, labels, named, reference, Tol};
use serde_json::Value;

/// Each group's Kaplan-Meier curve, through the analysis the CLI runs.
fn curves(c: &Value) -> (Vec<String>, Vec<KmFit>) {
    let ds: Dataset = common::data(c["file"].as_str().unwrap(), DatasetSpec::default());
    let spec = SurvivalSpec {
        time: c["time"].as_str().unwrap().into(),
        event: c["event"].as_str().unwrap().into(),
        event_level: Some(c["event_level"].as_str().unwrap().into()),
        groups: vec![c["group"].as_str().unwrap().into()],
        strata: None,
    };
    let a = survival_analysis(&ds, &spec, CiTransform::Log, &[], 0.0).unwrap();
    a.groups.into_iter().map(|g| (g.group, g.fit)).unzip()
}

fn check(c: &Value) {
    let name = c["name"].as_str().unwrap();
    let (labels_, fits) = curves(c);
    let horizon = if c["chosen"].as_bool().unwrap() {
        RmstHorizon::At(c["tau"].as_f64().unwrap())
    } else {
        RmstHorizon::Default
    };
    let level = c["conf_level"].as_f64().unwrap();
    let r = rmst_comparison(&labels_, &fits, horizon, level).unwrap();
    close(
        r.tau,
        c["tau"].as_f64().unwrap(),
        Tol::IDENTICAL,
        &format!("{name} tau"),
    );
    close(
        r.limit,
        c["limit"].as_f64().unwrap(),
        Tol::IDENTICAL,
        &format!("{name} limit"),
    );
    assert_eq!(
        r.rule == TauRule::Chosen,
        c["chosen"].as_bool().unwrap(),
        "{name}"
    );
    let rg = c["groups"].as_array().unwrap();
    assert_eq!(r.groups.len(), rg.len(), "{name}");
    for (g, e) in r.groups.iter().zip(rg) {
        assert_eq!(g.group, labels(&e["group"])[0], "{name}");
        for (a, field) in [
            (g.rmst, "rmst"),
            (g.std_err, "se"),
            (g.lower, "lower"),
            (g.upper, "upper"),
        ] {
            let what = format!("{name} {} {field}", g.group);
            close(a, e[field].as_f64().unwrap(), Tol::REFERENCE, &what);
        }
    }
    // The area is the one the survival table shows.
    for (g, f) in r.groups.iter().zip(&fits) {
        close(
            f.rmst(r.tau),
            g.rmst,
            Tol::EXACT,
            &format!("{name} {} area", g.group),
        );
    }
    let rc = c["contrasts"].as_array().unwrap();
    assert_eq!(r.contrasts.len(), rc.len(), "{name}");
    for (k, e) in r.contrasts.iter().zip(rc) {
        assert_eq!(k.group, labels(&e["group"])[0], "{name}");
        assert_eq!(k.reference, labels(&e["reference"])[0], "{name}");
        let p = |x: Option<f64>| x.unwrap_or(f64::NAN);
        for (a, field) in [
            (k.difference, "difference"),
            (k.difference_se, "difference_se"),
            (k.difference_lower, "difference_lower"),
            (k.difference_upper, "difference_upper"),
            (p(k.difference_p), "difference_p"),
            (k.ratio, "ratio"),
            (k.log_ratio_se, "log_ratio_se"),
            (k.ratio_lower, "ratio_lower"),
            (k.ratio_upper, "ratio_upper"),
            (p(k.ratio_p), "ratio_p"),
        ] {
            let what = format!("{name} {} vs {} {field}", k.group, k.reference);
            close(a, floats_na(&e[field])[0], Tol::REFERENCE, &what);
        }
    }
}

#[test]
fn restricted_means_and_their_comparison_as_r() {
    let f = reference("rmst");
    for c in f["cases"].as_array().unwrap() {
        check(c);
    }
}

/// survRM2's rule: the edge file's group A ends with an event at 10 and
/// group B with a censoring at 11, so the default is 11 (past A's end),
/// set by B; 11.5 is refused, naming B and its last time.
#[test]
fn the_default_horizon_and_its_limit() {
    let f = reference("rmst");
    let c = named(&f["cases"], "edge_default");
    let (labels_, fits) = curves(&c);
    let r = rmst_comparison(&labels_, &fits, RmstHorizon::Default, 0.95).unwrap();
    assert_eq!(
        (r.tau, r.rule, r.limited_by.as_str()),
        (11.0, TauRule::LastCensored, "B")
    );
    assert!(r.groups[0].ends_with_event && !r.groups[1].ends_with_event);
    let e = rmst_comparison(&labels_, &fits, RmstHorizon::At(11.5), 0.95).unwrap_err();
    assert_eq!(
        e,
        RmstError::PastFollowUp {
            tau: 11.5,
            limit: 11.0,
            group: "B".into()
        }
    );
    assert!(e.to_string().contains("group B") && e.hint().contains("--rmst auto"));
    // Only group A (every last patient an event): its largest time.
    let only_a = rmst_comparison(&labels_[..1], &fits[..1], RmstHorizon::Default, 0.95).unwrap();
    assert_eq!((only_a.tau, only_a.rule), (10.0, TauRule::AllEndWithEvent));
    assert!(only_a.contrasts.is_empty());
    for bad in [0.0, -1.0, f64::NAN] {
        let e = rmst_comparison(&labels_, &fits, RmstHorizon::At(bad), 0.95).unwrap_err();
        assert!(matches!(e, RmstError::BadHorizon(_)), "{bad}");
    }
}
