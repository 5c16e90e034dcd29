//! `core::origin` judged by the browser's rules: rust-url (the WHATWG URL
//! reference in Rust) on every case of web-platform-tests' `urltestdata.json`
//! and on the issue's repros. The loader may refuse a URL a browser would
//! load (fail-safe; each refusal is listed in `tests/cases/url-refusals.txt`,
//! which `UPDATE_DOCS=1` rewrites), but never call a URL same-origin or
//! allowed when WHATWG resolves it to another origin or cannot parse it.
#![cfg(not(target_arch = "wasm32"))]

use desk_loader_core::origin::{allowed, origin_of, parse_origin};
use desk_loader_core::value::Value;
use url::Url;

const PAGE: &str = "https://desk.example/desk/index.html";

/// WHATWG's origin of `input` resolved against `base`, as the page at
/// `base` would request it: `None` when it fails to parse or has an opaque
/// origin (a request for it never reaches an origin the loader could allow).
fn whatwg(input: &str, base: Option<&Url>) -> Option<String> {
    let url = Url::options().base_url(base).parse(input).ok()?;
    let origin = url.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

fn page_origin(base: Option<&Url>) -> String {
    base.map_or(String::new(), |b| b.origin().ascii_serialization())
}

/// The loader against WHATWG on one input: `Ok(true)` when both give the same
/// origin, `Ok(false)` when the loader refuses it, `Err` when the loader
/// gives an origin WHATWG does not.
fn compare(input: &str, base: Option<&Url>) -> Result<bool, String> {
    let page = page_origin(base);
    match (origin_of(input, &page), whatwg(input, base)) {
        (Ok(ours), Some(theirs)) if ours == theirs => Ok(true),
        (Ok(ours), theirs) => Err(format!("{input:?} on {page:?}: the loader says {ours}, WHATWG {theirs:?}")),
        (Err(_), _) => Ok(false),
    }
}

#[test]
fn the_issues_repros_are_refused_and_really_go_elsewhere() {
    let base = Url::parse(PAGE).unwrap();
    let cdn = vec!["https://cdn.example".to_owned()];
    for repro in [
        "https://evil.example\\@desk.example/x.js",
        "https://evil.example\\@cdn.example/x.js",
        "//evil.example\\@desk.example/x.js",
        "https://evil.example:443\\@desk.example/x.js",
        "\\\\evil.example/x.js",
        "/\\evil.example/x.js",
        "\\/evil.example/x.js",
        "/\t/evil.example/x.js",
        "/\n/evil.example/x.js",
        "\u{1}//evil.example/x.js",
        "\u{0}//evil.example/x.js",
        " //evil.example/x.js",
        "https:\\\\evil.example/x.js",
        "http:evil.example/x.js",
        "https:///evil.example/x.js",
        "https://desk.example@evil.example/x.js",
    ] {
        let theirs = whatwg(repro, Some(&base));
        assert!(theirs.as_deref().is_some_and(|o| o.ends_with("://evil.example")), "{repro:?}: WHATWG says {theirs:?}");
        assert!(!allowed(repro, "https://desk.example", &cdn), "{repro:?} must not be allowed");
        assert!(origin_of(repro, "https://desk.example").is_err(), "{repro:?} must be refused");
    }
}

#[test]
fn every_wpt_url_case_is_judged_as_whatwg_does_or_refused() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/wpt/urltestdata.json")).unwrap();
    let cases: serde_json::Value = serde_json::from_str(&text).unwrap();
    let (mut agreed, mut refused, mut wrong) = (0, Vec::new(), Vec::new());
    for case in cases.as_array().unwrap().iter().filter(|c| c.is_object()) {
        let input = case["input"].as_str().unwrap();
        let base = case["base"].as_str().and_then(|b| Url::parse(b).ok());
        // Every base, and the desk's own page too: the manifest's URLs are
        // resolved against the page, whatever base the case names.
        for base in [base, Some(Url::parse(PAGE).unwrap())] {
            match compare(input, base.as_ref()) {
                Ok(true) => agreed += 1,
                Ok(false) => {
                    if let Some(theirs) = whatwg(input, base.as_ref()) {
                        let why = origin_of(input, &page_origin(base.as_ref())).unwrap_err();
                        let base = base.as_ref().map_or("none", Url::as_str).to_owned();
                        refused.push(format!(
                            "{} on {base}: WHATWG {theirs}; refused: {why}",
                            Value::from(input).to_json()
                        ));
                    }
                }
                Err(e) => wrong.push(e),
            }
        }
    }
    assert!(wrong.is_empty(), "{} cases where the loader disagrees with WHATWG:\n{}", wrong.len(), wrong.join("\n"));
    assert!(agreed > 300, "only {agreed} cases agreed: the data did not load");
    refused.sort();
    refused.dedup();
    let listing = format!(
        "# URLs a browser loads that `core::origin` refuses (fail-safe), from wpt's urltestdata.json\n# {agreed} judgements agreed with WHATWG; {} refused; 0 disagreed. `UPDATE_DOCS=1 cargo test --test origin` rewrites this file.\n{}\n",
        refused.len(),
        refused.join("\n")
    );
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cases/url-refusals.txt");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(path, &listing).unwrap();
    } else {
        let kept = std::fs::read_to_string(path).unwrap_or_default();
        assert!(kept == listing, "tests/cases/url-refusals.txt is stale: run `UPDATE_DOCS=1 cargo test --test origin`");
    }
}

#[test]
fn host_origins_are_serialized_as_browsers_do() {
    for text in ["https://CDN.example", "https://cdn.example:443/", "http://127.0.0.1:8080", "https://a-b.example:8443"]
    {
        let ours = parse_origin(text).unwrap();
        let theirs = Url::parse(text).unwrap().origin().ascii_serialization();
        assert_eq!(ours, theirs, "{text}");
    }
    for refused in
        ["cdn.example", "https://cdn.example/panel", "https://cdn.example?x", "ftp://cdn.example", "https://"]
    {
        assert!(parse_origin(refused).is_err(), "{refused}");
    }
}
