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

use super::boot::{
    Options as BootOptions, ReportFormat, DEFAULT_FETCH_TIMEOUT_MS, DEFAULT_READY_DEADLINE_MS, DEFAULT_RECHECK_MAX_MS,
    DEFAULT_RECHECK_MS, DEFAULT_REPORT_TIMEOUT_MS, MIN_RECHECK_MS,
};
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

/// The options, read.
#[derive(Clone, Debug, PartialEq)]
pub struct HostOptions {
    /// The manifest's source.
    pub manifest: Source,
    /// The configuration's sources, merged in order (`hostConfig` last).
    pub config: Vec<Source>,
    /// `readyDeadlineMs`.
    pub ready_deadline_ms: f64,
    /// `reportUrl`, when it is on an allowed origin.
    pub report_url: Option<String>,
    /// `reportFormat`.
    pub report_format: ReportFormat,
    /// `reportTimeoutMs`.
    pub report_timeout_ms: f64,
    /// `backendUrl`.
    pub backend_url: Option<String>,
    /// `fetchTimeoutMs`.
    pub fetch_timeout_ms: f64,
    /// `allowedOrigins`.
    pub allowed_origins: Vec<String>,
    /// `allowSameOriginWithoutIntegrity`.
    pub same_origin_without_integrity: bool,
    /// `deskId`: the desk's stable id for rollouts; `None` lets the shell
    /// use the one it keeps in the page's storage.
    pub desk_id: Option<String>,
    /// `recheckMs`: the first recheck's bound after the error screen; 0 turns rechecks off.
    pub recheck_ms: f64,
    /// `recheckMaxMs`: the longest wait between two rechecks.
    pub recheck_max_ms: f64,
    /// `serviceWorker`: desk-loader's service worker script, on the page's
    /// own origin, which serves the known-good release's files from the
    /// cache at their own URLs when the network fails (`docs/embed.md`).
    pub service_worker: Option<String>,
}

impl HostOptions {
    /// The boot's settings, on the page's origin, with its base URL's origin
    /// (empty for the page's: `origin::same_origin`).
    pub fn boot(&self, page_origin: &str, base_origin: &str) -> BootOptions {
        BootOptions {
            ready_deadline_ms: self.ready_deadline_ms,
            config_sources: self.config.len(),
            backend_endpoint: self.backend_url.is_some(),
            page_origin: page_origin.to_owned(),
            base_origin: base_origin.to_owned(),
            allowed_origins: self.allowed_origins.clone(),
            same_origin_without_integrity: self.same_origin_without_integrity,
            report_format: self.report_format,
            desk_id: self.desk_id.clone().unwrap_or_default(),
            // The page's, which the shell reads (`import_map_integrity`).
            import_map_integrity: None,
            worker: false,
            recheck_ms: self.recheck_ms,
            recheck_max_ms: self.recheck_max_ms,
        }
    }
}

/// Reads the options on a page of `page_origin` whose base URL is on
/// `base_origin` (empty for the page's: `origin::same_origin`): the options
/// and their problems, or why nothing can boot with them.
pub fn parse(options: &Value, page_origin: &str, base_origin: &str) -> Result<(HostOptions, Vec<Problem>), String> {
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
    let options = HostOptions {
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
        desk_id,
        recheck_ms,
        recheck_max_ms,
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
