//! The caliper: its kind and its width.

use leptos::prelude::*;

use super::edit;
use crate::engine::defaults::CALIPER_SD;
use crate::engine::matching::Caliper;
use crate::ui::components::enum_select::EnumSelect;
use crate::ui::state::AppState;

#[component]
pub fn CaliperControl(caliper: Caliper) -> impl IntoView {
    let spec_signal = AppState::get().matching.spec;
    let width = match caliper {
        Caliper::None => CALIPER_SD,
        Caliper::Sd(w) | Caliper::Absolute(w) => w,
    };
    let set_kind = Callback::new(move |kind: Caliper| {
        edit(spec_signal, move |s| {
            let w = match s.caliper {
                Caliper::Sd(w) | Caliper::Absolute(w) => w,
                Caliper::None => CALIPER_SD,
            };
            s.caliper = match kind {
                Caliper::None => Caliper::None,
                Caliper::Absolute(_) => Caliper::Absolute(w),
                Caliper::Sd(_) => Caliper::Sd(w),
            };
        });
    });
    view! {
        <label title="The largest distance allowed between a treated patient and its controls.">
            "Caliper "
            <EnumSelect id="m-caliper" value=Signal::stored(caliper) on_change=set_kind />
            <input
                type="text"
                id="m-caliper-width"
                size="5"
                aria-label="Caliper width"
                value=width.to_string()
                on:change=move |ev| {
                    if let Ok(w) = event_target_value(&ev).trim().parse::<f64>() {
                        if w > 0.0 {
                            edit(spec_signal, move |s| {
                                s.caliper = match s.caliper {
                                    Caliper::Absolute(_) => Caliper::Absolute(w),
                                    _ => Caliper::Sd(w),
                                };
                            });
                        }
                    }
                }
            />
        </label>
    }
}
