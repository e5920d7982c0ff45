//! The guess itself, and the check that roles do not contradict each other.

use crate::engine::Code;
use std::collections::HashMap;

use super::names::{self, named_like, stem, which};
use super::{
    Baseline, Confidence, DesignGuess, Excluded, Guessed, Left, TimeToEvent, TimeUnit,
    MAX_GROUP_LEVELS,
};
use crate::engine::data::{
    Column, ColumnData, ColumnKind, Dataset, LevelCount, Levels, MISSING_CODE,
};
use crate::engine::Diagnostic;

/// What the guess needs to know of a column (one pass, stopping early
/// where it can: a million-row file is guessed in a blink).
struct Facts<'a> {
    col: &'a Column,
    /// Level codes when the column can be read as a few levels.
    codes: Option<Levels<'a>>,
    /// Every present value differs from every other.
    unique: bool,
    whole: bool,
    min: Option<f64>,
    max: Option<f64>,
    present: usize,
}

impl<'a> Facts<'a> {
    fn of(col: &'a Column) -> Self {
        let codes = col
            .levels()
            .ok()
            .filter(|l| l.levels.len() <= MAX_GROUP_LEVELS);
        let (mut whole, mut min, mut max) = (false, None, None);
        let (present, unique) = match &col.data {
            ColumnData::Numeric(v) => {
                let x = || v.iter().copied().filter(|x| !x.is_nan());
                whole = x().all(|v| v.fract() == 0.0);
                min = x().reduce(f64::min);
                max = x().reduce(f64::max);
                let mut seen = std::collections::HashSet::new();
                let unique = whole && x().all(|v| seen.insert(v.to_bits()));
                (x().count(), unique)
            }
            ColumnData::Text(t) => {
                let mut seen = std::collections::HashSet::new();
                let unique = t.iter().filter(|s| !s.is_empty()).all(|s| seen.insert(s));
                (t.iter().filter(|s| !s.is_empty()).count(), unique)
            }
            ColumnData::Categorical { codes, .. } => {
                (codes.iter().filter(|&&c| c != MISSING_CODE).count(), false)
            }
        };
        Facts {
            col,
            codes,
            unique,
            whole,
            min,
            max,
            present,
        }
    }

    fn name(&self) -> &'a str {
        &self.col.name
    }

    fn n_levels(&self) -> Option<usize> {
        self.codes.as_ref().map(|c| c.levels.len())
    }

    /// Two groups: a binary column or two numeric codes.
    fn two_levels(&self) -> bool {
        self.n_levels() == Some(2)
    }
}

/// Guesses the study design from the columns' names and data.
pub fn guess_design(ds: &Dataset) -> DesignGuess {
    let facts: Vec<Facts> = ds.columns.iter().map(Facts::of).collect();
    let mut g = DesignGuess {
        treatment: None,
        treatment_levels: Vec::new(),
        outcomes: Vec::new(),
        survival: Vec::new(),
        baseline: Vec::new(),
        left_out: Vec::new(),
        diagnostics: Vec::new(),
    };
    let mut used: Vec<bool> = vec![false; facts.len()];
    left_out(&facts, &mut g, &mut used);
    time_to_event(&facts, &mut g, &mut used);
    treatment(&facts, &mut g, &mut used);
    outcomes(&facts, &mut g, &mut used);
    for (f, u) in facts.iter().zip(&used) {
        if *u {
            continue;
        }
        let after = which(f.name(), names::AFTER_TREATMENT, names::AFTER_TREATMENT_ZH);
        let time_like = f.col.kind == ColumnKind::Numeric
            && named_like(f.name(), names::TIME_UNITS, names::TIME_ZH);
        g.baseline.push(match (after, time_like) {
            (Some(w), _) => Baseline {
                column: f.name().to_owned(),
                in_propensity_model: false,
                reason: format!("named like something measured after treatment (`{w}`): in Table 1, not in the propensity model"),
            },
            (None, true) => Baseline {
                column: f.name().to_owned(),
                in_propensity_model: false,
                reason: "named like a time or duration: in Table 1, not in the propensity model".into(),
            },
            (None, false) => Baseline {
                column: f.name().to_owned(),
                in_propensity_model: true,
                reason: "a baseline characteristic".into(),
            },
        });
    }
    g
}

