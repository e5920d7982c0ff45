//! Hypothesis tests against R 4.2.2 (`chisq.test`, `fisher.test`, `t.test`,
//! `wilcox.test`, `mcnemar.test`). Fixture: tests/reference/hypothesis.json,
//! made by tests/reference/hypothesis.R.

mod common;

use cohortlab::engine::hypothesis::*;
use common::{close, counts, floats, reference, Tol};

#[test]
fn contingency_tests_equal_r() {
    for case in reference("hypothesis")["contingency"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let t = ContingencyTable::new(&counts(&case["counts"])).unwrap();
        // R returns NaN when a row or column is empty; we drop it first.
        if let Some(p) = case["pearson_p"].as_f64() {
            let c = chi_square(&t);
            close(
                c.statistic.unwrap(),
                case["pearson"].as_f64().unwrap(),
                Tol::SAME_FORMULA,
                name,
            );
            close(c.p_value, p, Tol::REFERENCE, name);
            assert_eq!(c.df, case["df"].as_f64(), "{name}");
            let y = yates(&t);
            close(
                y.statistic.unwrap(),
                case["yates"].as_f64().unwrap(),
                Tol::SAME_FORMULA,
                name,
            );
            close(
                y.p_value,
                case["yates_p"].as_f64().unwrap(),
                Tol::REFERENCE,
                name,
            );
            let min_e = expected_counts(&t)
                .into_iter()
                .flatten()
                .fold(f64::INFINITY, f64::min);
            close(
                min_e,
                case["min_expected"].as_f64().unwrap(),
                Tol::EXACT,
                name,
            );
        }
        let f = fisher_exact(&t).unwrap();
        close(
            f.p_value,
            case["fisher_p"].as_f64().unwrap(),
            Tol::REFERENCE,
            &format!("{name} fisher"),
        );
    }
}

#[test]
fn two_sample_tests_equal_r() {
    for case in reference("hypothesis")["two_sample"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let (x, y) = (floats(&case["x"]), floats(&case["y"]));
        let w = welch_t(&x, &y).unwrap();
        close(
            w.statistic.unwrap(),
            case["welch_t"].as_f64().unwrap(),
            Tol::SAME_FORMULA,
            name,
        );
        close(
            w.df.unwrap(),
            case["welch_df"].as_f64().unwrap(),
            Tol::SAME_FORMULA,
            name,
        );
        close(
            w.p_value,
            case["welch_p"].as_f64().unwrap(),
            Tol::REFERENCE,
            name,
        );
        let s = student_t(&x, &y).unwrap();
        close(
            s.statistic.unwrap(),
            case["student_t"].as_f64().unwrap(),
            Tol::SAME_FORMULA,
            name,
        );
        close(
            s.df.unwrap(),
            case["student_df"].as_f64().unwrap(),
            Tol::EXACT,
            name,
        );
        close(
            s.p_value,
            case["student_p"].as_f64().unwrap(),
            Tol::REFERENCE,
            name,
        );
        let m = mann_whitney(&x, &y).unwrap();
        close(
            m.statistic.unwrap(),
            case["mw_w"].as_f64().unwrap(),
            Tol::EXACT,
            name,
        );
        close(
            m.p_value,
            case["mw_p"].as_f64().unwrap(),
            Tol::REFERENCE,
            name,
        );
    }
}

#[test]
fn mcnemar_equals_r() {
    for case in reference("hypothesis")["mcnemar"].as_array().unwrap() {
        let (b, c) = (case["b"].as_u64().unwrap(), case["c"].as_u64().unwrap());
        let r = mcnemar(b, c, true).unwrap();
        close(
            r.statistic.unwrap(),
            case["corrected"].as_f64().unwrap(),
            Tol::EXACT,
            "mcnemar",
        );
        close(
            r.p_value,
            case["corrected_p"].as_f64().unwrap(),
            Tol::SAME_FORMULA,
            "mcnemar",
        );
        let u = mcnemar(b, c, false).unwrap();
        close(
            u.p_value,
            case["uncorrected_p"].as_f64().unwrap(),
            Tol::SAME_FORMULA,
            "mcnemar",
        );
    }
}
