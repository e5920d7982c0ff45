//! Where data comes in: drop a file, choose one, or open the example.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::ui::engine_client::{self, UiError, BROWSER_MAX_BYTES};
use crate::ui::state::AppState;

#[component]
pub fn FileDrop() -> impl IntoView {
    let state = AppState::get();
    let (over, set_over) = signal(false);
    let input: NodeRef<leptos::html::Input> = NodeRef::new();
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        set_over.set(false);
        if let Some(file) = ev
            .data_transfer()
            .and_then(|dt| dt.files())
            .and_then(|f| f.get(0))
        {
            load_file(state, file);
        }
    };
    let on_change = move |_| {
        if let Some(el) = input.get() {
            if let Some(file) = el.files().and_then(|f| f.get(0)) {
                load_file(state, file);
            }
            el.set_value("");
        }
    };
    view! {
        <section
            class="drop"
            class:over=over
            aria-labelledby="drop-title"
            on:dragover=move |ev: leptos::ev::DragEvent| {
                ev.prevent_default();
                set_over.set(true);
            }
            on:dragleave=move |_| set_over.set(false)
            on:drop=on_drop
        >
            <h2 id="drop-title" class="drop-title">"Drop a CSV or Excel file here"</h2>
            <p class="drop-sub">
                "CSV, TSV or text (any separator, decimal comma, UTF-8, UTF-16 or Latin-1), Excel .xlsx/.xls, OpenDocument .ods"
            </p>
            <div class="drop-actions">
                <button
                    type="button"
                    class="button primary"
                    id="choose-file"
                    on:click=move |_| {
                        if let Some(el) = input.get() {
                            el.click();
                        }
                    }
                >
                    "Choose a file…"
                </button>
                <input
                    id="file-input"
                    type="file"
                    accept=".csv,.tsv,.txt,.xlsx,.xls,.xlsb,.ods"
                    node_ref=input
                    on:change=on_change
                    class="hidden-input"
                    tabindex="-1"
                    aria-hidden="true"
                />
                <button type="button" class="button" id="load-example" on:click=move |_| load_example(state)>
                    "Try the example study"
                </button>
            </div>
            <p class="drop-note">"The file is read by this page only; nothing is uploaded."</p>
        </section>
    }
}

/// The page's size limit: [`BROWSER_MAX_BYTES`], or `?max-file-mb=N`.
fn max_bytes() -> u64 {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .and_then(|q| web_sys::UrlSearchParams::new_with_str(&q).ok())
        .and_then(|p| p.get("max-file-mb"))
        .and_then(|v| v.parse::<f64>().ok())
        .map_or(BROWSER_MAX_BYTES, |mb| (mb * 1024.0 * 1024.0) as u64)
}

fn finish(state: AppState, result: Result<engine_client::SessionInfo, UiError>) {
    match result {
        Ok(s) => state.load(s),
        Err(e) => state.fail(e),
    }
}

fn load_file(state: AppState, file: web_sys::File) {
    let name = file.name();
    let limit = max_bytes();
    let size = file.size() as u64;
    if size > limit {
        state
            .error
            .set(Some(engine_client::too_large(&name, size, limit)));
        return;
    }
    spawn_local(async move {
        finish(state, engine_client::open(file, limit).await);
    });
}

pub fn load_example(state: AppState) {
    spawn_local(async move {
        finish(state, engine_client::example().await);
    });
}
