//! The host page's options (`docs/embed.md`, "Options"), read in one place:
//! the shell's `start` and `desk-loader embed` both take their settings from
//! [`parse`]. A value of the wrong type or out of range is an
//! `options.invalid` warning, reported with the boot, and the default is
//! used: never a silent default. Only options that leave nothing to boot
//! (an empty `config` list, a `mount` that is neither a selector nor an
//! element) are refused outright.
//!
//! The shell finds the mount point itself (a DOM lookup) and keeps documents
//! given as objects: it passes `mount` only when it is a selector, and each
//! such document as an empty object, whose type is all that is read here.

use super::problem::{describe, Code, Problem};
use super::value::{quoted, Value};
use super::{CONFIG_ELEMENT, MANIFEST_ELEMENT};

/// Where a document comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// Fetched from this URL.
    Url(String),
    /// Read from the `<script type="application/json">` with this id.
    Inline(String),
    /// An object the host page gave: the shell holds it.
    Object,
}

impl Source {
    /// How a problem names the document: its URL, `#id`, or the host page's object.
    pub fn name(&self) -> String {
        match self {
            Source::Url(url) => url.clone(),
            Source::Inline(id) => format!("#{id}"),
            Source::Object => "the host page's object".to_owned(),
        }
    }
}

/// The host page's options, read (`parse`), with what the shell knows of
/// the page: the one type from the page to the boot (`Boot::new`).
#[derive(Clone, Debug)]
pub struct Options {
    /// The manifest's source.
    pub manifest: Source,
    /// The configuration's sources, merged in order, a later source winning
    /// per key (`hostConfig` last; see `docs/config.md`).
    pub config: Vec<Source>,
    /// `readyDeadlineMs`: how long a panel has, while the page is visible,
    /// to call `ready()`.
    pub ready_deadline_ms: f64,
    /// `reportUrl`, when it is on an allowed origin: where the boot's report
    /// is posted.
    pub report_url: Option<String>,
    /// `reportFormat`: how the report is sent.
    pub report_format: ReportFormat,
    /// `reportTimeoutMs`: how long the report endpoint has to answer.
    pub report_timeout_ms: f64,
    /// `backendUrl`: the backend version endpoint, read with the documents.
    pub backend_url: Option<String>,
    /// `fetchTimeoutMs`: how long a document at a URL has to arrive.
    pub fetch_timeout_ms: f64,
    /// `allowedOrigins`: other origins the host page allows code from (never
    /// widened by a manifest).
    pub allowed_origins: Vec<String>,
    /// `allowSameOriginWithoutIntegrity`: same-origin files may come without
    /// integrity. Cross-origin files always need it.
    pub same_origin_without_integrity: bool,
    /// The desk's stable id, which places it in each release's rollout
    /// (`core::rollout`): `deskId`, else (empty here) one the shell keeps in
    /// the page's storage.
    pub desk_id: String,
    /// `recheckMs`: the first recheck's bound after the error screen (0: no
    /// recheck; `boot/recovery.rs`).
    pub recheck_ms: f64,
    /// `recheckMaxMs`: the longest wait between two rechecks.
    pub recheck_max_ms: f64,
    /// `serviceWorker`: desk-loader's service worker script, on the page's
    /// own origin, which serves the known-good release's files from the
    /// cache at their own URLs when the network fails (`docs/embed.md`).
    pub service_worker: Option<String>,
    /// The page's origin, such as `https://desk.example`; empty when unknown.
    pub page_origin: String,
    /// The origin of the page's base URL (`document.baseURI`), against which
    /// the browser resolves a relative URL: empty for the page's own; another
    /// one when a `<base href>` moved it.
    pub base_origin: String,
    /// The integrity values the page's import maps give (`integrity`
    /// members), when the shell could read them (`import_map_integrity`): a
    /// release's chunks run only if each is among them, since the map is the
    /// browser's only check on a chunk (`docs/manifest.md`, "Module graphs").
    /// `None` where no page is known (the CLI, the embed's own choice).
    pub import_map_integrity: Option<Vec<String>>,
    /// The script URL of the service worker that controls the page, as the
    /// browser gives it, and `serviceWorker` resolved against the page: the
    /// worker is desk-loader's when they are equal (`Options::worker`).
    pub controller: Option<(String, String)>,
    /// How the core's JSON parser reads a number's text (`json::parse`):
    /// by default its own exact fast path (`value::parse_decimal`), which
    /// gives up on a few; the shell's falls back on JavaScript's
    /// `parseFloat` (`str::parse` would link `core::fmt`'s float parsing
    /// into the module). A document's text becomes a value in the core
    /// (`Event::Text`).
    pub parse_number: fn(&str) -> Option<f64>,
}

