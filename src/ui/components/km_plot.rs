//! The Kaplan-Meier figure drawn by plotters on a canvas (sharp on any
//! screen), with its SVG (drawn by plotters in the worker) and 300 dpi PNG
//! (drawn here on a canvas of its own) downloads, from one layout. The canvas holds the numbers at risk as a table for screen
//! readers.

use leptos::prelude::*;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;

use crate::report::km_figure::{FontSizes, KmFigure};
use crate::report::service::KmPlotView;
use crate::ui::components::figure::download_buttons;
use crate::ui::download::save_canvas_png;

/// Draws `figure` on `canvas` at `scale` device pixels per figure pixel.
fn draw(canvas: &web_sys::HtmlCanvasElement, figure: &KmFigure, scale: f64) -> Option<()> {
    canvas.set_width((f64::from(figure.width) * scale).round() as u32);
    canvas.set_height((f64::from(figure.height) * scale).round() as u32);
    let ctx: web_sys::CanvasRenderingContext2d = canvas.get_context("2d").ok()??.dyn_into().ok()?;
    ctx.set_transform(scale, 0.0, 0.0, scale, 0.0, 0.0).ok()?;
    let mut backend = CanvasBackend::with_canvas_object(canvas.clone())?;
    figure.draw(&mut backend, FontSizes::Canvas).ok()
}

/// The figure drawn at `dpi` (its pixels taken as 96 dpi) on a canvas of
/// its own, offered as a PNG.
fn download_png(figure: &KmFigure, file_name: &str, dpi: f64) -> Option<()> {
    let document = web_sys::window()?.document()?;
    let canvas: web_sys::HtmlCanvasElement =
        document.create_element("canvas").ok()?.dyn_into().ok()?;
    draw(&canvas, figure, dpi / 96.0)?;
    save_canvas_png(&canvas, file_name)
}

#[component]
pub fn KmPlot(
    plot: KmPlotView,
    #[prop(into)] file_stem: String,
    #[prop(into)] id: String,
) -> impl IntoView {
    let KmPlotView {
        layout: figure,
        svg,
        description,
        at_risk_html,
    } = plot;
    let canvas: NodeRef<leptos::html::Canvas> = NodeRef::new();
    let shown = figure.clone();
    Effect::new(move |_| {
        if let Some(c) = canvas.get() {
            let ratio = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio().max(1.0));
            let _ = draw(&c, &shown, ratio);
        }
    });
    let width = figure.width;
    view! {
        <figure class="figure" id=id>
            <canvas
                node_ref=canvas
                class="km-canvas"
                style=format!("width: {width}px")
                role="img"
                aria-label=description
                inner_html=at_risk_html
            ></canvas>
            {download_buttons(&file_stem, svg, move |name| {
                let _ = download_png(&figure, name, 300.0);
            })}
        </figure>
    }
}
