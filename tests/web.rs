//! The web shell in a real browser: it injects a release's script with
//! integrity, hands the panel its boot context, and hears `ready()`.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// A same-origin `blob:` URL for a classic script, and its SRI. (`data:`
/// URLs are refused by the loader's origin rule.)
fn script(source: &str) -> (String, String) {
    let parts = js_sys::Array::of1(&JsValue::from_str(source));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/javascript");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).unwrap();
    let url = web_sys::Url::create_object_url_with_blob(&blob).unwrap();
    (url, desk_loader_core::sri::integrity(source.as_bytes()))
}

/// The attempt id in the test panel's text (`panel <release> attempt <id> …`).
fn attempt_in(text: &str) -> u32 {
    text.split_whitespace().skip_while(|w| *w != "attempt").nth(1).and_then(|n| n.parse().ok()).expect("an attempt id")
}

fn mount(id: &str) -> web_sys::Element {
    let el = document().create_element("div").unwrap();
    el.set_id(id);
    document().body().unwrap().append_child(&el).unwrap();
    el
}

fn options(mount: &web_sys::Element, manifest: &str, config: &str) -> JsValue {
    let o = js_sys::Object::new();
    js_sys::Reflect::set(&o, &"mount".into(), mount).unwrap();
    js_sys::Reflect::set(&o, &"manifest".into(), &js_sys::JSON::parse(manifest).unwrap()).unwrap();
    js_sys::Reflect::set(&o, &"config".into(), &js_sys::JSON::parse(config).unwrap()).unwrap();
    o.into()
}

async fn sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window().unwrap().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms).unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(p).await.unwrap();
}

/// The stored record, once it contains `needle` (the write waits for a Web Lock).
async fn stored_record(needle: &str) -> String {
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    for _ in 0..80 {
        if let Some(r) = storage.get_item("desk-loader:record").unwrap().filter(|r| r.contains(needle)) {
            return r;
        }
        sleep(25).await;
    }
    panic!("no record with {needle} was stored within 2 s: {:?}", storage.get_item("desk-loader:record"));
}

/// Waits until the mount point's `data-desk-state` is one of the final states.
async fn settled(mount: &web_sys::Element) -> String {
    for _ in 0..200 {
        match mount.get_attribute("data-desk-state").as_deref() {
            Some(s @ ("ready" | "failed")) => return s.to_owned(),
            _ => sleep(25).await,
        }
    }
    panic!("the boot did not settle in 5 s: state {:?}", mount.get_attribute("data-desk-state"));
}

const PANEL: &str = r#"deskLoader.register(function (ctx) {
  var p = document.createElement("p");
  p.className = "fake-panel";
  p.textContent = "panel " + ctx.releaseId + " attempt " + ctx.attemptId + " api " + ctx.config.API_URL;
  ctx.mount.replaceChildren(p);
  ctx.ready();
});"#;

