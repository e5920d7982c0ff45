//! Cut a numeric column into groups at chosen thresholds.

use leptos::prelude::*;

use crate::engine::data::{Closed, DatasetSpec};
use crate::ui::components::enum_select::EnumSelect;
use crate::ui::engine_client::Failure;
use crate::ui::state::AppState;

#[component]
pub fn CutForm(source: String) -> impl IntoView {
    let state = AppState::get();
    let (text, set_text) = signal(String::new());
    let closed = RwSignal::new(Closed::Right);
    let label = format!("Cut points for {source}");
    let closed_label = format!("Which group gets the cut point, for {source}");
    let add =
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let source = source.clone();
            match DatasetSpec::parse_thresholds(&text.get_untracked()) {
            Some(t) => {
                let taken: Vec<String> = state.session.with_untracked(|s| {
                    s.as_ref()
                        .map(|s| s.inspection.columns.iter().map(|c| c.name.clone()).collect())
                        .unwrap_or_default()
                });
                let c = closed.get_untracked();
                state.change_spec(move |s| {
                    s.add_cut(&source, t, c, &taken);
                });
                set_text.set(String::new());
            }
            None => state.error.set(Some(Failure {
                context: format!("Could not cut {source}"),
                message: format!(
                    "`{}` is not a list of increasing numbers.",
                    text.get_untracked()
                ),
                hint:
                    "Type one cut point such as 50, or several in increasing order such as 20, 40."
                        .into(),
            })),
        }
        };
    view! {
        <form class="cut" on:submit=add>
            <input
                type="text"
                inputmode="decimal"
                placeholder="cut at, e.g. 50"
                aria-label=label
                prop:value=text
                on:input=move |ev| set_text.set(event_target_value(&ev))
                size="10"
            />
            <EnumSelect
                aria_label=closed_label
                value=closed
                on_change=Callback::new(move |c: Closed| closed.set(c))
            />
            <button type="submit" class="button small">"Add groups"</button>
        </form>
    }
}
