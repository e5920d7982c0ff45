//! The built-in example study: a synthetic cohort shaped like the model
//! study (Geng et al. 2025, 125I seed marking before neoadjuvant therapy).
//!
//! Its *before matching* Table 1 equals the paper's count for count in each
//! group (833 unmarked, 216 marked). Within a group, each variable is dealt
//! out with exactly the published counts, in an order driven by a latent
//! score, so that related variables go together (menopause with age, BCS
//! with small tumours, axillary dissection with nodal stage, radiotherapy
//! with BCS and nodes, low Ki-67 with HR+/HER2-). The outcomes are then
//! drawn from models with the paper's directions: pCR depends on subtype,
//! Ki-67, cT and marking (multivariable ORs near the published 1.88, 2.35,
//! 0.79 and 1.66; the rare "Other" histology almost never responds, a
//! near-separation for the regression checks to find); iDFS depends on pCR, subtype, cT and marking, with
//! censoring by accrual from 2017 to 2024.
//!
//! The data are invented. Regenerate the shipped file with
//! `cargo run --bin gen-example > tests/data/example-study.csv`.

use crate::engine::data::{Closed, DatasetSpec};
use crate::engine::matching::MatchSpec;
use crate::engine::regression::LogisticSpec;
use crate::engine::rng::Rng;
use crate::engine::table1::Table1Spec;

/// The seed of the shipped example (the paper's online date).
pub const EXAMPLE_SEED: u64 = 20_251_226;

/// The shipped example study as CSV (generated from [`EXAMPLE_SEED`]).
pub const EXAMPLE_CSV: &str = include_str!("../../tests/data/example-study.csv");

/// The example's file name, as offered for download.
pub const EXAMPLE_FILE_NAME: &str = "example-study.csv";

