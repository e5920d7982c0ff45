//! The UI's only door to the engine. The engine runs in a Web Worker
//! (`src/bin/worker.rs` around [`crate::report::service`]): the file is
//! read there and the data stays there, so the page's thread only draws.
//!
//! Requests carry an id and go to the worker one at a time. A queued
//! request that a newer one of the same step replaces is dropped before it
//! runs (a stale result is never computed, let alone shown). The worker's
//! progress is in [`busy`]; [`cancel`] terminates the worker, starts a new
//! one and reloads the file that was loaded, so nothing is lost.

use std::cell::RefCell;
use std::collections::VecDeque;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::engine::data::{DatasetSpec, ImportError};
use crate::engine::matching::MatchSpec;
use crate::engine::regression::LogisticSpec;
use crate::engine::table1::Table1Spec;
use crate::engine::Diagnostic;
pub use crate::report::service::{
    capitalise, Failure as UiError, MatchView, SessionInfo, StudyView, SurvivalView,
};
use crate::report::service::{Progress, Reply, Request};
use crate::report::study::StudySettings;
use crate::report::table::ReportTable;
use crate::ui::state::Step;

/// The largest file the page reads (a browser tab has far less memory than
/// the command line; `?max-file-mb=N` in the address lowers it, for tests).
pub const BROWSER_MAX_BYTES: u64 = 400 * 1024 * 1024;

/// The worker's loader, written by Trunk (`data-loader-shim`).
const WORKER_URL: &str = "./worker_loader.js";

/// What the page shows while the engine works.
#[derive(Debug, Clone, PartialEq)]
pub struct Busy {
    /// The request ("Reading the file").
    pub label: String,
    /// Its current stage ("Reading cohort.csv").
    pub stage: String,
    pub fraction: Option<f64>,
}

/// Who asked: a step (a newer request of the same step makes an older
/// queued one stale), or `Once` (never dropped: downloads, the stability
/// check, reloads).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Step(Step),
    Once,
}

/// Where the loaded data came from, to reload it after a cancel.
#[derive(Clone)]
enum Source {
    Example,
    File {
        blob: web_sys::Blob,
        name: String,
        sheet: Option<String>,
        max_bytes: u64,
    },
}

struct Job {
    id: u64,
    channel: Channel,
    request: Request,
    file: Option<web_sys::Blob>,
    resolve: js_sys::Function,
}

