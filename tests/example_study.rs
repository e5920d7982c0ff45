//! The shipped example study reproduces the model study's Table 1 before
//! matching, count for count in each group.

mod common;

use cohortlab::engine::data::{Closed, ColumnData, DatasetSpec};
use cohortlab::engine::example::{example_spec, EXAMPLE_CSV, PAPER_TABLE1};
use common::dataset;

#[test]
fn table1_before_matching_counts_equal_the_paper() {
    let spec = DatasetSpec::default()
        .with_cut("age_group", "age", &[50.0], Closed::Right)
        .with_cut("ki67_group", "ki67", &[20.0], Closed::Left);
    check_counts(&spec, false);
    // The shipped settings also put every level in the paper's order.
    check_counts(&example_spec(), true);
}

fn check_counts(spec: &DatasetSpec, paper_order: bool) {
    let ds = dataset(EXAMPLE_CSV, spec.clone());
    assert_eq!(ds.n_rows, 833 + 216);
    let ColumnData::Categorical {
        codes: group,
        levels: glevels,
        ..
    } = &ds.column("seed_marking").unwrap().data
    else {
        panic!("seed_marking is not categorical")
    };
    assert_eq!(glevels, &["No", "Yes"]);
    for (var, levels) in PAPER_TABLE1 {
        let col = ds.column(var).unwrap_or_else(|| panic!("no column {var}"));
        let ColumnData::Categorical {
            codes,
            levels: have,
            ..
        } = &col.data
        else {
            panic!("{var} is not categorical")
        };
        assert_eq!(col.n_missing(), 0, "{var}");
        if paper_order {
            let order: Vec<&str> = levels.iter().map(|l| l.0).collect();
            assert_eq!(have, &order, "{var}");
        }
        for &(level, a, b) in *levels {
            let code = have
                .iter()
                .position(|l| l == level)
                .unwrap_or_else(|| panic!("{var} has no level {level}; it has {have:?}"))
                as u32;
            let count = |g: u32| {
                codes
                    .iter()
                    .zip(group)
                    .filter(|&(&c, &gg)| c == code && gg == g)
                    .count()
            };
            assert_eq!((count(0), count(1)), (a, b), "{var} = {level}");
        }
    }
}

#[test]
fn outcomes_are_consistent() {
    let ds = dataset(EXAMPLE_CSV, DatasetSpec::default());
    let codes = |name: &str| match &ds.column(name).unwrap().data {
        ColumnData::Categorical { codes, levels, .. } => {
            assert_eq!(levels, &["0", "1"], "{name}");
            codes.clone()
        }
        other => panic!("{name}: {other:?}"),
    };
    let (b, a, t) = (codes("bpcr"), codes("apcr"), codes("tpcr"));
    for i in 0..ds.n_rows {
        assert_eq!(t[i], b[i] & a[i], "row {i}: tpCR must be bpCR and apCR");
    }
    let ColumnData::Numeric(time) = &ds.column("idfs_months").unwrap().data else {
        panic!()
    };
    assert!(time.iter().all(|&x| x > 0.0 && x < 100.0));
    let events = codes("idfs_event").iter().filter(|&&e| e == 1).count();
    assert!((40..200).contains(&events), "{events} events");
}
