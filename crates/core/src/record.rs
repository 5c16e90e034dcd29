//! What the loader remembers on a device between page loads: the last
//! release that worked (the known-good record) and the releases that failed
//! deterministically (the quarantine). Stored by the shell as one JSON
//! document (`docs/record.md`), read back as untrusted input.

use super::config::Validated;
use super::manifest::{Manifest, Release};
use super::problem::{Code, Problem};
use super::value::{object, quoted, Value};

/// The record format this loader writes and reads.
pub const FORMAT: i64 = 1;

/// How long a release that failed deterministically is skipped on a device:
/// long enough that agents do not each pay for the same broken release during
/// an incident, short enough that a fix not visible in the key (a new bundle
/// under the same id) is picked up within a quarter of an hour.
pub const QUARANTINE_MS: f64 = 15.0 * 60.0 * 1000.0;

/// Most quarantine entries kept; the oldest go first.
pub const MAX_QUARANTINE: usize = 20;

/// Most summaries of undelivered failure reports kept; the oldest go first.
pub const MAX_UNSENT: usize = 5;

/// Largest stored record read, in bytes of JSON; a larger one is discarded.
pub const MAX_RECORD_BYTES: usize = 64 * 1024;

/// Reads a stored record's text, as untrusted input: one over
/// [`MAX_RECORD_BYTES`] is discarded unread; `number` reads a JSON number's
/// text (`Options::parse_number`). What is wrong, in words.
pub fn read_stored(text: &str, number: fn(&str) -> Option<f64>) -> Result<Value, String> {
    if text.len() > MAX_RECORD_BYTES {
        return Err(format!("{} bytes, more than {MAX_RECORD_BYTES}", text.len()));
    }
    crate::json::parse(text, number).map_err(|e| e.to_string())
}

/// The last release that worked on this device.
#[derive(Clone, Debug, PartialEq)]
pub struct KnownGood {
    /// The release, as its manifest declared it (files with integrity, contract, backend range).
    pub release: Release,
    /// The backend schema it worked with, if known.
    pub backend_schema: Option<i64>,
    /// The fingerprint of the configuration it worked with.
    pub config_fingerprint: String,
    /// When it became ready, in ms since the Unix epoch.
    pub at_ms: f64,
    /// Whether its files were stored in Cache Storage after it became ready.
    /// A boot that then finds them gone knows this browser keeps no site
    /// data between page loads (`cache.lost`).
    pub cached: bool,
}

/// A release skipped on this device until `until_ms`, for one configuration and backend.
#[derive(Clone, Debug, PartialEq)]
pub struct Quarantined {
    /// The release id.
    pub release: String,
    /// The configuration fingerprint it failed with.
    pub config_fingerprint: String,
    /// The backend schema it failed with.
    pub backend_schema: Option<i64>,
    /// Until when it is skipped, in ms since the Unix epoch.
    pub until_ms: f64,
    /// The problem code it failed with.
    pub code: String,
}

impl Quarantined {
    fn matches(&self, release: &str, fingerprint: &str, backend: Option<i64>) -> bool {
        self.release == release && self.config_fingerprint == fingerprint && self.backend_schema == backend
    }
}

/// The stored record.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Record {
    /// The last release that worked.
    pub known_good: Option<KnownGood>,
    /// Releases that failed deterministically, newest last.
    pub quarantine: Vec<Quarantined>,
    /// Summaries of failed boots whose reports were not delivered yet
    /// ([`report::summary`](super::report::summary)), oldest first.
    pub unsent: Vec<Value>,
}

/// A change to the stored record, applied by [`apply`] to whatever is stored
/// at write time, so two tabs writing in turn lose nothing.
#[derive(Clone, Debug, PartialEq)]
pub enum Update {
    /// This release became ready.
    KnownGood {
        /// The release's manifest declaration.
        release: Value,
        /// The backend schema, if known.
        backend_schema: Option<i64>,
        /// The configuration fingerprint.
        config_fingerprint: String,
    },
    /// This release failed deterministically.
    Quarantine(Quarantined),
    /// A failed boot's report is about to be sent: keep its summary until
    /// it is delivered.
    Unsent(Value),
    /// These boots' reports reached the report endpoint.
    Delivered(Vec<String>),
    /// The known-good release is forgotten: it broke the page's trust rules.
    ForgetKnownGood,
    /// The files of this release, the known-good one, are in Cache Storage now.
    Cached {
        /// The release id.
        release: String,
    },
}

