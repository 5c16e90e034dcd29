//! What the shell keeps on the device: the record in `localStorage`, written
//! under a Web Lock when the browser has them, and the known-good release's
//! files in Cache Storage, checked with WebCrypto before they run. Every
//! failure here (no storage, storage disabled, quota, corrupt data) only
//! costs the loader its memory: it is reported to the core, never thrown.

use js_sys::{Function, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::convert::js_error_text;
use super::Inbox;
use desk_loader_core::boot::{Diagnosis, Doc, Event, LoadError};
use desk_loader_core::manifest::Asset;
use desk_loader_core::record::{apply, read_stored, Update};
use desk_loader_core::value::Value;

/// The `localStorage` key of the record.
pub(crate) const RECORD_KEY: &str = "desk-loader:record";
/// The Cache Storage cache of known-good files.
const CACHE: &str = "desk-loader-v1";
/// The Web Lock that serialises record writes across tabs.
const LOCK: &str = "desk-loader:record";

fn storage() -> Result<web_sys::Storage, String> {
    let window = web_sys::window().ok_or("no window")?;
    match window.local_storage() {
        Ok(Some(s)) => Ok(s),
        Ok(None) => Err("localStorage is not available".to_owned()),
        Err(e) => Err(format!("localStorage is disabled: {}", js_error_text(&e))),
    }
}

/// Reads the stored record for the core: its text, which the core reads
/// (`Event::Text`), or `null` when there is none.
pub(crate) fn read_record() -> Event {
    let text = storage().and_then(|s| s.get_item(RECORD_KEY).map_err(|e| js_error_text(&e)));
    match text {
        Ok(Some(text)) => Event::Text(Doc::Record, Ok(text)),
        Ok(None) => Event::Loaded(Doc::Record, Ok(Value::Null)),
        Err(why) => Event::Loaded(Doc::Record, Err(LoadError::Unreadable(why))),
    }
}

/// Applies an update to whatever is stored now, at once, so a page closed
/// right after loses nothing (a failed boot's summary is kept before its
/// report is sent); then once more under the record's Web Lock if the
/// browser has Web Locks, so two tabs booting at once lose nothing either.
/// Every update applies twice as once (`record::apply` keeps one summary per
/// boot, one quarantine per release). A Web Lock is granted asynchronously:
/// a reload right after a failure once came first, and the failure's summary
/// was lost.
#[inline(never)]
pub(crate) fn update_record(update: Update) {
    let write = move || {
        let Ok(storage) = storage() else { return };
        // Whatever is stored now, read by the core's rules (anything it cannot read is replaced).
        let stored = storage.get_item(RECORD_KEY).ok().flatten();
        let stored = stored.and_then(|t| read_stored(&t, super::convert::number).ok()).unwrap_or(Value::Null);
        let next = apply(&stored, &update, js_sys::Date::now());
        if let Err(e) = storage.set_item(RECORD_KEY, &next.to_json()) {
            web_sys::console::warn_1(&format!("desk-loader: the record was not saved: {}", js_error_text(&e)).into());
        }
    };
    let locks = web_sys::window()
        .and_then(|w| Reflect::get(&w.navigator(), &"locks".into()).ok())
        .filter(|l| !l.is_undefined() && !l.is_null());
    let request = locks
        .as_ref()
        .and_then(|l| Reflect::get(l, &"request".into()).ok())
        .and_then(|f| f.dyn_into::<Function>().ok());
    write();
    if let (Some(locks), Some(request)) = (locks, request) {
        let cb = Closure::once_into_js(write);
        if request.call2(&locks, &LOCK.into(), &cb).is_err() {
            web_sys::console::warn_1(&"desk-loader: Web Locks refused the record write".into());
        }
    }
}

/// The `localStorage` key of the desk's id, when the host page gives none.
const DESK_ID_KEY: &str = "desk-loader:desk-id";

/// The desk's stable id for rollouts (`core::rollout`), when the host page
/// gives no `deskId`: the one kept in `localStorage`, else a new random one,
/// kept there. Without storage it lasts the page load only: such a desk may
/// take a rolled-out release on one load and not on the next (docs/embed.md).
pub(crate) fn desk_id() -> String {
    thread_local! {
        // Drawn once per page: a Retry or a recheck keeps the desk where it was.
        static DESK_ID: std::cell::OnceCell<String> = const { std::cell::OnceCell::new() };
    }
    DESK_ID.with(|id| id.get_or_init(stored_or_new_desk_id).clone())
}

fn stored_or_new_desk_id() -> String {
    let storage = storage().ok();
    let stored = storage.as_ref().and_then(|s| s.get_item(DESK_ID_KEY).ok().flatten());
    if let Some(id) = stored.filter(|id| desk_loader_core::options::valid_desk_id(id)) {
        return id;
    }
    let mut id = String::with_capacity(32);
    for _ in 0..2 {
        desk_loader_core::value::push_hex(&mut id, super::random_u64(), 16);
    }
    if let Some(s) = storage {
        let _ = s.set_item(DESK_ID_KEY, &id);
    }
    id
}

fn caches() -> Option<web_sys::CacheStorage> {
    let window = web_sys::window()?;
    // Cache Storage exists only in secure contexts; feature-detect before touching it.
    if !Reflect::has(&window, &"caches".into()).unwrap_or(false) {
        return None;
    }
    window.caches().ok()
}

/// `navigator.serviceWorker`, where the browser has one (a secure context).
fn workers() -> Option<JsValue> {
    let navigator = web_sys::window()?.navigator();
    Reflect::get(&navigator, &"serviceWorker".into()).ok().filter(|w| w.is_object())
}

/// The script URL of the service worker that controls the page, and `url`
/// (`serviceWorker`) resolved against the page: the core compares them
/// (`Options::worker`).
pub(crate) fn controller(url: &str) -> Option<(String, String)> {
    let script = workers()
        .and_then(|w| Reflect::get(&w, &"controller".into()).ok())
        .filter(JsValue::is_object)
        .and_then(|c| Reflect::get(&c, &"scriptURL".into()).ok())
        .and_then(|s| s.as_string())?;
    Some((script, super::dom::absolute(url)))
}

/// Registers desk-loader's service worker (`www/desk-loader-sw.js`), once a
/// release is ready: off the boot's path. Registering again is a no-op for
/// the browser. A failure (no service workers here, a wrong path) leaves the
/// desk as it is: its promise's rejection is left to the browser, which
/// logs it with the reason (a task of the module's own to await it weighed
/// 205 B gzip).
pub(crate) fn register_worker(url: &str) {
    let Some(workers) = workers() else { return };
    let register = Reflect::get(&workers, &"register".into()).ok().and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    if let Some(register) = register {
        let _ = register.call1(&workers, &url.into());
    }
}

/// Keeps the files of a release that just worked, fetched with their
/// integrity: only those the cache does not hold yet, so a daily boot of
/// the same release downloads nothing again. A URL names one file (a
/// release's files are at paths of their own, or hashed names: a file
/// changed in place would fail its integrity anyway), and a kept copy is
/// checked when it is used: by the core, from its digest (`Event::CacheRead`),
/// or under the service worker by the browser's integrity check.
#[inline(never)]
pub(crate) fn cache_assets(release: String, assets: Vec<Asset>, inbox: Inbox) {
    let Some(caches) = caches() else { return };
    wasm_bindgen_futures::spawn_local(async move {
        let Ok(cache) = JsFuture::from(caches.open(CACHE)).await else { return };
        let cache: web_sys::Cache = cache.unchecked_into();
        let mut stored = 0;
        for a in &assets {
            if JsFuture::from(cache.match_with_str(&a.url)).await.is_ok_and(|hit| !hit.is_undefined()) {
                stored += 1;
                continue;
            }
            let Ok(response) = gloo_net::http::Request::get(&a.url).integrity(&a.integrity).send().await else {
                continue;
            };
            if response.ok() {
                let raw: web_sys::Response = response.into();
                stored += usize::from(JsFuture::from(cache.put_with_str(&a.url, &raw)).await.is_ok());
            }
        }
        if stored == assets.len() {
            inbox.feed(Event::Cached { release });
        }
    });
}

/// A cached file's bytes, `None` when the cache has no such file, or why
/// Cache Storage could not be read.
pub(crate) async fn read_cached(url: &str) -> Result<Option<Uint8Array>, String> {
    let caches = caches().ok_or("Cache Storage is not available")?;
    let hit = JsFuture::from(caches.match_with_str(url)).await.map_err(|e| js_error_text(&e))?;
    let Ok(response) = hit.dyn_into::<web_sys::Response>() else { return Ok(None) };
    let buffer =
        JsFuture::from(response.array_buffer().map_err(|e| js_error_text(&e))?).await.map_err(|e| js_error_text(&e))?;
    Ok(Some(Uint8Array::new(&buffer)))
}

/// A `blob:` URL holding a cached file's bytes, which the core checked.
pub(crate) fn blob_url(bytes: &Uint8Array, style: bool) -> Result<String, String> {
    let parts = js_sys::Array::of1(bytes);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(if style { "text/css" } else { "text/javascript" });
    let blob =
        web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(|e| js_error_text(&e))?;
    web_sys::Url::create_object_url_with_blob(&blob).map_err(|e| js_error_text(&e))
}

/// The digest of `bytes` with the algorithm the core reads as the strongest
/// of `integrity` (`core::integrity`), by WebCrypto; empty when the file has
/// no integrity. The core compares it.
pub(crate) async fn digest(bytes: &Uint8Array, integrity: &str) -> Result<Vec<u8>, String> {
    let Ok(metadata) = desk_loader_core::integrity::parse(integrity) else { return Ok(Vec::new()) };
    let subtle =
        web_sys::window().and_then(|w| w.crypto().ok()).map(|c| c.subtle()).ok_or("WebCrypto is not available")?;
    let digest = subtle
        .digest_with_str_and_buffer_source(metadata.alg.webcrypto_name(), bytes)
        .map_err(|e| js_error_text(&e))?;
    Ok(Uint8Array::new(&JsFuture::from(digest).await.map_err(|e| js_error_text(&e))?).to_vec())
}

/// Fetches a file that failed to load again, for the core to tell a network
/// fault from a server answer from an integrity mismatch from a passing
/// glitch: what the browser said, the status, or the digest of what was
/// served. Only runs on the failure path.
pub(crate) async fn diagnose(url: &str, integrity: &str) -> Diagnosis {
    let response = match gloo_net::http::Request::get(url).cache(web_sys::RequestCache::NoStore).send().await {
        Err(e) => return Diagnosis::Network(e.to_string()),
        Ok(r) if !r.ok() => return Diagnosis::Status(r.status()),
        Ok(r) => r,
    };
    let Ok(bytes) = response.binary().await else { return Diagnosis::Network("the body was cut off".to_owned()) };
    match digest(&Uint8Array::from(&bytes[..]), integrity).await {
        Ok(d) => Diagnosis::Served(d),
        Err(why) => Diagnosis::Unhashed(why),
    }
}
