//! A lab's Web Worker: a Trunk module worker (`lab-<slug>-worker`, built with its loader shim)
//! that runs the lab's heavy work off the page's thread. Messages are JSON strings both ways,
//! typed by the lab on both sides; the kit adds the envelope:
//!
//! - the worker posts [`FromWorker::Ready`] first, because messages posted before its module has
//!   initialised are lost, and the page sends its request only then;
//! - replies come as [`FromWorker::Reply`]; a request the worker cannot read is answered with
//!   [`FromWorker::Failed`];
//! - cancel is `terminate()`, and a [`WorkerSlot`] terminates its worker when the page goes away.

#[cfg(feature = "ui")]
use leptos::prelude::{
    on_cleanup, LocalStorage, RwSignal, Set, SetValue, StoredValue, UpdateValue,
};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent, Worker, WorkerOptions, WorkerType};

/// Worker → page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "body")]
pub enum FromWorker<R> {
    /// The worker has started and will now receive requests.
    Ready,
    Reply(R),
    Failed(String),
}

type Handler = Closure<dyn FnMut(MessageEvent)>;

/// A running worker and its message handler. Dropping it terminates the worker.
pub struct WorkerHandle {
    worker: Worker,
    _on_message: Handler,
}

impl Drop for WorkerHandle {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

fn worker_url(bin: &str) -> Result<String, JsValue> {
    let base = gloo_utils::document()
        .base_uri()?
        .unwrap_or_else(|| "/".to_string());
    Ok(web_sys::Url::new_with_base(&format!("{bin}_loader.js"), &base)?.href())
}

fn post_json<T: Serialize>(target: &impl PostMessage, value: &T) {
    if let Ok(text) = serde_json::to_string(value) {
        target.post(&JsValue::from_str(&text));
    }
}

/// Both ends of the channel post the same way.
trait PostMessage {
    fn post(&self, value: &JsValue);
}

impl PostMessage for Worker {
    fn post(&self, value: &JsValue) {
        let _ = self.post_message(value);
    }
}

impl PostMessage for DedicatedWorkerGlobalScope {
    fn post(&self, value: &JsValue) {
        let _ = self.post_message(value);
    }
}

impl WorkerHandle {
    /// Starts the worker bin `bin` (e.g. `lab-orderbook-worker`), sends `request` once it is
    /// ready, and passes every reply (or failure) to `on_message`. The handler runs until the
    /// handle is dropped.
    pub fn spawn<Req, Rep>(
        bin: &str,
        request: Req,
        mut on_message: impl FnMut(Result<Rep, String>) + 'static,
    ) -> Result<WorkerHandle, JsValue>
    where
        Req: Serialize + 'static,
        Rep: DeserializeOwned + 'static,
    {
        let opts = WorkerOptions::new();
        opts.set_type(WorkerType::Module);
        let worker = Worker::new_with_options(&worker_url(bin)?, &opts)?;
        let poster = worker.clone();
        let handler = Handler::new(move |e: MessageEvent| {
            let Some(message) = e
                .data()
                .as_string()
                .and_then(|t| serde_json::from_str::<FromWorker<Rep>>(&t).ok())
            else {
                return on_message(Err(
                    "the worker sent a message the page does not understand".into(),
                ));
            };
            match message {
                FromWorker::Ready => post_json(&poster, &request),
                FromWorker::Reply(reply) => on_message(Ok(reply)),
                FromWorker::Failed(why) => on_message(Err(why)),
            }
        });
        worker.set_onmessage(Some(handler.as_ref().unchecked_ref()));
        Ok(WorkerHandle {
            worker,
            _on_message: handler,
        })
    }
}

#[cfg(feature = "ui")]
/// The page's slot for one worker at a time: starting another, `stop()` and unmounting the page
/// terminate the one before.
#[derive(Clone, Copy)]
pub struct WorkerSlot {
    slot: StoredValue<Option<WorkerHandle>, LocalStorage>,
}

#[cfg(feature = "ui")]
impl WorkerSlot {
    /// A slot whose worker is terminated when the calling component is disposed.
    pub fn new() -> Self {
        let slot = WorkerSlot {
            slot: StoredValue::new_local(None),
        };
        on_cleanup(move || slot.stop());
        slot
    }

    pub fn set(self, handle: WorkerHandle) {
        self.stop();
        self.slot.try_set_value(Some(handle));
    }

    /// Terminates the worker, if one runs.
    pub fn stop(self) {
        let old = self.slot.try_update_value(Option::take).flatten();
        drop(old);
    }
}

#[cfg(feature = "ui")]
/// A worker job's state, as its panel shows it.
#[derive(Clone, Debug, PartialEq)]
pub enum Job<P> {
    Idle,
    Starting,
    Running(P),
    Done(P),
    Failed(String),
    Cancelled,
}

#[cfg(feature = "ui")]
impl<P> Job<P> {
    pub fn running(&self) -> bool {
        matches!(self, Job::Starting | Job::Running(_))
    }

