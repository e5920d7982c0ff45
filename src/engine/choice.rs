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

use crate::engine::competing::CifVariance;
use crate::engine::data::{Closed, ColumnKind};
use crate::engine::defaults::{self, CALIPER_SD};
use crate::engine::matching::{Caliper, DistanceScale, MatchOrder, SmdDenominator};
use crate::engine::survival::{CiTransform, Ties};
use crate::engine::table1::{CategoricalTest, ContinuousTest};
use crate::engine::weighting::Estimand;

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
    CifVariance,
    [CifVariance::Survfit, CifVariance::Cuminc],
    describe: CifVariance::describe
);
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

choice!(
    Estimand,
    [Estimand::Ate, Estimand::Att, Estimand::Ato, Estimand::Atm],
    describe: Estimand::describe
);
choice!(
    SmdDenominator,
    [
        SmdDenominator::Treated,
        SmdDenominator::Pooled,
        SmdDenominator::Weighted
    ],
    describe: SmdDenominator::describe
);

/// Which group of a cut gets the cut point.
impl Choice for Closed {
    const ALL: &'static [Self] = &[Closed::Right, Closed::Left];
    fn key(self) -> &'static str {
        match self {
            Closed::Right => "right",
            Closed::Left => "left",
        }
    }
    fn describe(self) -> &'static str {
        match self {
            Closed::Right => "≤ cut / > cut",
            Closed::Left => "< cut / ≥ cut",
        }
    }
}

/// The kind of caliper; the width in [`Choice::ALL`] is the default one
/// (a list keeps the width the user typed).
impl Choice for Caliper {
    const ALL: &'static [Self] = &[
        Caliper::Sd(CALIPER_SD),
        Caliper::Absolute(CALIPER_SD),
        Caliper::None,
    ];
    fn key(self) -> &'static str {
        match self {
            Caliper::Sd(_) => "sd",
            Caliper::Absolute(_) => "absolute",
            Caliper::None => "none",
        }
    }
    fn describe(self) -> &'static str {
        match self {
            Caliper::Sd(_) => "in SDs of the distance",
            Caliper::Absolute(_) => "absolute",
            Caliper::None => "none",
        }
    }
}

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
        round_trips::<Caliper>();
        round_trips::<Closed>();
        round_trips::<Estimand>();
        round_trips::<SmdDenominator>();
    }

    #[test]
    fn a_kind_with_a_value_is_found_by_its_key() {
        assert_eq!(
            MatchOrder::from_key("random"),
            Some(MatchOrder::Random(defaults::SEED))
        );
        assert_eq!(
            MatchOrder::parse("random", 1),
            MatchOrder::from_key("random")
        );
        assert_eq!(Caliper::Sd(0.5).key(), "sd");
        assert_eq!(Caliper::from_key("none"), Some(Caliper::None));
    }
}
