//! Roles that contradict each other are refused before anything is
//! computed: an outcome that is the treatment (or codes it again), a time
//! that is also a covariate, the treatment among its own covariates, an
//! outcome or the follow-up in the propensity model, text as a covariate.

use crate::engine::data::{distinct_up_to, Column, ColumnData, ColumnKind, Dataset, MISSING_CODE};
use crate::engine::Code;
use crate::engine::Diagnostic;

/// The roles of a study, as every step reads them.
#[derive(Debug, Clone, Default)]
pub struct Roles<'a> {
    pub treatment: Option<&'a str>,
    /// The propensity model's covariates.
    pub covariates: &'a [String],
    /// Binary outcomes (compared, or the regression's outcome).
    pub outcomes: Vec<&'a str>,
    pub time: Option<&'a str>,
    pub event: Option<&'a str>,
    /// The user said an outcome or the follow-up may be a covariate.
    pub allow_outcome_covariates: bool,
}

/// Two roles given to one column (or to two codings of one split).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("`{column}` is both {first} and {second}{why}")]
pub struct RoleConflict {
    pub column: String,
    pub first: String,
    pub second: String,
    /// ", since it codes the same groups as `group`", or "".
    pub why: String,
}

impl RoleConflict {
    /// What the user can do about it.
    pub fn hint(&self) -> String {
        format!(
            "Choose another column for {} (or leave `{}` out of it).",
            self.second, self.column
        )
    }
}

fn conflict(column: &str, first: &str, second: &str, why: String) -> RoleConflict {
    RoleConflict {
        column: column.to_owned(),
        first: first.to_owned(),
        second: second.to_owned(),
        why,
    }
}

/// Fewer patients than this with both values can split alike by chance (a
/// tiny group with every event, another with none), so two columns are
/// taken for one coding of the groups only from this many on.
pub(super) const MIN_FOR_SAME_SPLIT: usize = 10;

/// Whether two columns split the patients who have both the same way.
fn codes_same_split(a: &Column, b: &Column) -> bool {
    // A numeric column with a third value is not two groups: seen in a few
    // values, before its levels would be listed (a sort of the column).
    let two = |c: &Column| match &c.data {
        ColumnData::Numeric(v) => distinct_up_to(v, 2).is_some(),
        _ => true,
    };
    if !two(a) || !two(b) {
        return false;
    }
    let (Ok(x), Ok(y)) = (a.levels(), b.levels()) else {
        return false;
    };
    if x.levels.len() != 2 || y.levels.len() != 2 {
        return false;
    }
    let mut map = [None::<u32>; 2];
    let mut both = 0usize;
    for (&p, &q) in x.codes.iter().zip(y.codes.iter()) {
        if p == MISSING_CODE || q == MISSING_CODE {
            continue;
        }
        both += 1;
        match map[p as usize] {
            None => map[p as usize] = Some(q),
            Some(m) if m != q => return false,
            _ => {}
        }
    }
    both >= MIN_FOR_SAME_SPLIT && map[0].is_some() && map[0] != map[1]
}

/// Checks the roles against each other on the data. Returns warnings for
/// what is allowed by an explicit override, and the first contradiction
/// as an error.
pub fn check_roles(ds: &Dataset, roles: &Roles) -> Result<Vec<Diagnostic>, RoleConflict> {
    let mut warnings = Vec::new();
    if let Some(t) = roles.treatment {
        let tcol = ds.column(t);
        let same = |c: &str| -> Option<String> {
            if c == t {
                return Some(String::new());
            }
            let (tc, cc) = (tcol?, ds.column(c)?);
            codes_same_split(tc, cc).then(|| format!(", since it codes the same groups as `{t}`"))
        };
        for o in &roles.outcomes {
            if let Some(why) = same(o) {
                return Err(conflict(o, "the treatment", "an outcome", why));
            }
        }
        if let Some(e) = roles.event {
            if let Some(why) = same(e) {
                return Err(conflict(e, "the treatment", "the event", why));
            }
        }
        if let Some(tm) = roles.time {
            if tm == t {
                return Err(conflict(
                    tm,
                    "the treatment",
                    "the follow-up time",
                    String::new(),
                ));
            }
        }
        for c in roles.covariates {
            if let Some(why) = same(c) {
                return Err(conflict(
                    c,
                    "the treatment",
                    "a covariate of its own propensity model",
                    why,
                ));
            }
        }
    }
    if let (Some(tm), Some(e)) = (roles.time, roles.event) {
        if tm == e {
            return Err(conflict(
                tm,
                "the follow-up time",
                "the event",
                String::new(),
            ));
        }
    }
    for c in roles.covariates {
        if ds.column(c).is_some_and(|col| col.kind == ColumnKind::Text) {
            return Err(conflict(c, "free text", "a covariate", String::new()));
        }
        if roles.time == Some(c.as_str()) {
            return Err(conflict(
                c,
                "the follow-up time",
                "a covariate",
                String::new(),
            ));
        }
        let post = if roles.outcomes.contains(&c.as_str()) {
            Some("an outcome")
        } else if roles.event == Some(c.as_str()) {
            Some("the event")
        } else {
            None
        };
        if let Some(role) = post {
            if !roles.allow_outcome_covariates {
                return Err(conflict(
                    c,
                    role,
                    "a covariate of the propensity model",
                    String::new(),
                ));
            }
            warnings.push(
                Diagnostic::warning(Code::OutcomeAsCovariate,
                    Some(c),
                    format!("`{c}` is {role} and also a covariate of the propensity model, as asked: a propensity model should hold only what was known before treatment"),
                ),
            );
        }
    }
    Ok(warnings)
}
