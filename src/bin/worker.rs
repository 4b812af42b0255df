//! The benchmark worker: a second Trunk bin loaded by the order book lab as a module Web Worker.
//! It posts `Ready`, then runs each requested workload in timed batches, posting progress after
//! every batch, so the page stays responsive and can cancel it (by terminating the worker).

#[path = "../labs/orderbook/bench_msg.rs"]
#[allow(dead_code)] // the page uses the rest of the shared module
mod bench_msg;

use bench_msg::{BenchReply, BenchRequest, Workload};
use wasm_bindgen::{closure::Closure, JsCast, JsValue};
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

fn post(scope: &DedicatedWorkerGlobalScope, reply: &BenchReply) {
    if let Ok(text) = serde_json::to_string(reply) {
        let _ = scope.post_message(&JsValue::from_str(&text));
    }
}

/// `performance.now()` of the worker (coarsened by the browser without cross-origin isolation).
fn now() -> f64 {
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

fn run(scope: &DedicatedWorkerGlobalScope, req: BenchRequest) {
    let batch = req.batch.clamp(1, 1_000_000);
    let ops = req.ops.min(100_000_000);
    let mut work = Workload::new(req.seed);
    let mut batch_ms = Vec::with_capacity((ops / batch + 1) as usize);
    let start = now();
    while work.done() < ops {
        let n = batch.min(ops - work.done());
        let t = now();
        work.run(n);
        let ms = now() - t;
        batch_ms.push(ms);
        post(
            scope,
            &BenchReply::Progress {
                done: work.done(),
                ops,
                batch_ms: ms,
            },
        );
    }
    post(
        scope,
        &BenchReply::Done {
            ops,
            checksum: work.checksum_hex(),
            events: work.events(),
            elapsed_ms: now() - start,
            batch_ms,
        },
    );
}

fn main() {
    let Ok(scope) = js_sys::global().dyn_into::<DedicatedWorkerGlobalScope>() else {
        return;
    };
    let reply_to = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let request = e
            .data()
            .as_string()
            .and_then(|t| serde_json::from_str::<BenchRequest>(&t).ok());
        match request {
            Some(req) => run(&reply_to, req),
            None => post(
                &reply_to,
                &BenchReply::Failed {
                    message: "the worker received a message it does not understand".into(),
                },
            ),
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post(&scope, &BenchReply::Ready);
}
