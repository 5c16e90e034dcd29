//! Reading the host page's options and loading the manifest and configuration.

use js_sys::Reflect;
use serde::Serialize;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Element;

use crate::core::boot::{Doc, Event, LoadError, DEFAULT_FETCH_TIMEOUT_MS, DEFAULT_READY_DEADLINE_MS};
use crate::core::value::{quoted, Value};

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

/// The host page's options, read once at start.
#[derive(Clone, Debug)]
pub(crate) struct HostOptions {
    pub mount: Element,
    /// A copy of the loading state the page wrote in the mount point, shown
    /// again whenever the boot needs one (none when the page wrote none).
    pub loading: Option<web_sys::Node>,
    pub manifest: Source,
    /// Merged in order, a later source winning per key.
    pub config: Vec<Source>,
    pub ready_deadline_ms: f64,
    pub report_url: Option<String>,
    /// `reportFormat`: the report itself, or an OTLP logs request.
    pub report_format: crate::core::boot::ReportFormat,
    /// `reportTimeoutMs`: how long a report may take to be answered before
    /// its request is aborted.
    pub report_timeout_ms: f64,
    /// Where to read `{"schema": <integer>}`, the live backend's version.
    pub backend_url: Option<String>,
    /// How long a document fetch may take before it is abandoned.
    pub fetch_timeout_ms: f64,
    /// The page's origin.
    pub page_origin: String,
    /// Other origins code and reports may use, from the host page only.
    pub allowed_origins: Vec<String>,
    /// `allowSameOriginWithoutIntegrity`: the host page's integrity opt-out.
    pub same_origin_without_integrity: bool,
}

