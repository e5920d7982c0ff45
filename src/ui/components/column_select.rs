//! A `<select>` of columns, optionally with "(none)" first. The value is
//! `None` when none is chosen.

use leptos::prelude::*;

#[component]
pub fn ColumnSelect(
    /// The columns offered.
    options: Vec<String>,
    /// The column chosen when drawn.
    value: Option<String>,
    /// Called with the column picked (`None`: "(none)").
    on_change: Callback<Option<String>>,
    #[prop(optional)] id: Option<&'static str>,
    /// Offer "(none)".
    #[prop(optional)]
    none: bool,
) -> impl IntoView {
    let current = value.unwrap_or_default();
    let blank = none.then(|| {
        view! { <option value="" selected=current.is_empty()>"(none)"</option> }
    });
    let options = options
        .into_iter()
        .map(|c| {
            let sel = c == current;
            view! { <option value=c.clone() selected=sel>{c.clone()}</option> }
        })
        .collect_view();
    view! {
        <select
            id=id
            on:change=move |ev| {
                let v = event_target_value(&ev);
                on_change.run((!v.is_empty()).then_some(v));
            }
        >
            {blank}
            {options}
        </select>
    }
}
