//! The core's JSON parser (`core::json`, how the browser reads documents)
//! against `serde_json` (how the CLI reads them): the same values from the
//! same text, the same texts refused, and positions in its errors.
#![cfg(not(target_arch = "wasm32"))]

use desk_loader_core::json;
use desk_loader_core::value::{Value, MAX_DEPTH};
use proptest::prelude::*;

fn number(text: &str) -> Option<f64> {
    text.parse().ok()
}

fn parse(text: &str) -> Result<Value, String> {
    json::parse(text, number).map_err(|e| e.to_string())
}

fn serde(text: &str) -> Result<Value, String> {
    serde_json::from_str::<Value>(text).map_err(|e| e.to_string())
}

/// Any JSON value, nested a few levels, with keys that may repeat.
fn value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(|n| Value::Number(n.into())),
        (-1e6f64..1e6).prop_map(Value::Number),
        "\\PC{0,12}".prop_map(Value::from),
        "[\"\\\\/\u{8}\u{c}\n\r\t\u{1}é😀a]{0,6}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(("[a-c]{1,2}", inner), 0..6)
                .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.into(), v)).collect())),
        ]
    })
}

/// Text that is often JSON and often nearly so.
fn jsonish() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "{",
            "}",
            "[",
            "]",
            ":",
            ",",
            " ",
            "\n",
            "\"",
            "\"a\"",
            "\"\\n\"",
            "\"\\u00e9\"",
            "\"\\x\"",
            "1",
            "-",
            "0",
            "01",
            ".5",
            "1.",
            "1e5",
            "1E+2",
            "-0.25",
            "true",
            "tru",
            "null",
            "false",
            "é",
            "\t",
            "\u{1}",
        ]),
        0..24,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #[test]
    fn reads_what_serde_json_reads(v in value()) {
        let text = v.to_json();
        prop_assert_eq!(parse(&text).map(|v| v.to_json()), serde(&text).map(|v| v.to_json()));
    }

    #[test]
    fn refuses_what_serde_json_refuses(text in jsonish()) {
        let (ours, theirs) = (parse(&text), serde(&text));
        // By design (crates/core/src/json.rs): a number beyond f64's range is Infinity, as JSON.parse reads it.
        prop_assume!(!matches!(&theirs, Err(e) if e.starts_with("number out of range")));
        prop_assert_eq!(ours.is_ok(), theirs.is_ok(), "{:?}: ours {:?}, serde_json {:?}", text, ours, theirs);
        if let (Ok(a), Ok(b)) = (ours, theirs) {
            prop_assert_eq!(a.to_json(), b.to_json());
        }
    }
}

#[test]
fn a_repeated_key_is_kept_twice_in_order() {
    let v = parse(r#"{"a": 1, "b": 2, "a": 3}"#).unwrap();
    assert_eq!(v.to_json(), r#"{"a":1,"b":2,"a":3}"#);
    assert_eq!(v.duplicate_keys(), vec!["a"]);
}

#[test]
fn escapes_and_surrogates() {
    let v = parse(r#"["\ud83d\ude00", "\u00e9\n\"\\\/", "\ud800", "\udc00x"]"#).unwrap();
    assert_eq!(v, Value::Array(vec!["😀".into(), "é\n\"\\/".into(), "\u{fffd}".into(), "\u{fffd}x".into()]));
}

#[test]
fn a_number_beyond_f64_is_what_the_number_reader_makes_of_it() {
    // The browser's reader is parseFloat: Infinity, as JSON.parse gives (fuzz/seeds/json/huge-number.json).
    assert_eq!(
        parse("[1e999, -1e999]").unwrap(),
        Value::Array(vec![Value::Number(f64::INFINITY), Value::Number(f64::NEG_INFINITY)])
    );
}

#[test]
fn a_byte_order_mark_is_skipped() {
    assert_eq!(parse("\u{feff}{\"a\": true}").unwrap().to_json(), r#"{"a":true}"#);
}

#[test]
fn errors_say_what_and_where() {
    assert_eq!(parse("{\n  \"a\": 1,\n  \"b\": }").unwrap_err(), "expected a value at line 3 column 8");
    assert_eq!(parse("{\"a\" 1}").unwrap_err(), "expected `:` at line 1 column 6");
    assert_eq!(parse("[1, 2").unwrap_err(), "unexpected end at line 1 column 6");
    assert_eq!(parse("{} x").unwrap_err(), "trailing characters at line 1 column 4");
    assert_eq!(parse("\"a\u{1}\"").unwrap_err(), "control character in a string at line 1 column 3");
    assert_eq!(parse("").unwrap_err(), "unexpected end at line 1 column 1");
    assert_eq!(parse("<!doctype html>").unwrap_err(), "expected a value at line 1 column 1");
}

#[test]
fn nesting_stops_at_the_core_limit() {
    let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    assert!(parse(&nested(MAX_DEPTH)).is_ok());
    let err = parse(&nested(MAX_DEPTH + 1)).unwrap_err();
    assert!(err.starts_with(&format!("nesting deeper than {MAX_DEPTH} levels")), "{err}");
    // Hostile depth is refused without recursing through it.
    assert!(parse(&nested(100_000)).is_err());
}
