//! The matching step's parts.

pub mod caliper_control;
pub mod controls;
pub mod order_control;
pub mod result;

use leptos::prelude::*;

use crate::engine::matching::MatchSpec;

/// Changes the matching's specification (nothing before there is one).
pub fn edit(spec: RwSignal<Option<MatchSpec>>, f: impl FnOnce(&mut MatchSpec)) {
    spec.update(|s| {
        if let Some(s) = s.as_mut() {
            f(s);
        }
    });
}
