//! An SVG figure made by `report::figures`, with its download button.

use leptos::prelude::*;

use crate::ui::download::{download_png, download_text};

#[component]
pub fn Figure(
    svg: String,
    #[prop(into)] file_stem: String,
    #[prop(into)] id: String,
) -> impl IntoView {
    let data = svg.clone();
    let png = svg.clone();
    let png_stem = file_stem.clone();
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
                        let _ = download_png(&format!("{png_stem}.png"), &png, 300.0);
                    }
                >
                    "Download PNG (300 dpi)"
                </button>
            </div>
        </figure>
    }
}
