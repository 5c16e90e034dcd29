//! The panel side: the `window.deskLoader` API, injecting a release's files,
//! and turning what the page does with them into core events.

use std::cell::RefCell;

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Element;

use super::feed;
use super::load::{js_error_text, to_js, HostOptions};
use crate::core::boot::{Attempt, Event};
use crate::core::manifest::AssetKind;
use crate::core::problem::Code;

/// The attempt waiting for its panel to call `deskLoader.register`.
struct Pending {
    attempt: u32,
    context: JsValue,
    scripts_left: usize,
    registered: bool,
}

thread_local! {
    static PENDING: RefCell<Option<Pending>> = const { RefCell::new(None) };
}

/// An attempt's footprint on the page, removed by [`Live::remove`].
pub(crate) struct Live {
    pub id: u32,
    elements: Vec<Element>,
    handlers: Vec<Closure<dyn FnMut(web_sys::Event)>>,
    error_listener: Option<Closure<dyn FnMut(web_sys::ErrorEvent)>>,
    timer: Option<(i32, Closure<dyn FnMut()>)>,
}

impl Live {
    /// Arms the ready deadline, `delay_ms` from now.
    pub(crate) fn set_deadline(&mut self, delay_ms: f64) {
        let attempt = self.id;
        let cb = Closure::<dyn FnMut()>::new(move || feed(Event::TimerFired { attempt }));
        let handle = web_sys::window().and_then(|w| {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(
                cb.as_ref().unchecked_ref(),
                delay_ms.min(2e9) as i32,
            )
            .ok()
        });
        if let Some(old) = self.timer.take() {
            clear_timeout(old.0);
        }
        if let Some(h) = handle {
            self.timer = Some((h, cb));
        }
    }

    /// Removes the attempt's elements, listeners and timer.
    pub(crate) fn remove(mut self) {
        PENDING.with(|p| p.borrow_mut().take_if(|p| p.attempt == self.id));
        for el in self.elements.drain(..) {
            el.remove();
        }
        if let Some((h, _)) = self.timer.take() {
            clear_timeout(h);
        }
        if let (Some(l), Some(w)) = (self.error_listener.take(), web_sys::window()) {
            let _ = w.remove_event_listener_with_callback("error", l.as_ref().unchecked_ref());
        }
    }
}

fn clear_timeout(handle: i32) {
    if let Some(w) = web_sys::window() {
        w.clear_timeout_with_handle(handle);
    }
}

/// Defines `window.deskLoader`, the API a panel bundle calls (see `docs/panel-api.md`).
pub(crate) fn install_api() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let api = js_sys::Object::new();
    let register = Closure::<dyn Fn(JsValue)>::new(register);
    let _ = Reflect::set(&api, &"register".into(), &register.into_js_value());
    let _ = Reflect::set(&api, &"version".into(), &env!("CARGO_PKG_VERSION").into());
    let _ = Reflect::set(&window, &"deskLoader".into(), &api);
}

