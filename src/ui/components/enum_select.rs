//! A `<select>` of an option with a fixed list of values ([`Choice`]): its
//! values are the keys, its texts the descriptions (or `label`).

use leptos::prelude::*;

use crate::engine::Choice;

#[component]
pub fn EnumSelect<C>(
    /// The value shown (the select follows it).
    #[prop(into)]
    value: Signal<C>,
    /// Called with the value picked.
    on_change: Callback<C>,
    #[prop(optional)] id: Option<&'static str>,
    #[prop(optional)] class: Option<&'static str>,
    #[prop(optional, into)] aria_label: Option<String>,
    /// The text of a value; default [`Choice::describe`].
    #[prop(optional)]
    label: Option<fn(C) -> &'static str>,
) -> impl IntoView
where
    C: Choice + Send + Sync,
{
    let label = label.unwrap_or(C::describe);
    let options = C::ALL
        .iter()
        .map(|&c| {
            let selected = move || value.get().key() == c.key();
            view! { <option value=c.key() selected=selected>{label(c)}</option> }
        })
        .collect_view();
    view! {
        <select
            id=id
            class=class
            aria-label=aria_label
            prop:value=move || value.get().key()
            on:change=move |ev| {
                if let Some(c) = C::from_key(&event_target_value(&ev)) {
                    on_change.run(c);
                }
            }
        >
            {options}
        </select>
    }
}
