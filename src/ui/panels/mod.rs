//! One panel per workflow step.

pub mod coming_step;
pub mod data_panel;