/// `deskLoader.register(boot)`: the panel hands over its boot function.
fn register(boot: JsValue) {
    let claimed = PENDING.with(|p| {
        let mut p = p.borrow_mut();
        let p = p.as_mut().filter(|p| !p.registered)?;
        p.registered = true;
        Some((p.attempt, p.context.clone()))
    });
    let Some((attempt, context)) = claimed else {
        web_sys::console::warn_1(&"desk-loader: register() called while no release is starting; ignored".into());
        return;
    };
    let threw = move |detail: String| feed(Event::AttemptFailed { attempt, code: Code::PanelThrew, detail });
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

/// Adds the attempt's files to the page and prepares its boot context.
pub(crate) fn inject(attempt: &Attempt, host: &HostOptions) -> Live {
    let mut live =
        Live { id: attempt.id, elements: Vec::new(), handlers: Vec::new(), error_listener: None, timer: None };
    let id = attempt.id;
    let fail = move |code: Code, detail: String| feed(Event::AttemptFailed { attempt: id, code, detail });
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        fail(Code::BundleLoadFailed, "no document to add the bundle to".to_owned());
        return live;
    };
    let context = context(attempt, &host.mount);
    let scripts = attempt.assets.iter().filter(|a| a.kind != AssetKind::Style).count();
    PENDING
        .with(|p| *p.borrow_mut() = Some(Pending { attempt: id, context, scripts_left: scripts, registered: false }));

    // Errors thrown by the bundle's own top-level code surface as window errors.
    let script_urls: Vec<String> =
        attempt.assets.iter().filter(|a| a.kind != AssetKind::Style).map(|a| absolute(&a.url)).collect();
    let listener = Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |e: web_sys::ErrorEvent| {
        if script_urls.iter().any(|u| *u == e.filename()) {
            fail(Code::PanelThrew, format!("the bundle threw while loading: {}", e.message()));
        }
    });
    if let Some(w) = web_sys::window() {
        let _ = w.add_event_listener_with_callback("error", listener.as_ref().unchecked_ref());
    }
    live.error_listener = Some(listener);

    let parent: Option<Element> = document.head().map(Into::into).or_else(|| document.document_element());
    for asset in &attempt.assets {
        let made = match asset.kind {
            AssetKind::Style => document.create_element("link").inspect(|el| {
                let _ = el.set_attribute("rel", "stylesheet");
                let _ = el.set_attribute("href", &asset.url);
            }),
            AssetKind::Script | AssetKind::Module => document.create_element("script").inspect(|el| {
                let script: &web_sys::HtmlScriptElement = el.unchecked_ref();
                if asset.kind == AssetKind::Module {
                    script.set_type("module");
                }
                script.set_async(false);
                script.set_src(&asset.url);
            }),
        };
        let Ok(el) = made else {
            fail(Code::BundleLoadFailed, format!("{}: could not create an element for it", asset.url));
            return live;
        };
        let _ = el.set_attribute("integrity", &asset.integrity);
        let _ = el.set_attribute("crossorigin", "anonymous");
        let _ = el.set_attribute("data-desk-attempt", &id.to_string());
        let url = asset.url.clone();
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            fail(Code::BundleLoadFailed, format!("{url}: could not be loaded, or does not match its integrity"));
        });
        let _ = el.add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref());
        live.handlers.push(on_error);
        if asset.kind != AssetKind::Style {
            let on_load = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| script_loaded(id));
            let _ = el.add_event_listener_with_callback("load", on_load.as_ref().unchecked_ref());
            live.handlers.push(on_load);
        }
        if let Some(parent) = &parent {
            let _ = parent.append_child(&el);
        }
        live.elements.push(el);
    }
    live
}

/// A script finished loading (and, for classic and module scripts alike, running).
fn script_loaded(attempt: u32) {
    let unregistered = PENDING.with(|p| {
        let mut p = p.borrow_mut();
        let p = p.as_mut().filter(|p| p.attempt == attempt)?;
        p.scripts_left = p.scripts_left.saturating_sub(1);
        Some(p.scripts_left == 0 && !p.registered)
    });
    if unregistered == Some(true) {
        feed(Event::AttemptFailed {
            attempt,
            code: Code::PanelNotRegistered,
            detail: "the bundle loaded but never called deskLoader.register()".to_owned(),
        });
    }
}

/// The boot context the panel receives (see `docs/panel-api.md`).
fn context(attempt: &Attempt, mount: &Element) -> JsValue {
    let ctx = js_sys::Object::new();
    let id = attempt.id;
    let set = |k: &str, v: &JsValue| {
        let _ = Reflect::set(&ctx, &k.into(), v);
    };
    set("attemptId", &id.into());
    set("releaseId", &attempt.release_id.as_str().into());
    set("config", &to_js(&attempt.config));
    set("features", &to_js(&attempt.features));
    set("mount", mount);
    let ready = Closure::<dyn Fn()>::new(move || feed(Event::PanelReady { attempt: id }));
    set("ready", &ready.into_js_value());
    let fail = Closure::<dyn Fn(JsValue)>::new(move |reason: JsValue| {
        let reason = if reason.is_undefined() { "no reason given".to_owned() } else { js_error_text(&reason) };
        feed(Event::AttemptFailed {
            attempt: id,
            code: Code::PanelFailed,
            detail: format!("the panel reported a failure: {reason}"),
        });
    });
    set("fail", &fail.into_js_value());
    let _ = js_sys::Object::freeze(&ctx);
    ctx.into()
}

fn absolute(url: &str) -> String {
    web_sys::Url::new_with_base(url, &web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default())
        .map(|u| u.href())
        .unwrap_or_else(|_| url.to_owned())
}
