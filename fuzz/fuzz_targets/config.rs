//! Configuration validation: an arbitrary contract against an arbitrary
//! configuration; the input is two JSON documents separated by a NUL byte.
#![no_main]

use desk_loader_core::config::{Contract, RuntimeConfig};
use desk_loader_core::value::Value;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(2, |b| *b == 0);
    let (Some(a), Some(b)) = (parts.next(), parts.next()) else { return };
    let (Ok(a), Ok(b)) = (std::str::from_utf8(a), std::str::from_utf8(b)) else { return };
    let (Ok(contract), Ok(config)) = (serde_json::from_str::<Value>(a), serde_json::from_str::<Value>(b)) else { return };
    let (contract, _) = Contract::parse(Some(&contract), "config");
    let (runtime, _) = RuntimeConfig::parse(config.clone());
    let validated = contract.validate(&runtime);
    // A secret's value never reaches a problem about it.
    for v in contract.variables.iter().filter(|v| v.secret) {
        if let Some((_, Value::String(s))) = runtime.values.iter().find(|(k, _)| k == &v.name) {
            // Skip values that are part of the names or of the redaction text itself.
            let redaction = "a string (secret, value not shown) expected a non-empty string";
            if s.len() >= 8 && !s.contains(v.name.as_str()) && !redaction.contains(s.as_str()) && !v.name.contains(s.as_str()) {
                for p in validated.problems.iter().filter(|p| p.variable.as_deref() == Some(&v.name)) {
                    assert!(!p.message.contains(s.as_str()) && !p.found.as_deref().unwrap_or("").contains(s.as_str()));
                }
            }
        }
    }
    // Every value the panel receives is declared.
    for (name, _) in &validated.values {
        assert!(contract.variables.iter().any(|v| &v.name == name));
    }
});
