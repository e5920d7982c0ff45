//! An SVG figure made by `report::figures`, with its download button.

use leptos::prelude::*;

use crate::ui::download::{download_png, download_text};

#[component]
pub fn Figure(svg: String, file_stem: &'static str, id: &'static str) -> impl IntoView {
    let data = svg.clone();
    let png = svg.clone();
    view! {
        <figure class="figure" id=id>
            <div class="svg-holder" inner_html=svg></div>
            <div class="table-actions">
                <button
                    type="button"
                    class="button small"
                    on:click=move |_| {
                        let _ = download_text(&format!("{file_stem}.svg"), "image/svg+xml", &data);
                    }
                >
                    "Download SVG"
                </button>
                <button
                    type="button"
                    class="button small"
                    on:click=move |_| {
                        let _ = download_png(&format!("{file_stem}.png"), &png, 300.0);
                    }
                >
                    "Download PNG (300 dpi)"
                </button>
            </div>
        </figure>
    }
}