struct Client {
    worker: web_sys::Worker,
    ready: bool,
    next_id: u64,
    queue: VecDeque<Job>,
    running: Option<Job>,
    /// The data the worker holds: where from, with which settings.
    loaded: Option<(Source, DatasetSpec)>,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

thread_local! {
    static CLIENT: RefCell<Option<Client>> = const { RefCell::new(None) };
    static BUSY: ArcRwSignal<Option<Busy>> = ArcRwSignal::new(None);
}

/// The engine's current work, if any (tracked).
pub fn busy() -> ArcRwSignal<Option<Busy>> {
    BUSY.with(Clone::clone)
}

fn with_client<R>(f: impl FnOnce(&mut Client) -> R) -> Option<R> {
    CLIENT.with(|c| {
        let mut c = c.borrow_mut();
        if c.is_none() {
            *c = spawn_worker().ok();
        }
        c.as_mut().map(f)
    })
}

/// The worker's script: the served `worker_loader.js`, or in the
/// single-file page (`cohortlab.html`) a Blob URL its loader made, whose
/// worker waits for its wasm as the first message.
fn spawn_worker() -> Result<Client, JsValue> {
    let global = js_sys::global();
    let inlined = js_sys::Reflect::get(&global, &"cohortlabWorkerUrl".into())
        .ok()
        .and_then(|u| u.as_string());
    let worker = web_sys::Worker::new(inlined.as_deref().unwrap_or(WORKER_URL))?;
    if inlined.is_some() {
        // A copy, so that a restarted worker gets it again.
        let wasm = js_sys::Reflect::get(&global, &"cohortlabWorkerWasm".into())?;
        worker.post_message(&wasm)?;
    }
    let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(on_message);
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(|ev: web_sys::Event| {
        ev.prevent_default();
        restart(UiError::new(
            "The analysis stopped",
            "The engine stopped unexpectedly (the tab may have run out of memory).",
            "Your file is being reloaded. Try again; for very large files, remove columns you do not need or use the `cohortlab` command-line tool.",
        ));
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    Ok(Client {
        worker,
        ready: false,
        next_id: 1,
        queue: VecDeque::new(),
        running: None,
        loaded: None,
        _on_message: on_message,
        _on_error: on_error,
    })
}

fn field(data: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(data, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
}

fn on_message(ev: web_sys::MessageEvent) {
    let data = ev.data();
    if field(&data, "ready").is_truthy() {
        with_client(|c| {
            c.ready = true;
            pump(c);
        });
        return;
    }
    let id = field(&data, "id").as_f64().unwrap_or(-1.0) as u64;
    if let Some(p) = field(&data, "progress").as_string() {
        if let Ok(p) = serde_json::from_str::<Progress>(&p) {
            let running = with_client(|c| c.running.as_ref().map(|j| j.id)).flatten();
            if running == Some(id) {
                busy().update(|b| {
                    if let Some(b) = b {
                        b.stage = p.stage;
                        b.fraction = p.fraction;
                    }
                });
            }
        }
        return;
    }
    if let Some(reply) = field(&data, "reply").as_string() {
        with_client(|c| {
            if let Some(job) = c.running.take().filter(|j| j.id == id) {
                let _ = job
                    .resolve
                    .call1(&JsValue::NULL, &JsValue::from_str(&reply));
            }
            pump(c);
        });
    }
}

/// Sends the next request that is still wanted.
fn pump(c: &mut Client) {
    if !c.ready || c.running.is_some() {
        return;
    }
    while let Some(job) = c.queue.pop_front() {
        let superseded = job.channel != Channel::Once
            && c.queue.iter().any(|later| later.channel == job.channel);
        if superseded {
            settle(&job, Err(stale()));
            continue;
        }
        let msg = js_sys::Object::new();
        let json = serde_json::to_string(&job.request).unwrap_or_default();
        let _ = js_sys::Reflect::set(&msg, &"id".into(), &JsValue::from_f64(job.id as f64));
        let _ = js_sys::Reflect::set(&msg, &"request".into(), &JsValue::from_str(&json));
        if let Some(f) = &job.file {
            let _ = js_sys::Reflect::set(&msg, &"file".into(), f);
        }
        if let Err(e) = c.worker.post_message(&msg) {
            settle(
                &job,
                Err(UiError::new(
                    "The engine could not be reached",
                    e.as_string().unwrap_or_default(),
                    "Reload the page.",
                )),
            );
            continue;
        }
        busy().set(Some(Busy {
            label: job.request.describe().to_owned(),
            stage: job.request.describe().to_owned(),
            fraction: None,
        }));
        c.running = Some(job);
        return;
    }
    busy().set(None);
}

fn settle(job: &Job, r: Result<Reply, UiError>) {
    let text = serde_json::to_string(&r).unwrap_or_default();
    let _ = job.resolve.call1(&JsValue::NULL, &JsValue::from_str(&text));
}

fn stale() -> UiError {
    UiError::new(
        "Replaced",
        "A newer request of this step replaced this one.",
        "",
    )
}

/// Stops the running analysis: terminates the worker, starts a new one and
/// reloads the data that was loaded.
pub fn cancel() {
    restart(UiError::new(
        "Stopped",
        "The analysis was stopped.",
        "Change a setting, or open the step again, to run it again.",
    ));
}

fn restart(why: UiError) {
    let loaded = CLIENT.with(|c| {
        let mut c = c.borrow_mut();
        let old = c.take()?;
        old.worker.terminate();
        for job in old.running.iter().chain(old.queue.iter()) {
            settle(job, Err(why.clone()));
        }
        // This may run inside one of the old worker's handlers: they are
        // not dropped while they may be running (two small closures per
        // restart are left behind).
        std::mem::forget(old._on_message);
        std::mem::forget(old._on_error);
        old.loaded
    });
    busy().set(None);
    if let Some((source, spec)) = loaded {
        leptos::task::spawn_local(async move {
            let reload = match &source {
                Source::Example => Request::Example,
                Source::File {
                    name,
                    sheet,
                    max_bytes,
                    ..
                } => Request::Open {
                    file_name: name.clone(),
                    sheet: sheet.clone(),
                    max_bytes: *max_bytes,
                },
            };
            if call(reload, Some(source.clone()), Channel::Once)
                .await
                .is_ok()
            {
                let _ = call(Request::ApplySpec(spec), None, Channel::Once).await;
            }
        });
    }
}

/// Sends a request and waits for its answer. `source`: where the data of an
/// `Open` or `Example` comes from (kept for a reload).
async fn call(
    request: Request,
    source: Option<Source>,
    channel: Channel,
) -> Result<Reply, UiError> {
    let file = match &source {
        Some(Source::File { blob, .. }) if matches!(request, Request::Open { .. }) => {
            Some(blob.clone())
        }
        _ => None,
    };
    let mut resolve = None;
    let promise = js_sys::Promise::new(&mut |res, _| resolve = Some(res));
    let Some(resolve) = resolve else {
        return Err(UiError::new("The engine could not be reached", "", ""));
    };
    let sheet = match &request {
        Request::ChooseSheet(s) => Some(s.clone()),
        _ => None,
    };
    let queued = with_client(|c| {
        let id = c.next_id;
        c.next_id += 1;
        c.queue.push_back(Job {
            id,
            channel,
            request,
            file,
            resolve,
        });
        pump(c);
    });
    if queued.is_none() {
        return Err(UiError::new(
            "The engine could not be started",
            "This browser did not start the page's worker.",
            "Use a current Chrome, Edge, Firefox or Safari, and open the page over http(s), not from disk.",
        ));
    }
    let text = JsFuture::from(promise)
        .await
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    let reply: Result<Reply, UiError> = serde_json::from_str(&text).unwrap_or_else(|e| {
        Err(UiError::new(
            "The engine's answer could not be read",
            e.to_string(),
            "Reload the page.",
        ))
    });
    if let Ok(Reply::Loaded(info)) = &reply {
        let spec = info.spec.clone();
        with_client(|c| match source {
            Some(s) => c.loaded = Some((s, spec)),
            None => {
                if let Some((src, kept)) = &mut c.loaded {
                    *kept = spec;
                    if let (Some(sheet), Source::File { sheet: s, .. }) = (sheet, src) {
                        *s = Some(sheet);
                    }
                }
            }
        });
    }
    reply
}

fn unexpected() -> UiError {
    UiError::new(
        "The engine's answer was not the one expected",
        "",
        "Reload the page.",
    )
}

fn loaded(r: Result<Reply, UiError>) -> Result<SessionInfo, UiError> {
    match r? {
        Reply::Loaded(info) => Ok(*info),
        _ => Err(unexpected()),
    }
}

/// Reads a file in the worker (the page never holds its bytes).
pub async fn open(file: web_sys::File, max_bytes: u64) -> Result<SessionInfo, UiError> {
    let name = file.name();
    let request = Request::Open {
        file_name: name.clone(),
        sheet: None,
        max_bytes,
    };
    let source = Source::File {
        blob: file.into(),
        name,
        sheet: None,
        max_bytes,
    };
    loaded(call(request, Some(source), Channel::Step(Step::Data)).await)
}

/// The built-in example study, with its age and Ki-67 cut and its levels
/// ordered as in the paper.
pub async fn example() -> Result<SessionInfo, UiError> {
    loaded(
        call(
            Request::Example,
            Some(Source::Example),
            Channel::Step(Step::Data),
        )
        .await,
    )
}

/// The same file with another specification.
pub async fn apply_spec(spec: DatasetSpec) -> Result<SessionInfo, UiError> {
    loaded(call(Request::ApplySpec(spec), None, Channel::Once).await)
}

/// The same workbook, another sheet (settings start afresh).
pub async fn choose_sheet(sheet: String) -> Result<SessionInfo, UiError> {
    loaded(call(Request::ChooseSheet(sheet), None, Channel::Step(Step::Data)).await)
}

/// A file over the page's size limit, refused before it is read.
pub fn too_large(file_name: &str, bytes: u64, limit: u64) -> UiError {
    let e: crate::engine::AnalysisError = ImportError::TooLarge { bytes, limit }.into();
    UiError::new(
        format!("Could not read {file_name}"),
        e.to_string(),
        &e.hint(),
    )
}

fn table(r: Result<Reply, UiError>) -> Result<(ReportTable, Vec<Diagnostic>), UiError> {
    match r? {
        Reply::Table { table, diagnostics } => Ok((table, diagnostics)),
        _ => Err(unexpected()),
    }
}

/// Table 1 with its notes.
pub async fn run_table1(spec: Table1Spec) -> Result<(ReportTable, Vec<Diagnostic>), UiError> {
    table(call(Request::Table1(spec), None, Channel::Step(Step::Table1)).await)
}

/// The univariate screen and the multivariable model of the selected
/// variables, in one table, with the model's notes.
pub async fn run_regression(
    spec: LogisticSpec,
    threshold: Option<f64>,
) -> Result<(ReportTable, Vec<Diagnostic>), UiError> {
    let r = call(
        Request::Regression { spec, threshold },
        None,
        Channel::Step(Step::Regression),
    )
    .await;
    table(r)
}

/// Matches (or takes the worker's kept matching), with balance, figures,
/// and Table 1 before and after.
pub async fn run_matching(spec: MatchSpec, table1: Table1Spec) -> Result<MatchView, UiError> {
    match call(
        Request::Matching { spec, table1 },
        None,
        Channel::Step(Step::Matching),
    )
    .await?
    {
        Reply::Matching(v) => Ok(*v),
        _ => Err(unexpected()),
    }
}

fn text(r: Result<Reply, UiError>) -> Result<String, UiError> {
    match r? {
        Reply::Text(t) => Ok(t),
        _ => Err(unexpected()),
    }
}

/// The matched patients as CSV (`match.data`), made when asked.
pub async fn matched_csv(spec: MatchSpec) -> Result<String, UiError> {
    text(call(Request::MatchedCsv(spec), None, Channel::Once).await)
}

/// The matching rerun with `runs` random orders, as a sentence.
pub async fn run_stability(
    spec: MatchSpec,
    runs: u64,
    outcome: Option<String>,
) -> Result<String, UiError> {
    let r = call(
        Request::Stability {
            spec,
            runs,
            outcome,
        },
        None,
        Channel::Once,
    )
    .await;
    text(r)
}

/// The survival step of the settings, as `cohortlab run` does it.
pub async fn run_survival(settings: StudySettings) -> Result<SurvivalView, UiError> {
    match call(
        Request::Survival(settings),
        None,
        Channel::Step(Step::Survival),
    )
    .await?
    {
        Reply::Survival(v) => Ok(*v),
        _ => Err(unexpected()),
    }
}

/// The whole study: every step, the report and its downloads, from the
/// same function `cohortlab run` calls. `channel`: the step asking.
pub async fn run_study(settings: StudySettings, channel: Channel) -> Result<StudyView, UiError> {
    match call(Request::Study(settings), None, channel).await? {
        Reply::Study(v) => Ok(*v),
        _ => Err(unexpected()),
    }
}

/// The study's report (HTML) and results (JSON), for the downloads.
pub async fn study_files(settings: StudySettings) -> Result<(String, String), UiError> {
    match call(Request::StudyFiles(settings), None, Channel::Once).await? {
        Reply::StudyFiles {
            report_html,
            results_json,
        } => Ok((report_html, results_json)),
        _ => Err(unexpected()),
    }
}

/// Whether an error only says that a newer request replaced this one.
pub fn is_stale(e: &UiError) -> bool {
    *e == stale()
}
