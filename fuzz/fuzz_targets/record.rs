//! Stored-record decoding and updating, from arbitrary text: never a panic,
//! and what `apply` writes always decodes cleanly.
#![no_main]

use desk_loader_core::record::{apply, Record, Update};
use desk_loader_core::value::Value;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(stored) = serde_json::from_str::<Value>(text) else { return };
    let (record, _) = Record::decode(&stored);
    let _ = record.quarantined("r1", "fp", Some(43), 1e12);
    let update = Update::KnownGood {
        release: stored.get("release").cloned().unwrap_or(Value::Null),
        backend_schema: Some(43),
        config_fingerprint: "fp".into(),
    };
    let written = apply(&stored, &update, 1e12);
    let (_, problems) = Record::decode(&written);
    assert!(problems.is_empty(), "apply wrote a record that does not decode: {problems:?}");
});
