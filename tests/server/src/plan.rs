//! Test plans: what one end-to-end test asks of the server, whatever browser
//! or driver runs it.
//!
//! `POST /__plans` on the test server, with a [`Spec`] as JSON, opens a new
//! listener on a port of its own and answers `{"port": N}`. Every request to
//! that port is served from `www/` as usual, except that:
//!
//! - the plan's **faults** apply first: a rule for a path (`*` matches any
//!   run of characters) can delay the answer, replace the body, the status
//!   and the type, cut or alter the body, add headers, drop the connection
//!   unanswered (`abort`) or never answer (`hang`), for its first `times`
//!   requests or all of them;
//! - every HTML page gets `<script src="/__plan/init.js">` first in its
//!   `<head>` when the plan has an **init** script (hooks the test needs
//!   before any of the page's own scripts runs, such as the blank-frame
//!   sampler), and the plan's **options** merged into its
//!   `#desk-loader-options`;
//! - `POST /__report` is kept with the plan (and answered `204`, unless a
//!   fault says otherwise: a report endpoint can hang or fail too);
//! - with a **latencyMs**, every request waits that long first: a round trip
//!   of latency, the same in every engine (the bench's `boot-100ms` per engine).
//!
//! A port is an origin: each test gets storage, caches and connections of its
//! own, even when a WebDriver session is reused, and `localhost:N` is a second
//! origin on the same plan for the cross-origin tests. Under `/__plan/` the test
//! reads what happened: `requests` (each request as it arrived, in order,
//! with its `Host` and whether it was a revalidation),
//! `reports`; it replaces the faults with `PUT /__plan/faults` and ends the
//! plan with `DELETE /__plan` (a hanging answer then ends too).
//!
//! Faults are the server's, not a browser driver's request routing, so that a
//! scenario means the same in Chromium, Firefox and WebKit (docs/matrix.md).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::http::{Request, Response};

/// Longest a `hang` holds a request before dropping it, should its plan
/// never be ended.
const HANG_AT_MOST: Duration = Duration::from_secs(180);

/// What a test asks of the server.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Spec {
    /// Rules, the first matching one applies.
    #[serde(default)]
    pub faults: Vec<Rule>,
    /// Merged, key by key, into each page's `#desk-loader-options`.
    #[serde(default)]
    pub options: serde_json::Map<String, serde_json::Value>,
    /// JavaScript run first in each page (`/__plan/init.js`).
    #[serde(default)]
    pub init: String,
    /// Each request waits this long before it is answered (or its fault
    /// applies): a round trip of network latency, emulated by the server so
    /// that it means the same in every engine (`cargo xtask bench`).
    #[serde(default)]
    pub latency_ms: u64,
}

/// One fault rule.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Rule {
    /// The URL path it applies to; `*` matches any run of characters.
    pub path: String,
    /// Only the first `times` matching requests; all when absent.
    pub times: Option<u32>,
    /// Wait this long before answering.
    #[serde(default)]
    pub delay_ms: u64,
    /// The status instead of the file's.
    pub status: Option<u16>,
    /// The body instead of the file's.
    pub body: Option<String>,
    /// The Content-Type instead of the file's.
    pub content_type: Option<String>,
    /// Only the first half of the body.
    #[serde(default)]
    pub truncate: bool,
    /// The body with a comment appended: what SRI must catch.
    #[serde(default)]
    pub tamper: bool,
    /// Extra response headers.
    #[serde(default)]
    pub headers: serde_json::Map<String, serde_json::Value>,
    /// Close the connection without an answer: a network error.
    #[serde(default)]
    pub abort: bool,
    /// Never answer (until the plan ends).
    #[serde(default)]
    pub hang: bool,
}

/// A running plan's state, shared by its connections.
pub struct Plan {
    started: Instant,
    ended: AtomicBool,
    state: Mutex<State>,
}

struct State {
    spec: Spec,
    /// How many requests each rule has matched.
    used: Vec<u32>,
    requests: Vec<serde_json::Value>,
    reports: Vec<String>,
}

/// What the plan makes of a request, before the file is read.
pub enum Outcome {
    /// The plan answered itself (its own endpoints, a report, a dropped connection).
    Answered(Response),
    /// Serve as usual, then apply this rule, if any.
    Serve(Option<Rule>),
}

