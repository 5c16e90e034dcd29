//! The host page's options as the page holds them, and reading the manifest
//! and configuration: in the page, or fetched.

use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Element;

use super::convert::{from_js, options_shape};
use super::Inbox;
use desk_loader_core::boot::{Doc, Event, LoadError};
use desk_loader_core::options::{Options, Source};
use desk_loader_core::problem::Problem;
use desk_loader_core::value::quoted;

/// What only the page has of the host page's options: the mount element,
/// the loading state it wrote, and the documents given as objects. The
/// options themselves are the core's ([`Options`], read by
/// `core::options::parse`), which the boot holds.
#[derive(Clone, Debug)]
pub(crate) struct Page {
    pub mount: Element,
    /// A copy of the loading state the page wrote in the mount point, shown
    /// again whenever the boot needs one (none when the page wrote none).
    pub loading: Option<web_sys::Node>,
    /// The documents given as objects, each with the document it is.
    objects: Vec<(Doc, JsValue)>,
}

impl Page {
    /// Reads the options object documented in `docs/embed.md`: the core
    /// decides (`core::options::parse`); the page is asked only for the mount
    /// element, its origin and base URL, and the documents given as objects.
    pub(crate) fn read(options: &JsValue) -> Result<(Page, Options, Vec<Problem>), String> {
        let document = web_sys::window().and_then(|w| w.document()).ok_or("desk-loader: no document")?;
        let page_origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
        // A `<base href>` moves where relative URLs go: the core judges them there.
        let base_origin = document
            .base_uri()
            .ok()
            .flatten()
            .and_then(|base| web_sys::Url::new(&base).ok())
            .map(|base| base.origin())
            .filter(|base| *base != page_origin)
            .unwrap_or_default();
        let (shape, objects) = options_shape(options);
        let (core, problems) = desk_loader_core::options::parse(&shape, &page_origin, &base_origin)?;
        let get = |k: &str| Reflect::get(options, &k.into()).ok().filter(|v| !v.is_undefined() && !v.is_null());
        let mount = match get("mount") {
            Some(v) if v.is_instance_of::<Element>() => v.unchecked_into(),
            Some(v) => {
                let sel = v.as_string().ok_or("desk-loader: `mount` must be a CSS selector or an element")?;
                document
                    .query_selector(&sel)
                    .ok()
                    .flatten()
                    .ok_or_else(|| format!("desk-loader: no element matches the mount selector {}", quoted(&sel)))?
            }
            None => document.get_element_by_id("desk").ok_or("desk-loader: no `mount` given and no #desk element")?,
        };
        // The objects, in the order the core meets them, to the documents whose source is one.
        let docs = std::iter::once((Doc::Manifest, &core.manifest))
            .chain(core.config.iter().enumerate().map(|(i, s)| (Doc::Config(i), s)))
            .filter(|(_, s)| **s == Source::Object)
            .map(|(doc, _)| doc);
        let objects = docs.zip(objects).collect();
        let loading =
            mount.query_selector(".desk-loader-loading").ok().flatten().and_then(|l| l.clone_node_with_deep(true).ok());
        Ok((Page { mount, loading, objects }, core, problems))
    }
}

/// Reads a document in the page and feeds it to the core at once: an
/// object the host page gave (written out and read, `convert::from_js`), or
/// the text of an inline `<script type="application/json">` (the core reads
/// it: `Event::Text`).
pub(crate) fn read(doc: Doc, source: Option<&Source>, page: &Page, inbox: Inbox) {
    let object = page.objects.iter().find(|(d, _)| *d == doc).map(|(_, v)| v.clone());
    match (object, source) {
        (Some(v), _) => inbox.feed(Event::Loaded(doc, from_js(v))),
        (None, Some(Source::Inline(id))) => inbox.feed(Event::Text(doc, inline_text(id))),
        _ => inbox.feed(Event::Loaded(doc, Err(LoadError::Unreadable("no such source".to_owned())))),
    }
}

/// The text of the page's element `id`.
fn inline_text(id: &str) -> Result<String, LoadError> {
    let el = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .ok_or_else(|| LoadError::Unreadable(format!("no element with id {} in the page", quoted(id))))?;
    Ok(el.text_content().unwrap_or_default())
}

/// Fetches a document's text for the core ([`Action::Fetch`]) and feeds it
/// with what the server said about asking again (`Retry-After`,
/// `Cache-Control`). Its deadline is the core's: `signal` aborts it when
/// the core says so ([`Action::Abort`]), and the core ignores the answer.
pub(crate) fn fetch(doc: Doc, url: String, revalidate: bool, signal: Option<web_sys::AbortSignal>, inbox: Inbox) {
    wasm_bindgen_futures::spawn_local(async move {
        let text = fetch_text(&url, revalidate, signal, inbox).await;
        inbox.settled(Some(doc));
        inbox.feed(Event::Text(doc, text));
    });
}

async fn fetch_text(
    url: &str,
    revalidate: bool,
    signal: Option<web_sys::AbortSignal>,
    inbox: Inbox,
) -> Result<String, LoadError> {
    let cache = if revalidate { web_sys::RequestCache::NoCache } else { web_sys::RequestCache::Default };
    let response = gloo_net::http::Request::get(url)
        .cache(cache)
        .abort_signal(signal.as_ref())
        .send()
        .await
        .map_err(|e| LoadError::Unreadable(format!("{url}: {e}")))?;
    let headers = response.headers();
    let (retry_after, cache_control) = (headers.get("retry-after"), headers.get("cache-control"));
    if retry_after.is_some() || cache_control.is_some() {
        inbox.feed(Event::Hints { retry_after, cache_control });
    }
    if !response.ok() {
        return Err(LoadError::Unreadable(format!("{url}: HTTP {}", response.status())));
    }
    response.text().await.map_err(|e| LoadError::Unreadable(format!("{url}: {e}")))
}