/// A level with its counts in group A and group B.
pub type LevelCounts = (&'static str, usize, usize);

/// Table 1 of the model study, before matching: per variable, the levels
/// with their counts in group A (no marking, n = 833) and group B (marked,
/// n = 216). The example reproduces these exactly; tests compare them.
pub const PAPER_TABLE1: &[(&str, &[LevelCounts])] = &[
    ("age_group", &[("≤ 50", 411, 101), ("> 50", 422, 115)]),
    (
        "menopausal",
        &[("Premenopausal", 431, 104), ("Postmenopausal", 402, 112)],
    ),
    (
        "histology",
        &[
            ("Ductal", 805, 214),
            ("Lobular or mixed", 12, 2),
            ("Other", 16, 0),
        ],
    ),
    ("ki67_group", &[("< 20", 106, 11), ("≥ 20", 727, 205)]),
    (
        "location",
        &[("Outside", 498, 119), ("Central/inside", 335, 97)],
    ),
    (
        "ct",
        &[
            ("T1", 117, 48),
            ("T2", 532, 146),
            ("T3", 95, 17),
            ("T4", 89, 5),
        ],
    ),
    (
        "cn",
        &[
            ("N0", 75, 26),
            ("N1", 550, 158),
            ("N2", 135, 25),
            ("N3", 73, 7),
        ],
    ),
    (
        "subtype",
        &[
            ("HR+/HER2-", 316, 31),
            ("HER2+", 339, 129),
            ("TNBC", 178, 56),
        ],
    ),
    (
        "breast_surgery",
        &[("Mastectomy", 612, 164), ("BCS", 221, 52)],
    ),
    ("axillary_surgery", &[("SLNB", 330, 90), ("ALND", 503, 126)]),
    ("radiotherapy", &[("No", 486, 137), ("Yes", 347, 79)]),
];

/// The example's dataset settings: age cut at 50 (`<= 50` / `> 50`), Ki-67
/// at 20% (`< 20` / `>= 20`), and every level in the paper's order, its
/// first level the reference.
pub fn example_spec() -> DatasetSpec {
    let mut spec = DatasetSpec::default()
        .with_cut("age_group", "age", &[50.0], Closed::Right)
        .with_cut("ki67_group", "ki67", &[20.0], Closed::Left);
    for (var, levels) in PAPER_TABLE1 {
        spec.column_mut(var).level_order = levels.iter().map(|l| l.0.to_owned()).collect();
    }
    spec
}

/// The model study's Table 1 on the example: by marking, the paper's
/// variables, with continuous age and Ki-67 (Ki-67 as median [IQR]).
pub fn example_table1_spec() -> Table1Spec {
    let mut variables = vec!["age".to_string(), "ki67".to_string()];
    variables.extend(PAPER_TABLE1.iter().map(|(v, _)| v.to_string()));
    Table1Spec {
        group: "seed_marking".into(),
        variables,
        nonnormal: vec!["ki67".into()],
        continuous: Vec::new(),
        categorical_test: Default::default(),
        continuous_test: Default::default(),
    }
}

/// The model study's regression of tpCR: the univariate screen of the
/// baseline variables and marking, subtype and cT as ordinal scores.
pub fn example_logistic_spec() -> LogisticSpec {
    let vars = [
        "age_group",
        "menopausal",
        "histology",
        "ki67_group",
        "location",
        "ct",
        "cn",
        "subtype",
        "seed_marking",
    ];
    LogisticSpec {
        ordinal: vec!["subtype".into(), "ct".into()],
        ..LogisticSpec::new("tpcr", &vars)
    }
}

/// The model study's matching: 2:1 nearest neighbour on age, menopausal
/// status, histology, Ki-67, cT, cN and subtype, caliper 0.2 SD of the
/// logit.
pub fn example_match_spec() -> MatchSpec {
    MatchSpec {
        ratio: 2,
        ..MatchSpec::new(
            "seed_marking",
            &[
                "age_group",
                "menopausal",
                "histology",
                "ki67_group",
                "ct",
                "cn",
                "subtype",
            ],
        )
    }
}

/// One synthetic patient.
#[derive(Debug, Clone, PartialEq)]
pub struct Patient {
    pub id: String,
    pub age: u32,
    pub menopausal: &'static str,
    pub histology: &'static str,
    pub ki67: u32,
    pub location: &'static str,
    pub ct: u8,
    pub cn: u8,
    pub subtype: &'static str,
    pub breast_surgery: &'static str,
    pub axillary_surgery: &'static str,
    pub radiotherapy: &'static str,
    pub marked: bool,
    pub bpcr: bool,
    pub apcr: bool,
    pub tpcr: bool,
    pub idfs_months: f64,
    pub idfs_event: bool,
}

fn counts(var: &str, group: usize) -> Vec<(&'static str, usize)> {
    PAPER_TABLE1
        .iter()
        .find(|(v, _)| *v == var)
        .map(|(_, levels)| {
            levels
                .iter()
                .map(|&(l, a, b)| (l, if group == 0 { a } else { b }))
                .collect()
        })
        .unwrap_or_default()
}

/// Deals levels with exact counts to the patients of a group: patients are
/// ranked by `score` plus noise, and the levels handed out in order, so a
/// higher score goes with later levels.
fn deal(
    rng: &mut Rng,
    levels: &[(&'static str, usize)],
    score: &[f64],
    noise: f64,
) -> Vec<&'static str> {
    let n = score.len();
    let keyed: Vec<(f64, usize)> = score
        .iter()
        .enumerate()
        .map(|(i, s)| (s + noise * rng.normal(), i))
        .collect();
    let mut order = keyed;
    order.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out = vec![""; n];
    let mut k = 0;
    for &(level, count) in levels {
        for _ in 0..count {
            if let Some(&(_, i)) = order.get(k) {
                out[i] = level;
            }
            k += 1;
        }
    }
    out
}

fn stage(s: &str) -> u8 {
    s.bytes().last().map_or(0, |b| b.saturating_sub(b'0'))
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Generates the example cohort from a seed.
pub fn generate(seed: u64) -> Vec<Patient> {
    let mut rng = Rng::seed_from_u64(seed);
    let mut patients = Vec::new();
    for group in 0..2usize {
        let n = counts("age_group", group)
            .iter()
            .map(|c| c.1)
            .sum::<usize>();
        let zeros = vec![0.0; n];
        let age_group = deal(&mut rng, &counts("age_group", group), &zeros, 1.0);
        let older: Vec<f64> = age_group.iter().map(|a| f64::from(*a == "> 50")).collect();
        let menopausal = deal(&mut rng, &counts("menopausal", group), &older, 0.35);
        let histology = deal(&mut rng, &counts("histology", group), &zeros, 1.0);
        let location = deal(&mut rng, &counts("location", group), &zeros, 1.0);
        let ct = deal(&mut rng, &counts("ct", group), &zeros, 1.0);
        let ct_num: Vec<f64> = ct.iter().map(|s| f64::from(stage(s))).collect();
        // Nodal stage rises with tumour size.
        let cn = deal(&mut rng, &counts("cn", group), &ct_num, 2.0);
        let cn_num: Vec<f64> = cn.iter().map(|s| f64::from(stage(s))).collect();
        let subtype = deal(&mut rng, &counts("subtype", group), &zeros, 1.0);
        let not_luminal: Vec<f64> = subtype
            .iter()
            .map(|s| f64::from(*s != "HR+/HER2-"))
            .collect();
        let ki67_group = deal(&mut rng, &counts("ki67_group", group), &not_luminal, 0.6);
        // Mastectomy first in the table: larger tumours get mastectomy.
        let big: Vec<f64> = ct_num.iter().map(|t| -t).collect();
        let breast_surgery = deal(&mut rng, &counts("breast_surgery", group), &big, 1.2);
        let nodes: Vec<f64> = cn_num.clone();
        let axillary_surgery = deal(&mut rng, &counts("axillary_surgery", group), &nodes, 0.8);
        let rt_score: Vec<f64> = breast_surgery
            .iter()
            .zip(&cn_num)
            .map(|(s, n)| 2.0 * f64::from(*s == "BCS") + 0.8 * n)
            .collect();
        let radiotherapy = deal(&mut rng, &counts("radiotherapy", group), &rt_score, 1.0);

        for i in 0..n {
            let age = if age_group[i] == "≤ 50" {
                (43.0 + 5.5 * rng.normal()).round().clamp(24.0, 50.0)
            } else {
                (58.0 + 6.0 * rng.normal()).round().clamp(51.0, 79.0)
            } as u32;
            let ki67 = if ki67_group[i] == "< 20" {
                1 + rng.below(19) as u32
            } else {
                (20.0 + (25.0 * rng.normal()).abs()).round().min(95.0) as u32
            };
            let marked = group == 1;
            let subtype_score = match subtype[i] {
                "HR+/HER2-" => 0.0,
                "HER2+" => 2.0,
                _ => 1.4,
            };
            let lin = -2.1 + 0.63 * subtype_score + 0.85 * f64::from(ki67 >= 20)
                - 0.24 * (ct_num[i] - 2.0)
                + 0.51 * f64::from(marked)
                // Rare histologies seldom respond: near-separation to detect.
                - 3.5 * f64::from(histology[i] == "Other");
            let tpcr = rng.uniform() < logistic(lin);
            let (bpcr, apcr) = if tpcr {
                (true, true)
            } else {
                let u = rng.uniform();
                (u < 0.18, (0.18..0.54).contains(&u))
            };
            let hazard = 0.0032
                * if tpcr { 0.25 } else { 1.0 }
                * match subtype[i] {
                    "HR+/HER2-" => 0.8,
                    "TNBC" => 1.6,
                    _ => 1.0,
                }
                * 1.25f64.powf(ct_num[i] - 2.0)
                * if marked { 0.7 } else { 1.0 };
            let event_time = rng.exponential() / hazard;
            let follow_up = 2.0 + 94.0 * rng.uniform().powf(1.3);
            let (time, event) = if event_time <= follow_up {
                (event_time, true)
            } else {
                (follow_up, false)
            };
            patients.push(Patient {
                id: String::new(),
                age,
                menopausal: menopausal[i],
                histology: histology[i],
                ki67,
                location: location[i],
                ct: stage(ct[i]),
                cn: stage(cn[i]),
                subtype: subtype[i],
                breast_surgery: breast_surgery[i],
                axillary_surgery: axillary_surgery[i],
                radiotherapy: radiotherapy[i],
                marked,
                bpcr,
                apcr,
                tpcr,
                idfs_months: (time * 10.0).round().max(1.0) / 10.0,
                idfs_event: event,
            });
        }
    }
    rng.shuffle(&mut patients);
    for (i, p) in patients.iter_mut().enumerate() {
        p.id = format!("P{:04}", i + 1);
    }
    patients
}

/// The cohort as CSV, the format of `tests/data/example-study.csv`.
pub fn to_csv(patients: &[Patient]) -> String {
    let b = |x: bool| if x { "1" } else { "0" };
    let mut out = String::from(
        "id,age,menopausal,histology,ki67,location,ct,cn,subtype,breast_surgery,\
         axillary_surgery,radiotherapy,seed_marking,bpcr,apcr,tpcr,idfs_months,idfs_event\n",
    );
    for p in patients {
        out.push_str(&format!(
            "{},{},{},{},{},{},T{},N{},{},{},{},{},{},{},{},{},{:.1},{}\n",
            p.id,
            p.age,
            p.menopausal,
            p.histology,
            p.ki67,
            p.location,
            p.ct,
            p.cn,
            p.subtype,
            p.breast_surgery,
            p.axillary_surgery,
            p.radiotherapy,
            if p.marked { "Yes" } else { "No" },
            b(p.bpcr),
            b(p.apcr),
            b(p.tpcr),
            p.idfs_months,
            b(p.idfs_event),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_file_is_what_the_generator_makes() {
        assert_eq!(
            to_csv(&generate(EXAMPLE_SEED)),
            EXAMPLE_CSV,
            "regenerate with `cargo run --bin gen-example > tests/data/example-study.csv`"
        );
    }

    #[test]
    fn shipped_dataset_settings_are_example_spec() {
        let text = include_str!("../../tests/data/example-study.dataset.json");
        let spec: DatasetSpec = serde_json::from_str(text).expect("valid settings");
        assert_eq!(
            spec,
            example_spec(),
            "regenerate with `cargo run --bin gen-example -- --spec`"
        );
    }

    #[test]
    fn tpcr_is_bpcr_and_apcr() {
        for p in generate(1) {
            assert_eq!(p.tpcr, p.bpcr && p.apcr);
            assert!(p.idfs_months > 0.0);
        }
    }
}
