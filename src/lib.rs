//! CohortLab: the analysis of a retrospective cohort study, computed where the
//! data is. Three layers with arrows that only point down:
//!
//! - [`engine`]: pure Rust (data, statistics); native and wasm32;
//! - [`report`]: typed results turned into tables and text;
//! - `ui` (wasm32 only): Leptos components, talking to the engine only through
//!   `ui::engine_client`.
//!
//! - `cli` (native only): the `cohortlab` command-line tool, a thin caller
//!   of `engine` and `report`; clap is known here and nowhere else.
//!
//! `engine` and `report` never import browser crates, nor the CLI or clap;
//! `tests/architecture.rs` checks this.

pub mod engine;
pub mod report;

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;

#[cfg(target_arch = "wasm32")]
pub mod ui;
