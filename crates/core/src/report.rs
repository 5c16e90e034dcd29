//! The boot report (format in `docs/report.md`) and the error screen's
//! content: built from what the boot found, redacted by construction (a
//! `Problem` never holds a secret value) and bounded in size.

use super::problem::{Code, Problem};
use super::texts::Texts;
use super::value::{object, Str, Value};

/// The report format this loader sends.
pub const FORMAT: i64 = 1;

/// Largest report, in bytes of JSON: well under `sendBeacon`'s 64 KB, which
/// every beacon of the page shares.
pub const MAX_REPORT_BYTES: usize = 8 * 1024;

/// Longest text field kept in a report's problems.
const MAX_FIELD: usize = 200;

/// Phase durations in ms; `None` for a phase that did not happen.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Timings {
    /// Start to manifest loaded.
    pub manifest_ms: Option<f64>,
    /// Start to the last configuration source loaded.
    pub config_ms: Option<f64>,
    /// The final attempt's injection to its files loaded.
    pub bundle_ms: Option<f64>,
    /// The final attempt's injection to `ready()`.
    pub ready_ms: Option<f64>,
    /// Start to the outcome.
    pub total_ms: f64,
}

/// Everything a report says.
#[derive(Clone, Debug)]
pub struct Input<'a> {
    /// This boot's id, random, from the shell: one report per boot id.
    pub boot_id: &'a str,
    /// `ready` or `failed`.
    pub outcome: &'a str,
    /// The release that became ready, or was tried last.
    pub release: Option<&'a str>,
    /// The decisive code of a failure.
    pub code: Option<Code>,
    /// The support code shown to the agent, on failure.
    pub support_code: Option<&'a str>,
    /// The backend schema, if known.
    pub backend_schema: Option<i64>,
    /// The attempts in order: release, attempt, outcome.
    pub path: &'a [Value],
    /// Every problem found.
    pub problems: &'a [Problem],
    /// Phase durations.
    pub timings: Timings,
    /// How long the desk showed the error screen before this boot, a
    /// recheck, became ready (`boot/recovery.rs`); `None` otherwise.
    pub error_screen_ms: Option<f64>,
    /// From [`user_agent_class`].
    pub user_agent: &'a str,
    /// When, in ms since the Unix epoch.
    pub wall_ms: f64,
    /// Summaries of earlier failed boots on this device whose reports were
    /// not delivered ([`summary`]), sent again with this one.
    pub earlier: &'a [Value],
}

/// How many times the boot moved on from a release to try another: each
/// release it gave up on (a path entry that is neither the ready attempt nor
/// a retry), but for a failed boot's last one, which led to the error screen.
pub fn fallbacks(path: &[Value], ready: bool) -> usize {
    let given_up =
        path.iter().filter(|p| !matches!(p.get("outcome").and_then(Value::as_str), Some("ready" | "retry"))).count();
    if ready {
        given_up
    } else {
        given_up.saturating_sub(1)
    }
}

/// The report as JSON, at most [`MAX_REPORT_BYTES`]: long texts are cut, then
/// the last problems are dropped (warnings before errors) and counted.
pub fn build(input: &Input) -> Value {
    let round = |n: Option<f64>| n.map(|n| n.round()).into();
    let timings = object([
        ("manifestMs", round(input.timings.manifest_ms)),
        ("configMs", round(input.timings.config_ms)),
        ("bundleMs", round(input.timings.bundle_ms)),
        ("readyMs", round(input.timings.ready_ms)),
        ("totalMs", input.timings.total_ms.round().into()),
    ]);
    let mut problems: Vec<&Problem> = input.problems.iter().filter(|p| p.is_error()).collect();
    problems.extend(input.problems.iter().filter(|p| !p.is_error()));
    let mut kept: Vec<Value> = problems.iter().map(|p| shorten(p.to_value())).collect();
    let mut dropped = 0usize;
    loop {
        let ready = input.outcome == "ready";
        let fallbacks = fallbacks(input.path, ready);
        let recovered = ready && (fallbacks > 0 || input.path.len() > 1 || input.error_screen_ms.is_some());
        // The share of desks the report's release goes to, when it is rolled
        // out (its path entries carry it): a fleet's failure rate per release
        // and rollout stage is computable from reports alone.
        let rollout = input
            .path
            .iter()
            .rev()
            .find(|p| p.get("release").and_then(Value::as_str) == input.release)
            .and_then(|p| p.get("rollout"))
            .cloned()
            .unwrap_or(Value::Null);
        let report = object([
            ("format", (FORMAT as f64).into()),
            ("outcome", input.outcome.into()),
            ("release", input.release.into()),
            ("code", input.code.map(Code::as_str).into()),
            ("supportCode", input.support_code.into()),
            ("backendSchema", input.backend_schema.map(|n| n as f64).into()),
            ("userAgent", input.user_agent.into()),
            ("at", iso_time(input.wall_ms).into()),
            ("bootId", input.boot_id.into()),
            ("served", if ready { input.release.into() } else { Value::Null }),
            ("rollout", rollout.clone()),
            ("fallbacks", (fallbacks as f64).into()),
            ("recovered", recovered.into()),
            ("errorScreenMs", round(input.error_screen_ms)),
            ("timings", timings.clone()),
            ("path", Value::Array(input.path.iter().take(16).cloned().collect())),
            ("problems", Value::Array(kept.clone())),
            ("problemsDropped", (dropped as f64).into()),
            ("earlier", Value::Array(input.earlier.to_vec())),
        ]);
        if report.to_json().len() <= MAX_REPORT_BYTES || kept.is_empty() {
            return report;
        }
        kept.pop();
        dropped += 1;
    }
}

