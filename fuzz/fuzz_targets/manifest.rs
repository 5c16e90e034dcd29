//! Manifest parsing, the CLI's check and the JSON Schema export, from arbitrary text.
#![no_main]

use desk_loader::core::check::check;
use desk_loader::core::manifest::Manifest;
use desk_loader::core::value::Value;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(doc) = serde_json::from_str::<Value>(text) else { return };
    let (m, _) = Manifest::parse(doc.clone());
    for r in &m.releases {
        let _ = r.contract.json_schema(&r.id).to_json();
    }
    let _ = check(doc.clone(), Value::Null, None);
    // Written JSON always reads back to the same value.
    let again: Value = serde_json::from_str(&doc.to_json()).expect("to_json writes valid JSON");
    assert_eq!(again.to_json(), doc.to_json());
});
