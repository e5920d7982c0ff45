//! The browser UI (wasm32 only). Thin: components hold interaction state;
//! all work goes through [`engine_client`].

mod app;
mod components;
mod download;
pub mod engine_client;
mod panels;
mod state;

/// Mounts the app on the page's body.
pub fn start() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
