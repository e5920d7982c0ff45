//! The options a user picks from a list (a test, a CI transform, the ties
//! method, ...): one trait, so that the string <-> enum mapping lives in
//! one place. The CLI's `clap::ValueEnum`, the page's `<select>` and the
//! settings files all read [`Choice::key`] and [`Choice::ALL`].

/// An option with a fixed list of values.
pub trait Choice: Copy + PartialEq + Sized + 'static {
    /// Every value, in the order a list shows them.
    const ALL: &'static [Self];

    /// The name in the CLI, the settings and the page's `<select>`.
    fn key(self) -> &'static str;

    /// What the value means, in words (a list's tooltip, the CLI's help).
    fn describe(self) -> &'static str {
        self.key()
    }

    /// The value named `key`.
    fn from_key(key: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.key() == key)
    }
}

macro_rules! choice {
    ($t:ty, [$($v:expr),+ $(,)?] $(, describe: $d:expr)?) => {
        impl Choice for $t {
            const ALL: &'static [Self] = &[$($v),+];
            fn key(self) -> &'static str {
                self.as_str()
            }
            $(fn describe(self) -> &'static str {
                $d(self)
            })?
        }
    };
}

use crate::engine::data::ColumnKind;
use crate::engine::defaults;
use crate::engine::matching::{DistanceScale, MatchOrder};
use crate::engine::survival::{CiTransform, Ties};
use crate::engine::table1::{CategoricalTest, ContinuousTest};

choice!(
    ColumnKind,
    [
        ColumnKind::Numeric,
        ColumnKind::Binary,
        ColumnKind::Categorical,
        ColumnKind::Text
    ]
);
choice!(
    DistanceScale,
    [DistanceScale::Logit, DistanceScale::Probability]
);
// `random` stands for every seed: its entry has the default seed, and
// `MatchOrder::with_seed` sets the one chosen.
choice!(
    MatchOrder,
    [
        MatchOrder::Largest,
        MatchOrder::Smallest,
        MatchOrder::Random(defaults::SEED),
        MatchOrder::Data
    ]
);
choice!(
    CiTransform,
    [CiTransform::Log, CiTransform::LogLog, CiTransform::Plain]
);
choice!(Ties, [Ties::Efron, Ties::Breslow]);
choice!(
    CategoricalTest,
    [
        CategoricalTest::Auto,
        CategoricalTest::Pearson,
        CategoricalTest::Yates,
        CategoricalTest::Fisher,
        CategoricalTest::LikelihoodRatio,
    ],
    describe: CategoricalTest::describe
);
choice!(
    ContinuousTest,
    [ContinuousTest::Welch, ContinuousTest::Student],
    describe: ContinuousTest::describe
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_random_order_takes_its_seed_after_its_key() {
        assert_eq!(
            MatchOrder::from_key("random").map(|o| o.with_seed(7)),
            Some(MatchOrder::Random(7))
        );
        assert_eq!(MatchOrder::Data.with_seed(7), MatchOrder::Data);
        for &o in MatchOrder::ALL {
            assert_eq!(MatchOrder::parse(o.key(), 7), Some(o.with_seed(7)));
        }
    }

    fn round_trips<T: Choice + std::fmt::Debug>() {
        for &c in T::ALL {
            assert_eq!(T::from_key(c.key()), Some(c), "{c:?}");
        }
        let mut keys: Vec<_> = T::ALL.iter().map(|c| c.key()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), T::ALL.len(), "keys are unique");
        assert_eq!(T::from_key("no such value"), None);
    }

    #[test]
    fn every_choice_round_trips_through_its_key() {
        round_trips::<ColumnKind>();
        round_trips::<DistanceScale>();
        round_trips::<MatchOrder>();
        round_trips::<CiTransform>();
        round_trips::<Ties>();
        round_trips::<CategoricalTest>();
        round_trips::<ContinuousTest>();
    }
}
