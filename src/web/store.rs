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
use desk_loader_core::boot::{Diagnosis, Event, LoadError};
use desk_loader_core::manifest::{Asset, AssetKind};
use desk_loader_core::record::{apply, Update, MAX_RECORD_BYTES};
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

/// Reads the stored record: `null` when there is none.
pub(crate) fn read_record() -> Result<Value, LoadError> {
    let text = storage()
        .map_err(LoadError::Unreadable)?
        .get_item(RECORD_KEY)
        .map_err(|e| LoadError::Unreadable(js_error_text(&e)))?;
    let Some(text) = text else { return Ok(Value::Null) };
    if text.len() > MAX_RECORD_BYTES {
        return Err(LoadError::Malformed(format!("{} bytes, more than {MAX_RECORD_BYTES}", text.len())));
    }
    super::convert::parse(&text)
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
        let stored = read_record().unwrap_or(Value::Null);
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

/// Whether the service worker at `url` (`serviceWorker`) controls the page.
pub(crate) fn worker_controls(url: &str) -> bool {
    let script = workers()
        .and_then(|w| Reflect::get(&w, &"controller".into()).ok())
        .filter(JsValue::is_object)
        .and_then(|c| Reflect::get(&c, &"scriptURL".into()).ok())
        .and_then(|s| s.as_string());
    script.is_some_and(|s| s == super::dom::absolute(url))
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
/// checked when it is used (`cached_url`).
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

/// A `blob:` URL of a cached file whose bytes match its integrity, or what
/// is wrong (`NotCached` when the cache has no such file) and why.
pub(crate) async fn cached_url(asset: &Asset) -> Result<String, (Diagnosis, String)> {
    let miss = |why: String| (Diagnosis::CacheMiss, why);
    let caches = caches().ok_or_else(|| miss("Cache Storage is not available".to_owned()))?;
    let hit = JsFuture::from(caches.match_with_str(&asset.url)).await.map_err(|e| miss(js_error_text(&e)))?;
    let response: web_sys::Response =
        hit.dyn_into().map_err(|_| (Diagnosis::NotCached, "not in the cache".to_owned()))?;
    cached_blob(asset, response).await.map_err(miss)
}

/// A `blob:` URL of a cached response, once its bytes match the asset's integrity.
async fn cached_blob(asset: &Asset, response: web_sys::Response) -> Result<String, String> {
    let buffer =
        JsFuture::from(response.array_buffer().map_err(|e| js_error_text(&e))?).await.map_err(|e| js_error_text(&e))?;
    let bytes = Uint8Array::new(&buffer);
    if !matches_integrity(&bytes, &asset.integrity).await? {
        return Err("the cached copy does not match its integrity".to_owned());
    }
    let parts = js_sys::Array::of1(&bytes);
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(if asset.kind == AssetKind::Style { "text/css" } else { "text/javascript" });
    let blob =
        web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(|e| js_error_text(&e))?;
    web_sys::Url::create_object_url_with_blob(&blob).map_err(|e| js_error_text(&e))
}

/// Whether `bytes` pass the asset's integrity as browsers judge it: the core
/// reads the metadata and compares (`core::integrity`); WebCrypto only hashes
/// the bytes with the strongest algorithm listed.
async fn matches_integrity(bytes: &Uint8Array, integrity: &str) -> Result<bool, String> {
    let metadata = desk_loader_core::integrity::parse(integrity).map_err(str::to_owned)?;
    let subtle =
        web_sys::window().and_then(|w| w.crypto().ok()).map(|c| c.subtle()).ok_or("WebCrypto is not available")?;
    let digest = subtle
        .digest_with_str_and_buffer_source(metadata.alg.webcrypto_name(), bytes)
        .map_err(|e| js_error_text(&e))?;
    let digest = Uint8Array::new(&JsFuture::from(digest).await.map_err(|e| js_error_text(&e))?).to_vec();
    Ok(metadata.matches(&digest))
}

/// Fetches a file that failed to load again, to tell a network fault from a
/// server answer from an integrity mismatch from a passing glitch. Only runs
/// on the failure path.
pub(crate) async fn diagnose(url: &str, integrity: &str) -> Diagnosis {
    let response = match gloo_net::http::Request::get(url).cache(web_sys::RequestCache::NoStore).send().await {
        Err(e) => return Diagnosis::Network(e.to_string()),
        Ok(r) if !r.ok() => return Diagnosis::Status(r.status()),
        Ok(r) => r,
    };
    let Ok(bytes) = response.binary().await else { return Diagnosis::Network("the body was cut off".to_owned()) };
    if integrity.is_empty() {
        return Diagnosis::Intact;
    }
    match matches_integrity(&Uint8Array::from(&bytes[..]), integrity).await {
        Ok(true) => Diagnosis::Intact,
        Ok(false) => Diagnosis::Mismatch,
        Err(why) => Diagnosis::Network(why),
    }
}
