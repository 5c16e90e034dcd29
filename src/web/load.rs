//! Reading the host page's options and loading the manifest and configuration.

use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Element;

use super::convert::{from_js, parse};
use super::Inbox;
use desk_loader_core::boot::{Doc, Event, LoadError};
use desk_loader_core::value::{quoted, Value};

/// Where a document comes from.
#[derive(Clone, Debug)]
pub(crate) enum Source {
    /// Fetched from this URL.
    Url(String),
    /// The text of the `<script type="application/json">` with this id.
    Inline(String),
    /// An object the host page passed in.
    Object(JsValue),
}

/// The host page's options, read once at start: the core's reading
/// (`core::options`) and what only the page has (the mount element, the
/// documents given as objects).
#[derive(Clone, Debug)]
pub(crate) struct HostOptions {
    pub mount: Element,
    /// A copy of the loading state the page wrote in the mount point, shown
    /// again whenever the boot needs one (none when the page wrote none).
    pub loading: Option<web_sys::Node>,
    pub manifest: Source,
    /// Merged in order, a later source winning per key.
    pub config: Vec<Source>,
    /// The page's origin.
    pub page_origin: String,
    /// Its base URL's origin, when a `<base href>` moved it (else empty).
    pub base_origin: String,
    /// Set for a recheck after the error screen: documents are revalidated
    /// with the server, never taken from the browser's cache as they are.
    pub revalidate: bool,
    /// Everything else, as the core read it.
    pub core: desk_loader_core::options::HostOptions,
    /// The options' problems, for the boot's report.
    pub problems: Vec<desk_loader_core::problem::Problem>,
}

impl HostOptions {
    /// Reads the options object documented in `docs/embed.md`: the core
    /// decides (`core::options::parse`); the page is asked only for the mount
    /// element and the documents given as objects.
    pub(crate) fn read(options: &JsValue) -> Result<HostOptions, String> {
        use desk_loader_core::options::{self, Source as Spec};
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
        let (shape, mut objects) = options_shape(options);
        let (core, problems) = options::parse(&shape, &page_origin, &base_origin)?;
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
        let mut page = |s: &Spec| match s {
            Spec::Url(url) => Source::Url(url.clone()),
            Spec::Inline(id) => Source::Inline(id.clone()),
            Spec::Object => Source::Object(objects.next().unwrap_or(JsValue::NULL)),
        };
        Ok(HostOptions {
            manifest: page(&core.manifest),
            config: core.config.iter().map(&mut page).collect(),
            page_origin,
            base_origin,
            revalidate: false,
            core,
            problems,
            loading: mount
                .query_selector(".desk-loader-loading")
                .ok()
                .flatten()
                .and_then(|l| l.clone_node_with_deep(true).ok()),
            mount,
        })
    }

    fn source(&self, doc: Doc) -> Option<Source> {
        match doc {
            Doc::Manifest => Some(self.manifest.clone()),
            Doc::Config(i) => self.config.get(i).cloned(),
            Doc::Backend => self.core.backend_url.clone().map(Source::Url),
            Doc::Record => None,
        }
    }
}

