//! An SVG figure made by `report::figures`, with its download buttons.

use leptos::prelude::*;

use crate::ui::download::{download_png, download_text};

#[component]
pub fn Figure(
    svg: String,
    #[prop(into)] file_stem: String,
    #[prop(into)] id: String,
) -> impl IntoView {
    let png = svg.clone();
    view! {
        <figure class="figure" id=id>
            <div class="svg-holder" inner_html=svg.clone()></div>
            {download_buttons(&file_stem, svg, move |name| {
                let _ = download_png(name, &png, 300.0);
            })}
        </figure>
    }
}

/// A figure's downloads: its SVG as it is, and a 300 dpi PNG that `png`
/// makes and offers under the name it is given.
pub fn download_buttons(
    file_stem: &str,
    svg: String,
    png: impl Fn(&str) + 'static,
) -> impl IntoView {
    let svg_name = format!("{file_stem}.svg");
    let png_name = format!("{file_stem}.png");
    view! {
        <div class="table-actions">
            <button
                type="button"
                class="button small"
                on:click=move |_| {
                    let _ = download_text(&svg_name, "image/svg+xml", &svg);
                }
            >
                "Download SVG"
            </button>
            <button type="button" class="button small" on:click=move |_| png(&png_name)>
                "Download PNG (300 dpi)"
            </button>
        </div>
    }
}
