//! One panel per workflow step.

pub mod data_panel;
pub mod matching;
pub mod matching_panel;
pub mod outcomes_panel;
pub mod regression;
pub mod regression_panel;
pub mod report_panel;
pub mod sensitivity_panel;
pub mod survival;
pub mod survival_panel;
pub mod table1_panel;
