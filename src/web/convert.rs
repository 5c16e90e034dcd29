//! Conversions between JavaScript values and the core's: the host page's
//! options and objects read into core values, numbers read with JavaScript's
//! `parseFloat`, core values written out with serde-wasm-bindgen, and the
//! text of a thrown value: every value that crosses the boundary. (The
//! shell's other calls into JavaScript pass handles and a few named
//! properties: the boot context's callbacks, an event's fields, the service
//! worker's script URL.)

use js_sys::Reflect;
use serde::Serialize;
use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Element;

use desk_loader_core::boot::LoadError;
use desk_loader_core::value::Value;

/// Reads a document's text in the core (`core::json`): no call into
/// JavaScript per value, as `JSON.parse` and a walk of its result took.
pub(crate) fn parse(text: &str) -> Result<Value, LoadError> {
    desk_loader_core::json::parse(text, number).map_err(|e| LoadError::Malformed(e.to_string()))
}

/// A JSON number's text as an `f64`: the core's exact fast path, else
/// JavaScript's `parseFloat` (the core has no float parser of its own):
/// the boot's `Options::parse_number`.
pub(crate) fn number(text: &str) -> Option<f64> {
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

/// The options as the core reads them (`core::options::parse`), and the
/// documents given as objects, in the order the core meets them (the
/// manifest, each configuration source, `hostConfig`). A document object is
/// an empty object here: only its type is read before it loads. The mount
/// point is the page's, and only a selector is passed on.
pub(crate) fn options_shape(options: &JsValue) -> (Value, std::vec::IntoIter<JsValue>) {
    // Per option, its document objects: the manifest's, the configuration's, hostConfig's.
    let mut objects: [Vec<JsValue>; 3] = Default::default();
    // An option's value: primitives as they are (no JSON.stringify on the
    // boot path for a number or a string), anything else read as JSON.
    let plain = |v: JsValue| match (v.as_string(), v.as_f64(), v.as_bool()) {
        (Some(s), _, _) => Value::from(s),
        (_, Some(n), _) => Value::Number(n),
        (_, _, Some(b)) => Value::Bool(b),
        _ => from_js(v).unwrap_or(Value::Null),
    };
    let shape = |v: JsValue, objects: &mut Vec<JsValue>| -> Value {
        if v.is_object() && !js_sys::Array::is_array(&v) {
            objects.push(v);
            Value::Object(Vec::new())
        } else {
            plain(v)
        }
    };
    let mut members = Vec::new();
    if options.is_object() {
        for key in js_sys::Object::keys(options.unchecked_ref::<js_sys::Object>()).iter().filter_map(|k| k.as_string())
        {
            let v = Reflect::get(options, &key.as_str().into()).unwrap_or(JsValue::UNDEFINED);
            let value = match key.as_str() {
                // The element is the page's; anything else is the core's to judge.
                "mount" if v.is_instance_of::<Element>() => continue,
                "manifest" => shape(v, &mut objects[0]),
                "config" if js_sys::Array::is_array(&v) => {
                    Value::Array(js_sys::Array::from(&v).iter().map(|item| shape(item, &mut objects[1])).collect())
                }
                "config" => shape(v, &mut objects[1]),
                "hostConfig" => shape(v, &mut objects[2]),
                _ => plain(v),
            };
            members.push((key.into(), value));
        }
    }
    (Value::Object(members), objects.concat().into_iter())
}