impl Record {
    /// Reads a stored record. `null` is an empty record; anything malformed is
    /// discarded, part by part, with a `record.discarded` warning: a bad record
    /// only costs the loader its memory, never a boot.
    pub fn decode(v: &Value) -> (Record, Vec<Problem>) {
        let mut record = Record::default();
        let mut problems = Vec::new();
        let discard = |problems: &mut Vec<Problem>, what: &str| {
            problems.push(Problem::warning(Code::RecordDiscarded, format!("stored record: {what}; discarded")));
        };
        let Some(members) = v.as_object() else {
            if !matches!(v, Value::Null) {
                discard(&mut problems, &format!("expected an object, found {}", v.kind()));
            }
            return (record, problems);
        };
        if v.get("format").and_then(super::value::as_integer) != Some(FORMAT) {
            discard(&mut problems, &format!("format is not {FORMAT}"));
            return (record, problems);
        }
        for (key, value) in members {
            match key.as_str() {
                "format" => {}
                "knownGood" => match decode_known_good(value) {
                    Ok(k) => record.known_good = Some(k),
                    Err(why) => discard(&mut problems, &format!("knownGood {why}")),
                },
                "quarantine" => match value {
                    Value::Array(items) => {
                        for item in items.iter().take(MAX_QUARANTINE) {
                            match decode_quarantined(item) {
                                Some(q) => record.quarantine.push(q),
                                None => discard(&mut problems, "a quarantine entry is malformed"),
                            }
                        }
                    }
                    _ => discard(&mut problems, "quarantine is not an array"),
                },
                "unsent" => match value {
                    Value::Array(items) => {
                        for item in items.iter().take(MAX_UNSENT) {
                            match super::report::stored_summary(item) {
                                Some(s) => record.unsent.push(s),
                                None => discard(&mut problems, "an unsent report is malformed"),
                            }
                        }
                    }
                    _ => discard(&mut problems, "unsent is not an array"),
                },
                other => discard(&mut problems, &format!("unknown key {}", quoted(other))),
            }
        }
        (record, problems)
    }

    /// Whether a release is quarantined for this configuration and backend at `now_ms` (Unix epoch).
    pub fn quarantined(
        &self,
        release: &str,
        fingerprint: &str,
        backend: Option<i64>,
        now_ms: f64,
    ) -> Option<&Quarantined> {
        self.quarantine.iter().find(|q| q.matches(release, fingerprint, backend) && q.until_ms > now_ms)
    }

    /// The record as stored.
    pub fn to_value(&self) -> Value {
        let mut members = vec![("format".into(), Value::Number(FORMAT as f64))];
        if let Some(k) = &self.known_good {
            members.push((
                "knownGood".into(),
                object([
                    ("release", k.release.source.clone()),
                    ("backendSchema", k.backend_schema.map(|n| n as f64).into()),
                    ("configFingerprint", k.config_fingerprint.as_str().into()),
                    ("at", k.at_ms.into()),
                    ("cached", k.cached.into()),
                ]),
            ));
        }
        let quarantine = self
            .quarantine
            .iter()
            .map(|q| {
                object([
                    ("release", q.release.as_str().into()),
                    ("configFingerprint", q.config_fingerprint.as_str().into()),
                    ("backendSchema", q.backend_schema.map(|n| n as f64).into()),
                    ("until", q.until_ms.into()),
                    ("code", q.code.as_str().into()),
                ])
            })
            .collect();
        members.push(("quarantine".into(), Value::Array(quarantine)));
        if !self.unsent.is_empty() {
            members.push(("unsent".into(), Value::Array(self.unsent.clone())));
        }
        Value::Object(members)
    }
}

