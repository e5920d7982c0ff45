//! Non-fatal problems, shown next to what they concern.

use leptos::prelude::*;

use crate::engine::{Diagnostic, Severity};

#[component]
pub fn Diagnostics(items: Vec<Diagnostic>) -> impl IntoView {
    (!items.is_empty()).then(|| {
        let list = items
            .into_iter()
            .map(|d| {
                let class = match d.severity {
                    Severity::Warning => "diag warning",
                    Severity::Info => "diag info",
                };
                view! {
                    <li class=class>
                        <span class="diag-label">
                            {match d.severity {
                                Severity::Warning => "Check: ",
                                Severity::Info => "Note: ",
                            }}
                        </span>
                        {d.message}
                        {d.hint.map(|h| view! { <span class="hint">" " {h}</span> })}
                    </li>
                }
            })
            .collect_view();
        view! {
            <section class="diagnostics" aria-label="Notes on the data">
                <ul>{list}</ul>
            </section>
        }
    })
}