fn left_out(facts: &[Facts], g: &mut DesignGuess, used: &mut [bool]) {
    for (i, f) in facts.iter().enumerate() {
        let id_name = named_like(f.name(), names::IDENTIFIER, names::IDENTIFIER_ZH);
        let (excluded, reason) = match f.col.kind {
            ColumnKind::Text if f.unique || id_name => (
                Excluded::Identifier,
                "an identifier (a different value for every patient)".to_owned(),
            ),
            ColumnKind::Text => (
                Excluded::FreeText,
                "free text (shown, never analysed)".to_owned(),
            ),
            _ if named_like(f.name(), names::FREE_TEXT, names::FREE_TEXT_ZH) => (
                Excluded::FreeText,
                "named like free text (a comment or note), never analysed".to_owned(),
            ),
            ColumnKind::Numeric if f.whole && f.unique && (id_name || numbered(f)) => (
                Excluded::Identifier,
                "an identifier (a different whole number for every patient)".to_owned(),
            ),
            _ if f.n_levels().is_some_and(|k| k < 2) && f.present > 0 => (
                Excluded::Constant,
                "the same value for every patient".to_owned(),
            ),
            _ => continue,
        };
        used[i] = true;
        g.left_out.push(Left {
            column: f.name().to_owned(),
            excluded,
            reason,
        });
    }
}

/// Unnamed whole numbers that look like identifiers: row numbers (1 to n
/// in any order) or record numbers of five digits or more, and not named
/// like a time.
fn numbered(f: &Facts) -> bool {
    let (Some(min), Some(max)) = (f.min, f.max) else {
        return false;
    };
    let rows = max - min + 1.0 == f.present as f64;
    f.present >= 20
        && (rows || min >= 10_000.0)
        && !named_like(f.name(), names::TIME, names::TIME_ZH)
}

fn unit_of(name: &str) -> Option<TimeUnit> {
    let w = names::words(name);
    let has = |x: &[&str]| w.iter().any(|v| x.contains(&v.as_str()));
    if has(&["day", "days", "d"]) || name.contains("天") || name.contains("日") {
        Some(TimeUnit::Days)
    } else if has(&["week", "weeks", "wk", "wks"]) || name.contains("周") {
        Some(TimeUnit::Weeks)
    } else if has(&["month", "months", "mo", "mos", "mth", "mths"]) || name.contains("月") {
        Some(TimeUnit::Months)
    } else if has(&["year", "years", "yr", "yrs", "y"]) || name.contains("年") {
        Some(TimeUnit::Years)
    } else {
        None
    }
}

/// Whether a column can be an event indicator: two levels, or numeric
/// codes 0/1/2 (censored, event, competing event).
fn event_shaped(f: &Facts) -> Option<Option<String>> {
    if f.two_levels() {
        return Some(None);
    }
    let levels = &f.codes.as_ref()?.levels;
    let codes012 =
        f.col.kind == ColumnKind::Numeric && levels.iter().map(String::as_str).eq(["0", "1", "2"]);
    codes012.then(|| Some("1".to_owned()))
}

fn time_to_event(facts: &[Facts], g: &mut DesignGuess, used: &mut [bool]) {
    for (i, f) in facts.iter().enumerate() {
        let time_named = which(f.name(), names::TIME, names::TIME_ZH);
        let Some(word) = time_named else { continue };
        if used[i] || f.col.kind != ColumnKind::Numeric || f.min.is_none_or(|m| m < 0.0) {
            continue;
        }
        // A Chinese name (`随访时间(月)`) has no end point to pair by.
        let time_stem = if names::TIME_ZH.iter().any(|z| f.name().contains(z)) {
            String::new()
        } else {
            stem(f.name(), names::TIME_UNITS)
        };
        // Paired by name first (`idfs_months` with `idfs_event`), then an
        // indicator named like an event when the time has no end point of
        // its own (`time` with `status`).
        let by_stem = facts.iter().enumerate().find(|(j, e)| {
            !used[*j]
                && *j != i
                && !time_stem.is_empty()
                && event_shaped(e).is_some()
                && stem(e.name(), names::EVENT_MARKS) == time_stem
        });
        // An indicator's own words (`status`, `event`) before an outcome's
        // (`death`).
        let by_name = || {
            let fits = |j: usize, e: &Facts| {
                !used[j]
                    && j != i
                    && event_shaped(e).is_some()
                    && named_like(e.name(), names::EVENT, names::EVENT_ZH)
                    && (time_stem.is_empty() || generic_event(e.name()))
            };
            let marked = |e: &Facts| named_like(e.name(), names::EVENT_MARKS, &[]);
            let mut found = facts.iter().enumerate().filter(|(j, e)| fits(*j, e));
            let first = found.clone().find(|(_, e)| marked(e));
            first.or_else(|| found.next())
        };
        let (j, e, confidence, how) = match by_stem {
            Some((j, e)) => (j, e, Confidence::High, "its name pairs with"),
            None => match by_name() {
                Some((j, e)) => (
                    j,
                    e,
                    Confidence::Medium,
                    "named like an event indicator, beside",
                ),
                None => continue,
            },
        };
        used[i] = true;
        used[j] = true;
        let event_level = event_shaped(e).flatten();
        let note = if event_level.is_some() {
            " (codes 0/1/2: 1 is the event, 0 censored, 2 a competing event, censored here)"
        } else {
            ""
        };
        g.survival.push(TimeToEvent {
            time: Guessed {
                column: f.name().to_owned(),
                reason: format!(
                    "named like a follow-up time (`{word}`), never negative, paired with `{}`",
                    e.name()
                ),
                confidence,
            },
            event: Guessed {
                column: e.name().to_owned(),
                reason: format!("{how} `{}`{note}", f.name()),
                confidence,
            },
            event_level,
            unit: unit_of(f.name()),
        });
    }
}