impl Options {
    /// Whether desk-loader's service worker (`serviceWorker`) controls the
    /// page: a release's files run from the cache at their own URLs, which
    /// the worker answers from Cache Storage when the network fails; without
    /// it, from `blob:` URLs, where a module's relative imports cannot
    /// resolve, so a release with chunks cannot run from the cache.
    pub fn worker(&self) -> bool {
        self.service_worker.is_some() && self.controller.as_ref().is_some_and(|(controls, ours)| controls == ours)
    }
}

impl Default for Options {
    fn default() -> Options {
        Options {
            manifest: Source::Inline(MANIFEST_ELEMENT.to_owned()),
            config: vec![Source::Inline(CONFIG_ELEMENT.to_owned())],
            ready_deadline_ms: DEFAULT_READY_DEADLINE_MS,
            report_url: None,
            report_format: ReportFormat::Json,
            report_timeout_ms: DEFAULT_REPORT_TIMEOUT_MS,
            backend_url: None,
            fetch_timeout_ms: DEFAULT_FETCH_TIMEOUT_MS,
            allowed_origins: Vec::new(),
            same_origin_without_integrity: false,
            desk_id: String::new(),
            recheck_ms: DEFAULT_RECHECK_MS,
            recheck_max_ms: DEFAULT_RECHECK_MAX_MS,
            service_worker: None,
            page_origin: String::new(),
            base_origin: String::new(),
            import_map_integrity: None,
            controller: None,
            parse_number: super::value::parse_decimal,
        }
    }
}

/// The body a report endpoint receives (`docs/report.md`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReportFormat {
    /// The report itself, as JSON (`text/plain`, so a cross-origin endpoint
    /// needs no CORS preflight).
    #[default]
    Json,
    /// An OTLP/HTTP JSON logs request (`ExportLogsServiceRequest`), for an
    /// OpenTelemetry Collector's `/v1/logs`.
    Otlp,
}

/// The default deadline: a healthy panel is ready within a few seconds on a
/// slow agent laptop; past 10 s an agent would rather see the previous release.
pub const DEFAULT_READY_DEADLINE_MS: f64 = 10_000.0;

/// How long, after `ready()`, the mount point has to show the panel: it is
/// looked at after each frame the page renders until it does, for at most
/// this long while the page is visible, then the attempt is `panel.empty`.
/// A framework's first render (React's is asynchronous) lands in the first
/// frame or two; a second is long past anything an agent would call a panel.
pub const RENDER_BOUND_MS: f64 = 1_000.0;

/// The default time a document (manifest, configuration, backend version)
/// has to arrive before the core gives up on it and has its fetch aborted
/// (`fetchTimeoutMs`).
pub const DEFAULT_FETCH_TIMEOUT_MS: f64 = 8_000.0;

/// The default time a report endpoint has to answer before the core has the
/// request aborted (`reportTimeoutMs`): a hanging endpoint holds one connection
/// for at most this long, and never past the page.
pub const DEFAULT_REPORT_TIMEOUT_MS: f64 = 5_000.0;

/// Retries of a release whose files failed to load for a transient reason
/// (network error, HTTP 5xx, 408 or 429), before moving on.
pub const MAX_RETRIES: u32 = 2;

/// Backoff before the first retry; doubled for each further one.
pub const RETRY_BACKOFF_MS: f64 = 300.0;

/// Most attempts in one boot, whatever happens: a bound on fallbacks and retries.
pub const MAX_ATTEMPTS: u32 = 12;

/// The default `recheckMs`: the first recheck comes 15 to 30 s after the error screen.
pub const DEFAULT_RECHECK_MS: f64 = 30_000.0;

/// The default `recheckMaxMs`: rechecks come at most every 3 minutes. The
/// fleet simulation (`examples/fleet.rs`, docs/operations.md) chose it: with
/// a 10 % rollout, 99 % of the desks are ready within 2 minutes of a fix, and
/// the origin sees under 3× its steady rate; 5 minutes took 3 minutes.
pub const DEFAULT_RECHECK_MAX_MS: f64 = 180_000.0;

/// The least `recheckMs` and `recheckMaxMs` a host page may set: rechecks of
/// a desk come at most once a second.
pub const MIN_RECHECK_MS: f64 = 1_000.0;

