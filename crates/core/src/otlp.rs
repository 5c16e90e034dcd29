//! A boot report as an OpenTelemetry logs request: the OTLP/HTTP JSON
//! encoding of `ExportLogsServiceRequest` (opentelemetry-proto's
//! `collector/logs/v1`), for a collector's `/v1/logs` (`reportFormat:
//! "otlp"`, `docs/report.md`). One log record per boot: this one, then each
//! earlier undelivered failure the report carries.
//!
//! Built from the report itself, so it says nothing the report does not:
//! no secret, no full user-agent string (`user_agent.original` is left out:
//! with an IP address it can single out an agent, and the class is what a
//! fleet counts by).

use super::value::{object, Value};

/// `service.name` of every request.
pub const SERVICE_NAME: &str = "desk-loader";

/// OpenTelemetry severity numbers (`SeverityNumber` in logs/v1).
const INFO: f64 = 9.0;
const WARN: f64 = 13.0;
const ERROR: f64 = 17.0;

/// Attributes taken from a report's text fields: (attribute, field).
const TEXTS: [(&str, &str); 7] = [
    ("desk_loader.boot.id", "bootId"),
    ("desk_loader.outcome", "outcome"),
    ("error.type", "code"),
    ("desk_loader.release", "release"),
    ("desk_loader.served", "served"),
    ("desk_loader.support_code", "supportCode"),
    ("desk_loader.user_agent.class", "userAgent"),
];

/// Attributes taken from a report's integer fields.
const INTS: [(&str, &str); 2] =
    [("desk_loader.fallbacks", "fallbacks"), ("desk_loader.backend.schema", "backendSchema")];

/// Attributes taken from a report's number fields that may be fractional.
const DOUBLES: [(&str, &str); 1] = [("desk_loader.rollout.percent", "rollout")];

/// The `ExportLogsServiceRequest` for a report.
pub fn logs_request(report: &Value) -> Value {
    let version = env!("CARGO_PKG_VERSION");
    let resource = object([(
        "attributes",
        Value::Array(vec![
            attribute("service.name", SERVICE_NAME.into()),
            attribute("service.version", version.into()),
        ]),
    )]);
    let mut records = vec![this_boot(report)];
    if let Some(Value::Array(earlier)) = report.get("earlier") {
        records.extend(earlier.iter().map(earlier_boot));
    }
    let scope = object([("name", SERVICE_NAME.into()), ("version", version.into())]);
    let scope_logs = object([("scope", scope), ("logRecords", Value::Array(records))]);
    object([(
        "resourceLogs",
        Value::Array(vec![object([("resource", resource), ("scopeLogs", Value::Array(vec![scope_logs]))])]),
    )])
}

/// This boot as a log record: the attributes of any boot, then its
/// timings, path and problems.
fn this_boot(r: &Value) -> Value {
    let mut attributes = boot_attributes(r);
    attributes.push(attribute("desk_loader.delivered_late", object([("boolValue", false.into())])));
    if let Some(Value::Object(timings)) = r.get("timings") {
        for (k, v) in timings {
            if let Value::Number(n) = v {
                attributes.push(attribute(&format!("desk_loader.timings.{}", snake(k)), int(*n)));
            }
        }
    }
    let list = |items: Vec<String>| {
        object([("arrayValue", object([("values", Value::Array(items.into_iter().map(string).collect()))]))])
    };
    if let Some(Value::Array(path)) = r.get("path") {
        let steps = path
            .iter()
            .map(|p| {
                let s = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or("");
                format!("{} {}", s("release"), s("outcome"))
            })
            .collect();
        attributes.push(attribute("desk_loader.path", list(steps)));
    }
    if let Some(Value::Array(problems)) = r.get("problems") {
        let lines = problems
            .iter()
            .map(|p| {
                let s = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or("");
                format!("{} {}: {}", s("severity"), s("code"), s("message"))
            })
            .collect();
        attributes.push(attribute("desk_loader.problems", list(lines)));
    }
    log_record(r, attributes)
}

/// An earlier boot's stored summary as a log record, delivered late.
fn earlier_boot(s: &Value) -> Value {
    let mut attributes = boot_attributes(s);
    attributes.push(attribute("desk_loader.delivered_late", object([("boolValue", true.into())])));
    log_record(s, attributes)
}