/// An event indicator named for no end point of its own (`status`,
/// `death`, `vital_status`), which pairs with any time.
fn generic_event(name: &str) -> bool {
    names::EVENT_ZH.iter().any(|z| name.contains(z))
        || names::words(&stem(name, names::EVENT_MARKS))
            .iter()
            .all(|w| names::EVENT.contains(&w.as_str()))
}

/// How plainly a name says "treatment": the fewer other words the better;
/// `None` when a treatment word is neither its first nor its last word.
fn treatment_rank(name: &str) -> Option<usize> {
    if names::TREATMENT_ZH.iter().any(|z| name.contains(z)) {
        return Some(1);
    }
    let w = names::words(name);
    let is = |x: &String| names::TREATMENT.contains(&x.as_str());
    let ends = w.first().is_some_and(is) || w.last().is_some_and(is);
    ends.then(|| w.iter().filter(|x| !is(x)).count())
}

fn treatment(facts: &[Facts], g: &mut DesignGuess, used: &mut [bool]) {
    let pick = facts
        .iter()
        .enumerate()
        .filter(|(i, f)| !used[*i] && f.two_levels())
        .filter_map(|(i, f)| treatment_rank(f.name()).map(|r| (r, i)))
        .min();
    let Some((_, t)) = pick else { return };
    used[t] = true;
    let tf = &facts[t];
    let Some(Levels {
        codes: tcodes,
        levels: tlevels,
        ..
    }) = &tf.codes
    else {
        return;
    };
    let mut counts = vec![0usize; tlevels.len()];
    for &c in tcodes.iter().filter(|&&c| c != MISSING_CODE) {
        counts[c as usize] += 1;
    }
    g.treatment_levels = tlevels
        .iter()
        .zip(counts)
        .map(|(l, count)| LevelCount {
            level: l.clone(),
            count,
        })
        .collect();
    g.treatment = Some(Guessed {
        column: tf.name().to_owned(),
        reason: format!(
            "two groups ({}), named like a treatment or group",
            tlevels.join(" / ")
        ),
        confidence: Confidence::High,
    });
    // Another column that splits the patients the same way is the same
    // treatment coded again.
    for (i, f) in facts.iter().enumerate() {
        if used[i] || !f.two_levels() {
            continue;
        }
        let Some(Levels { codes, levels, .. }) = &f.codes else {
            continue;
        };
        if let Some(map) = same_split(tcodes, codes) {
            used[i] = true;
            let pairs: Vec<String> = map
                .iter()
                .map(|(a, b)| format!("{} = {}", tlevels[*a as usize], levels[*b as usize]))
                .collect();
            g.left_out.push(Left {
                column: f.name().to_owned(),
                excluded: Excluded::TreatmentDuplicate,
                reason: format!(
                    "codes the same split as `{}` ({}), so it is left out everywhere",
                    tf.name(),
                    pairs.join(", ")
                ),
            });
            g.diagnostics.push(Diagnostic::info(
                Code::SecondTreatmentCoding,
                Some(f.name()),
                format!(
                    "`{}` codes the same groups as `{}`; it is left out of every analysis",
                    f.name(),
                    tf.name()
                ),
            ));
        }
    }
}

/// The level map when two columns split the patients who have both the
/// same way (one-to-one), else `None`.
fn same_split(a: &[u32], b: &[u32]) -> Option<Vec<(u32, u32)>> {
    let mut map: HashMap<u32, u32> = HashMap::new();
    let mut back: HashMap<u32, u32> = HashMap::new();
    let mut both = 0usize;
    for (&x, &y) in a.iter().zip(b) {
        if x == MISSING_CODE || y == MISSING_CODE {
            continue;
        }
        both += 1;
        if *map.entry(x).or_insert(y) != y || *back.entry(y).or_insert(x) != x {
            return None;
        }
    }
    let mut pairs: Vec<(u32, u32)> = map.into_iter().collect();
    pairs.sort_unstable();
    (both >= super::check::MIN_FOR_SAME_SPLIT && pairs.len() == 2).then_some(pairs)
}

fn outcomes(facts: &[Facts], g: &mut DesignGuess, used: &mut [bool]) {
    for (i, f) in facts.iter().enumerate() {
        if used[i] || !f.two_levels() {
            continue;
        }
        let Some(word) = which(f.name(), names::OUTCOME, names::OUTCOME_ZH) else {
            continue;
        };
        used[i] = true;
        g.outcomes.push(Guessed {
            column: f.name().to_owned(),
            reason: format!("two levels, named like an outcome (`{word}`)"),
            confidence: Confidence::High,
        });
    }
}
