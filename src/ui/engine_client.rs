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
use std::rc::Rc;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::engine::data::{DatasetSpec, ImportError};
use crate::engine::matching::MatchSpec;
use crate::engine::regression::LogisticSpec;
use crate::engine::table1::Table1Spec;
use crate::report::protocol::{self as ask, Ask, TableReply};
pub use crate::report::service::{
    capitalise, Failure, MatchView, SessionInfo, StudyView, SurvivalView,
};
use crate::report::service::{Progress, Reply, Request};
use crate::report::study::StudySettings;
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
    /// Called with the worker's reply (JSON), or with nothing when the
    /// job ended here ([`Job::outcome`] then says how).
    resolve: js_sys::Function,
    outcome: Rc<RefCell<Option<UiError>>>,
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
        restart(UiError::Failed(Failure::new(
            "The analysis stopped",
            "The engine stopped unexpectedly (the tab may have run out of memory).",
            "Your file is being reloaded. Try again; for very large files, remove columns you do not need or use the `cohortlab` command-line tool.",
        )));
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
            settle(&job, UiError::Stale);
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
                UiError::Failed(Failure::new(
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

/// Ends a job here, without a reply.
fn settle(job: &Job, why: UiError) {
    *job.outcome.borrow_mut() = Some(why);
    let _ = job.resolve.call0(&JsValue::NULL);
}

/// Stops the running analysis: terminates the worker, starts a new one and
/// reloads the data that was loaded.
pub fn cancel() {
    restart(UiError::Stopped);
}

fn restart(why: UiError) {
    let loaded = CLIENT.with(|c| {
        let mut c = c.borrow_mut();
        let old = c.take()?;
        old.worker.terminate();
        for job in old.running.iter().chain(old.queue.iter()) {
            settle(job, why.clone());
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
            let reload: Request = match &source {
                Source::Example => ask::Example.into(),
                Source::File {
                    name,
                    sheet,
                    max_bytes,
                    ..
                } => ask::Open {
                    file_name: name.clone(),
                    sheet: sheet.clone(),
                    max_bytes: *max_bytes,
                }
                .into(),
            };
            if send(reload, Some(source.clone()), Channel::Once)
                .await
                .is_ok()
            {
                let _ = call(ask::ApplySpec(spec), None, Channel::Once).await;
            }
        });
    }
}

/// Why a request has no answer to show.
#[derive(Debug, Clone, PartialEq)]
pub enum UiError {
    /// A newer request of the same step replaced it (nothing to show).
    Stale,
    /// The user stopped the analysis ([`cancel`]).
    Stopped,
    /// It failed: what was being done, what went wrong, what to do.
    Failed(Failure),
}

impl UiError {
    /// What the page shows: nothing for a replaced request.
    pub fn shown(self) -> Option<Failure> {
        match self {
            UiError::Stale => None,
            UiError::Stopped => Some(Failure::new(
                "Stopped",
                "The analysis was stopped.",
                "Change a setting, or open the step again, to run it again.",
            )),
            UiError::Failed(f) => Some(f),
        }
    }
}

impl From<Failure> for UiError {
    fn from(f: Failure) -> Self {
        UiError::Failed(f)
    }
}

/// Sends a request and waits for its answer. `source`: where the data of an
/// `Open` or `Example` comes from (kept for a reload).
async fn send(
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
        return Err(Failure::new("The engine could not be reached", "", "").into());
    };
    let sheet = match &request {
        Request::ChooseSheet(s) => Some(s.clone()),
        _ => None,
    };
    let outcome = Rc::new(RefCell::new(None));
    let queued = with_client(|c| {
        let id = c.next_id;
        c.next_id += 1;
        c.queue.push_back(Job {
            id,
            channel,
            request,
            file,
            resolve,
            outcome: outcome.clone(),
        });
        pump(c);
    });
    if queued.is_none() {
        return Err(Failure::new(
            "The engine could not be started",
            "This browser did not start the page's worker.",
            "Use a current Chrome, Edge, Firefox or Safari, and open the page over http(s), not from disk.",
        )
        .into());
    }
    let text = JsFuture::from(promise)
        .await
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    if let Some(why) = outcome.borrow_mut().take() {
        return Err(why);
    }
    let reply: Result<Reply, Failure> = serde_json::from_str(&text).unwrap_or_else(|e| {
        Err(Failure::new(
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
    reply.map_err(UiError::Failed)
}

/// Sends a request and takes the reply of its kind.
async fn call<A: Ask>(
    ask: A,
    source: Option<Source>,
    channel: Channel,
) -> Result<A::Reply, UiError> {
    let reply = send(ask.into(), source, channel).await?;
    A::take(reply).map_err(|_| {
        UiError::Failed(Failure::new(
            "The engine's answer was not the one expected",
            "",
            "Reload the page.",
        ))
    })
}

/// Reads a file in the worker (the page never holds its bytes).
pub async fn open(file: web_sys::File, max_bytes: u64) -> Result<SessionInfo, UiError> {
    let name = file.name();
    let request = ask::Open {
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
    call(request, Some(source), Channel::Step(Step::Data)).await
}

/// The built-in example study, with its age and Ki-67 cut and its levels
/// ordered as in the paper.
pub async fn example() -> Result<SessionInfo, UiError> {
    call(
        ask::Example,
        Some(Source::Example),
        Channel::Step(Step::Data),
    )
    .await
}

/// The same file with another specification.
pub async fn apply_spec(spec: DatasetSpec) -> Result<SessionInfo, UiError> {
    call(ask::ApplySpec(spec), None, Channel::Once).await
}

/// The same workbook, another sheet (settings start afresh).
pub async fn choose_sheet(sheet: String) -> Result<SessionInfo, UiError> {
    call(ask::ChooseSheet(sheet), None, Channel::Step(Step::Data)).await
}

/// A file over the page's size limit, refused before it is read.
pub fn too_large(file_name: &str, bytes: u64, limit: u64) -> Failure {
    let e: crate::engine::AnalysisError = ImportError::TooLarge { bytes, limit }.into();
    Failure::new(
        format!("Could not read {file_name}"),
        e.to_string(),
        &e.hint(),
    )
}

/// The missing values per variable (by group when one is given) and
/// their patterns. Never replaces a queued load of the Data step.
pub async fn run_missing(
    spec: crate::engine::missing::MissingSpec,
) -> Result<crate::report::protocol::MissingReply, UiError> {
    call(ask::Missing(spec), None, Channel::Once).await
}

/// Table 1 with its notes.
pub async fn run_table1(spec: Table1Spec) -> Result<TableReply, UiError> {
    call(ask::Table1(spec), None, Channel::Step(Step::Table1)).await
}

/// The univariate screen and the multivariable model of the selected
/// variables, in one table, with the model's notes.
pub async fn run_regression(
    spec: LogisticSpec,
    threshold: Option<f64>,
) -> Result<TableReply, UiError> {
    let request = ask::Regression { spec, threshold };
    call(request, None, Channel::Step(Step::Regression)).await
}

/// Matches (or takes the worker's kept matching), with balance, figures,
/// and Table 1 before and after.
pub async fn run_matching(spec: MatchSpec, table1: Table1Spec) -> Result<MatchView, UiError> {
    let request = ask::Matching { spec, table1 };
    call(request, None, Channel::Step(Step::Matching)).await
}

/// The matched patients as CSV (`match.data`), made when asked.
pub async fn matched_csv(spec: MatchSpec) -> Result<String, UiError> {
    call(ask::MatchedCsv(spec), None, Channel::Once).await
}

/// The matching rerun with `runs` random orders, as a sentence.
pub async fn run_stability(
    spec: MatchSpec,
    runs: u64,
    outcome: Option<String>,
) -> Result<String, UiError> {
    let request = ask::Stability {
        spec,
        runs,
        outcome,
    };
    call(request, None, Channel::Once).await
}

/// The survival step of the settings, as `cohortlab run` does it.
pub async fn run_survival(settings: StudySettings) -> Result<SurvivalView, UiError> {
    call(ask::Survival(settings), None, Channel::Step(Step::Survival)).await
}

/// The whole study: every step, the report and its downloads, from the
/// same function `cohortlab run` calls. `channel`: the step asking.
pub async fn run_study(settings: StudySettings, channel: Channel) -> Result<StudyView, UiError> {
    call(ask::Study(settings), None, channel).await
}

/// The study's report (HTML) and results (JSON), for the downloads.
pub async fn study_files(settings: StudySettings) -> Result<(String, String), UiError> {
    let f = call(ask::StudyFiles(settings), None, Channel::Once).await?;
    Ok((f.report_html, f.results_json))
}
