//! Where data comes in: drop a file, choose one, or open the example.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

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

fn finish(state: AppState, result: Result<engine_client::Session, UiError>) {
    state.busy.set(None);
    match result {
        Ok(s) => state.load(s),
        Err(e) => state.error.set(Some(e)),
    }
}

/// Lets the browser paint (the "Reading…" note) before heavy work.
async fn next_frame() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
        }
    });
    let _ = JsFuture::from(promise).await;
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
    state.busy.set(Some(name.clone()));
    spawn_local(async move {
        let bytes = JsFuture::from(file.array_buffer()).await;
        next_frame().await;
        let result = match bytes {
            Ok(buf) => {
                let bytes = js_sys::Uint8Array::new(buf.unchecked_ref()).to_vec();
                engine_client::open(&name, bytes, None, limit)
            }
            Err(_) => Err(engine_client::unreadable(&name)),
        };
        finish(state, result);
    });
}

pub fn load_example(state: AppState) {
    state.busy.set(Some("the example study".into()));
    spawn_local(async move {
        next_frame().await;
        finish(state, engine_client::example());
    });
}
