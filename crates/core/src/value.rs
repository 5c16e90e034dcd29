//! A JSON value the core owns, so the browser build needs no JSON library.
//!
//! Natively the tests (the CLI reads as the browser does, with `core::json`)
//! read text into [`Value`] with `serde_json`, through the impl below; in
//! the browser the core's own parser reads it (`core::json`, with the same depth
//! limit; a host page's objects are first written out with `JSON.stringify`,
//! `web::convert::from_js`). [`Value::to_json`] writes compact JSON for records
//! and reports.

use super::names::Names;
pub use super::small::Str;

/// Deepest nesting accepted from any input; deeper documents are rejected.
pub const MAX_DEPTH: usize = 32;

/// A JSON value. Objects keep their key order and reject nothing: the core
/// decides what a duplicate or unknown key means.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// Any JSON number.
    Number(f64),
    /// A string.
    String(Str),
    /// An array.
    Array(Vec<Value>),
    /// An object, as ordered key-value pairs.
    Object(Vec<(Str, Value)>),
}

impl Value {
    /// The member `key` of an object, or `None` for a missing key or a non-object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string inside, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The members, if this is an object.
    pub fn as_object(&self) -> Option<&[(Str, Value)]> {
        match self {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The JSON type name used in error messages: `null`, `boolean`, `number`,
    /// `string`, `array` or `object`.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }

    /// Paths of keys that appear twice in the same object, anywhere inside.
    /// `JSON.parse` keeps the last and `serde_json` here keeps both, so the
    /// loader treats a duplicate as an error rather than guess which was meant.
    pub fn duplicate_keys(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.find_duplicates(&Path::Root, &mut out);
        out
    }

    fn find_duplicates(&self, path: &Path<'_>, out: &mut Vec<String>) {
        match self {
            Value::Object(members) => {
                // Most objects are a declaration's few members: comparing
                // them with each other beats sorting them.
                let names = (members.len() > 8)
                    .then(|| Names::new(members.iter().map(|(k, _)| k.as_str())))
                    .filter(Names::repeats);
                let small = members.len() <= 8;
                for (i, (k, v)) in members.iter().enumerate() {
                    let first = match &names {
                        Some(names) => names.first(k) == Some(i),
                        None => !small || !members[..i].iter().any(|(earlier, _)| earlier == k),
                    };
                    if !first {
                        out.push(Path::Key(path, k).to_string());
                    }
                    if v.is_container() {
                        v.find_duplicates(&Path::Key(path, k), out);
                    }
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate().filter(|(_, v)| v.is_container()) {
                    v.find_duplicates(&Path::Index(path, i), out);
                }
            }
            _ => {}
        }
    }

    fn is_container(&self) -> bool {
        matches!(self, Value::Object(_) | Value::Array(_))
    }

    /// Compact JSON text. Non-finite numbers, which JSON cannot hold, become `null`.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out);
        out
    }

    fn write_json(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Number(n) => write_number(*n, out),
            Value::String(s) => write_string(s, out),
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_json(out);
                }
                out.push(']');
            }
            Value::Object(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_string(k, out);
                    out.push(':');
                    v.write_json(out);
                }
                out.push('}');
            }
        }
    }
}

/// Builds an object from pairs; a shorthand for the core's own output.
pub fn object<const N: usize>(mut pairs: [(&str, Value); N]) -> Value {
    // One copy of the loop for every size of object (the wasm module carries
    // each instance of a generic function).
    object_from(&mut pairs)
}

fn object_from(pairs: &mut [(&str, Value)]) -> Value {
    Value::Object(pairs.iter_mut().map(|(k, v)| (Str::from(*k), std::mem::replace(v, Value::Null))).collect())
}

/// A whole number from a JSON number or a decimal string.
pub fn as_integer(v: &Value) -> Option<i64> {
    let n = match v {
        Value::Number(n) => *n,
        Value::String(s) => s.trim().parse::<i64>().ok()? as f64,
        _ => return None,
    };
    (n.fract() == 0.0 && n.abs() <= 9.007_199_254_740_991e15).then_some(n as i64)
}

