//! The panel side: the `window.deskLoader` API, injecting a release's files,
//! and turning what the page does with them into core events. What follows
//! from them (scripts held for stylesheets, a bundle that never registered,
//! a second registration) is the core's to decide (`core::boot`).

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Element;

use super::convert::{js_error_text, to_js};
use super::load::Page;
use super::{with_shell, Inbox};
use desk_loader_core::boot::{Attempt, Diagnosis, Event};
use desk_loader_core::manifest::{Asset, AssetKind};
use desk_loader_core::problem::Code;

/// An element's event listener: the element, the event, the closure.
type Listener = (Element, &'static str, Closure<dyn FnMut(web_sys::Event)>);

/// An attempt on the page: what it added (removed by [`Live::remove`]), and
/// where its panel stands.
pub(crate) struct Live {
    pub id: u32,
    elements: Vec<Element>,
    /// Each element's `load` and `error` listeners.
    handlers: Vec<Listener>,
    error_listener: Option<Closure<dyn FnMut(web_sys::ErrorEvent)>>,
    blob_urls: Vec<String>,
    /// The boot context its panel receives.
    context: JsValue,
    /// Aborts the context's `signal` when the attempt is removed: the
    /// panel's cue to unmount its framework's root.
    controller: Option<web_sys::AbortController>,
    /// What the bundle passed to each call of `deskLoader.register`, in
    /// order, held until the core names one in
    /// [`Action::StartPanel`](desk_loader_core::boot::Action::StartPanel).
    registered: Vec<JsValue>,
    /// From the cache: the files read and hashed, held (by their index in the
    /// attempt's files) until the core has compared their digests and says
    /// [`Action::RunCached`](desk_loader_core::boot::Action::RunCached).
    cached: Vec<(usize, js_sys::Uint8Array)>,
    /// The attempt's files and whether its scripts wait, for that moment.
    files: (Vec<Asset>, bool),
    /// Scripts only fetched so far, added on
    /// [`Action::RunScripts`](desk_loader_core::boot::Action::RunScripts).
    held: Vec<Element>,
    /// Where its files go: the document's `<head>`.
    parent: Option<Element>,
}

impl Live {
    /// Tells the panel (its `signal` aborts), then removes the attempt's
    /// elements and listeners, and revokes its `blob:` URLs.
    pub(crate) fn remove(mut self) {
        if let Some(controller) = self.controller.take() {
            // The panel's abort listeners run here, in the loader's call: a
            // throw in one is the page's (reported by the browser), not ours.
            controller.abort();
        }
        for el in self.elements.drain(..) {
            el.remove();
        }
        for url in self.blob_urls.drain(..) {
            let _ = web_sys::Url::revoke_object_url(&url);
        }
        // Every listener is taken off before its closure goes, then the
        // closure is forgotten, not dropped: the one running now (the load
        // event or the page error that led to this removal) must not be freed
        // under itself, and one whose event is already queued must not run
        // freed ("closure invoked recursively or after being dropped", a page
        // error of the loader's own). At most MAX_ATTEMPTS attempts' few
        // closures per boot.
        for (el, event, handler) in self.handlers.drain(..) {
            let _ = el.remove_event_listener_with_callback(event, handler.as_ref().unchecked_ref());
            handler.forget();
        }
        if let Some(l) = self.error_listener.take() {
            if let Some(w) = web_sys::window() {
                let _ = w.remove_event_listener_with_callback("error", l.as_ref().unchecked_ref());
            }
            l.forget();
        }
    }
}

/// Adds the attempt's scripts held back for its stylesheets (taken out of
/// the shell first: adding them is a call into the page).
pub(crate) fn run_scripts(attempt: u32) {
    let held = with_shell(|s| {
        let live = s.attempt.as_mut().filter(|l| l.id == attempt)?;
        Some((live.parent.clone()?, std::mem::take(&mut live.held)))
    })
    .flatten();
    if let Some((parent, scripts)) = held {
        for script in scripts {
            let _ = parent.append_child(&script);
        }
    }
}

/// Calls the boot function the attempt's bundle registered with the boot
/// context: a throw, a rejected promise or something else than a function is
/// the panel's failure. Called outside any borrow of the shell: the panel may
/// call `ready()` before it returns.
pub(crate) fn start_panel(attempt: u32, registration: u32, inbox: Inbox) {
    let Some((boot, context)) = with_shell(|s| {
        let live = s.attempt.as_mut().filter(|l| l.id == attempt)?;
        Some((live.registered.get(registration as usize)?.clone(), live.context.clone()))
    })
    .flatten() else {
        return;
    };
    let threw = move |detail: String| inbox.feed(Event::PanelFailed { attempt, code: Code::PanelThrew, detail });
    let Some(boot) = boot.dyn_ref::<Function>() else {
        threw("the bundle called deskLoader.register() without a function".to_owned());
        return;
    };
    match boot.call1(&JsValue::UNDEFINED, &context) {
        Err(e) => threw(format!("the panel threw during boot: {}", js_error_text(&e))),
        Ok(ret) => {
            if let Some(promise) = ret.dyn_ref::<Promise>() {
                let on_reject = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
                    threw(format!("the panel's boot promise rejected: {}", js_error_text(&e)));
                });
                let _ = promise.catch(&on_reject);
                // The promise owns the handler from here on; it runs at most once.
                on_reject.forget();
            }
        }
    }
}

