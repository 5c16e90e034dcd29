//! Where code may come from: the page's own origin, or origins the host page
//! allows. Neither the manifest, nor the configuration, nor the stored record
//! can widen this list (`SECURITY.md`).

use super::value::contains;

/// The origin (`scheme://host[:port]`, lower case) of `url` as the page at
/// `page_origin` would resolve it, or `None` for URLs that are never allowed
/// to carry code: `data:`, `javascript:` and other non-HTTP schemes. A
/// `blob:` URL has the origin of the document that created it.
pub fn origin_of(url: &str, page_origin: &str) -> Option<String> {
    let url = url.trim();
    if let Some(inner) = url.strip_prefix("blob:") {
        return contains(inner, "://").then(|| origin_of(inner, page_origin)).flatten();
    }
    let scheme_end = url.find(':');
    let first_special = url.find(['/', '?', '#']);
    match (scheme_end, first_special) {
        // `//host/path`: the page's scheme.
        _ if url.starts_with("//") => {
            let scheme = page_origin.split(':').next()?;
            Some(format!("{scheme}:{}", authority(url)).to_ascii_lowercase())
        }
        // `scheme:…` with the colon before any `/`, `?` or `#`: absolute.
        (Some(colon), special) if special.is_none_or(|s| colon < s) => {
            let scheme = url.get(..colon)?.to_ascii_lowercase();
            if scheme != "https" && scheme != "http" {
                return None;
            }
            let rest = url.get(colon + 1..)?;
            rest.starts_with("//").then(|| format!("{scheme}:{}", authority(rest)).to_ascii_lowercase())
        }
        // Relative: the page's own origin.
        _ => Some(page_origin.to_ascii_lowercase()),
    }
}

/// `//host:port` of `//host:port/path…`, without user info.
fn authority(rest: &str) -> String {
    let after = rest.get(2..).unwrap_or_default();
    let end = after.find(['/', '?', '#']).unwrap_or(after.len());
    let host = after.get(..end).unwrap_or(after);
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    format!("//{host}")
}

/// Whether `url` is on the page's own origin.
pub fn same_origin(url: &str, page_origin: &str) -> bool {
    origin_of(url, page_origin).is_some_and(|o| o == page_origin.to_ascii_lowercase())
}

/// Whether code at `url` may run on the page at `page_origin`, given the host
/// page's `allowed` origins.
pub fn allowed(url: &str, page_origin: &str, allowed: &[String]) -> bool {
    same_origin(url, page_origin)
        || origin_of(url, page_origin)
            .is_some_and(|o| allowed.iter().any(|a| a.trim_end_matches('/').eq_ignore_ascii_case(&o)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "https://desk.example";

    #[test]
    fn origins() {
        assert_eq!(origin_of("panel/a.js", PAGE).as_deref(), Some("https://desk.example"));
        assert_eq!(origin_of("/panel/a.js?x=1:2", PAGE).as_deref(), Some("https://desk.example"));
        assert_eq!(origin_of("https://CDN.example:8443/a.js", PAGE).as_deref(), Some("https://cdn.example:8443"));
        assert_eq!(origin_of("//cdn.example/a.js", PAGE).as_deref(), Some("https://cdn.example"));
        assert_eq!(origin_of("https://user:pw@cdn.example/a.js", PAGE).as_deref(), Some("https://cdn.example"));
        assert_eq!(origin_of("blob:https://desk.example/5f1c", PAGE).as_deref(), Some("https://desk.example"));
        for never in
            ["data:text/javascript,alert(1)", "blob:null/1", "javascript:alert(1)", "ftp://x/a.js", "https:a.js"]
        {
            assert_eq!(origin_of(never, PAGE), None, "{never}");
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
    }
}