/// Reads the options on a page of `page_origin` whose base URL is on
/// `base_origin` (empty for the page's: `origin::same_origin`): the options
/// and their problems, or why nothing can boot with them.
pub fn parse(options: &Value, page_origin: &str, base_origin: &str) -> Result<(Options, Vec<Problem>), String> {
    let mut problems = Vec::new();
    let members = match options {
        Value::Object(members) => &members[..],
        Value::Null => &[],
        other => return Err(format!("desk-loader: the options must be an object, not {}", describe(other))),
    };
    let get = |key: &str| members.iter().find(|(k, _)| k == key).map(|(_, v)| v).filter(|v| !matches!(v, Value::Null));
    for (key, _) in members {
        if !KNOWN.contains(&key.as_str()) {
            problems.push(invalid(key, "not an option, ignored"));
        }
    }
    match get("mount") {
        None | Some(Value::String(_)) => {}
        Some(_) => return Err("desk-loader: `mount` must be a CSS selector or an element".to_owned()),
    }
    let manifest = match get("manifest") {
        None => Source::Inline(MANIFEST_ELEMENT.to_owned()),
        Some(v) => source(v).unwrap_or_else(|| {
            problems.push(expected("manifest", "a URL, \"#id\" or an object", v, "#desk-manifest"));
            Source::Inline(MANIFEST_ELEMENT.to_owned())
        }),
    };
    let mut config = match get("config") {
        None => vec![Source::Inline(CONFIG_ELEMENT.to_owned())],
        Some(Value::Array(items)) if items.is_empty() => {
            return Err("desk-loader: `config` is an empty list; give at least one source".to_owned());
        }
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| {
                let s = source(item);
                if s.is_none() {
                    problems.push(invalid(&format!("config[{i}]"), "not a URL, \"#id\" or an object; left out"));
                }
                s
            })
            .collect(),
        Some(v) => match source(v) {
            Some(s) => vec![s],
            None => {
                problems.push(expected("config", "a source or a list of sources", v, "#desk-config"));
                vec![Source::Inline(CONFIG_ELEMENT.to_owned())]
            }
        },
    };
    match get("hostConfig") {
        None => {}
        Some(Value::Object(_)) => config.push(Source::Object),
        Some(v) => problems.push(expected("hostConfig", "an object", v, "none")),
    }
    let allowed_origins = match get("allowedOrigins") {
        None => Vec::new(),
        // Each written as browsers serialize an origin, so that comparing
        // with a URL's origin is comparing strings.
        Some(Value::Array(items)) if items.iter().all(|o| o.as_str().is_some()) => items
            .iter()
            .enumerate()
            .filter_map(|(i, o)| {
                let text = o.as_str().unwrap_or_default();
                super::origin::parse_origin(text)
                    .map_err(|why| {
                        problems.push(invalid(
                            &format!("allowedOrigins[{i}]"),
                            &format!("{}: {why}; left out", quoted(text)),
                        ))
                    })
                    .ok()
            })
            .collect(),
        Some(v) => {
            problems.push(expected("allowedOrigins", "an array of origins", v, "none"));
            Vec::new()
        }
    };
    let report_url = match get("reportUrl") {
        None => None,
        Some(Value::String(url)) => match super::origin::check(url, page_origin, base_origin, &allowed_origins) {
            Ok(()) => Some(url.as_str().to_owned()),
            Err(why) => {
                problems.push(invalid("reportUrl", &format!("{}: {why}; reports go to the console only", quoted(url))));
                None
            }
        },
        Some(v) => {
            problems.push(expected("reportUrl", "a URL", v, "none: reports go to the console only"));
            None
        }
    };
    let report_format = match get("reportFormat") {
        None => ReportFormat::Json,
        Some(Value::String(f)) if f == "json" => ReportFormat::Json,
        Some(Value::String(f)) if f == "otlp" => ReportFormat::Otlp,
        Some(v) => {
            problems.push(expected("reportFormat", "\"json\" or \"otlp\"", v, "\"json\""));
            ReportFormat::Json
        }
    };
    let mut ms = |key: &str, default: f64| match get(key) {
        None => default,
        Some(Value::Number(n)) if n.is_finite() && *n > 0.0 => *n,
        Some(v) => {
            problems.push(expected(key, "a number of ms above 0", v, &Value::Number(default).to_json()));
            default
        }
    };
    let ready_deadline_ms = ms("readyDeadlineMs", DEFAULT_READY_DEADLINE_MS);
    // Floors: a recheck every millisecond would be a storm at the origin.
    let recheck_max_ms = ms("recheckMaxMs", DEFAULT_RECHECK_MAX_MS).max(MIN_RECHECK_MS);
    let report_timeout_ms = ms("reportTimeoutMs", DEFAULT_REPORT_TIMEOUT_MS);
    let fetch_timeout_ms = ms("fetchTimeoutMs", DEFAULT_FETCH_TIMEOUT_MS);
    let backend_url = match get("backendUrl") {
        None => None,
        Some(Value::String(url)) => Some(url.as_str().to_owned()),
        Some(v) => {
            problems.push(expected("backendUrl", "a URL", v, "none"));
            None
        }
    };
    let same_origin_without_integrity = match get("allowSameOriginWithoutIntegrity") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(v) => {
            problems.push(expected("allowSameOriginWithoutIntegrity", "true or false", v, "false"));
            false
        }
    };
    let recheck_ms = match get("recheckMs") {
        None => DEFAULT_RECHECK_MS,
        Some(Value::Number(n)) if *n == 0.0 => 0.0,
        // Not `f64::clamp`: its panic message formats floats, which links
        // `core::fmt`'s float machinery into the module (`[weight].forbidden`).
        Some(Value::Number(n)) if n.is_finite() && *n > 0.0 => n.max(MIN_RECHECK_MS).min(recheck_max_ms),
        Some(v) => {
            let default = Value::Number(DEFAULT_RECHECK_MS).to_json();
            problems.push(expected("recheckMs", "a number of ms, 0 to turn rechecks off", v, &default));
            DEFAULT_RECHECK_MS
        }
    };
    let desk_id = match get("deskId") {
        None => None,
        Some(Value::String(id)) if valid_desk_id(id) => Some(id.as_str().to_owned()),
        Some(v) => {
            problems.push(expected("deskId", "a string of 1 to 200 bytes", v, "the id kept in the page's storage"));
            None
        }
    };
    let service_worker = match get("serviceWorker") {
        None => None,
        Some(Value::String(url)) if super::origin::same_origin(url, page_origin, base_origin) => {
            Some(url.as_str().to_owned())
        }
        Some(v) => {
            problems.push(expected("serviceWorker", "a URL on the page's own origin", v, "none"));
            None
        }
    };
    let options = Options {
        page_origin: page_origin.to_owned(),
        base_origin: base_origin.to_owned(),
        service_worker,
        manifest,
        config,
        ready_deadline_ms,
        report_url,
        report_format,
        report_timeout_ms,
        backend_url,
        fetch_timeout_ms,
        allowed_origins,
        same_origin_without_integrity,
        desk_id: desk_id.unwrap_or_default(),
        recheck_ms,
        recheck_max_ms,
        // What the shell knows of the page, set after.
        import_map_integrity: None,
        controller: None,
        parse_number: super::value::parse_decimal,
    };
    Ok((options, problems))
}

