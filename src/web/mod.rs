//! The browser shell: carries out the core's actions and reports what happened.
//!
//! It decides nothing. [`start`] builds a [`Boot`], then [`pump`] alternates
//! between feeding queued [`Event`]s to the core and executing the
//! [`Action`]s it returns. JavaScript callbacks (script `load`/`error`, the
//! panel's `ready()`, the timer, visibility) hold an [`Inbox`]: they only
//! queue events and call [`pump`]; the queue makes re-entrant calls safe, and
//! no `RefCell` borrow is held across a call into JavaScript. Two
//! thread-locals hold everything: the [`Shell`] and the inbox's queue.

mod bridge;
mod convert;
mod dom;
mod load;
mod panel;
mod store;

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use gloo_timers::callback::Timeout;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use desk_loader_core::boot::{Action, Boot, Doc, Event, Start};
use desk_loader_core::value::Value;

thread_local! {
    static SHELL: RefCell<Option<Shell>> = const { RefCell::new(None) };
    static QUEUE: RefCell<Queue> = const { RefCell::new(Queue { events: VecDeque::new(), busy: false }) };
}

/// Events waiting for the core, and whether [`pump`] is running.
struct Queue {
    events: VecDeque<Event>,
    busy: bool,
}

/// What the shell keeps between callbacks.
struct Shell {
    boot: Boot,
    /// Shared, so that each action takes a reference, not a copy.
    page: Rc<load::Page>,
    attempt: Option<panel::Live>,
    /// The requests in flight, each with what aborts it: a document's fetch
    /// ([`Action::Abort`]) or, without a document, the report's post
    /// ([`Action::AbortReport`]).
    requests: Vec<(Option<Doc>, web_sys::AbortController)>,
    /// The options `start` was given, for the error screen's Retry.
    options: JsValue,
    /// The one timer, for the time [`Boot::poll_timeout`] gave.
    timer: Option<(f64, Timeout)>,
    /// The observer that tells the core when the mount point empties.
    _guard: Option<dom::Guard>,
    /// Which boot of the page this is, from 1: callbacks of an earlier one are dropped ([`Inbox`]).
    boot_number: u32,
}

/// The handle a callback holds to tell the core what happened: the event
/// joins the queue, and [`pump`] runs unless it is running already. A
/// callback of one boot (a fetch, the report's post, the cache) holds that
/// boot's inbox: when the page has started another boot since (Try again, a
/// recheck), what it says is not this boot's, and is dropped. The page's own
/// listeners (visibility, CSP, `register()`, the timer) hold [`Inbox::ANY`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct Inbox {
    /// The boot the callback belongs to; 0 for any.
    boot: u32,
}

impl Inbox {
    /// The inbox of whatever boot is running.
    pub(crate) const ANY: Inbox = Inbox { boot: 0 };

    /// Queues an event for the core and processes it.
    pub(crate) fn feed(self, event: Event) {
        if self.boot != 0 && with_shell(|s| s.boot_number) != Some(self.boot) {
            return;
        }
        QUEUE.with(|q| q.borrow_mut().events.push_back(event));
        pump();
    }

    /// A request of this boot ended (answered, or failed): what would abort
    /// it is let go.
    pub(crate) fn settled(self, request: Option<Doc>) {
        if with_shell(|s| s.boot_number) == Some(self.boot) {
            drop(take_request(request));
        }
    }
}

/// Starts a boot with the host page's options (see `docs/embed.md`).
///
/// Throws only when the options themselves are unusable (no mount point);
/// everything after that ends in the panel or the error screen. Calling it
/// again (the error screen's Retry does) replaces the previous boot.
#[wasm_bindgen]
pub fn start(options: JsValue) -> Result<(), JsValue> {
    begin(options, None)
}