/// The keys of a report kept in its [`summary`], with the JSON kind each must have.
const SUMMARY: [(&str, &str); 11] = [
    ("bootId", "string"),
    ("outcome", "string"),
    ("release", "string"),
    ("served", "string"),
    ("rollout", "number"),
    ("code", "string"),
    ("supportCode", "string"),
    ("at", "string"),
    ("fallbacks", "number"),
    ("recovered", "boolean"),
    ("userAgent", "string"),
];

/// What a fleet counts of a report: kept on the device until delivered, and
/// sent in a later report's `earlier` (`docs/report.md`).
pub fn summary(report: &Value) -> Value {
    Value::Object(SUMMARY.iter().map(|(k, _)| (Str::from(*k), report.get(k).cloned().unwrap_or(Value::Null))).collect())
}

/// A stored summary read back, as untrusted input: the summary's keys only,
/// each of its kind or null, texts cut; `None` if it is not an object with
/// a boot id.
pub fn stored_summary(v: &Value) -> Option<Value> {
    v.as_object()?;
    v.get("bootId").and_then(Value::as_str)?;
    let field = |k: &str, kind: &str| match v.get(k) {
        Some(x) if x.kind() == kind => shorten_text(x.clone()),
        _ => Value::Null,
    };
    Some(Value::Object(SUMMARY.iter().map(|(k, kind)| (Str::from(*k), field(k, kind))).collect()))
}

fn shorten_text(v: Value) -> Value {
    match v {
        Value::String(s) if s.chars().count() > MAX_FIELD => Value::from(s.chars().take(MAX_FIELD).collect::<String>()),
        other => other,
    }
}

/// The native bridge's message carrying the final report (`docs/embed.md`).
pub fn bridge_message(report: &Value) -> Value {
    object([("type", "desk-loader:report".into()), ("report", report.clone())])
}

fn shorten(v: Value) -> Value {
    match v {
        Value::Object(members) => Value::Object(
            members
                .into_iter()
                .map(|(k, v)| match v {
                    Value::String(s) if s.chars().count() > MAX_FIELD => {
                        (k, Value::from(s.chars().take(MAX_FIELD).chain(['…']).collect::<String>()))
                    }
                    other => (k, other),
                })
                .collect(),
        ),
        other => other,
    }
}

/// A coarse class of the browser, enough to tell a webview from a desktop
/// without sending the full user-agent string.
pub fn user_agent_class(ua: &str) -> &'static str {
    let has = |needle| super::value::contains(ua, needle);
    if has("; wv)") {
        "android-webview"
    } else if (has("iPhone") || has("iPad")) && !has("Safari/") {
        "ios-webview"
    } else if has("HeadlessChrome") {
        "headless"
    } else if has("Mobile") {
        "mobile"
    } else if ua.is_empty() {
        "unknown"
    } else {
        "desktop"
    }
}

/// `2026-11-24T01:20:47Z` from ms since the Unix epoch.
pub fn iso_time(wall_ms: f64) -> String {
    let secs = (wall_ms / 1000.0).floor() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// A short code an agent can read out: the problem code and a time stamp in
/// base 36, matched by SREs against the report's `supportCode`.
pub fn support_code(code: Code, wall_ms: f64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let mut n = (wall_ms / 1000.0).max(0.0) as u64 % 36u64.pow(6);
    let mut stamp = [b'0'; 6];
    for slot in stamp.iter_mut().rev() {
        *slot = DIGITS[(n % 36) as usize];
        n /= 36;
    }
    let mut out = format!("{}-", code.as_str());
    out.extend(stamp.map(char::from));
    out
}

/// What the error screen shows, in the chosen language.
#[derive(Clone, Debug, PartialEq)]
pub struct Screen {
    /// The fixed texts.
    pub texts: &'static Texts,
    /// The decisive code.
    pub code: Code,
    /// The support code.
    pub support_code: String,
    /// The details: label and value, text only.
    pub rows: Vec<(String, String)>,
    /// The error problems' messages, for the details.
    pub messages: Vec<String>,
}

/// The phase a code belongs to, in the support team's words.
pub fn phase(code: Code) -> &'static str {
    let s = code.as_str();
    if s.starts_with("manifest.") || s.starts_with("release.") {
        "manifest"
    } else if s.starts_with("config.") || s.starts_with("feature.") || s.starts_with("backend.") {
        "configuration"
    } else if s.starts_with("bundle.") {
        "bundle"
    } else {
        "panel start"
    }
}

/// The error screen for a failed boot: everything it names follows the
/// decisive problem (`docs/report.md`, "The decisive problem"): its code, its
/// release, the phase of its code, and the variables of its release's errors.
pub fn screen(texts: &'static Texts, decisive: Option<&Problem>, problems: &[Problem], wall_ms: f64) -> Screen {
    let code = decisive.map_or(Code::ManifestNoRelease, |p| p.code);
    let release = decisive.and_then(|p| p.release.as_deref());
    let errors: Vec<&Problem> = problems.iter().filter(|p| p.is_error()).collect();
    let mut variables: Vec<&str> =
        errors.iter().filter(|p| p.release.as_deref() == release).filter_map(|p| p.variable.as_deref()).collect();
    variables.dedup();
    let support_code = support_code(code, wall_ms);
    let values = [
        code.as_str().to_owned(),
        release.unwrap_or("—").to_owned(),
        phase(code).to_owned(),
        if variables.is_empty() { "—".to_owned() } else { variables.join(", ") },
        iso_time(wall_ms),
    ];
    let rows = texts.labels.iter().zip(values).map(|(l, v)| ((*l).to_owned(), v)).collect();
    let messages = errors.iter().take(20).map(|p| p.message.clone()).collect();
    Screen { texts, code, support_code, rows, messages }
}