/// Defines `window.deskLoader`, the API a panel bundle calls (see `docs/panel-api.md`).
pub(crate) fn install_api() {
    let Some(window) = web_sys::window() else {
        return;
    };
    // boot.js made the object first, with `settled` on it: kept, so a
    // harness's promise is the one that resolves.
    let api = Reflect::get(&window, &"deskLoader".into())
        .ok()
        .filter(|v| v.is_object())
        .unwrap_or_else(|| js_sys::Object::new().into());
    let register = Closure::<dyn Fn(JsValue)>::new(register);
    let _ = Reflect::set(&api, &"register".into(), &register.into_js_value());
    let _ = Reflect::set(&api, &"version".into(), &env!("CARGO_PKG_VERSION").into());
    // A bundled app that calls `start` itself never ran boot.js: `settled`
    // is made here, before any panel file is added, and resolves with the
    // same `desk-loader:report` event.
    if Reflect::get(&api, &"settled".into()).is_ok_and(|s| s.is_undefined()) {
        let document = window.document();
        let settled = js_sys::Promise::new(&mut |resolve, _| {
            let options = web_sys::AddEventListenerOptions::new();
            options.set_once(true);
            let on_report = Closure::once_into_js(move |e: web_sys::CustomEvent| {
                let _ = resolve.call1(&JsValue::NULL, &e.detail());
            });
            if let Some(document) = &document {
                let _ = document.add_event_listener_with_callback_and_add_event_listener_options(
                    "desk-loader:report",
                    on_report.unchecked_ref(),
                    &options,
                );
            }
        });
        let _ = Reflect::set(&api, &"settled".into(), &settled);
    }
    let _ = Reflect::set(&window, &"deskLoader".into(), &api);
}

/// `deskLoader.register(boot)`: the panel hands over its boot function, kept
/// for the attempt whose script is running (a classic script's
/// `data-desk-attempt`; a module has no `document.currentScript`, and counts
/// for the attempt on the page) with every other it registers; the core
/// names the one to start (`StartPanel`). A script of a removed attempt that
/// still runs registers nothing.
fn register(boot: JsValue) {
    let caller: Option<u32> = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.current_script())
        .and_then(|s| s.get_attribute("data-desk-attempt"))
        .and_then(|a| a.parse().ok());
    let attempt = with_shell(|s| {
        let live = s.attempt.as_mut().filter(|l| caller.is_none_or(|c| c == l.id))?;
        live.registered.push(boot);
        Some((live.id, live.registered.len() as u32 - 1))
    })
    .flatten();
    match attempt {
        Some((attempt, registration)) => Inbox::ANY.feed(Event::PanelRegistered { attempt, registration }),
        None => {
            web_sys::console::warn_1(&"desk-loader: register() called while no release is starting; ignored".into())
        }
    }
}