fn begin(options: JsValue, recovering: Option<desk_loader_core::boot::Recovering>) -> Result<(), JsValue> {
    console_error_panic_hook::set_once();
    let (mut page, mut settings, problems) =
        load::Page::read(&options).map_err(|e| JsValue::from(js_sys::Error::new(&e)))?;
    // Retry starts again on a mount point that shows the error screen: keep
    // the page's own loading state from the first start.
    let first = SHELL.with(|s| s.borrow().is_none());
    if page.loading.is_none() {
        page.loading = with_shell(|s| s.page.loading.clone()).flatten();
    }
    panel::install_api();
    if first {
        watch_visibility();
        watch_csp();
    }
    let guard = dom::watch_for_empty_mount(&page.mount, Inbox::ANY);
    // What only the page knows: the desk's stored id, its import maps, the worker that controls it.
    if settings.desk_id.is_empty() {
        settings.desk_id = store::desk_id();
    }
    settings.import_map_integrity = Some(desk_loader_core::options::import_map_integrity(&dom::import_maps()));
    settings.controller = settings.service_worker.as_deref().and_then(store::controller);
    settings.parse_number = convert::number;
    let mut boot = Boot::new(settings);
    // What the options' problems say goes in the report; the page's developer sees it at once.
    for p in &problems {
        web_sys::console::warn_1(&format!("desk-loader: {}", p.message).into());
    }
    let navigator = web_sys::window().map(|w| w.navigator());
    let languages =
        navigator.as_ref().map(|n| n.languages().iter().filter_map(|l| l.as_string()).collect()).unwrap_or_default();
    let user_agent = navigator.and_then(|n| n.user_agent().ok()).unwrap_or_default();
    // Attempt ids go on from the previous boot's: its late events name none of this one's.
    let first_attempt = with_shell(|s| s.boot.next_attempt()).unwrap_or(1);
    boot.start(Start {
        now_ms: now(),
        wall_ms: js_sys::Date::now(),
        hidden: hidden(),
        languages,
        user_agent,
        boot_id: boot_id(),
        seed: random_u64(),
        recovering,
        problems,
        first_attempt,
        mount_empty: dom::is_empty(&page.mount),
    });
    let boot_number = with_shell(|s| s.boot_number).unwrap_or(0) + 1;
    let shell = Shell {
        boot,
        page: Rc::new(page),
        attempt: None,
        requests: Vec::new(),
        options,
        timer: None,
        _guard: guard,
        boot_number,
    };
    // The previous boot's attempt, requests, timer and observer go with it:
    // its requests are aborted (a failed boot's summary is kept in the record
    // before its report is sent, and goes out with the next report).
    if let Some(mut old) = SHELL.with(|s| s.borrow_mut().replace(shell)) {
        for (_, controller) in old.requests.drain(..) {
            controller.abort();
        }
        if let Some(live) = old.attempt.take() {
            live.remove();
        }
    }
    QUEUE.with(|q| q.borrow_mut().events.clear());
    pump();
    Ok(())
}

/// Checks a release against a configuration, exactly like the CLI's
/// `desk-loader check`: returns `{release, bootable, problems}`. For test
/// harnesses and host pages that want to validate before starting.
///
/// `manifest` and `config` are each JSON text (read as the boot reads a
/// fetched document, and fastest) or an object (already parsed JSON). Throws
/// when the manifest has no such release or a document cannot be read.
#[wasm_bindgen]
pub fn check(manifest: JsValue, config: JsValue, release: Option<String>) -> Result<JsValue, JsValue> {
    let fail = |e: String| JsValue::from(js_sys::Error::new(&e));
    let read = |js: JsValue| match js.as_string() {
        Some(text) => convert::parse(&text),
        None => convert::from_js(js),
    };
    let manifest = read(manifest).map_err(|e| fail(format!("manifest: {}", e.text())))?;
    let config = read(config).map_err(|e| fail(format!("configuration: {}", e.text())))?;
    let outcome = desk_loader_core::check::check(manifest, config, release.as_deref()).map_err(fail)?;
    Ok(convert::to_js(&outcome.to_value()))
}

/// Feeds queued events and executes actions until both are exhausted, then
/// sets the one timer to the time the core asks for.
fn pump() {
    if QUEUE.with(|q| std::mem::replace(&mut q.borrow_mut().busy, true)) {
        return;
    }
    loop {
        if let Some(event) = QUEUE.with(|q| q.borrow_mut().events.pop_front()) {
            with_shell(|s| s.boot.handle(event, now()));
        }
        match with_shell(|s| s.boot.next_action()).flatten() {
            Some(action) => execute(action),
            None if QUEUE.with(|q| q.borrow().events.is_empty()) => break,
            None => {}
        }
    }
    set_timer();
    QUEUE.with(|q| q.borrow_mut().busy = false);
}

fn with_shell<R>(f: impl FnOnce(&mut Shell) -> R) -> Option<R> {
    SHELL.with(|s| s.borrow_mut().as_mut().map(f))
}

