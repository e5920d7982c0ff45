//! Hypothesis tests against R 4.2.2 (`chisq.test`, `fisher.test`, `t.test`,
//! `wilcox.test`, `mcnemar.test`). Fixture: tests/reference/hypothesis.json,
//! made by tests/reference/hypothesis.R.

use cohortlab::engine::hypothesis::*;
use serde_json::Value;

fn fixture() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/reference/hypothesis.json"
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

fn close(a: f64, b: f64, rel: f64, what: &str) {
    let tol = rel * b.abs().max(1e-300);
    assert!((a - b).abs() <= tol, "{what}: got {a}, R {b}");
}

fn table(v: &Value) -> Vec<Vec<u64>> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_u64().unwrap())
                .collect()
        })
        .collect()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

#[test]
fn contingency_tests_equal_r() {
    for case in fixture()["contingency"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let t = ContingencyTable::new(&table(&case["counts"])).unwrap();
        // R returns NaN when a row or column is empty; we drop it first.
        if let Some(p) = case["pearson_p"].as_f64() {
            let c = chi_square(&t);
            close(
                c.statistic.unwrap(),
                case["pearson"].as_f64().unwrap(),
                1e-9,
                name,
            );
            close(c.p_value, p, 1e-6, name);
            assert_eq!(c.df, case["df"].as_f64(), "{name}");
            let y = yates(&t);
            close(
                y.statistic.unwrap(),
                case["yates"].as_f64().unwrap(),
                1e-9,
                name,
            );
            close(y.p_value, case["yates_p"].as_f64().unwrap(), 1e-6, name);
            let min_e = expected_counts(&t)
                .into_iter()
                .flatten()
                .fold(f64::INFINITY, f64::min);
            close(min_e, case["min_expected"].as_f64().unwrap(), 1e-12, name);
        }
        let f = fisher_exact(&t).unwrap();
        close(
            f.p_value,
            case["fisher_p"].as_f64().unwrap(),
            1e-6,
            &format!("{name} fisher"),
        );
    }
}

#[test]
fn two_sample_tests_equal_r() {
    for case in fixture()["two_sample"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let (x, y) = (floats(&case["x"]), floats(&case["y"]));
        let w = welch_t(&x, &y).unwrap();
        close(
            w.statistic.unwrap(),
            case["welch_t"].as_f64().unwrap(),
            1e-9,
            name,
        );
        close(
            w.df.unwrap(),
            case["welch_df"].as_f64().unwrap(),
            1e-9,
            name,
        );
        close(w.p_value, case["welch_p"].as_f64().unwrap(), 1e-6, name);
        let s = student_t(&x, &y).unwrap();
        close(
            s.statistic.unwrap(),
            case["student_t"].as_f64().unwrap(),
            1e-9,
            name,
        );
        close(
            s.df.unwrap(),
            case["student_df"].as_f64().unwrap(),
            1e-12,
            name,
        );
        close(s.p_value, case["student_p"].as_f64().unwrap(), 1e-6, name);
        let m = mann_whitney(&x, &y).unwrap();
        close(
            m.statistic.unwrap(),
            case["mw_w"].as_f64().unwrap(),
            1e-12,
            name,
        );
        close(m.p_value, case["mw_p"].as_f64().unwrap(), 1e-6, name);
    }
}

#[test]
fn mcnemar_equals_r() {
    for case in fixture()["mcnemar"].as_array().unwrap() {
        let (b, c) = (case["b"].as_u64().unwrap(), case["c"].as_u64().unwrap());
        let r = mcnemar(b, c, true).unwrap();
        close(
            r.statistic.unwrap(),
            case["corrected"].as_f64().unwrap(),
            1e-12,
            "mcnemar",
        );
        close(
            r.p_value,
            case["corrected_p"].as_f64().unwrap(),
            1e-9,
            "mcnemar",
        );
        let u = mcnemar(b, c, false).unwrap();
        close(
            u.p_value,
            case["uncorrected_p"].as_f64().unwrap(),
            1e-9,
            "mcnemar",
        );
    }
}
