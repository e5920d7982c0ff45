//! Copy a table for Word or Excel, or download it as CSV or as an HTML
//! table that Word opens with its layout.

use leptos::prelude::*;

use crate::report::table::ReportTable;
use crate::ui::download::{copy_text, download_text};

#[component]
pub fn TableActions(table: ReportTable, file_stem: &'static str) -> impl IntoView {
    let (status, set_status) = signal(String::new());
    let tsv = table.to_tsv();
    let csv = table.to_csv();
    let html = table.to_html_document();
    view! {
        <div class="table-actions">
            <button
                type="button"
                class="button small"
                on:click=move |_| {
                    copy_text(&tsv);
                    set_status.set("Copied: paste into Word or Excel.".into());
                }
            >
                "Copy table"
            </button>
            <button
                type="button"
                class="button small"
                on:click=move |_| {
                    let msg = match download_text(&format!("{file_stem}.csv"), "text/csv", &csv) {
                        Ok(()) => format!("Saved {file_stem}.csv."),
                        Err(e) => format!("Could not save: {e}."),
                    };
                    set_status.set(msg);
                }
            >
                "Download CSV"
            </button>
            <button
                type="button"
                class="button small"
                on:click=move |_| {
                    let name = format!("{file_stem}.html");
                    let msg = match download_text(&name, "text/html", &html) {
                        Ok(()) => format!("Saved {name}: open it in Word."),
                        Err(e) => format!("Could not save: {e}."),
                    };
                    set_status.set(msg);
                }
            >
                "Word (HTML)"
            </button>
            <span class="muted" role="status">{status}</span>
        </div>
    }
}