/// Keeps the shell's one timer at [`Boot::poll_timeout`]: unchanged if it
/// already is, dropped (which clears it) when the core needs none. When it
/// fires, the core hears [`Event::Timeout`]; a browser timer that fires a
/// little early is set again. `setTimeout` and `clearTimeout` are called
/// outside any borrow of the shell.
fn set_timer() {
    let Some((due, armed)) = with_shell(|s| (s.boot.poll_timeout(), s.timer.as_ref().map(|(at, _)| *at))) else {
        return;
    };
    if armed == due {
        return;
    }
    let timer = due.map(|at| {
        let delay = (at - now()).clamp(0.0, 2e9).ceil() as u32;
        let timeout = Timeout::new(delay, || {
            let fired = with_shell(|s| s.timer.take());
            drop(fired);
            Inbox::ANY.feed(Event::Timeout);
        });
        (at, timeout)
    });
    let replaced = with_shell(|s| std::mem::replace(&mut s.timer, timer));
    drop(replaced);
}

// `execute` is inlined into `pump`, and V8 compiles a wasm function whole on
// its first call: what runs only after ready or on failure (the report, the
// record, the cache, the error screen) stays out of line, so a boot that
// does not need it does not compile it.
fn execute(action: Action) {
    let Some((page, boot)) = with_shell(|s| (s.page.clone(), s.boot_number)) else { return };
    let inbox = Inbox { boot };
    match action {
        Action::SetState(status) => {
            dom::set_state(&page.mount, &status, &convert::to_js(&status.to_value()));
            bridge::post(&status.bridge_message());
        }
        Action::Measure { name, start_ms, end_ms } => dom::measure(name, start_ms, end_ms),
        Action::Load(Doc::Record) => inbox.feed(store::read_record()),
        Action::Load(doc) => {
            let source = with_shell(|s| s.boot.source(doc).cloned()).flatten();
            load::read(doc, source.as_ref(), &page, inbox);
        }
        Action::Fetch { doc, url, revalidate } => load::fetch(doc, url, revalidate, in_flight(Some(doc)), inbox),
        Action::Abort(doc) => abort(Some(doc)),
        Action::Inject(attempt) => {
            let live = panel::inject(&attempt, &page, inbox);
            if let Some(old) = with_shell(|s| s.attempt.replace(live)).flatten() {
                old.remove();
            }
        }
        Action::RunCached { attempt } => panel::run_cached(attempt, inbox),
        Action::LookAtChunks { attempt, module, chunks } => panel::look_at_chunks(attempt, module, chunks, inbox),
        Action::RunScripts { attempt } => panel::run_scripts(attempt),
        Action::Look { attempt, after_frame } => panel::look(attempt, after_frame, page.mount.clone(), inbox),
        Action::StartPanel { attempt, registration } => panel::start_panel(attempt, registration, inbox),
        Action::Remove { attempt } => {
            if let Some(live) = with_shell(|s| s.attempt.take_if(|l| l.id == attempt)).flatten() {
                live.remove();
            }
        }
        Action::UpdateRecord(update) => store::update_record(update),
        Action::CacheAssets { release, assets } => store::cache_assets(release, assets, inbox),
        Action::RegisterWorker(url) => store::register_worker(&url),
        Action::ShowLoading => dom::show_loading(&page),
        Action::ShowError(screen) => dom::show_error(&page.mount, &screen, retry),
        Action::Recheck(recovering) => restart(Some(recovering)),
        Action::Report { report, body, content_type, to } => send_report(&report, body, content_type, to, &page, inbox),
        Action::AbortReport => abort(None),
    }
}

/// A request starts: the signal that aborts it, kept until the core says
/// [`Action::Abort`] (a document, `Some`) or [`Action::AbortReport`] (`None`).
fn in_flight(request: Option<Doc>) -> Option<web_sys::AbortSignal> {
    let controller = web_sys::AbortController::new().ok()?;
    let signal = controller.signal();
    with_shell(|s| s.requests.push((request, controller)));
    Some(signal)
}

/// Aborts a request the core gave up on (its time ran out); its answer, if
/// one comes, is ignored by the core.
fn abort(request: Option<Doc>) {
    if let Some(controller) = take_request(request) {
        controller.abort();
    }
}

/// What aborts a request in flight, taken off the list.
fn take_request(request: Option<Doc>) -> Option<web_sys::AbortController> {
    with_shell(|s| s.requests.iter().position(|(r, _)| *r == request).map(|i| s.requests.swap_remove(i).1)).flatten()
}

fn hidden() -> bool {
    web_sys::window().and_then(|w| w.document()).is_some_and(|d| d.hidden())
}

