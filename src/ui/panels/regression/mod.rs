//! The regression step's parts.

pub mod controls;
