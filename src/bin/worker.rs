//! The engine's Web Worker (built by Trunk for wasm32, `data-type="worker"`):
//! only the message glue around [`cohortlab::report::service::Service`].
//! A message `{id, request, file?}` is answered by `{id, progress}` messages
//! while it runs and one `{id, reply}`; `{ready: true}` says the worker has
//! started. Requests and replies are JSON; the file is read here, so its
//! bytes never pass through the page's thread.

#[cfg(target_arch = "wasm32")]
mod glue {
    use std::cell::RefCell;

    use cohortlab::report::service::{Failure, Progress, Request, Service};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;

    thread_local! {
        static SERVICE: RefCell<Service> = RefCell::new(Service::new());
    }

    fn scope() -> web_sys::DedicatedWorkerGlobalScope {
        js_sys::global().unchecked_into()
    }

    fn post(id: Option<f64>, key: &str, text: &str) {
        let msg = js_sys::Object::new();
        if let Some(id) = id {
            let _ = js_sys::Reflect::set(&msg, &"id".into(), &JsValue::from_f64(id));
        }
        let _ = js_sys::Reflect::set(&msg, &key.into(), &JsValue::from_str(text));
        let _ = scope().post_message(&msg);
    }

    fn read_file(file: &JsValue) -> Result<Vec<u8>, Failure> {
        let blob: &web_sys::Blob = file.unchecked_ref();
        let reader = web_sys::FileReaderSync::new().map_err(|_| unreadable())?;
        let buf = reader
            .read_as_array_buffer(blob)
            .map_err(|_| unreadable())?;
        Ok(js_sys::Uint8Array::new(&buf).to_vec())
    }

    fn unreadable() -> Failure {
        Failure::new(
            "Could not read the file",
            "The browser could not read the file.",
            "Check that the file is not open and locked by another program, then try again.",
        )
    }

    fn on_message(ev: web_sys::MessageEvent) {
        let data = ev.data();
        let get = |k: &str| js_sys::Reflect::get(&data, &k.into()).unwrap_or(JsValue::UNDEFINED);
        let id = get("id").as_f64();
        let request = get("request").as_string().unwrap_or_default();
        let file = get("file");
        let reply = (|| {
            let request: Request = serde_json::from_str(&request).map_err(|e| {
                Failure::new(
                    "The request could not be read",
                    e.to_string(),
                    "Reload the page.",
                )
            })?;
            let bytes = if file.is_undefined() {
                None
            } else {
                Some(read_file(&file)?)
            };
            // At most ten progress messages a second, besides each new stage.
            let mut last = (String::new(), 0.0);
            let mut progress = |p: Progress| {
                let now = js_sys::Date::now();
                if p.stage != last.0 || now - last.1 > 100.0 {
                    last = (p.stage.clone(), now);
                    post(
                        id,
                        "progress",
                        &serde_json::to_string(&p).unwrap_or_default(),
                    );
                }
            };
            SERVICE.with(|s| s.borrow_mut().handle(request, bytes, &mut progress))
        })();
        post(
            id,
            "reply",
            &serde_json::to_string(&reply).unwrap_or_default(),
        );
    }

    pub fn start() {
        console_error_panic_hook::set_once();
        let handler = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(on_message);
        scope().set_onmessage(Some(handler.as_ref().unchecked_ref()));
        handler.forget();
        post(None, "ready", "true");
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {
    glue::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("The engine's worker runs in the browser: see README.md (`scripts/serve.sh`).");
    std::process::exit(2);
}