/// The integrity values the page's import maps give (their `integrity`
/// members), from each map's text, for the rule on chunks
/// (`Options::import_map_integrity`). A map that is not JSON, as for the
/// browser, gives none.
pub fn import_map_integrity(maps: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for text in maps {
        let Ok(map) = super::json::parse(text, super::value::parse_decimal) else { continue };
        if let Some(listed) = map.get("integrity").and_then(Value::as_object) {
            found.extend(listed.iter().filter_map(|(_, v)| v.as_str().map(str::to_owned)));
        }
    }
    found
}

/// A desk id the loader takes, from `deskId` or from storage: 1 to 200 bytes.
pub fn valid_desk_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 200
}

/// The options `docs/embed.md` documents.
const KNOWN: &[&str] = &[
    "mount",
    "manifest",
    "config",
    "hostConfig",
    "readyDeadlineMs",
    "reportUrl",
    "reportFormat",
    "reportTimeoutMs",
    "backendUrl",
    "allowedOrigins",
    "allowSameOriginWithoutIntegrity",
    "fetchTimeoutMs",
    "deskId",
    "recheckMs",
    "recheckMaxMs",
    "serviceWorker",
];

/// A document's source: a string is a URL, or `#id` of an element; an
/// object is the document itself.
fn source(v: &Value) -> Option<Source> {
    match v {
        Value::String(s) => Some(match s.strip_prefix('#') {
            Some(id) => Source::Inline(id.to_owned()),
            None => Source::Url(s.as_str().to_owned()),
        }),
        Value::Object(_) => Some(Source::Object),
        _ => None,
    }
}

#[cold]
#[inline(never)]
fn invalid(key: &str, what: &str) -> Problem {
    Problem::warning(Code::OptionsInvalid, format!("options.{key}: {what}")).with_path(format!("options.{key}"))
}

#[cold]
#[inline(never)]
fn expected(key: &str, what: &str, found: &Value, default: &str) -> Problem {
    let found = describe(found);
    invalid(key, &format!("expected {what}, found {found}; using {default}")).with_expected_found(what, found)
}