/// Tells the core when the page is hidden or shown, so deadlines pause.
/// Once per page: the listener outlives every boot.
fn watch_visibility() {
    let cb = Closure::<dyn FnMut()>::new(|| Inbox::ANY.feed(Event::Visibility { hidden: hidden() })).into_js_value();
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        let _ = doc.add_event_listener_with_callback("visibilitychange", cb.unchecked_ref());
    }
}

/// The error screen's Retry: the core answers with [`Action::Recheck`].
fn retry() {
    Inbox::ANY.feed(Event::Retry);
}

/// The same boot again, in the same page: the screen's Retry, or a recheck
/// the core asked for (`core::boot::Recovering`), which keeps the error
/// screen up while it reads. Not from inside `pump`'s borrow: queued.
fn restart(recovering: Option<desk_loader_core::boot::Recovering>) {
    let Some(options) = with_shell(|s| s.options.clone()) else { return };
    wasm_bindgen_futures::spawn_local(async move {
        if let Err(e) = begin(options, recovering) {
            web_sys::console::error_1(&e);
        }
    });
}

/// Reports Content Security Policy violations to the core by directive.
/// Once per page: the listener outlives every boot.
fn watch_csp() {
    let cb = Closure::<dyn FnMut(web_sys::Event)>::new(|e: web_sys::Event| {
        let get = |k: &str| js_sys::Reflect::get(&e, &k.into()).ok().and_then(|v| v.as_string()).unwrap_or_default();
        Inbox::ANY.feed(Event::CspViolation { directive: get("effectiveDirective"), blocked: get("blockedURI") });
    })
    .into_js_value();
    if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
        let _ = doc.add_event_listener_with_callback("securitypolicyviolation", cb.unchecked_ref());
    }
}

/// Logs the report in one console group, posts `body` to the report
/// endpoint `to` and tells the core whether it was delivered, and gives the
/// report to a native bridge.
///
/// The post is a plain `fetch`, which the core has aborted after
/// `reportTimeoutMs` ([`Action::AbortReport`]): never
/// `sendBeacon` nor `keepalive`, whose requests outlive the page. A report
/// endpoint that hangs then holds one connection for a few seconds, and
/// none past a reload; with beacons, over HTTP/1.1 on the page's origin,
/// each reload's beacon held one of the browser's six connections, and the
/// seventh reload's page waited behind them. A failed boot's report that
/// is not delivered (or whose page closed first) is kept in the record and
/// sent again with the next report (`docs/report.md`).
#[inline(never)]
fn send_report(
    report: &Value,
    body: String,
    content_type: &'static str,
    to: Option<String>,
    page: &load::Page,
    inbox: Inbox,
) {
    let outcome = report.get("outcome").and_then(Value::as_str).unwrap_or("?");
    let release = report.get("release").and_then(Value::as_str).unwrap_or("no release");
    web_sys::console::group_collapsed_1(&format!("desk-loader: {outcome} ({release})").into());
    web_sys::console::log_1(&report.to_json().into());
    web_sys::console::group_end();
    if let Some(url) = to {
        let signal = in_flight(None);
        wasm_bindgen_futures::spawn_local(async move {
            let sent = gloo_net::http::Request::post(&url)
                .header("Content-Type", content_type)
                .abort_signal(signal.as_ref())
                .body(body);
            let answer = match sent {
                Ok(request) => request.send().await.ok(),
                Err(_) => None,
            };
            inbox.settled(None);
            inbox.feed(Event::ReportSent { delivered: answer.is_some_and(|r| r.ok()) });
        });
    }
    bridge::post(&desk_loader_core::report::bridge_message(report));
    // `deskLoader.settled` (set up by boot.js) resolves with the first one.
    dom::announce(&page.mount, "desk-loader:report", &convert::to_js(report));
}

/// A random id for this boot: 16 hex digits from `crypto.getRandomValues`
/// (`Math.random` where there is no WebCrypto).
fn boot_id() -> String {
    let mut id = String::with_capacity(16);
    desk_loader_core::value::push_hex(&mut id, random_u64(), 16);
    id
}

/// 64 random bits: WebCrypto's, else `Math.random`'s. The shell draws every
/// random number the loader uses (boot ids, the desk's id, the rechecks'
/// seed); the core draws none.
pub(crate) fn random_u64() -> u64 {
    let mut bytes = [0u8; 8];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
    if !filled {
        for b in &mut bytes {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    u64::from_be_bytes(bytes)
}

/// Milliseconds since the page's time origin.
fn now() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}
