//! The runtime configuration document's shape, and several sources merged.

use super::RuntimeConfig;
use crate::names::Names;
use crate::problem::{describe, Code, Problem};
use crate::value::{as_integer, Str, Value};

impl RuntimeConfig {
    /// Merges sources in order: a later source wins per variable, per
    /// feature, and for `backendSchema` and `locale`.
    pub fn merge(parts: Vec<RuntimeConfig>) -> RuntimeConfig {
        let mut out = RuntimeConfig::default();
        let (mut values, mut features) = (Vec::new(), Vec::new());
        for part in parts {
            values.extend(part.values);
            features.extend(part.features);
            out.backend_schema = part.backend_schema.or(out.backend_schema);
            out.locale = part.locale.or(out.locale);
        }
        out.values = last_wins(values);
        out.features = last_wins(features);
        out
    }

    /// Reads the document's shape. Problems with the shape are `config.invalid`
    /// errors; unknown top-level keys are warnings.
    /// Takes the document, so the values are kept without a copy.
    pub fn parse(doc: Value) -> (RuntimeConfig, Vec<Problem>) {
        let mut cfg = RuntimeConfig::default();
        let mut problems = Vec::new();
        for path in doc.duplicate_keys() {
            problems.push(
                Problem::error(Code::ConfigInvalid, format!("{path}: this key appears twice; keep one"))
                    .with_path(path),
            );
        }
        let members = match doc {
            Value::Object(members) => members,
            other => {
                problems.push(
                    Problem::error(Code::ConfigInvalid, "configuration: expected a JSON object")
                        .with_expected_found("an object", describe(&other)),
                );
                return (cfg, problems);
            }
        };
        for (key, value) in members {
            match (key.as_str(), value) {
                ("values", Value::Object(m)) => cfg.values = m,
                ("features", Value::Object(m)) => cfg.features = m,
                ("backendSchema", v) => match as_integer(&v) {
                    Some(n) => cfg.backend_schema = Some(n),
                    None => problems.push(shape_error(&key, "an integer", &v)),
                },
                ("locale", Value::String(s)) => cfg.locale = Some(String::from(s)),
                ("values" | "features", v) => problems.push(shape_error(&key, "an object", &v)),
                ("locale", v) => problems.push(shape_error(&key, "a string", &v)),
                ("$schema", _) => {}
                _ => problems.push(
                    Problem::warning(Code::ConfigInvalid, format!("{key}: not a configuration key, ignored"))
                        .with_path(key),
                ),
            }
        }
        (cfg, problems)
    }
}

/// One member per key, where the key first appeared, with the value it was
/// given last. In place: a repeated key's value moves to its first
/// appearance, and the repeat goes.
fn last_wins(mut members: Vec<(Str, Value)>) -> Vec<(Str, Value)> {
    let mut repeat = vec![false; members.len()];
    let mut moves = Vec::new();
    {
        let names = Names::new(members.iter().map(|(k, _)| k.as_str()));
        if !names.repeats() {
            return members;
        }
        for (i, (k, _)) in members.iter().enumerate() {
            if let Some(first) = names.first(k).filter(|first| *first != i) {
                repeat[i] = true;
                moves.push((first, i));
            }
        }
    }
    for (first, i) in moves {
        members[first].1 = std::mem::replace(&mut members[i].1, Value::Null);
    }
    let mut i = 0;
    members.retain(|_| {
        i += 1;
        !repeat[i - 1]
    });
    members
}

fn shape_error(key: &str, expected: &str, found: &Value) -> Problem {
    Problem::error(Code::ConfigInvalid, format!("{key}: expected {expected}, found {}", describe(found)))
        .with_path(key.to_owned())
        .with_expected_found(expected, describe(found))
}
