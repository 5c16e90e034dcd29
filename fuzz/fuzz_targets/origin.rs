//! `core::origin` against rust-url, the WHATWG URL reference in Rust, on
//! generated URLs (issue 27): the loader may refuse a URL a browser would
//! load, but never names an origin for a URL that WHATWG resolves to another
//! origin, or cannot parse. `tests/origin.rs` does the same on every case of
//! web-platform-tests' `urltestdata.json`.
#![no_main]

use desk_loader_core::origin::origin_of;
use libfuzzer_sys::fuzz_target;
use url::Url;

/// The pages the loader may run on, each with its origin.
const PAGES: &[&str] = &["https://desk.example/desk/index.html", "http://127.0.0.1:8080/", "https://desk.example:8443/a/b?c#d"];

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else { return };
    let Ok(input) = std::str::from_utf8(rest) else { return };
    let page = Url::parse(PAGES[usize::from(which) % PAGES.len()]).unwrap();
    let page_origin = page.origin().ascii_serialization();
    if let Ok(ours) = origin_of(input, &page_origin) {
        let theirs = Url::options().base_url(Some(&page)).parse(input).ok().map(|u| u.origin());
        let theirs = theirs.filter(url::Origin::is_tuple).map(|o| o.ascii_serialization());
        assert_eq!(Some(ours), theirs, "{input:?} on {page}");
    }
});