impl Plan {
    /// A new plan.
    pub fn new(spec: Spec) -> Plan {
        let used = vec![0; spec.faults.len()];
        Plan {
            started: Instant::now(),
            ended: AtomicBool::new(false),
            state: Mutex::new(State { spec, used, requests: Vec::new(), reports: Vec::new() }),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Ends the plan: a hanging answer is dropped.
    pub fn end(&self) {
        self.ended.store(true, Ordering::SeqCst);
    }

    /// Whether `DELETE /__plan` was asked.
    pub fn is_end_request(req: &Request, path: &str) -> bool {
        req.method == "DELETE" && path == "/__plan"
    }

    /// Logs the request and decides what to do with it.
    pub fn route(&self, req: &Request, path: &str) -> Outcome {
        if let Some(endpoint) = path.strip_prefix("/__plan/") {
            return Outcome::Answered(self.endpoint(req, endpoint));
        }
        let mut state = self.state();
        let ms = self.started.elapsed().as_millis() as u64;
        let host = req.header("host").unwrap_or_default();
        // A revalidation (If-None-Match) costs a round trip, not the file's bytes.
        let revalidation = req.header("if-none-match").is_some();
        // Whether a credential came, never its value (the preflight CLI's `--header`).
        let authorized = req.header("authorization").is_some();
        state.requests.push(serde_json::json!({
            "method": req.method, "url": req.url, "host": host, "ms": ms, "revalidation": revalidation,
            "authorized": authorized,
        }));
        // A report is kept as received, whatever a fault then answers.
        let report = req.method == "POST" && path == "/__report";
        if report {
            state.reports.push(String::from_utf8_lossy(&req.body).into_owned());
        }
        let latency = Duration::from_millis(state.spec.latency_ms);
        if !latency.is_zero() {
            drop(state);
            self.sleep(latency);
            state = self.state();
        }
        let State { spec, used, .. } = &mut *state;
        let hit = spec
            .faults
            .iter()
            .zip(used.iter_mut())
            .find(|(rule, used)| glob(&rule.path, path) && rule.times.is_none_or(|times| **used < times));
        let Some((rule, used)) = hit else {
            return match report {
                true => Outcome::Answered(Response::new(204, Vec::new()).with("Access-Control-Allow-Origin", "*")),
                false => Outcome::Serve(None),
            };
        };
        *used += 1;
        let rule = rule.clone();
        drop(state);
        if rule.delay_ms > 0 {
            self.sleep(Duration::from_millis(rule.delay_ms));
        }
        if rule.hang {
            self.sleep(HANG_AT_MOST);
            return Outcome::Answered(Response::dropped());
        }
        if rule.abort {
            return Outcome::Answered(Response::dropped());
        }
        Outcome::Serve(Some(rule))
    }

    /// Sleeps, waking early when the plan ends.
    fn sleep(&self, total: Duration) {
        let until = Instant::now() + total;
        while !self.ended.load(Ordering::SeqCst) {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return;
            }
            std::thread::sleep(left.min(Duration::from_millis(50)));
        }
    }

    fn endpoint(&self, req: &Request, endpoint: &str) -> Response {
        let json = |value: serde_json::Value| {
            Response::new(200, value.to_string())
                .with("Content-Type", "application/json")
                .with("Cache-Control", "no-store")
        };
        match (req.method.as_str(), endpoint) {
            ("GET", "init.js") => Response::new(200, self.state().spec.init.clone())
                .with("Content-Type", "text/javascript; charset=utf-8")
                .with("Cache-Control", "no-store"),
            ("GET", "requests") => json(serde_json::Value::Array(self.state().requests.clone())),
            ("GET", "reports") => json(serde_json::json!(self.state().reports)),
            ("PUT", "faults") => match serde_json::from_slice::<Vec<Rule>>(&req.body) {
                Ok(faults) => {
                    let mut state = self.state();
                    state.used = vec![0; faults.len()];
                    state.spec.faults = faults;
                    Response::new(204, Vec::new())
                }
                Err(e) => Response::new(400, format!("faults: {e}\n")),
            },
            _ => Response::new(404, "no such plan endpoint\n"),
        }
    }

    /// Applies a rule to what the server would have answered (`file`: the
    /// file's bytes and type, if there is one).
    pub fn apply(rule: &Rule, file: Option<(Vec<u8>, &str)>) -> Response {
        let found = file.is_some();
        let (mut bytes, kind) = match (&rule.body, file) {
            (Some(body), _) => (body.clone().into_bytes(), "text/plain".to_owned()),
            (None, Some((bytes, kind))) => (bytes, kind.to_owned()),
            (None, None) => (b"not found\n".to_vec(), "text/plain".to_owned()),
        };
        if rule.truncate {
            bytes.truncate(bytes.len() / 2);
        }
        if rule.tamper {
            bytes.extend_from_slice(b"\n/* altered in transit */\n");
        }
        let status = rule.status.unwrap_or(if found || rule.body.is_some() { 200 } else { 404 });
        let mut response = Response::new(status, bytes)
            .with("Content-Type", rule.content_type.as_deref().unwrap_or(&kind))
            .with("Cache-Control", "no-store");
        for (name, value) in &rule.headers {
            response.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
            response = response.with(name, value.as_str().unwrap_or_default());
        }
        response
    }

    /// An HTML page as the plan wants it: its init script first in `<head>`,
    /// its options merged into `#desk-loader-options`.
    pub fn rewrite_html(&self, html: &str) -> String {
        let state = self.state();
        let mut html = html.to_owned();
        if !state.spec.options.is_empty() {
            html = merge_options(&html, &state.spec.options);
        }
        if !state.spec.init.is_empty() {
            let tag = "<script src=\"/__plan/init.js\"></script>";
            html = match html.find("<head>") {
                Some(at) => format!("{}{tag}{}", &html[..at + "<head>".len()], &html[at + "<head>".len()..]),
                None => format!("{tag}{html}"),
            };
        }
        html
    }
}

/// `html` with `patch` merged into the JSON of its `#desk-loader-options`
/// element; unchanged if it has none, or none that parses.
fn merge_options(html: &str, patch: &serde_json::Map<String, serde_json::Value>) -> String {
    let open = "id=\"desk-loader-options\">";
    let Some(start) = html.find(open).map(|at| at + open.len()) else { return html.to_owned() };
    let Some(len) = html[start..].find("</script>") else { return html.to_owned() };
    let Ok(serde_json::Value::Object(mut options)) = serde_json::from_str(&html[start..start + len]) else {
        return html.to_owned();
    };
    options.extend(patch.clone());
    let json = serde_json::Value::Object(options).to_string().replace('<', "\\u003c");
    format!("{}{json}{}", &html[..start], &html[start + len..])
}

/// Whether `path` matches `pattern`, where `*` matches any run of characters.
fn glob(pattern: &str, path: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == path,
        Some((head, rest)) => {
            let Some(tail) = path.strip_prefix(head) else { return false };
            (0..=tail.len()).filter(|&i| tail.is_char_boundary(i)).any(|i| glob(rest, &tail[i..]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_any_run_of_characters() {
        assert!(glob("/manifest.json", "/manifest.json"));
        assert!(!glob("/manifest.json", "/scenarios/x/manifest.json"));
        assert!(glob("/panel/*/panel.css", "/panel/2026.11.2/panel.css"));
        assert!(glob("/pkg/*", "/pkg/desk_loader.js"));
        assert!(!glob("/pkg/*", "/boot.js"));
        assert!(glob("*", "/anything"));
    }

    #[test]
    fn options_are_merged_and_cannot_close_the_script() {
        let html = "<script type=\"application/json\" id=\"desk-loader-options\">\n { \"manifest\": \"m.json\", \"reportUrl\": \"/r\" }\n</script>";
        let mut patch = serde_json::Map::new();
        patch.insert("reportUrl".into(), "</script><b>".into());
        patch.insert("fetchTimeoutMs".into(), 1500.into());
        let out = merge_options(html, &patch);
        let json = out.split("options\">").nth(1).unwrap().split("</script>").next().unwrap();
        let v: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(v, serde_json::json!({ "manifest": "m.json", "reportUrl": "</script><b>", "fetchTimeoutMs": 1500 }));
    }

    /// A GET of `url` from a browser on this machine.
    fn req(url: &str) -> Request {
        Request {
            method: "GET".into(),
            url: url.into(),
            headers: Vec::new(),
            body: Vec::new(),
            remote: "127.0.0.1:1".parse().unwrap(),
            local_port: 0,
        }
    }

    #[test]
    fn a_rule_counts_its_requests() {
        let spec: Spec = serde_json::from_str(r#"{"faults":[{"path":"/a.js","status":500,"times":1}]}"#).unwrap();
        let plan = Plan::new(spec);
        assert!(matches!(plan.route(&req("/a.js"), "/a.js"), Outcome::Serve(Some(r)) if r.status == Some(500)));
        assert!(matches!(plan.route(&req("/a.js"), "/a.js"), Outcome::Serve(None)));
        assert_eq!(plan.state().requests.len(), 2);
    }

    #[test]
    fn a_latency_delays_each_request_to_the_page() {
        let spec: Spec = serde_json::from_str(r#"{"latencyMs": 60}"#).unwrap();
        let plan = Plan::new(spec);
        // A lower bound only: a busy machine can make it longer, never shorter.
        let t = Instant::now();
        assert!(matches!(plan.route(&req("/a.js"), "/a.js"), Outcome::Serve(None)));
        assert!(t.elapsed() >= Duration::from_millis(60));
        assert!(matches!(plan.route(&req("/__plan/requests"), "/__plan/requests"), Outcome::Answered(_)));
    }
}