/// A release id, variable or feature name: 1 to 64 of `A-Z a-z 0-9 _ . -`.
/// Read by bytes, not characters: every byte of a character beyond ASCII
/// is 0x80 or more, and fails alike.
pub(crate) fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// Whether `needle` occurs in `haystack`, byte by byte: `str::contains` with
/// a string pattern links the Two-Way searcher, large in the wasm module and
/// needless for the short texts the loader searches.
pub fn contains(haystack: &str, needle: &str) -> bool {
    needle.is_empty() || haystack.as_bytes().windows(needle.len()).any(|w| w == needle.as_bytes())
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(Str::from(s))
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(Str::from(s))
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<f64> for Value {
    fn from(n: f64) -> Value {
        Value::Number(n)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(o: Option<T>) -> Value {
        o.map_or(Value::Null, Into::into)
    }
}

/// Numbers as JSON text: whole numbers as integers, others in the shortest
/// form that reads back to the same `f64` (ryu, whose small tables weigh a
/// fraction of `core::fmt`'s float formatting in the wasm module).
fn write_number(n: f64, out: &mut String) {
    if !n.is_finite() {
        out.push_str("null");
    } else if n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 {
        out.push_str(&(n as i64).to_string());
    } else {
        out.push_str(ryu::Buffer::new().format_finite(n));
    }
}

/// Reads a decimal number written as text, such as `"0.25"` or `"-1.5e3"`,
/// exactly as JSON would, but only where one correctly rounded operation
/// gives the answer (at most 15 significant digits, a power of ten within
/// 10^±22: Clinger's fast path). Other texts return `None`. This keeps
/// `str::parse::<f64>`, whose tables are large, out of the wasm module; a
/// configuration that needs more digits gives the number as a JSON number.
pub fn parse_decimal(text: &str) -> Option<f64> {
    let bytes = text.as_bytes();
    let mut i = 0;
    let negative = match bytes.first() {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let (mut mantissa, mut digits, mut exponent, mut seen) = (0u64, 0u32, 0i32, false);
    let mut fraction = false;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'0'..=b'9' => {
                seen = true;
                if mantissa == 0 && b == b'0' {
                    // Leading zeros are not significant.
                } else if digits >= 15 && b == b'0' {
                    // Zeros past 15 digits: exact while nothing but zeros follows.
                    if !fraction {
                        exponent += 1;
                    }
                    digits += 1;
                    i += 1;
                    continue;
                } else {
                    digits += 1;
                    if digits > 15 {
                        return None;
                    }
                    mantissa = mantissa * 10 + u64::from(b - b'0');
                }
                if fraction {
                    exponent -= 1;
                }
            }
            b'.' if !fraction => fraction = true,
            _ => break,
        }
        i += 1;
    }
    if !seen {
        return None;
    }
    if let Some(b'e' | b'E') = bytes.get(i) {
        let e: i32 = text.get(i + 1..)?.parse().ok().filter(|e: &i32| e.abs() <= 400)?;
        exponent += e;
        i = bytes.len();
    }
    if i != bytes.len() {
        return None;
    }
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    ];
    let m = mantissa as f64;
    let n = if mantissa == 0 {
        0.0
    } else if (0..=22).contains(&exponent) {
        m * POW10[exponent as usize]
    } else if (-22..0).contains(&exponent) {
        m / POW10[(-exponent) as usize]
    } else {
        return None;
    };
    Some(if negative { -n } else { n })
}

/// Appends the last `digits` hex digits of `n`, lower case, zero-padded:
/// what `{:0N$x}` would write, without width formatting.
pub fn push_hex(out: &mut String, n: u64, digits: u32) {
    for i in (0..digits).rev() {
        out.push(char::from(b"0123456789abcdef"[(n >> (4 * i)) as usize & 15]));
    }
}

/// A duration in milliseconds as seconds, for messages: `300` → `0.3`.
pub fn seconds(ms: f64) -> String {
    Value::Number(ms / 1000.0).to_json()
}

/// A string in double quotes for a message, escaped as in JSON (so a name
/// with quotes or control characters reads unambiguously) but with `<` kept:
/// messages are only ever inserted as text. The core's stand-in for `{:?}`,
/// whose Unicode tables weigh several KB in the wasm module.
pub fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    write_quoted(s, false, &mut out);
    out
}

fn write_string(s: &str, out: &mut String) {
    write_quoted(s, true, out);
}

fn write_quoted(s: &str, escape_lt: bool, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // `<` is escaped so a report or record can never close a `<script>`.
            '<' if escape_lt => out.push_str("\\u003c"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                out.push_str("\\u");
                push_hex(out, u64::from(c), 4);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `Deserialize` for [`Value`], for `serde_json` in the tests and the
/// fuzz targets. The browser build reads text with `core::json`
/// (`web::convert`), so the wasm module links none of this.
mod deserialize {
    use std::fmt;

    use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

    use super::{Str, Value, MAX_DEPTH};

    impl<'de> Deserialize<'de> for Value {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
            d.deserialize_any(ValueVisitor { depth: 0 })
        }
    }

    struct ValueVisitor {
        depth: usize,
    }

    /// Seeds nested values with their depth so hostile nesting stops early.
    impl<'de> de::DeserializeSeed<'de> for ValueVisitor {
        type Value = Value;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
            d.deserialize_any(self)
        }
    }

    impl ValueVisitor {
        fn nested<E: de::Error>(&self) -> Result<ValueVisitor, E> {
            if self.depth >= MAX_DEPTH {
                return Err(E::custom(format_args!("nesting deeper than {MAX_DEPTH} levels")));
            }
            Ok(ValueVisitor { depth: self.depth + 1 })
        }
    }

    impl<'de> Visitor<'de> for ValueVisitor {
        type Value = Value;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a JSON value")
        }
        fn visit_unit<E>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }
        fn visit_none<E>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
            Ok(Value::Bool(b))
        }
        fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
            Ok(Value::Number(n as f64))
        }
        fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
            Ok(Value::Number(n as f64))
        }
        fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
            Ok(Value::Number(n))
        }
        fn visit_str<E>(self, s: &str) -> Result<Value, E> {
            Ok(Value::String(s.into()))
        }
        fn visit_string<E>(self, s: String) -> Result<Value, E> {
            Ok(Value::String(s.into()))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
            let mut items = Vec::new();
            while let Some(item) = seq.next_element_seed(self.nested()?)? {
                items.push(item);
            }
            Ok(Value::Array(items))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
            let mut members = Vec::new();
            while let Some(key) = map.next_key::<Str>()? {
                let value = map.next_value_seed(self.nested()?)?;
                members.push((key, value));
            }
            Ok(Value::Object(members))
        }
    }
}

