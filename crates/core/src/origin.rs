//! Where code may come from: the page's own origin, or origins the host page
//! allows. Neither the manifest, nor the configuration, nor the stored record
//! can widen this list (`SECURITY.md`).
//!
//! The browser, not the loader, turns a URL into a request: the shell hands a
//! manifest's `url` unchanged to `script.src`, and the engine's WHATWG URL
//! parser decides where it goes. So the loader reads URLs by a strict grammar
//! whose every accepted string the WHATWG parser reads to the same origin,
//! and refuses, with the reason, anything a browser would read differently
//! from how it looks: a backslash (a slash to a browser), a tab, newline or
//! control character (removed or stripped), a space or non-ASCII character,
//! user info (`user@`), a scheme without `//`, a host a browser would map
//! (percent-encoded, punycode, IPv6, an IPv4 address not in its canonical
//! form). `tests/origin.rs` holds it to rust-url, the WHATWG reference in
//! Rust, on every case of web-platform-tests' `urltestdata.json`, and the
//! `origin` fuzz target on generated URLs. Hand-written rather than the `url`
//! crate, whose IDNA tables would ship in the module (ARCHITECTURE.md,
//! "Hand-written parts, and why").

/// The origin (`scheme://host[:port]`, serialized as browsers do: lower case,
/// no default port) that a request for `url` from a page at `page_origin`
/// goes to, or why the loader refuses to judge it. A `blob:` URL has the
/// origin of the URL inside it.
pub fn origin_of(url: &str, page_origin: &str) -> Result<String, &'static str> {
    if let Some(b) = url.bytes().find(|b| !(0x21..=0x7e).contains(b)) {
        return Err(match b {
            b' ' => "it holds a space, which browsers strip at the ends and encode inside; write %20",
            b'\t' | b'\n' | b'\r' => "it holds a tab or line break, which browsers remove before reading the URL",
            0..=0x1f | 0x7f => "it holds a control character, which browsers strip or encode",
            _ => "it holds a non-ASCII character, which browsers map or encode; write it percent-encoded",
        });
    }
    if url.contains('\\') {
        return Err("it holds a backslash, which browsers read as a slash; write /");
    }
    if url.is_empty() {
        return Err("it is empty");
    }
    match scheme(url) {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("blob") => match scheme_of(rest) {
            Some("http" | "https") => origin_of(rest, ""),
            _ => Err("a blob: URL not made by an http or https page"),
        },
        Some((scheme, rest)) => {
            let scheme = special(scheme).ok_or("its scheme is not http or https, which never carries code here")?;
            let authority = rest
                .strip_prefix("//")
                .ok_or("http: or https: not followed by //, which browsers read by the page's scheme")?;
            tuple(scheme, authority)
        }
        None if url.starts_with("//") => {
            let page = page(page_origin)?;
            let scheme = if page.starts_with("https:") { "https" } else { "http" };
            tuple(scheme, url.get(2..).unwrap_or_default())
        }
        None => page(page_origin).map(str::to_owned),
    }
}

/// An origin as the host page writes one (`https://cdn.example`, a trailing
/// `/` allowed), serialized as browsers do; or why it is not one.
pub fn parse_origin(text: &str) -> Result<String, &'static str> {
    let text = text.strip_suffix('/').unwrap_or(text);
    let authority = scheme(text).and_then(|(_, rest)| rest.strip_prefix("//"));
    if authority.is_none_or(|a| a.contains(['/', '?', '#'])) {
        return Err("expected an origin: a scheme, a host and a port only");
    }
    origin_of(text, "")
}

/// A page's origin for judging URLs where the real page is not known (the
/// CLI): relative URLs are this page's, and an absolute one is at its own
/// origin; only the reasons a URL is refused are the same on every page.
pub const ANY_PAGE: &str = "https://page.invalid";

/// `url` as a problem shows it: as written when it prints as it reads,
/// quoted and escaped when it holds a character that would not (a tab, a
/// line break, a control character).
pub fn shown(url: &str) -> String {
    if url.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        url.to_owned()
    } else {
        super::value::quoted(url)
    }
}