#[wasm_bindgen_test]
async fn injects_the_bundle_with_integrity_and_hears_ready() {
    let (url, integrity) = script(PANEL);
    let manifest = format!(
        r#"{{"format":1,"releases":[{{"id":"web-1","assets":[{{"type":"script","url":"{url}","integrity":"{integrity}"}}],
        "config":{{"variables":{{"API_URL":{{"type":"url","required":true}}}}}}}}]}}"#
    );
    let el = mount("desk-web-ready");
    desk_loader::start(options(&el, &manifest, r#"{"values":{"API_URL":"https://api.test"}}"#)).unwrap();
    assert_eq!(settled(&el).await, "ready");
    // Attempt ids go on across the starts of one page (each test here is one).
    let text = el.text_content().unwrap();
    let attempt = attempt_in(&text);
    assert_eq!(text, format!("panel web-1 attempt {attempt} api https://api.test"));
    let script = document()
        .query_selector(&format!("script[data-desk-attempt='{attempt}']"))
        .unwrap()
        .expect("the injected script");
    assert_eq!(script.get_attribute("integrity").as_deref(), Some(integrity.as_str()));
    // The record is written under a Web Lock, a moment after ready().
    stored_record(r#""knownGood":{"release":{"id":"web-1""#).await;
}

#[wasm_bindgen_test]
async fn an_integrity_mismatch_falls_back_to_the_next_release() {
    let (url, _) = script(PANEL);
    let (_, other_integrity) = script("/* not the panel */");
    let (good_url, good_integrity) = script(PANEL);
    let manifest = format!(
        r#"{{"format":1,"releases":[
          {{"id":"tampered","assets":[{{"type":"script","url":"{url}","integrity":"{other_integrity}"}}]}},
          {{"id":"previous","assets":[{{"type":"script","url":"{good_url}","integrity":"{good_integrity}"}}]}}]}}"#
    );
    let el = mount("desk-web-fallback");
    desk_loader::start(options(&el, &manifest, r#"{"values":{}}"#)).unwrap();
    assert_eq!(settled(&el).await, "ready");
    let text = el.text_content().unwrap();
    assert!(text.starts_with("panel previous attempt "), "{text:?}");
    // The tampered attempt, the one before, and its script are gone from the page.
    let tampered = attempt_in(&text) - 1;
    assert!(document().query_selector(&format!("script[data-desk-attempt='{tampered}']")).unwrap().is_none());
}

#[wasm_bindgen_test]
async fn nothing_runnable_shows_an_accessible_error_screen() {
    let (url, integrity) = script(PANEL);
    let manifest = format!(
        r#"{{"format":1,"pin":"needs-api","releases":[{{"id":"needs-api","assets":[{{"type":"script","url":"{url}","integrity":"{integrity}"}}],
        "config":{{"variables":{{"API_URL":{{"type":"url","required":true}}}}}}}}]}}"#
    );
    // Pinned, so a known-good release left by another test is no candidate.
    let el = mount("desk-web-error");
    desk_loader::start(options(&el, &manifest, r#"{"values":{}}"#)).unwrap();
    assert_eq!(settled(&el).await, "failed");
    let screen = el.query_selector("[role=alert]").unwrap().expect("an alert");
    assert_eq!(screen.get_attribute("data-desk-error").as_deref(), Some("config.missing"));
    assert!(screen.text_content().unwrap().contains("API_URL: required by the core panel, but not set"));
    let active = document().active_element().unwrap();
    assert!(active.dyn_ref::<web_sys::Node>().unwrap().is_same_node(Some(&screen)), "focus is on the alert");
}

/// A `<script type="application/json">` element in the page, for an inline document.
fn inline_document(id: &str, text: &str) -> String {
    let el = document().create_element("script").unwrap();
    el.set_attribute("type", "application/json").unwrap();
    el.set_id(id);
    el.set_text_content(Some(text));
    document().body().unwrap().append_child(&el).unwrap();
    format!("#{id}")
}

/// Documents in the page are read within `start`: when it returns, the
/// release's files are already in the page, with no task to wait for; a
/// malformed one is named as such, the same way.
#[wasm_bindgen_test]
async fn documents_in_the_page_are_read_within_start() {
    let (url, integrity) = script(PANEL);
    let manifest = format!(
        r#"{{"format":1,"pin":"inline-1","releases":[{{"id":"inline-1","assets":[{{"type":"script","url":"{url}","integrity":"{integrity}"}}]}}]}}"#
    );
    let el = mount("desk-web-inline");
    let o = js_sys::Object::new();
    js_sys::Reflect::set(&o, &"mount".into(), &el).unwrap();
    js_sys::Reflect::set(&o, &"manifest".into(), &inline_document("web-inline-manifest", &manifest).into()).unwrap();
    js_sys::Reflect::set(&o, &"config".into(), &inline_document("web-inline-config", r#"{"values":{}}"#).into())
        .unwrap();
    desk_loader::start(o.into()).unwrap();
    assert_eq!(el.get_attribute("data-desk-state").as_deref(), Some("booting"));
    assert!(document().query_selector(&format!("script[src='{url}']")).unwrap().is_some(), "the script is injected");
    assert_eq!(settled(&el).await, "ready");
    // Forget it as known-good, so that neither the part below nor another
    // test falls back to it.
    stored_record(r#""knownGood":{"release":{"id":"inline-1""#).await;
    web_sys::window().unwrap().local_storage().unwrap().unwrap().remove_item("desk-loader:record").unwrap();

    let el = mount("desk-web-inline-malformed");
    let o = js_sys::Object::new();
    js_sys::Reflect::set(&o, &"mount".into(), &el).unwrap();
    js_sys::Reflect::set(&o, &"manifest".into(), &inline_document("web-inline-bad", "{\"format\": 1,").into()).unwrap();
    js_sys::Reflect::set(&o, &"config".into(), &inline_document("web-inline-config-2", r#"{"values":{}}"#).into())
        .unwrap();
    desk_loader::start(o.into()).unwrap();
    assert_eq!(el.get_attribute("data-desk-state").as_deref(), Some("failed"));
    assert_eq!(el.get_attribute("data-desk-error").as_deref(), Some("manifest.malformed"));
}

/// The same validation in wasm gets the same problems as the native CLI:
/// both are compared with the golden files in the incident fixture.
#[wasm_bindgen_test]
fn validation_in_wasm_matches_the_cli_golden_files() {
    let cases = [
        (
            include_str!("fixtures/incident-2023-08-11/manifest.json"),
            include_str!("fixtures/incident-2023-08-11/config.production.json"),
            include_str!("fixtures/incident-2023-08-11/expected/manifest.production.json"),
        ),
        (
            include_str!("fixtures/incident-2023-08-11/manifest.json"),
            include_str!("fixtures/incident-2023-08-11/config.fixed.json"),
            include_str!("fixtures/incident-2023-08-11/expected/manifest.fixed.json"),
        ),
        (
            include_str!("fixtures/incident-2023-08-11/manifest.feature-gated.json"),
            include_str!("fixtures/incident-2023-08-11/config.production.json"),
            include_str!("fixtures/incident-2023-08-11/expected/manifest.feature-gated.production.json"),
        ),
        (
            include_str!("fixtures/incident-2023-08-11/manifest.feature-gated.json"),
            include_str!("fixtures/incident-2023-08-11/config.fixed.json"),
            include_str!("fixtures/incident-2023-08-11/expected/manifest.feature-gated.fixed.json"),
        ),
    ];
    let json = |t: &str| js_sys::JSON::parse(t).unwrap();
    let text = |v: &JsValue| String::from(js_sys::JSON::stringify(v).unwrap());
    for (manifest, config, golden) in cases {
        let got = desk_loader::check(json(manifest), json(config), None).unwrap();
        assert_eq!(text(&got), text(&json(golden)));
    }
}

#[wasm_bindgen_test]
fn check_throws_a_readable_error_for_unknown_releases() {
    let manifest = js_sys::JSON::parse(include_str!("fixtures/incident-2023-08-11/manifest.json")).unwrap();
    let err = desk_loader::check(manifest, js_sys::Object::new().into(), Some("nope".into())).unwrap_err();
    let message = String::from(err.dyn_into::<js_sys::Error>().unwrap().message());
    assert!(message.starts_with("no usable release \"nope\""), "{message}");
}

#[wasm_bindgen_test]
fn host_objects_that_json_cannot_hold_are_refused_by_name() {
    let manifest = js_sys::JSON::parse(include_str!("fixtures/incident-2023-08-11/manifest.json")).unwrap();
    let message = |config: JsValue| {
        let err = desk_loader::check(manifest.clone(), config, None).unwrap_err();
        String::from(err.dyn_into::<js_sys::Error>().unwrap().message())
    };
    let with_function = js_sys::Object::new();
    js_sys::Reflect::set(&with_function, &"values".into(), &js_sys::Function::new_no_args("return 1")).unwrap();
    assert_eq!(message(with_function.into()), "configuration: a function is not a JSON value");

    let deep = js_sys::JSON::parse(&format!("{}1{}", "[".repeat(40), "]".repeat(40))).unwrap();
    let nested = js_sys::Object::new();
    js_sys::Reflect::set(&nested, &"values".into(), &deep).unwrap();
    assert_eq!(message(nested.into()), "configuration: nesting deeper than 32 levels");

    let with_symbol = js_sys::Object::new();
    js_sys::Reflect::set(&with_symbol, &"values".into(), &js_sys::Symbol::for_("s").into()).unwrap();
    assert_eq!(message(with_symbol.into()), "configuration: a symbol is not a JSON value");

    let with_bigint = js_sys::Object::new();
    js_sys::Reflect::set(&with_bigint, &"values".into(), &js_sys::BigInt::from(1u32).into()).unwrap();
    assert_eq!(message(with_bigint.into()), "configuration: a bigint is not a JSON value");
}

#[wasm_bindgen_test]
fn check_reads_text_as_the_boot_reads_a_fetched_document() {
    let manifest: JsValue = include_str!("fixtures/incident-2023-08-11/manifest.json").into();
    let problems = |config: &str| {
        let got = desk_loader::check(manifest.clone(), config.into(), None).unwrap();
        String::from(js_sys::JSON::stringify(&js_sys::Reflect::get(&got, &"problems".into()).unwrap()).unwrap())
    };
    // A key given twice, which JSON.parse would have hidden, is refused as the CLI refuses it.
    assert!(problems(r#"{"values": {}, "values": {}}"#).contains("values: this key appears twice; keep one"));
    let err = desk_loader::check(manifest.clone(), "{\n  \"values\": }".into(), None).unwrap_err();
    let message = String::from(err.dyn_into::<js_sys::Error>().unwrap().message());
    assert_eq!(message, "configuration: expected a value at line 2 column 13");
}

fn manifest_of(releases: &[(&str, &str)]) -> String {
    let items: Vec<String> = releases
        .iter()
        .map(|(id, source)| {
            let (url, integrity) = script(source);
            format!(r#"{{"id":"{id}","assets":[{{"type":"script","url":"{url}","integrity":"{integrity}"}}]}}"#)
        })
        .collect();
    format!(r#"{{"format":1,"releases":[{}]}}"#, items.join(","))
}

#[wasm_bindgen_test]
async fn the_ready_deadline_timer_fails_a_silent_panel() {
    let silent = r#"deskLoader.register(function (ctx) { var p = document.createElement("p"); p.textContent = "waiting"; ctx.mount.replaceChildren(p); });"#;
    let manifest = manifest_of(&[("silent", silent), ("previous", PANEL)]);
    let el = mount("desk-web-deadline");
    let opts = options(&el, &manifest, r#"{"values":{}}"#);
    js_sys::Reflect::set(&opts, &"readyDeadlineMs".into(), &300.into()).unwrap();
    let t0 = js_sys::Date::now();
    desk_loader::start(opts).unwrap();
    assert_eq!(settled(&el).await, "ready");
    assert!(js_sys::Date::now() - t0 >= 300.0, "the fallback waited for the deadline");
    assert!(el.text_content().unwrap().starts_with("panel previous attempt 2"));
}

#[wasm_bindgen_test]
async fn a_corrupt_stored_record_is_set_aside_and_rewritten() {
    let storage = web_sys::window().unwrap().local_storage().unwrap().unwrap();
    storage.set_item("desk-loader:record", "{not json").unwrap();
    let el = mount("desk-web-storage");
    desk_loader::start(options(&el, &manifest_of(&[("fresh", PANEL)]), r#"{"values":{}}"#)).unwrap();
    assert_eq!(settled(&el).await, "ready");
    for _ in 0..80 {
        let record = storage.get_item("desk-loader:record").unwrap().unwrap_or_default();
        if record.contains(r#""id":"fresh""#) {
            assert!(record.starts_with(r#"{"format":1,"knownGood":"#), "{record}");
            return;
        }
        sleep(25).await;
    }
    panic!("the record was not rewritten");
}

include!("cases/jsontestsuite.rs.in");

/// Issue 27: one reader for preflight and browser. Every JSONTestSuite file
/// read the browser's way (decoded by `Response.text()`, as a fetched
/// document is, then given to `check()` as the configuration) gets the
/// verdict `desk-loader check` gave it (`tests/cli/cli.rs` writes the table).
#[wasm_bindgen_test]
async fn every_jsontestsuite_file_reads_as_the_cli_reads_it() {
    let manifest = manifest_of(&[("r1", PANEL)]);
    let mut differ = Vec::new();
    for (name, bytes, cli_reads) in JSON_TEST_SUITE {
        // A copy the page owns: a view into the module's memory may be read
        // after the memory is reused (WebKit reads a body lazily).
        let body = js_sys::Uint8Array::from(*bytes);
        let response = web_sys::Response::new_with_opt_buffer_source(Some(&body)).unwrap();
        let text = wasm_bindgen_futures::JsFuture::from(response.text().unwrap()).await.unwrap();
        let (reads, why) = match desk_loader::check(manifest.as_str().into(), text, None) {
            Ok(_) => (true, String::new()),
            Err(e) => {
                let message = String::from(js_sys::Error::from(e).message());
                assert!(message.starts_with("configuration: "), "{name}: {message}");
                (false, message)
            }
        };
        if reads != *cli_reads {
            differ.push(format!("{name}: the browser {} {why}", if reads { "reads it" } else { "refuses it:" }));
        }
    }
    assert!(differ.is_empty(), "the browser and the CLI disagree:\n{}", differ.join("\n"));
    assert_eq!(JSON_TEST_SUITE.len(), 318);
}
