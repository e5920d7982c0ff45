//! The order in which treated patients pick their controls, and the seed
//! of a random order.

use leptos::prelude::*;

use super::edit;
use crate::engine::matching::MatchOrder;
use crate::engine::Choice;
use crate::ui::components::enum_select::EnumSelect;
use crate::ui::state::AppState;

#[component]
pub fn OrderControl(order: MatchOrder) -> impl IntoView {
    let spec_signal = AppState::get().matching.spec;
    let seed = match order {
        MatchOrder::Random(s) => s,
        _ => 1,
    };
    let set_order = Callback::new(move |o: MatchOrder| {
        edit(spec_signal, move |s| {
            let seed = match s.order {
                MatchOrder::Random(x) => x,
                _ => 1,
            };
            s.order = match o {
                MatchOrder::Random(_) => MatchOrder::Random(seed),
                o => o,
            };
        });
    });
    view! {
        <label title="The order in which treated patients pick their controls.">
            "Order "
            <EnumSelect id="m-order" value=Signal::stored(order) on_change=set_order label=MatchOrder::key />
            <input
                type="number"
                id="m-seed"
                min="0"
                aria-label="Seed of the random order"
                value=seed.to_string()
                on:change=move |ev| {
                    if let Ok(x) = event_target_value(&ev).parse::<u64>() {
                        edit(spec_signal, move |s| s.order = MatchOrder::Random(x));
                    }
                }
            />
        </label>
    }
}