/// Whether `url` is on the page's own origin. `base_origin` is the origin of
/// the document's base URL (`document.baseURI`), against which a relative URL
/// resolves: the page's own unless a `<base href>` moved it; empty for the
/// page's.
pub fn same_origin(url: &str, page_origin: &str, base_origin: &str) -> bool {
    origin_of(url, or_page(base_origin, page_origin)).is_ok_and(|o| o == page_origin)
}

/// Whether code at `url` may run on the page at `page_origin` (its base URL's
/// origin `base_origin`, as for [`same_origin`]), given the host page's
/// `allowed` origins (each as [`parse_origin`] wrote it); if not, why.
pub fn check(url: &str, page_origin: &str, base_origin: &str, allowed: &[String]) -> Result<(), &'static str> {
    let origin = origin_of(url, or_page(base_origin, page_origin))?;
    if origin == page_origin || allowed.contains(&origin) {
        Ok(())
    } else {
        Err("not on this page's origin nor on an origin the host page allows")
    }
}

/// Whether code at `url` may run on the page at `page_origin`, whose base URL
/// is on the same origin.
pub fn allowed(url: &str, page_origin: &str, allowed: &[String]) -> bool {
    check(url, page_origin, "", allowed).is_ok()
}

fn or_page<'a>(base_origin: &'a str, page_origin: &'a str) -> &'a str {
    if base_origin.is_empty() {
        page_origin
    } else {
        base_origin
    }
}

/// The page's origin, when relative URLs have one: a page with an opaque
/// origin (`null`: a `file:` page, a sandboxed frame) has none that any URL
/// shares.
fn page(page_origin: &str) -> Result<&str, &'static str> {
    match scheme_of(page_origin) {
        Some("http" | "https") => Ok(page_origin),
        _ => Err("a relative URL on a page without an http or https origin, where nothing is same-origin"),
    }
}

/// `scheme` and what follows its `:`, when `url` starts with a scheme as
/// WHATWG's scheme state reads one (a letter, then letters, digits, `+`, `-`
/// or `.`, up to a `:`); otherwise the URL is relative.
fn scheme(url: &str) -> Option<(&str, &str)> {
    let colon = url.find(':')?;
    let (scheme, rest) = (url.get(..colon)?, url.get(colon + 1..)?);
    let valid = scheme.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && scheme.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    valid.then_some((scheme, rest))
}

/// The lower-case special scheme of `url`, if it has one.
fn scheme_of(url: &str) -> Option<&'static str> {
    scheme(url).and_then(|(s, _)| special(s))
}

fn special(scheme: &str) -> Option<&'static str> {
    if scheme.eq_ignore_ascii_case("https") {
        Some("https")
    } else if scheme.eq_ignore_ascii_case("http") {
        Some("http")
    } else {
        None
    }
}

/// `scheme://host[:port]` of the authority at the start of `rest` (up to
/// `/`, `?` or `#`), if a browser reads it as written.
fn tuple(scheme: &str, rest: &str) -> Result<String, &'static str> {
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = rest.get(..end).unwrap_or(rest);
    if authority.contains('@') {
        return Err("it holds user info (user@host), which hides the host it goes to");
    }
    let (host, port) = match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    if host.is_empty() {
        return Err("it has no host");
    }
    if host.starts_with('[') {
        return Err("its host is an IPv6 address, which browsers rewrite; use a name");
    }
    if !host.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_')) {
        return Err("its host holds a character browsers encode or map (% or punctuation)");
    }
    let host = host.to_ascii_lowercase();
    if host.split('.').any(|l| l.starts_with("xn--")) {
        return Err("its host has a punycode (xn--) label, which browsers check and may refuse");
    }
    if ends_in_a_number(&host) && !canonical_ipv4(&host) {
        return Err("its host is an IPv4 address not written as four decimal numbers, which browsers rewrite");
    }
    let port = match port {
        None | Some("") => None,
        Some(p) if p.bytes().all(|b| b.is_ascii_digit()) => {
            let n = p.bytes().try_fold(0u32, |n, b| {
                let n = n * 10 + u32::from(b - b'0');
                (n <= 65535).then_some(n)
            });
            match n {
                None => return Err("its port is above 65535"),
                Some(80) if scheme == "http" => None,
                Some(443) if scheme == "https" => None,
                Some(n) => Some(n),
            }
        }
        Some(_) => return Err("its port is not a number"),
    };
    let mut origin = String::with_capacity(scheme.len() + 3 + host.len() + 6);
    origin.push_str(scheme);
    origin.push_str("://");
    origin.push_str(&host);
    if let Some(n) = port {
        origin.push(':');
        origin.push_str(&n.to_string());
    }
    Ok(origin)
}

