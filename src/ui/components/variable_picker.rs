//! Choose several columns with checkboxes.

use leptos::prelude::*;

/// `options`: the column names offered; `selected`: the chosen ones, in
/// the order of `options`.
#[component]
pub fn VariablePicker(
    legend: &'static str,
    options: Vec<String>,
    selected: RwSignal<Vec<String>>,
) -> impl IntoView {
    let order = options.clone();
    let boxes = options
        .into_iter()
        .map(|name| {
            let n = name.clone();
            let order = order.clone();
            let checked = move || selected.with(|s| s.contains(&n));
            let n2 = name.clone();
            view! {
                <label class="pick">
                    <input
                        type="checkbox"
                        prop:checked=checked
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            let n = n2.clone();
                            selected
                                .update(|s| {
                                    s.retain(|x| *x != n);
                                    if on {
                                        s.push(n);
                                    }
                                    s.sort_by_key(|x| order.iter().position(|o| o == x));
                                });
                        }
                    />
                    {name}
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset class="picker">
            <legend>{legend}</legend>
            <div class="pick-grid">{boxes}</div>
        </fieldset>
    }
}
