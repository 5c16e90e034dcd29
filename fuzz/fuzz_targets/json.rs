//! The core's JSON parser, which the browser uses, against serde_json, which
//! the CLI uses: the same texts accepted, the same values read, but for the
//! documented differences (crates/core/src/json.rs), which this target steps around.
#![no_main]

use desk_loader_core::json;
use desk_loader_core::value::Value;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let ours = json::parse(text, |t| t.parse().ok());
    // A byte order mark (skipped here) and \u escapes of lone surrogates
    // (U+FFFD here) are where the two differ by design; so may nesting near
    // the depth limit, which each counts its own way.
    if text.starts_with('\u{feff}') || text.contains("\\u") || text.matches(['[', '{']).count() > 30 {
        return;
    }
    let theirs = serde_json::from_str::<Value>(text);
    // A number beyond f64's range: JSON.parse reads it as ±Infinity, and so
    // does the browser's parser (its numbers go through parseFloat); serde_json
    // refuses it.
    if matches!(&theirs, Err(e) if e.to_string().starts_with("number out of range")) {
        return;
    }
    assert_eq!(ours.is_ok(), theirs.is_ok(), "{text:?}: {ours:?} / {theirs:?}");
    if let (Ok(a), Ok(b)) = (ours, theirs) {
        assert_eq!(a.to_json(), b.to_json());
    }
});