/// WHATWG's "ends in a number": the last label (after one trailing dot) is
/// digits, or `0x` and hex digits; such a host is read as an IPv4 address.
fn ends_in_a_number(host: &str) -> bool {
    let host = host.strip_suffix('.').filter(|h| !h.is_empty()).unwrap_or(host);
    let last = host.rsplit('.').next().unwrap_or_default();
    (!last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()))
        || last.strip_prefix("0x").is_some_and(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Four decimal numbers from 0 to 255 without leading zeros: the form
/// browsers write an IPv4 address in, and so leave as it is.
fn canonical_ipv4(host: &str) -> bool {
    host.split('.').count() == 4
        && host.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 3
                && l.bytes().all(|b| b.is_ascii_digit())
                && (l.len() == 1 || !l.starts_with('0'))
                && l.bytes().fold(0u32, |n, b| n * 10 + u32::from(b - b'0')) <= 255
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "https://desk.example";

    #[test]
    fn origins() {
        let ok = |url: &str| origin_of(url, PAGE);
        assert_eq!(ok("panel/a.js").as_deref(), Ok("https://desk.example"));
        assert_eq!(ok("/panel/a.js?x=1:2").as_deref(), Ok("https://desk.example"));
        assert_eq!(ok("https://CDN.example:8443/a.js").as_deref(), Ok("https://cdn.example:8443"));
        assert_eq!(ok("https://cdn.example:0443/a.js").as_deref(), Ok("https://cdn.example"));
        assert_eq!(ok("//cdn.example/a.js").as_deref(), Ok("https://cdn.example"));
        assert_eq!(ok("blob:https://desk.example/5f1c").as_deref(), Ok("https://desk.example"));
        assert_eq!(ok("http://127.0.0.1:8080/a.js").as_deref(), Ok("http://127.0.0.1:8080"));
        for never in [
            "data:text/javascript,alert(1)",
            "blob:null/1",
            "javascript:alert(1)",
            "ftp://x/a.js",
            "https:a.js",
            "https://user:pw@cdn.example/a.js",
            "https://0x7f.1/a.js",
            "https:///evil.example/a.js",
            "",
        ] {
            assert!(origin_of(never, PAGE).is_err(), "{never}");
        }
    }

    #[test]
    fn allowlist() {
        let list = vec!["https://cdn.example".to_owned()];
        assert!(allowed("panel/a.js", PAGE, &[]));
        assert!(allowed("https://cdn.example/a.js", PAGE, &list));
        assert!(!allowed("https://cdn.example/a.js", PAGE, &[]));
        assert!(!allowed("https://cdn.example.evil.example/a.js", PAGE, &list));
        assert!(!allowed("http://desk.example/a.js", PAGE, &[]), "another scheme is another origin");
        assert!(!allowed("panel/a.js", "null", &[]), "an opaque page origin is no one's");
        // A `<base href>` on another origin moves relative URLs there.
        assert_eq!(
            check("panel/a.js", PAGE, "https://cdn.example", &[]),
            Err("not on this page's origin nor on an origin the host page allows")
        );
        assert_eq!(check("panel/a.js", PAGE, "https://cdn.example", &list), Ok(()));
        assert!(!same_origin("panel/a.js", PAGE, "https://cdn.example"));
        assert!(same_origin("https://desk.example/a.js", PAGE, "https://cdn.example"));
    }

    #[test]
    fn host_origins() {
        assert_eq!(parse_origin("https://CDN.example/").as_deref(), Ok("https://cdn.example"));
        assert_eq!(parse_origin("http://127.0.0.1:80").as_deref(), Ok("http://127.0.0.1"));
        assert!(parse_origin("https://cdn.example/x").is_err());
        assert!(parse_origin("cdn.example").is_err());
    }
}
