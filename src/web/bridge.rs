//! Posting state changes and the final report to a native app's bridge, when
//! the page runs in a webview that has one (`docs/embed.md`, "Native bridge").
//! Each message is `{"type": "desk-loader:state" | "desk-loader:report", ...}`.

use js_sys::{Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use super::convert::to_js;
use desk_loader_core::value::Value;

fn get(target: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(target, &key.into()).ok().filter(|v| !v.is_undefined() && !v.is_null())
}

fn call(target: &JsValue, method: &str, arg: &JsValue) -> bool {
    get(target, method).and_then(|f| f.dyn_into::<Function>().ok()).is_some_and(|f| f.call1(target, arg).is_ok())
}

/// Posts `message` to every bridge present: an Android `addJavascriptInterface`
/// object named `DeskLoaderBridge` (a JSON string), the iOS script message
/// handler `webkit.messageHandlers.deskLoader` (an object), and React
/// Native's `ReactNativeWebView` (a JSON string). A bridge that throws is skipped.
pub(crate) fn post(message: &Value) {
    let Some(window) = web_sys::window().map(JsValue::from) else { return };
    let text = JsValue::from_str(&message.to_json());
    if let Some(android) = get(&window, "DeskLoaderBridge") {
        call(&android, "postMessage", &text);
    }
    if let Some(ios) =
        get(&window, "webkit").and_then(|w| get(&w, "messageHandlers")).and_then(|h| get(&h, "deskLoader"))
    {
        call(&ios, "postMessage", &to_js(message));
    }
    if let Some(rn) = get(&window, "ReactNativeWebView") {
        call(&rn, "postMessage", &text);
    }
}