/// `Serialize` for [`Value`]: the shell writes values to JavaScript with
/// serde-wasm-bindgen (`web::convert::to_js`).
mod serialize {
    use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

    use super::Value;

    impl Serialize for Value {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            match self {
                Value::Null => s.serialize_unit(),
                Value::Bool(b) => s.serialize_bool(*b),
                Value::Number(n) => s.serialize_f64(*n),
                Value::String(t) => s.serialize_str(t),
                Value::Array(items) => {
                    let mut seq = s.serialize_seq(Some(items.len()))?;
                    for item in items {
                        seq.serialize_element(item)?;
                    }
                    seq.end()
                }
                Value::Object(members) => {
                    let mut map = s.serialize_map(Some(members.len()))?;
                    for (k, v) in members {
                        map.serialize_entry(k.as_str(), v)?;
                    }
                    map.end()
                }
            }
        }
    }
}

/// Where a value sits in a document, written out (`a.b[0].c`) only when a
/// problem names it: walking a document builds no text.
enum Path<'a> {
    Root,
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl std::fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Path::Root => Ok(()),
            Path::Key(Path::Root, k) => f.write_str(k),
            Path::Key(parent, k) => write!(f, "{parent}.{k}"),
            Path::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn duplicate_keys_are_found_in_objects_of_any_size() {
        let members =
            |n: usize| -> Vec<(Str, Value)> { (0..n).map(|i| (format!("k{i}").into(), Value::Null)).collect() };
        let mut big = members(20);
        big.push(("k7".into(), Value::Object(vec![("x".into(), Value::Null), ("x".into(), Value::Null)])));
        let doc = Value::Object(vec![("big".into(), Value::Object(big)), ("small".into(), Value::Object(members(3)))]);
        assert_eq!(doc.duplicate_keys(), vec!["big.k7", "big.k7.x"]);
    }

    use super::*;

    fn parse(s: &str) -> Result<Value, serde_json::Error> {
        serde_json::from_str(s)
    }

    #[test]
    fn round_trips_through_text() {
        let text = r#"{"a":[1,2.5,-3,true,null],"b":"x\"y\\z\n","c":{}}"#;
        let v = parse(text).unwrap();
        assert_eq!(v.to_json(), text);
        assert_eq!(parse(&v.to_json()).unwrap(), v);
    }

    #[test]
    fn escapes_script_breakers_and_controls() {
        let v = Value::from("</script>\u{1}\u{2028}");
        assert_eq!(v.to_json(), r#""\u003c/script>\u0001\u2028""#);
    }

    #[test]
    fn rejects_hostile_nesting() {
        let deep = "[".repeat(MAX_DEPTH + 2) + &"]".repeat(MAX_DEPTH + 2);
        let err = parse(&deep).unwrap_err().to_string();
        assert!(err.contains("nesting deeper than 32"), "{err}");
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn finds_duplicate_keys_at_any_depth() {
        let v = parse(r#"{"a":1,"b":{"c":1,"c":2},"a":3,"l":[{"x":1,"x":1}]}"#).unwrap();
        assert_eq!(v.duplicate_keys(), vec!["b.c", "a", "l[0].x"]);
    }

    #[test]
    fn non_finite_numbers_become_null() {
        assert_eq!(Value::Number(f64::NAN).to_json(), "null");
        assert_eq!(Value::Number(1e300).to_json(), "1e300");
        assert_eq!(Value::Number(0.1 + 0.2).to_json(), "0.30000000000000004");
        assert_eq!(Value::Number(-2.5).to_json(), "-2.5");
    }

    #[test]
    fn decimals_read_as_json_would_or_not_at_all() {
        for text in [
            "0",
            "-0",
            "1",
            "0.25",
            "-1.5e3",
            "3.14159",
            "1e22",
            "123456789012345",
            "0.000001",
            "+7",
            "5.",
            "1E-5",
            "1000000000000000000",
            "2.50000000000000000",
        ] {
            let expected: f64 = text.trim_start_matches('+').parse().unwrap();
            assert_eq!(parse_decimal(text), Some(expected), "{text}");
        }
        for text in [
            "",
            "-",
            ".",
            "1.2.3",
            "1e",
            "abc",
            "1 ",
            "0x10",
            "1234567890123456",
            "1000000000000000001",
            "1e400",
            "NaN",
            "inf",
        ] {
            assert_eq!(parse_decimal(text), None, "{text}");
        }
    }

    #[test]
    fn quoted_escapes_like_json_but_keeps_angle_brackets() {
        assert_eq!(quoted("a\"b<\u{1}"), r#""a\"b<\u0001""#);
    }
}
