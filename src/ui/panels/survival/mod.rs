//! The survival step's parts.

pub mod cox_controls;
pub mod curve_controls;
pub mod result;
pub mod test_controls;

use crate::engine::data::ColumnKind;
use crate::ui::state::AppState;

/// The loaded columns of these kinds (tracked).
pub fn of_kind(state: AppState, kinds: &[ColumnKind]) -> Vec<String> {
    state
        .columns()
        .into_iter()
        .filter(|c| kinds.contains(&c.1))
        .map(|c| c.0)
        .collect()
}
