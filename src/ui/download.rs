//! Saving and copying text from the page (no server involved: a Blob and an
//! object URL, or the clipboard).

use wasm_bindgen::JsCast;

use crate::report::filename::safe_file_name;

/// Offers `text` as a file download named `file_name`.
pub fn download_text(file_name: &str, mime: &str, text: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|_| "the browser could not make the file".to_string())?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|_| "no object URL".to_string())?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(|_| "no anchor")?
        .dyn_into()
        .map_err(|_| "no anchor")?;
    a.set_href(&url);
    // Names may come from data (a column): made safe as `cohortlab run`'s.
    a.set_download(&safe_file_name(file_name));
    a.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// Puts `text` on the clipboard (the page must have the focus).
pub fn copy_text(text: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().clipboard().write_text(text);
    }
}

/// Renders an SVG figure to a PNG at `dpi` (the SVG's pixels taken as
/// 96 dpi) and offers it for download: an image of the SVG blob drawn on a
/// canvas, all in the page.
pub fn download_png(file_name: &str, svg: &str, dpi: f64) -> Result<(), String> {
    use wasm_bindgen::closure::Closure;
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(svg));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("image/svg+xml");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|_| "the browser could not make the image".to_string())?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)
        .map_err(|_| "no object URL".to_string())?;
    let img = web_sys::HtmlImageElement::new().map_err(|_| "no image element".to_string())?;
    let scale = dpi / 96.0;
    let name = file_name.to_owned();
    let img2 = img.clone();
    let url2 = url.clone();
    let onload = Closure::once(move || {
        let _ = (|| -> Option<()> {
            let document = web_sys::window()?.document()?;
            let canvas: web_sys::HtmlCanvasElement =
                document.create_element("canvas").ok()?.dyn_into().ok()?;
            let (w, h) = (
                img2.natural_width() as f64 * scale,
                img2.natural_height() as f64 * scale,
            );
            canvas.set_width(w.round() as u32);
            canvas.set_height(h.round() as u32);
            let ctx: web_sys::CanvasRenderingContext2d =
                canvas.get_context("2d").ok()??.dyn_into().ok()?;
            ctx.set_fill_style_str("white");
            ctx.fill_rect(0.0, 0.0, w, h);
            ctx.draw_image_with_html_image_element_and_dw_and_dh(&img2, 0.0, 0.0, w, h)
                .ok()?;
            save_canvas_png(&canvas, &name)
        })();
        let _ = web_sys::Url::revoke_object_url(&url2);
    });
    img.set_onload(Some(onload.as_ref().unchecked_ref()));
    onload.forget();
    img.set_src(&url);
    Ok(())
}

/// Offers what `canvas` shows as a PNG download named `file_name`.
pub fn save_canvas_png(canvas: &web_sys::HtmlCanvasElement, file_name: &str) -> Option<()> {
    let document = web_sys::window()?.document()?;
    let png = canvas.to_data_url_with_type("image/png").ok()?;
    let a: web_sys::HtmlAnchorElement = document.create_element("a").ok()?.dyn_into().ok()?;
    a.set_href(&png);
    a.set_download(&safe_file_name(file_name));
    a.click();
    Some(())
}