impl HostOptions {
    /// Reads the options object documented in `docs/embed.md`.
    pub(crate) fn read(options: &JsValue) -> Result<HostOptions, String> {
        let get = |k: &str| Reflect::get(options, &k.into()).ok().filter(|v| !v.is_undefined() && !v.is_null());
        let document = web_sys::window().and_then(|w| w.document()).ok_or("desk-loader: no document")?;
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
        let source = |v: JsValue| match v.as_string() {
            Some(s) if s.starts_with('#') => Source::Inline(s.get(1..).unwrap_or_default().to_owned()),
            Some(s) => Source::Url(s),
            None => Source::Object(v),
        };
        let config = match get("config") {
            Some(v) if js_sys::Array::is_array(&v) => js_sys::Array::from(&v).iter().map(source).collect(),
            Some(v) => vec![source(v)],
            None => vec![Source::Inline(crate::core::CONFIG_ELEMENT.to_owned())],
        };
        if config.is_empty() {
            return Err("desk-loader: `config` is an empty list; give at least one source".to_owned());
        }
        let page_origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
        let allowed_origins: Vec<String> = get("allowedOrigins")
            .filter(js_sys::Array::is_array)
            .map(|v| js_sys::Array::from(&v).iter().filter_map(|o| o.as_string()).collect())
            .unwrap_or_default();
        let report_url = get("reportUrl").and_then(|v| v.as_string()).filter(|url| {
            let ok = crate::core::origin::allowed(url, &page_origin, &allowed_origins);
            if !ok {
                web_sys::console::warn_1(
                    &format!(
                        "desk-loader: reportUrl {} is not on an allowed origin; reports go to the console only",
                        quoted(url)
                    )
                    .into(),
                );
            }
            ok
        });
        Ok(HostOptions {
            same_origin_without_integrity: get("allowSameOriginWithoutIntegrity").and_then(|v| v.as_bool())
                == Some(true),
            page_origin,
            allowed_origins,
            report_url,
            report_format: match get("reportFormat").and_then(|v| v.as_string()).as_deref() {
                Some("otlp") => crate::core::boot::ReportFormat::Otlp,
                None | Some("json") => crate::core::boot::ReportFormat::Json,
                Some(other) => {
                    web_sys::console::warn_1(
                        &format!(
                            "desk-loader: reportFormat {} is neither \"json\" nor \"otlp\"; sending JSON",
                            quoted(other)
                        )
                        .into(),
                    );
                    crate::core::boot::ReportFormat::Json
                }
            },
            report_timeout_ms: get("reportTimeoutMs")
                .and_then(|v| v.as_f64())
                .filter(|n| *n > 0.0)
                .unwrap_or(crate::core::boot::DEFAULT_REPORT_TIMEOUT_MS),
            manifest: get("manifest").map_or(Source::Inline(crate::core::MANIFEST_ELEMENT.to_owned()), source),
            config,
            ready_deadline_ms: get("readyDeadlineMs")
                .and_then(|v| v.as_f64())
                .filter(|n| *n > 0.0)
                .unwrap_or(DEFAULT_READY_DEADLINE_MS),
            backend_url: get("backendUrl").and_then(|v| v.as_string()),
            fetch_timeout_ms: get("fetchTimeoutMs")
                .and_then(|v| v.as_f64())
                .filter(|n| *n > 0.0)
                .unwrap_or(DEFAULT_FETCH_TIMEOUT_MS),
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
            Doc::Backend => self.backend_url.clone().map(Source::Url),
            Doc::Record => None,
        }
    }
}

/// Loads a document and feeds the result to the core: one in the page (an
/// inline `<script type="application/json">` or an object) at once, as the
/// stored record is; one at a URL in the background.
pub(crate) fn load(doc: Doc, host: &HostOptions) {
    let timeout_ms = host.fetch_timeout_ms;
    match host.source(doc) {
        Some(Source::Url(url)) => wasm_bindgen_futures::spawn_local(async move {
            let result = fetch_text(&url, timeout_ms).await.and_then(|text| parse(&text));
            super::feed(Event::Loaded(doc, result));
        }),
        Some(Source::Object(v)) => super::feed(Event::Loaded(doc, from_js(v))),
        Some(Source::Inline(id)) => super::feed(Event::Loaded(doc, read_inline(&id))),
        None => super::feed(Event::Loaded(doc, Err(LoadError::Unreadable("no such source".to_owned())))),
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
    let abort = controller.map(|c| Closure::<dyn FnMut()>::new(move || c.abort()));
    let timer = abort.as_ref().and_then(|cb| {
        web_sys::window()?
            .set_timeout_with_callback_and_timeout_and_arguments_0(cb.as_ref().unchecked_ref(), timeout_ms as i32)
            .ok()
    });
    let out = fetch(signal.clone()).await;
    if let (Some(h), Some(w)) = (timer, web_sys::window()) {
        w.clear_timeout_with_handle(h);
    }
    (out, signal.is_some_and(|s| s.aborted()))
}

/// Fetches a document's text, aborting after `timeout_ms`: a server that
/// never answers must not leave the agent on a spinner.
async fn fetch_text(url: &str, timeout_ms: f64) -> Result<String, LoadError> {
    let (result, timed_out) = timed(timeout_ms, |signal| async move {
        let response = gloo_net::http::Request::get(url)
            .abort_signal(signal.as_ref())
            .send()
            .await
            .map_err(|e| LoadError::Unreadable(format!("{url}: {e}")))?;
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
    crate::core::boot::check_document_size(text.len(), what).map(|()| text)
}

/// Reads a document's text in the core (`core::json`): no call into
/// JavaScript per value, as `JSON.parse` and a walk of its result took.
pub(crate) fn parse(text: &str) -> Result<Value, LoadError> {
    crate::core::json::parse(text, number).map_err(|e| LoadError::Malformed(e.to_string()))
}

/// A JSON number's text as an `f64`: the core's exact fast path, else
/// JavaScript's `parseFloat` (the core has no float parser of its own).
fn number(text: &str) -> Option<f64> {
    crate::core::value::parse_decimal(text).or_else(|| Some(js_sys::Number::parse_float(text)))
}

/// Reads a host page's object (a document given as an object, or `check()`'s
/// arguments) into a core value: `JSON.stringify` writes it out in one call,
/// and the core reads the text (`core::json`, with its depth limit). A
/// replacer refuses, by name, what JSON cannot hold and `JSON.stringify`
/// would silently drop (a function, a symbol) or fail on (a bigint);
/// `undefined` reads as `null`. This replaced a walk of the object, one call
/// into JavaScript per key and per value.
pub(crate) fn from_js(js: JsValue) -> Result<Value, LoadError> {
    let replacer = Closure::<dyn FnMut(JsValue, JsValue) -> Result<JsValue, JsValue>>::new(|_: JsValue, v: JsValue| {
        if v.is_undefined() {
            return Ok(JsValue::NULL);
        }
        match v.js_typeof().as_string().as_deref() {
            Some(kind @ ("function" | "symbol" | "bigint")) => {
                Err(js_sys::Error::new(&format!("a {kind} is not a JSON value")).into())
            }
            _ => Ok(v),
        }
    });
    let text = js_sys::JSON::stringify_with_replacer(&js, replacer.as_ref())
        .map_err(|e| LoadError::Malformed(js_error_text(&e)))?;
    match text.as_string() {
        // Only the position in a text no one wrote would follow.
        Some(text) => crate::core::json::parse(&text, number).map_err(|e| LoadError::Malformed(e.what.to_owned())),
        None => Ok(Value::Null),
    }
}

/// The message of a thrown value, which need not be an `Error`.
pub(crate) fn js_error_text(e: &JsValue) -> String {
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        return String::from(err.message());
    }
    string(e).unwrap_or_else(|_| "(a value that cannot be shown as text)".to_owned())
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// JavaScript's `String(value)`, which never throws for primitives and objects.
    #[wasm_bindgen(js_name = String, catch)]
    fn string(v: &JsValue) -> Result<String, JsValue>;
}

/// Writes a core value (or any serializable data) to JavaScript with
/// serde-wasm-bindgen: objects as plain objects (`json_compatible`), as
/// `JSON.parse` would make them. Its serializer weighs about 0.4 KB gzip in
/// the module; its deserializer is not used for the way in (`from_js`): it
/// links `core::fmt`'s float formatting, which `[weight].forbidden` keeps
/// out (measured: 94,595 B to 110,893 B gzip).
pub(crate) fn to_js(v: &Value) -> JsValue {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).unwrap_or(JsValue::NULL)
}