/// Adds the attempt's files to the page and prepares its boot context. From
/// the cache, the files are first read and hashed for the core
/// (`Event::CacheRead`); they are added as `blob:` URLs when it says
/// ([`run_cached`]).
pub(crate) fn inject(attempt: &Attempt, page: &Page, inbox: Inbox) -> Live {
    let document = web_sys::window().and_then(|w| w.document());
    let controller = web_sys::AbortController::new().ok();
    let mut live = Live {
        id: attempt.id,
        elements: Vec::new(),
        handlers: Vec::new(),
        error_listener: None,
        blob_urls: Vec::new(),
        context: context(attempt, &page.mount, controller.as_ref(), inbox),
        controller,
        registered: Vec::new(),
        cached: Vec::new(),
        files: (attempt.assets.clone(), attempt.scripts_wait),
        held: Vec::new(),
        parent: document.and_then(|d| d.head().map(Into::into).or_else(|| d.document_element())),
    };
    if !attempt.from_cache {
        let urls = attempt.assets.iter().map(|a| a.url.clone()).collect();
        add_assets(&mut live, &attempt.assets, urls, attempt.scripts_wait, false, inbox);
        return live;
    }
    let (id, assets) = (attempt.id, attempt.assets.clone());
    wasm_bindgen_futures::spawn_local(async move {
        let mut read = Vec::new();
        let mut digests = Vec::new();
        // A chunk is the browser's to fetch, when the panel imports it.
        for (index, a) in assets.iter().enumerate().filter(|(_, a)| a.kind != AssetKind::Chunk) {
            let failed = |diagnosis| Event::AssetFailed { attempt: id, url: a.url.clone(), diagnosis };
            match super::store::read_cached(&a.url).await {
                Ok(Some(bytes)) => match super::store::digest(&bytes, &a.integrity).await {
                    Ok(d) => {
                        digests.push((index, d));
                        read.push((index, bytes));
                    }
                    Err(why) => return inbox.feed(failed(Diagnosis::CacheUnreadable(why))),
                },
                Ok(None) => return inbox.feed(failed(Diagnosis::NotCached)),
                Err(why) => return inbox.feed(failed(Diagnosis::CacheUnreadable(why))),
            }
        }
        // The attempt may have ended while the cache was read.
        if with_shell(|s| s.attempt.as_mut().filter(|l| l.id == id).map(|l| l.cached = read)).flatten().is_some() {
            inbox.feed(Event::CacheRead { attempt: id, digests });
        }
    });
    live
}

/// [`Action::LookAtChunks`](desk_loader_core::boot::Action::LookAtChunks):
/// each chunk fetched again, for the core to name the one at fault.
pub(crate) fn look_at_chunks(attempt: u32, module: String, chunks: Vec<(String, String)>, inbox: Inbox) {
    wasm_bindgen_futures::spawn_local(async move {
        let mut found = Vec::new();
        for (chunk, integrity) in chunks {
            let diagnosis = super::store::diagnose(&chunk, &integrity).await;
            found.push((chunk, diagnosis));
        }
        inbox.feed(Event::ChunksLooked { attempt, module, found });
    });
}