/// The options as the core reads them (`core::options::parse`), and the
/// documents given as objects, in the order the core meets them (the
/// manifest, each configuration source, `hostConfig`). A document object is
/// an empty object here: only its type is read before it loads. The mount
/// point is the page's, and only a selector is passed on.
fn options_shape(options: &JsValue) -> (Value, std::vec::IntoIter<JsValue>) {
    // Per option, its document objects: the manifest's, the configuration's, hostConfig's.
    let mut objects: [Vec<JsValue>; 3] = Default::default();
    // An option's value: primitives as they are (no JSON.stringify on the
    // boot path for a number or a string), anything else read as JSON.
    let plain = |v: JsValue| match (v.as_string(), v.as_f64(), v.as_bool()) {
        (Some(s), _, _) => Value::from(s),
        (_, Some(n), _) => Value::Number(n),
        (_, _, Some(b)) => Value::Bool(b),
        _ => from_js(v).unwrap_or(Value::Null),
    };
    let shape = |v: JsValue, objects: &mut Vec<JsValue>| -> Value {
        if v.is_object() && !js_sys::Array::is_array(&v) {
            objects.push(v);
            Value::Object(Vec::new())
        } else {
            plain(v)
        }
    };
    let mut members = Vec::new();
    if options.is_object() {
        for key in js_sys::Object::keys(options.unchecked_ref::<js_sys::Object>()).iter().filter_map(|k| k.as_string())
        {
            let v = Reflect::get(options, &key.as_str().into()).unwrap_or(JsValue::UNDEFINED);
            let value = match key.as_str() {
                // The element is the page's; anything else is the core's to judge.
                "mount" if v.is_instance_of::<Element>() => continue,
                "manifest" => shape(v, &mut objects[0]),
                "config" if js_sys::Array::is_array(&v) => {
                    Value::Array(js_sys::Array::from(&v).iter().map(|item| shape(item, &mut objects[1])).collect())
                }
                "config" => shape(v, &mut objects[1]),
                "hostConfig" => shape(v, &mut objects[2]),
                _ => plain(v),
            };
            members.push((key.into(), value));
        }
    }
    (Value::Object(members), objects.concat().into_iter())
}

/// Loads a document and feeds the result to the core: one in the page (an
/// inline `<script type="application/json">` or an object) at once, as the
/// stored record is; one at a URL in the background.
pub(crate) fn load(doc: Doc, host: &HostOptions, inbox: Inbox) {
    let timeout_ms = host.core.fetch_timeout_ms;
    let revalidate = host.revalidate;
    match host.source(doc) {
        Some(Source::Url(url)) => wasm_bindgen_futures::spawn_local(async move {
            let result = fetch_text(&url, timeout_ms, revalidate, inbox).await.and_then(|text| parse(&text));
            inbox.feed(Event::Loaded(doc, result));
        }),
        Some(Source::Object(v)) => inbox.feed(Event::Loaded(doc, from_js(v))),
        Some(Source::Inline(id)) => inbox.feed(Event::Loaded(doc, read_inline(&id))),
        None => inbox.feed(Event::Loaded(doc, Err(LoadError::Unreadable("no such source".to_owned())))),
    }
}

/// The text of the page's element `id`, parsed.
fn read_inline(id: &str) -> Result<Value, LoadError> {
    let el = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .ok_or_else(|| LoadError::Unreadable(format!("no element with id {} in the page", quoted(id))))?;
    parse(&bounded(el.text_content().unwrap_or_default(), &format!("#{id}"))?)
}

/// Runs `fetch` with an abort signal that fires after `timeout_ms`, and says
/// whether it fired. Only this timer holds the controller: an aborted signal
/// means the time ran out, whatever the browser's message says.
pub(crate) async fn timed<T, F: std::future::Future<Output = T>>(
    timeout_ms: f64,
    fetch: impl FnOnce(Option<web_sys::AbortSignal>) -> F,
) -> (T, bool) {
    let controller = web_sys::AbortController::new().ok();
    let signal = controller.as_ref().map(web_sys::AbortController::signal);
    // Cleared when dropped, as the fetch ends.
    let _timer =
        controller.map(|c| gloo_timers::callback::Timeout::new(timeout_ms.clamp(0.0, 2e9) as u32, move || c.abort()));
    let out = fetch(signal.clone()).await;
    (out, signal.is_some_and(|s| s.aborted()))
}

/// Fetches a document's text, aborting after `timeout_ms`: a server that
/// never answers must not leave the agent on a spinner. What the server says
/// about asking again (`Retry-After`, `Cache-Control`) goes to the core.
async fn fetch_text(url: &str, timeout_ms: f64, revalidate: bool, inbox: Inbox) -> Result<String, LoadError> {
    let (result, timed_out) = timed(timeout_ms, |signal| async move {
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
    })
    .await;
    match result {
        Ok(text) => bounded(text, url),
        Err(_) if timed_out => Err(LoadError::timed_out(url, timeout_ms)),
        Err(e) => Err(e),
    }
}

/// Refuses documents over the core's size limit (`boot::check_document_size`).
fn bounded(text: String, what: &str) -> Result<String, LoadError> {
    desk_loader_core::boot::check_document_size(text.len(), what).map(|()| text)
}