/// The attributes a report and a summary share, named after OpenTelemetry's
/// semantic conventions where one exists (`error.type`, `event.name`), under
/// `desk_loader.` otherwise.
fn boot_attributes(r: &Value) -> Vec<Value> {
    let text = |k: &str| r.get(k).and_then(Value::as_str);
    let number = |k: &str| match r.get(k) {
        Some(Value::Number(n)) => Some(*n),
        _ => None,
    };
    let mut attributes = vec![attribute("event.name", "desk_loader.boot".into())];
    for (key, field) in TEXTS {
        if let Some(v) = text(field) {
            attributes.push(attribute(key, v.into()));
        }
    }
    for (key, field) in INTS {
        if let Some(n) = number(field) {
            attributes.push(attribute(key, int(n)));
        }
    }
    for (key, field) in DOUBLES {
        if let Some(n) = number(field) {
            attributes.push(attribute(key, object([("doubleValue", n.into())])));
        }
    }
    let recovered = r.get("recovered") == Some(&Value::Bool(true));
    attributes.push(attribute("desk_loader.recovered", object([("boolValue", recovered.into())])));
    attributes
}

/// One boot as a log record with these attributes: severity from the
/// outcome (a recovered boot is a warning), time and body from its fields.
fn log_record(r: &Value, attributes: Vec<Value>) -> Value {
    let text = |k: &str| r.get(k).and_then(Value::as_str);
    let failed = text("outcome") == Some("failed");
    let recovered = r.get("recovered") == Some(&Value::Bool(true));
    let (severity, severity_text) = match (failed, recovered) {
        (true, _) => (ERROR, "ERROR"),
        (false, true) => (WARN, "WARN"),
        (false, false) => (INFO, "INFO"),
    };
    let at_ns = text("at").and_then(unix_ms).map_or_else(|| "0".to_owned(), |ms| format!("{ms}000000"));
    let body = format!(
        "desk-loader: {} ({}{})",
        text("outcome").unwrap_or("?"),
        text("code").map_or(String::new(), |c| format!("{c}, ")),
        text("release").unwrap_or("no release"),
    );
    object([
        ("timeUnixNano", at_ns.into()),
        ("severityNumber", severity.into()),
        ("severityText", severity_text.into()),
        ("body", string(body)),
        ("attributes", Value::Array(attributes)),
    ])
}

fn attribute(key: &str, value: Value) -> Value {
    let value = match value {
        Value::String(s) => string(s),
        other => other,
    };
    object([("key", key.into()), ("value", value)])
}

fn string(s: impl Into<String>) -> Value {
    object([("stringValue", Value::from(s.into()))])
}

/// An `intValue`: proto3's JSON writes an int64 as a decimal string.
fn int(n: f64) -> Value {
    object([("intValue", Value::from((n.round() as i64).to_string()))])
}

/// `totalMs` to `total_ms`.
fn snake(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 2);
    for c in key.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Ms since the Unix epoch of a report's `at` (`2026-11-24T01:20:47Z`, as
/// [`super::report::iso_time`] writes it); `None` for anything else.
fn unix_ms(iso: &str) -> Option<i64> {
    let b = iso.as_bytes();
    if b.len() != 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' || b[19] != b'Z'
    {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<i64> {
        iso.get(from..to)?.bytes().try_fold(0i64, |n, d| d.is_ascii_digit().then(|| n * 10 + i64::from(d - b'0')))
    };
    let (y, m, d) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (hh, mm, ss) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    // Howard Hinnant's days_from_civil, the inverse of iso_time's civil_from_days.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 24 + hh) * 60 + mm) * 60 * 1000 + ss * 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_times_read_back_to_the_second() {
        for ms in [0.0, 1_795_000_000_000.0, 951_782_400_000.0, 4_102_444_799_000.0] {
            assert_eq!(unix_ms(&super::super::report::iso_time(ms)), Some(ms as i64));
        }
        assert_eq!(unix_ms("2026-11-24 01:20:47"), None);
        assert_eq!(snake("totalMs"), "total_ms");
    }
}