/// [`Action::RunCached`](desk_loader_core::boot::Action::RunCached): the
/// files read from the cache, whose digests the core compared, added from
/// `blob:` URLs of their bytes.
pub(crate) fn run_cached(attempt: u32, inbox: Inbox) {
    let Some(mut live) = with_shell(|s| s.attempt.take_if(|l| l.id == attempt)).flatten() else { return };
    let (assets, scripts_wait) = live.files.clone();
    let mut urls = Vec::new();
    for (index, a) in assets.iter().enumerate() {
        let bytes = live.cached.iter().find(|(i, _)| *i == index).map(|(_, b)| b);
        // A chunk keeps its URL: the browser fetches it as the entry imports it.
        let url = match bytes.map(|b| super::store::blob_url(b, a.kind == AssetKind::Style)) {
            Some(Ok(url)) => url,
            Some(Err(why)) => {
                // The copy cannot be handed to the page: a fact for the core, which fails the file.
                with_shell(|s| s.attempt = Some(live));
                let diagnosis = Diagnosis::CacheUnreadable(why);
                return inbox.feed(Event::AssetFailed { attempt, url: a.url.clone(), diagnosis });
            }
            None => a.url.clone(),
        };
        if url.starts_with("blob:") {
            live.blob_urls.push(url.clone());
        }
        urls.push(url);
    }
    live.cached.clear();
    add_assets(&mut live, &assets, urls, scripts_wait, true, inbox);
    with_shell(|s| s.attempt = Some(live));
}

/// Creates the elements for `assets`, loading each from the matching URL;
/// with `scripts_wait`, the scripts are only preloaded and held. A file from
/// the cache (`from_cache`) that fails has nothing to fetch again.
fn add_assets(
    live: &mut Live,
    assets: &[Asset],
    urls: Vec<String>,
    scripts_wait: bool,
    from_cache: bool,
    inbox: Inbox,
) {
    let id = live.id;
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    // Errors thrown by the bundle's own top-level code surface as window errors.
    // Errors thrown by the bundle's own top-level code, or by one of its chunks.
    let script_urls: Vec<String> = assets
        .iter()
        .zip(&urls)
        .filter(|(a, _)| a.kind != AssetKind::Style)
        .map(|(_, u)| super::dom::absolute(u))
        .collect();
    let listener = Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |e: web_sys::ErrorEvent| {
        if script_urls.iter().any(|u| *u == e.filename()) {
            let detail = format!("the bundle threw while loading: {}", e.message());
            inbox.feed(Event::PanelFailed { attempt: id, code: Code::PanelThrew, detail });
        }
    });
    if let Some(w) = web_sys::window() {
        let _ = w.add_event_listener_with_callback("error", listener.as_ref().unchecked_ref());
    }
    live.error_listener = Some(listener);

    let parent = live.parent.clone();
    // What a failed module's second look checks besides the module itself.
    for (index, (asset, src)) in assets.iter().zip(urls).enumerate() {
        let made = match asset.kind {
            AssetKind::Chunk => continue,
            AssetKind::Style => document.create_element("link").inspect(|el| {
                let _ = el.set_attribute("rel", "stylesheet");
                let _ = el.set_attribute("href", &src);
            }),
            AssetKind::Script | AssetKind::Module => document.create_element("script").inspect(|el| {
                let script: &web_sys::HtmlScriptElement = el.unchecked_ref();
                if asset.kind == AssetKind::Module {
                    script.set_type("module");
                }
                script.set_async(false);
                script.set_src(&src);
            }),
        };
        let Ok(el) = made else { continue };
        if !asset.integrity.is_empty() {
            let _ = el.set_attribute("integrity", &asset.integrity);
        }
        let _ = el.set_attribute("crossorigin", "anonymous");
        let _ = el.set_attribute("data-desk-attempt", &id.to_string());
        let (url, integrity) = (asset.url.clone(), asset.integrity.clone());
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            let (url, integrity) = (url.clone(), integrity.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let diagnosis =
                    if from_cache { Diagnosis::FromCache } else { super::store::diagnose(&url, &integrity).await };
                inbox.feed(Event::AssetFailed { attempt: id, url, diagnosis });
            });
        });
        let _ = el.add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref());
        live.handlers.push((el.clone(), "error", on_error));
        let on_load = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            inbox.feed(Event::AssetLoaded { attempt: id, index });
        });
        let _ = el.add_event_listener_with_callback("load", on_load.as_ref().unchecked_ref());
        live.handlers.push((el.clone(), "load", on_load));
        if scripts_wait && asset.kind != AssetKind::Style {
            // Fetch it now, run it when the core says so.
            if let Ok(preload) = document.create_element("link") {
                let module = asset.kind == AssetKind::Module;
                let _ = preload.set_attribute("rel", if module { "modulepreload" } else { "preload" });
                if !module {
                    let _ = preload.set_attribute("as", "script");
                }
                let _ = preload.set_attribute("href", &src);
                if !asset.integrity.is_empty() {
                    let _ = preload.set_attribute("integrity", &asset.integrity);
                }
                let _ = preload.set_attribute("crossorigin", "anonymous");
                if let Some(parent) = &parent {
                    let _ = parent.append_child(&preload);
                }
                live.elements.push(preload);
            }
            live.held.push(el.clone());
        } else if let Some(parent) = &parent {
            let _ = parent.append_child(&el);
        }
        live.elements.push(el);
    }
}

