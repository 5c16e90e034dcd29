//! Manifest parsing, the CLI's check and the JSON Schema export, from arbitrary text.
#![no_main]

use desk_loader_core::check::check;
use desk_loader_core::config::Contract;
use desk_loader_core::manifest::Manifest;
use desk_loader_core::value::Value;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(doc) = serde_json::from_str::<Value>(text) else { return };
    let (m, _) = Manifest::parse(doc.clone());
    // With no duplicate key, the manifest reads its contracts without
    // indexing their lists (`config::Keys`), and alone each reads the same.
    // (With one, a release's `config` given twice is read from its last.)
    let unique = doc.duplicate_keys().is_empty();
    for r in &m.releases {
        let _ = r.contract.json_schema(&r.id).to_json();
        if unique {
            assert_eq!(r.contract, Contract::parse(r.source.get("config"), "config").0);
        }
    }
    let _ = check(doc.clone(), Value::Null, None);
    // Written JSON always reads back to the same value.
    let again: Value = serde_json::from_str(&doc.to_json()).expect("to_json writes valid JSON");
    assert_eq!(again.to_json(), doc.to_json());
});
