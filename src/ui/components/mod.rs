//! Generic widgets.

pub mod analysis_step;
pub mod column_row;
pub mod column_table;
pub mod cut_form;
pub mod diagnostics;
pub mod error_panel;
pub mod figure;
pub mod file_drop;
pub mod level_editor;
pub mod preview_table;
pub mod report_table;
pub mod roles;
pub mod stability_check;
pub mod step_error;
pub mod table_actions;
pub mod variable_picker;