/// The boot context the panel receives (see `docs/panel-api.md`): its data,
/// written by serde-wasm-bindgen, then the mount point, the attempt's abort
/// signal and the two callbacks, frozen. The data is a core value rather than a struct with
/// `#[derive(Serialize)]`: serde-wasm-bindgen's struct path for that one
/// struct weighed 2 KB gzip in the module (96,565 B against 94,595 B).
fn context(attempt: &Attempt, mount: &Element, controller: Option<&web_sys::AbortController>, inbox: Inbox) -> JsValue {
    let id = attempt.id;
    let data = desk_loader_core::value::object([
        ("attemptId", f64::from(id).into()),
        ("releaseId", attempt.release_id.as_str().into()),
        ("config", attempt.config.clone()),
        ("features", attempt.features.clone()),
    ]);
    let ctx: js_sys::Object = to_js(&data).dyn_into().unwrap_or_default();
    let set = |k: &str, v: &JsValue| {
        let _ = Reflect::set(&ctx, &k.into(), v);
    };
    set("mount", mount);
    if let Some(controller) = controller {
        set("signal", &controller.signal());
    }
    let ready = Closure::<dyn Fn()>::new(move || inbox.feed(Event::PanelReady { attempt: id }));
    set("ready", &ready.into_js_value());
    let fail = Closure::<dyn Fn(JsValue)>::new(move |reason: JsValue| {
        let reason = if reason.is_undefined() { "no reason given".to_owned() } else { js_error_text(&reason) };
        inbox.feed(Event::PanelFailed {
            attempt: id,
            code: Code::PanelFailed,
            detail: format!("the panel reported a failure: {reason}"),
        });
    });
    set("fail", &fail.into_js_value());
    let _ = js_sys::Object::freeze(&ctx);
    ctx.into()
}

/// [`Action::Look`](desk_loader_core::boot::Action::Look): the mount point,
/// after the next frame if the core says so. The measure runs in a task
/// queued from the frame's callback, so it reads the layout the frame has
/// just made rather than forcing one.
///
/// Each wait is a promise whose `resolve` is the browser's callback itself:
/// no closure of the module's is made for it.
pub(crate) fn look(attempt: u32, after_frame: bool, mount: Element, inbox: Inbox) {
    wasm_bindgen_futures::spawn_local(async move {
        let Some(window) = web_sys::window() else { return };
        if after_frame {
            let frame = Promise::new(&mut |resolve, _| {
                let _ = window.request_animation_frame(&resolve);
            });
            let _ = wasm_bindgen_futures::JsFuture::from(frame).await;
        }
        let task = Promise::new(&mut |resolve, _| {
            let _ = window.set_timeout_with_callback(&resolve);
        });
        let _ = wasm_bindgen_futures::JsFuture::from(task).await;
        inbox.feed(Event::Looked { attempt, rendered: super::dom::rendering(&mount) });
    });
}
