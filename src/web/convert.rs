//! Conversions between JavaScript values and the core's: documents read
//! from text or from the host page's objects, core values written out with
//! serde-wasm-bindgen, and the text of a thrown value. Every crossing of the
//! boundary in the shell goes through here.

use serde::Serialize;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};

use desk_loader_core::boot::LoadError;
use desk_loader_core::value::Value;

/// Reads a document's text in the core (`core::json`): no call into
/// JavaScript per value, as `JSON.parse` and a walk of its result took.
pub(crate) fn parse(text: &str) -> Result<Value, LoadError> {
    desk_loader_core::json::parse(text, number).map_err(|e| LoadError::Malformed(e.to_string()))
}

/// A JSON number's text as an `f64`: the core's exact fast path, else
/// JavaScript's `parseFloat` (the core has no float parser of its own).
fn number(text: &str) -> Option<f64> {
    desk_loader_core::value::parse_decimal(text).or_else(|| Some(js_sys::Number::parse_float(text)))
}

/// Reads a host page's object (a document given as an object, or `check()`'s
/// arguments) into a core value: `JSON.stringify` writes it out in one call,
/// and the core reads the text (`core::json`, with its depth limit). A
/// replacer refuses, by name, what JSON cannot hold and `JSON.stringify`
/// would silently drop (a function, a symbol) or fail on (a bigint);
/// `undefined` reads as `null`. This replaced a walk of the object, one call
/// into JavaScript per key and per value.
pub(crate) fn from_js(js: JsValue) -> Result<Value, LoadError> {
    let replacer = Closure::<dyn FnMut(JsValue, JsValue) -> Result<JsValue, JsValue>>::new(|_: JsValue, v: JsValue| {
        if v.is_undefined() {
            return Ok(JsValue::NULL);
        }
        // Asked without a string crossing: this runs for every value.
        let kind = if v.is_function() {
            "function"
        } else if v.is_symbol() {
            "symbol"
        } else if v.is_bigint() {
            "bigint"
        } else {
            return Ok(v);
        };
        Err(js_sys::Error::new(&format!("a {kind} is not a JSON value")).into())
    });
    let text = js_sys::JSON::stringify_with_replacer(&js, replacer.as_ref())
        .map_err(|e| LoadError::Malformed(js_error_text(&e)))?;
    match text.as_string() {
        // Only the position in a text no one wrote would follow.
        Some(text) => desk_loader_core::json::parse(&text, number).map_err(|e| LoadError::Malformed(e.what.to_owned())),
        None => Ok(Value::Null),
    }
}

/// The message of a thrown value, which need not be an `Error`.
pub(crate) fn js_error_text(e: &JsValue) -> String {
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        return String::from(err.message());
    }
    string(e).unwrap_or_else(|_| "(a value that cannot be shown as text)".to_owned())
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// JavaScript's `String(value)`, which never throws for primitives and objects.
    #[wasm_bindgen(js_name = String, catch)]
    fn string(v: &JsValue) -> Result<String, JsValue>;
}

/// Writes a core value (or any serializable data) to JavaScript with
/// serde-wasm-bindgen: objects as plain objects (`json_compatible`), as
/// `JSON.parse` would make them. Its serializer weighs about 0.4 KB gzip in
/// the module; its deserializer is not used for the way in (`from_js`): it
/// links `core::fmt`'s float formatting, which `[weight].forbidden` keeps
/// out (measured: 94,595 B to 110,893 B gzip).
pub(crate) fn to_js(v: &Value) -> JsValue {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).unwrap_or(JsValue::NULL)
}