    /// The progress so far, and whether the job is done.
    pub fn progress(&self) -> Option<(&P, bool)> {
        match self {
            Job::Running(p) => Some((p, false)),
            Job::Done(p) => Some((p, true)),
            _ => None,
        }
    }
}

/// What one reply means to a job: its progress and whether it is the last (`Some(Ok)`), a
/// failure (`Some(Err)`), or nothing (`None`: a reply to another kind of request).
pub type Progress<P> = Option<Result<(P, bool), String>>;

#[cfg(feature = "ui")]
impl WorkerSlot {
    /// Runs `request` in a fresh worker `bin` in this slot and keeps `job` up to date, reading
    /// each reply with `progress`; the worker is stopped once the job is done or has failed.
    /// If the worker cannot start, the job fails with `spawn_failed`.
    pub fn run_job<Req, Rep, P>(
        self,
        bin: &str,
        request: Req,
        job: RwSignal<Job<P>>,
        progress: fn(Rep) -> Progress<P>,
        spawn_failed: &str,
    ) where
        Req: Serialize + 'static,
        Rep: DeserializeOwned + 'static,
        P: Send + Sync + 'static,
    {
        job.set(Job::Starting);
        let spawned = WorkerHandle::spawn(bin, request, move |r: Result<Rep, String>| {
            let next = match r.map(progress) {
                Ok(Some(Ok((p, true)))) => {
                    self.stop();
                    Job::Done(p)
                }
                Ok(Some(Ok((p, false)))) => Job::Running(p),
                Ok(Some(Err(e))) | Err(e) => {
                    self.stop();
                    Job::Failed(e)
                }
                Ok(None) => return,
            };
            job.try_set(next);
        });
        match spawned {
            Ok(handle) => self.set(handle),
            Err(_) => job.set(Job::Failed(spawn_failed.to_string())),
        }
    }

    /// Stops the job's worker; the job is then cancelled.
    pub fn cancel<P: Send + Sync + 'static>(self, job: RwSignal<Job<P>>) {
        self.stop();
        job.set(Job::Cancelled);
    }
}

#[cfg(feature = "ui")]
impl Default for WorkerSlot {
    fn default() -> Self {
        Self::new()
    }
}

/// `performance.now()` of the worker (coarsened by the browser without cross-origin isolation).
pub fn now_ms() -> f64 {
    let global = js_sys::global();
    js_sys::Reflect::get(&global, &"performance".into())
        .ok()
        .and_then(|p| {
            let f = js_sys::Reflect::get(&p, &"now".into()).ok()?;
            f.dyn_into::<js_sys::Function>().ok()?.call0(&p).ok()
        })
        .and_then(|v| v.as_f64())
        .unwrap_or_else(js_sys::Date::now)
}

/// The worker's main: posts `Ready`, then hands each request to `handle` with a function that
/// posts a reply (call it as often as there is progress to report).
pub fn serve<Req, Rep>(mut handle: impl FnMut(Req, &mut dyn FnMut(Rep)) + 'static)
where
    Req: DeserializeOwned + 'static,
    Rep: Serialize + 'static,
{
    let Ok(scope) = js_sys::global().dyn_into::<DedicatedWorkerGlobalScope>() else {
        return;
    };
    let reply_to = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let request = e
            .data()
            .as_string()
            .and_then(|t| serde_json::from_str::<Req>(&t).ok());
        match request {
            Some(req) => handle(req, &mut |reply| {
                post_json(&reply_to, &FromWorker::Reply(reply));
            }),
            None => post_json(
                &reply_to,
                &FromWorker::<Rep>::Failed(
                    "the worker received a message it does not understand".into(),
                ),
            ),
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    post_json(&scope, &FromWorker::<Rep>::Ready);
}

/// For the labs' worker tests: a clock that moves 1 ms each time it is read.
#[cfg(test)]
pub fn ticking_clock() -> impl Fn() -> f64 {
    let t = std::cell::Cell::new(0.0);
    move || {
        t.set(t.get() + 1.0);
        t.get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_envelope_round_trips_as_json() {
        let ready = serde_json::to_string(&FromWorker::<u32>::Ready).unwrap();
        assert_eq!(ready, r#"{"kind":"Ready"}"#);
        let reply = serde_json::to_string(&FromWorker::Reply(7u32)).unwrap();
        assert_eq!(
            serde_json::from_str::<FromWorker<u32>>(&reply).unwrap(),
            FromWorker::Reply(7)
        );
    }
}
