//! The engine's list options ([`Choice`]) as clap value enums, written once
//! for all of them: the CLI accepts a choice's keys, lists them in `--help`
//! (with what each means, when the engine says more than the key), and
//! clap's error for any other value names the accepted ones. No second list
//! of the values exists. (The impls live in the library because both the
//! trait and the types are foreign to the binary.)

use clap::builder::PossibleValue;
use clap::ValueEnum;

use crate::engine::competing::CifVariance;
use crate::engine::data::ColumnKind;
use crate::engine::matching::{DistanceScale, MatchOrder};
use crate::engine::sensitivity::EffectMeasure;
use crate::engine::survival::{CiTransform, Ties};
use crate::engine::table1::{CategoricalTest, ContinuousTest};
use crate::engine::weighting::Estimand;
use crate::engine::Choice;

/// `c` as clap shows and parses it: its key, and its description when that
/// is more than the key.
fn possible_value<T: Choice>(c: T) -> PossibleValue {
    let value = PossibleValue::new(c.key());
    if c.describe() == c.key() {
        value
    } else {
        value.help(c.describe())
    }
}

/// The accepted keys in words: `a, b or c`.
pub(crate) fn one_of<T: Choice>() -> String {
    let keys: Vec<&str> = T::ALL.iter().map(|c| c.key()).collect();
    match keys.split_last() {
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    }
}

macro_rules! value_enum {
    ($($t:ty),+ $(,)?) => {$(
        impl ValueEnum for $t {
            fn value_variants<'a>() -> &'a [Self] {
                <$t as Choice>::ALL
            }

            fn to_possible_value(&self) -> Option<PossibleValue> {
                Some(possible_value(*self))
            }
        }
    )+};
}

value_enum!(
    ColumnKind,
    DistanceScale,
    MatchOrder,
    CiTransform,
    Ties,
    CifVariance,
    CategoricalTest,
    ContinuousTest,
    EffectMeasure,
    Estimand,
);

#[cfg(test)]
mod tests {
    use super::*;

    fn parses_every_key<T: Choice + ValueEnum + std::fmt::Debug>() {
        for &c in <T as Choice>::ALL {
            assert_eq!(T::from_str(c.key(), false).ok(), Some(c), "{c:?}");
        }
        assert!(T::from_str("no such value", false).is_err());
    }

    #[test]
    fn clap_accepts_exactly_the_keys() {
        parses_every_key::<ColumnKind>();
        parses_every_key::<DistanceScale>();
        parses_every_key::<MatchOrder>();
        parses_every_key::<CiTransform>();
        parses_every_key::<Ties>();
        parses_every_key::<CifVariance>();
        parses_every_key::<CategoricalTest>();
        parses_every_key::<ContinuousTest>();
        parses_every_key::<EffectMeasure>();
        parses_every_key::<Estimand>();
    }

    #[test]
    fn the_keys_in_words() {
        assert_eq!(
            one_of::<ColumnKind>(),
            "numeric, binary, categorical or text"
        );
        assert_eq!(one_of::<Ties>(), "efron or breslow");
    }
}
