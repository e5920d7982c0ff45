//! Fisher's test on tables too large for the exact computation within its
//! work bound: they finish quickly and give a P within Monte Carlo error of
//! R's (`tests/reference/fisher_simulated.R`, exact there), reproducibly.

mod common;

use std::time::{Duration, Instant};

use cohortlab::engine::hypothesis::{fisher_test, ContingencyTable, TestKind, SIMULATED_TABLES};
use cohortlab::engine::table1::{categorical_test, CategoricalTest};
use common::{counts, reference};

fn fixtures() -> Vec<(String, Vec<Vec<u64>>, f64)> {
    reference("fisher_simulated")
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_owned(),
                counts(&t["counts"]),
                t["p"].as_f64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn big_tables_finish_fast_within_monte_carlo_error_of_r() {
    for (name, counts, p_r) in fixtures() {
        let t = ContingencyTable::new(&counts).unwrap();
        let start = Instant::now();
        let r = fisher_test(&t);
        let took = start.elapsed();
        // Before the work bound: over 60 s (release) for the 5 x 10 table.
        assert!(took < Duration::from_secs(30), "{name}: {took:?}");
        let b = f64::from(SIMULATED_TABLES);
        let tol = match r.test {
            TestKind::FisherSimulated => 4.0 * (p_r * (1.0 - p_r) / b).sqrt() + 2.0 / (b + 1.0),
            _ => 1e-6 * p_r.max(1e-300),
        };
        assert!(
            (r.p_value - p_r).abs() <= tol,
            "{name}: {:?} P {} vs R {p_r} (tol {tol})",
            r.test,
            r.p_value
        );
        // Reproducible: the same table gives the same P.
        assert_eq!(fisher_test(&t).p_value, r.p_value, "{name}");
    }
}

#[test]
fn table1_rule_says_when_the_p_is_simulated() {
    let (_, counts, _) = fixtures().remove(0);
    let (test, note) = categorical_test(&counts, CategoricalTest::Fisher);
    let test = test.unwrap();
    assert_eq!(test.test, TestKind::FisherSimulated);
    let note = note.unwrap();
    assert!(
        note.contains("simulated from 10000 random tables (seed 1)"),
        "{note}"
    );
    let json = serde_json::to_string(&test).unwrap();
    assert!(json.contains("\"fisher_simulated\""), "{json}");
}

/// Through Table 1: the row's test is `fisher_simulated` in the JSON, the
/// footnote names the simulation and the diagnostics say why.
#[test]
fn table1_footnote_and_json_name_the_simulation() {
    use cohortlab::engine::data::DatasetSpec;
    use cohortlab::engine::table1::{table1, Table1Spec};
    let (_, counts, _) = fixtures().remove(0);
    let mut csv = String::from("g,v\n");
    for (i, row) in counts.iter().enumerate() {
        for (j, &n) in row.iter().enumerate() {
            for _ in 0..n {
                csv.push_str(&format!("G{i},L{j}\n"));
            }
        }
    }
    let ds = common::dataset(&csv, DatasetSpec::default());
    let spec = Table1Spec {
        group: "g".into(),
        variables: vec!["v".into()],
        nonnormal: Vec::new(),
        continuous: Vec::new(),
        categorical_test: CategoricalTest::Fisher,
        continuous_test: Default::default(),
    };
    let t = table1(&ds, &spec).unwrap();
    assert_eq!(t.variables[0].test, Some(TestKind::FisherSimulated));
    assert!(t
        .diagnostics
        .iter()
        .any(|d| d.message.contains("simulated from 10000 random tables")));
    let table = cohortlab::report::table1::table1_table(&t, Default::default());
    assert!(
        table.footnotes.iter().any(|f| f
            .starts_with("Fisher (sim.): Fisher's test, P simulated from 10,000 random tables")),
        "{:?}",
        table.footnotes
    );
    assert!(serde_json::to_string(&t)
        .unwrap()
        .contains("\"test\":\"fisher_simulated\""));
}