/// Applies an update to the stored record (whatever it holds now), drops
/// expired quarantine entries, and returns the document to store.
pub fn apply(stored: &Value, update: &Update, now_ms: f64) -> Value {
    let (mut record, _) = Record::decode(stored);
    record.quarantine.retain(|q| q.until_ms > now_ms);
    match update {
        Update::KnownGood { release, backend_schema, config_fingerprint } => {
            if let Ok(k) = decode_known_good(&object([
                ("release", release.clone()),
                ("backendSchema", backend_schema.map(|n| n as f64).into()),
                ("configFingerprint", config_fingerprint.as_str().into()),
                ("at", now_ms.into()),
            ])) {
                record.quarantine.retain(|q| !q.matches(&k.release.id, &k.config_fingerprint, k.backend_schema));
                record.known_good = Some(k);
            }
        }
        Update::ForgetKnownGood => record.known_good = None,
        Update::Unsent(summary) => {
            if let Some(s) = super::report::stored_summary(summary) {
                let id = s.get("bootId").cloned();
                record.unsent.retain(|u| u.get("bootId").cloned() != id);
                record.unsent.push(s);
                let excess = record.unsent.len().saturating_sub(MAX_UNSENT);
                record.unsent.drain(..excess);
            }
        }
        Update::Delivered(ids) => {
            record.unsent.retain(|u| !ids.iter().any(|id| u.get("bootId").and_then(Value::as_str) == Some(id)));
        }
        Update::Cached { release } => {
            if let Some(k) = record.known_good.as_mut().filter(|k| k.release.id == *release) {
                k.cached = true;
            }
        }
        Update::Quarantine(q) => {
            record.quarantine.retain(|old| !old.matches(&q.release, &q.config_fingerprint, q.backend_schema));
            record.quarantine.push(q.clone());
            let excess = record.quarantine.len().saturating_sub(MAX_QUARANTINE);
            record.quarantine.drain(..excess);
        }
    }
    record.to_value()
}

/// A stable fingerprint of a validated configuration: FNV-1a 64 over the
/// values in force and the features. Secret values are left out (only their
/// names count), so the fingerprint reveals nothing about them.
pub fn fingerprint(validated: &Validated, secret: impl Fn(&str) -> bool) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |s: &str| {
        for b in s.bytes().chain([0u8]) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for (name, value) in &validated.values {
        feed(name);
        feed(&if secret(name) { "<secret>".to_owned() } else { value.to_json() });
    }
    for (name, on) in &validated.features {
        feed(name);
        feed(if *on { "on" } else { "off" });
    }
    // Not `{:016x}`: width formatting would be compiled on the boot's path for it.
    let mut out = String::with_capacity(16);
    super::value::push_hex(&mut out, hash, 16);
    out
}

fn decode_known_good(v: &Value) -> Result<KnownGood, String> {
    let source = v.get("release").ok_or("has no release")?;
    // The stored release is read with the manifest's own rules, so a record
    // that was tampered with (bad integrity, bad URL) is refused like a bad manifest.
    let (m, problems) =
        Manifest::parse(object([("format", 1.0.into()), ("releases", Value::Array(vec![source.clone()]))]));
    let release = m.releases.into_iter().next().ok_or_else(|| {
        let first =
            problems.iter().find(|p| p.is_error()).map_or("is not a valid release".to_owned(), |p| p.message.clone());
        format!("release: {first}")
    })?;
    let backend_schema = match v.get("backendSchema") {
        None | Some(Value::Null) => None,
        Some(n) => Some(super::value::as_integer(n).ok_or("backendSchema is not an integer")?),
    };
    let config_fingerprint =
        v.get("configFingerprint").and_then(Value::as_str).ok_or("has no configFingerprint")?.to_owned();
    let at_ms = match v.get("at") {
        Some(Value::Number(n)) if n.is_finite() => *n,
        _ => return Err("has no time".to_owned()),
    };
    // Absent in records written before the field existed: not known to be cached.
    let cached = matches!(v.get("cached"), Some(Value::Bool(true)));
    Ok(KnownGood { release, backend_schema, config_fingerprint, at_ms, cached })
}

fn decode_quarantined(v: &Value) -> Option<Quarantined> {
    let until_ms = match v.get("until")? {
        Value::Number(n) if n.is_finite() => *n,
        _ => return None,
    };
    Some(Quarantined {
        release: v.get("release")?.as_str()?.to_owned(),
        config_fingerprint: v.get("configFingerprint")?.as_str()?.to_owned(),
        backend_schema: match v.get("backendSchema") {
            None | Some(Value::Null) => None,
            Some(n) => Some(super::value::as_integer(n)?),
        },
        until_ms,
        code: v.get("code").and_then(Value::as_str).unwrap_or("").to_owned(),
    })
}
