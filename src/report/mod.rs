//! Typed results turned into tables and text for the page, the CLI and the
//! exports. No browser imports.

pub mod competing;
pub mod csv;
pub mod design;
pub mod draft;
pub mod figures;
pub mod filename;
pub mod html;
pub mod inspect;
pub mod km_figure;
pub mod matching;
pub mod missing;
pub mod protocol;
pub mod regression;
pub mod sensitivity;
pub mod service;
pub mod study;
pub mod survival;
pub mod table;
pub mod table1;
pub mod weighting;
