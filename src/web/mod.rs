//! The browser shell: carries out the core's actions and reports what happened.
//!
//! It decides nothing. [`start`] builds a [`Boot`], then [`pump`] alternates
//! between feeding queued [`Event`]s to the core and executing the
//! [`Action`]s it returns. JavaScript callbacks (script `load`/`error`, the
//! panel's `ready()`, timers) only queue events and call [`pump`]; the queue
//! makes re-entrant calls safe, and no `RefCell` borrow is held across a call
//! into JavaScript.

mod dom;
mod load;
mod panel;

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use wasm_bindgen::prelude::*;

use crate::core::boot::{Action, Boot, Event, Options};
use crate::core::value::Value;

thread_local! {
    static SHELL: RefCell<Option<Shell>> = const { RefCell::new(None) };
    static QUEUE: RefCell<VecDeque<Event>> = const { RefCell::new(VecDeque::new()) };
    static BUSY: Cell<bool> = const { Cell::new(false) };
}

/// What the shell keeps between callbacks.
struct Shell {
    boot: Boot,
    host: load::HostOptions,
    attempt: Option<panel::Live>,
}

/// Starts a boot with the host page's options (see `docs/embed.md`).
///
/// Throws only when the options themselves are unusable (no mount point);
/// everything after that ends in the panel or the error screen.
#[wasm_bindgen]
pub fn start(options: JsValue) -> Result<(), JsValue> {
    console_error_panic_hook::set_once();
    let host = load::HostOptions::read(&options).map_err(|e| JsValue::from(js_sys::Error::new(&e)))?;
    panel::install_api();
    let mut boot = Boot::new(Options { ready_deadline_ms: host.ready_deadline_ms, config_sources: host.config.len() });
    boot.start(now());
    let previous = SHELL.with(|s| s.borrow_mut().replace(Shell { boot, host, attempt: None }));
    if let Some(mut old) = previous {
        if let Some(live) = old.attempt.take() {
            live.remove();
        }
    }
    QUEUE.with(|q| q.borrow_mut().clear());
    pump();
    Ok(())
}

/// Checks a release against a configuration, exactly like the CLI's
/// `desk-loader check`: returns `{release, bootable, problems}`. For test
/// harnesses and host pages that want to validate before starting.
///
/// `manifest` and `config` are objects (already parsed JSON). Throws when the
/// manifest has no such release or the objects cannot be read.
#[wasm_bindgen]
pub fn check(manifest: JsValue, config: JsValue, release: Option<String>) -> Result<JsValue, JsValue> {
    let fail = |e: String| JsValue::from(js_sys::Error::new(&e));
    let manifest = load::from_js(manifest).map_err(|e| fail(format!("manifest: {e:?}")))?;
    let config = load::from_js(config).map_err(|e| fail(format!("configuration: {e:?}")))?;
    let outcome = crate::core::check::check(&manifest, &config, release.as_deref()).map_err(fail)?;
    Ok(load::to_js(&outcome.to_value()))
}

/// Queues an event for the core and processes it.
pub(crate) fn feed(event: Event) {
    QUEUE.with(|q| q.borrow_mut().push_back(event));
    pump();
}

/// Feeds queued events and executes actions until both are exhausted.
fn pump() {
    if BUSY.with(|b| b.replace(true)) {
        return;
    }
    loop {
        if let Some(event) = QUEUE.with(|q| q.borrow_mut().pop_front()) {
            with_shell(|s| s.boot.handle(event, now()));
        }
        match with_shell(|s| s.boot.next_action()).flatten() {
            Some(action) => execute(action),
            None if QUEUE.with(|q| q.borrow().is_empty()) => break,
            None => {}
        }
    }
    BUSY.with(|b| b.set(false));
}

fn with_shell<R>(f: impl FnOnce(&mut Shell) -> R) -> Option<R> {
    SHELL.with(|s| s.borrow_mut().as_mut().map(f))
}

fn execute(action: Action) {
    let Some(host) = with_shell(|s| s.host.clone()) else {
        return;
    };
    match action {
        Action::SetState(state) => dom::set_state(&host.mount, state),
        Action::Load(doc) => load::spawn(doc, &host),
        Action::Inject(attempt) => {
            let live = panel::inject(&attempt, &host);
            let old = with_shell(|s| s.attempt.replace(live)).flatten();
            if let Some(old) = old {
                old.remove();
            }
        }
        Action::Remove { attempt } => {
            let live = with_shell(|s| s.attempt.take_if(|l| l.id == attempt)).flatten();
            if let Some(live) = live {
                live.remove();
                dom::show_loading(&host.mount);
            }
        }
        Action::StartTimer { attempt, at_ms } => {
            let delay = (at_ms - now()).max(0.0);
            with_shell(|s| {
                if let Some(live) = s.attempt.as_mut().filter(|l| l.id == attempt) {
                    live.set_deadline(delay);
                }
            });
        }
        Action::StoreRecord(record) => store_record(&record),
        Action::ShowError(failure) => dom::show_error(&host.mount, &failure),
        Action::Report(report) => send_report(&report, &host),
    }
}

/// The key under which the last release that worked is remembered.
const RECORD_KEY: &str = "desk-loader:known-good";

fn store_record(record: &Value) {
    // Storage may be absent, disabled or full: then the loader just remembers less.
    let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten());
    if let Some(storage) = storage {
        let _ = storage.set_item(RECORD_KEY, &record.to_json());
    }
}

fn send_report(report: &Value, host: &load::HostOptions) {
    let text = report.to_json();
    let outcome = report.get("outcome").and_then(Value::as_str).unwrap_or("?");
    web_sys::console::group_collapsed_1(&format!("desk-loader: {outcome}").into());
    web_sys::console::log_1(&text.as_str().into());
    web_sys::console::group_end();
    if let (Some(url), Some(window)) = (&host.report_url, web_sys::window()) {
        let _ = window.navigator().send_beacon_with_opt_str(url, Some(&text));
    }
}

/// Milliseconds since the page's time origin.
fn now() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}
