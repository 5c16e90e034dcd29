//! What the server answers: `www/` on 127.0.0.1, with the right MIME types,
//! `Cache-Control: no-cache` with an ETag (revalidated on each use, 304 when unchanged),
//! `POST /__report` to receive the loader's reports (`GET /__reports` lists
//! them), `/__bench/` for the files `cargo xtask bench` writes into
//! `target/bench/`, `/__build/<id>/` for `www/` as a per-build path
//! (`Cache-Control: immutable`, never revalidated: what docs/embed.md
//! recommends for the loader's files), and per-scenario faults: a request
//! from (or for) a page under `www/scenarios/<name>/` follows the rules in
//! that folder's `faults.json` (`docs/matrix.md`): `delayMs`, `status`,
//! `truncate`, `tamper`, `contentType`. `POST /__plans` opens a test plan on
//! a port of its own: one end-to-end test's faults, page hooks and logs,
//! whatever browser runs it (`plan.rs`). With `DESK_SERVE_LOG` set, each
//! request is logged as it arrives and is answered.
//!
//! It knows the repository's layout (`www/`, and the directories under
//! `target/` that the tools write), nothing of the tools themselves.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::http::{self, Request, Response};
use crate::plan::{Outcome, Plan, Spec};

/// Reports kept for `GET /__reports`, newest last.
const KEEP_REPORTS: usize = 200;
/// Largest report body kept.
const MAX_REPORT: usize = 64 * 1024;

/// What the server's listeners share.
struct Shared {
    /// The repository's root.
    root: PathBuf,
    www: PathBuf,
    reports: Mutex<Vec<String>>,
    print_reports: bool,
    /// Each running test plan, by port (`plan.rs`).
    plans: Mutex<HashMap<u16, (http::Listening, Arc<Plan>)>>,
}

impl Shared {
    fn new(root: &Path, print_reports: bool) -> Shared {
        Shared {
            root: root.to_path_buf(),
            www: root.join("www"),
            reports: Mutex::new(Vec::new()),
            print_reports,
            plans: Mutex::new(HashMap::new()),
        }
    }
}

/// Listens on 127.0.0.1:`port` (0 picks a free port) and serves the
/// repository at `root` until the process ends; returns where it listens.
/// With `print_reports`, each report received is printed.
pub fn start(root: &Path, port: u16, print_reports: bool) -> Result<SocketAddr, String> {
    let shared = Arc::new(Shared::new(root, print_reports));
    // One thread per connection (`http.rs`): a slow client, or a fault's
    // delay, never holds up another request.
    let handler: http::Handler = Arc::new(move |req: &Request| handle(req, &shared, None));
    let listening =
        http::listen(("127.0.0.1", port), handler).map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
    Ok(listening.addr)
}

/// Opens a test plan on a port of its own and answers `{"port": N}`.
fn open_plan(shared: &Arc<Shared>, body: &[u8]) -> Response {
    let spec: Spec = match serde_json::from_slice(body) {
        Ok(spec) => spec,
        Err(e) => return Response::new(400, format!("a plan: {e}\n")),
    };
    let plan = Arc::new(Plan::new(spec));
    let (for_handler, for_plan) = (shared.clone(), plan.clone());
    let handler: http::Handler = Arc::new(move |req: &Request| handle(req, &for_handler, Some(&for_plan)));
    match http::listen(("127.0.0.1", 0), handler) {
        Ok(listening) => {
            let port = listening.addr.port();
            shared.plans.lock().unwrap_or_else(|e| e.into_inner()).insert(port, (listening, plan));
            Response::new(200, format!("{{\"port\":{port}}}")).with("Content-Type", "application/json")
        }
        Err(e) => Response::new(500, format!("cannot open a port for the plan: {e}\n")),
    }
}

/// Ends the plan on `port`.
fn end_plan(shared: &Shared, port: u16) -> Response {
    let found = shared.plans.lock().unwrap_or_else(|e| e.into_inner()).remove(&port);
    if let Some((listening, plan)) = found {
        plan.end();
        listening.stop();
    }
    Response::new(204, Vec::new())
}

fn handle(req: &Request, shared: &Arc<Shared>, plan: Option<&Arc<Plan>>) -> Response {
    let url = req.url.clone();
    let log = std::env::var_os("DESK_SERVE_LOG").is_some();
    if log {
        eprintln!("serve: <- {} {url} from {}", req.method, req.remote);
    }
    let path = url.split(['?', '#']).next().unwrap_or("/").to_owned();
    let response = match plan {
        Some(_) if Plan::is_end_request(req, &path) => end_plan(shared, req.local_port),
        Some(plan) => match plan.route(req, &path) {
            Outcome::Answered(response) => response,
            Outcome::Serve(None) => planned_page(plan, serve(req, shared, &path)),
            // A fault's own body is served as the test wrote it.
            Outcome::Serve(Some(rule)) if rule.body.is_some() => Plan::apply(&rule, None),
            Outcome::Serve(Some(rule)) => {
                let file = resolve_any(shared, &path);
                let bytes = file.as_ref().and_then(|f| std::fs::read(f).ok().map(|b| (b, mime(f))));
                planned_page(plan, Plan::apply(&rule, bytes))
            }
        },
        None => serve(req, shared, &path),
    };
    if log {
        eprintln!("serve: -> {url} {}", response.status);
    }
    response
}

/// A page as the plan wants it (`Plan::rewrite_html`); anything else as it is.
fn planned_page(plan: &Plan, mut response: Response) -> Response {
    let html = response.headers.iter().any(|(k, v)| k == "Content-Type" && v.starts_with("text/html"));
    if !html || response.status != 200 {
        return response;
    }
    let Ok(text) = std::str::from_utf8(&response.body) else { return response };
    response.body = plan.rewrite_html(text).into_bytes();
    response.headers.retain(|(k, _)| k != "ETag" && k != "Cache-Control");
    response.with("Cache-Control", "no-store")
}

/// The server's own answer to a request, without any test plan.
fn serve(req: &Request, shared: &Arc<Shared>, path: &str) -> Response {
    let www = shared.www.as_path();
    let get = req.method == "GET" || req.method == "HEAD";
    let rule = if get { fault(www, req, path) } else { None };
    match (req.method.as_str(), path) {
        ("POST", "/__plans") => open_plan(shared, &req.body),
        ("POST", "/__report") => {
            let body = String::from_utf8_lossy(&req.body[..req.body.len().min(MAX_REPORT)]).into_owned();
            if shared.print_reports {
                println!("report received: {body}");
            }
            let mut r = shared.reports.lock().unwrap_or_else(|e| e.into_inner());
            if r.len() >= KEEP_REPORTS {
                r.remove(0);
            }
            r.push(body);
            Response::new(204, Vec::new())
        }
        ("GET", "/__reports") => {
            let r = shared.reports.lock().unwrap_or_else(|e| e.into_inner());
            Response::new(200, format!("[{}]", r.join(",")))
                .with("Content-Type", "application/json")
                .with("Cache-Control", "no-store")
        }
        _ if rule.is_some() => {
            let rule = rule.unwrap_or_default();
            if rule.delay_ms > 0 {
                std::thread::sleep(std::time::Duration::from_millis(rule.delay_ms.min(60_000)));
            }
            let file = resolve(www, path);
            let mut bytes = file.as_ref().and_then(|f| std::fs::read(f).ok()).unwrap_or_default();
            if rule.truncate {
                bytes.truncate(bytes.len() / 2);
            }
            if rule.tamper {
                bytes.extend_from_slice(b"\n/* altered in transit */\n");
            }
            let status = rule.status.unwrap_or(if file.is_some() { 200 } else { 404 });
            let kind =
                rule.content_type.clone().unwrap_or_else(|| file.as_deref().map_or("text/plain", mime).to_owned());
            Response::new(status, bytes).with("Content-Type", &kind).with("Cache-Control", "no-store")
        }
        _ if get => {
            let immutable = path.starts_with("/__build/");
            match resolve_any(shared, path).and_then(|f| std::fs::read(&f).ok().map(|bytes| (f, bytes))) {
                None => Response::new(404, "not found\n"),
                Some((file, bytes)) if immutable => Response::new(200, bytes)
                    .with("Content-Type", mime(&file))
                    .with("Cache-Control", "public, max-age=31536000, immutable"),
                Some((file, bytes)) => {
                    // Everything else may be cached but is revalidated on each
                    // use (`no-cache` with an ETag): a rebuilt package is never
                    // served stale, and a second visit is answered with 304,
                    // as a production server would (`cargo xtask bench`
                    // measures warm boots).
                    let etag = etag(&bytes);
                    if req.header("if-none-match") == Some(etag.as_str()) {
                        Response::new(304, Vec::new()).with("ETag", &etag).with("Cache-Control", "no-cache")
                    } else {
                        let response = Response::new(200, bytes)
                            .with("Content-Type", mime(&file))
                            .with("Cache-Control", "no-cache")
                            .with("ETag", &etag)
                            // So a page on another origin (the cross-origin tests) can load files with integrity.
                            .with("Access-Control-Allow-Origin", "*");
                        if path == "/bench/validate.html" {
                            // Cross-origin isolated, for a precise timer (BENCHMARKS.md, validate-*).
                            response
                                .with("Cross-Origin-Opener-Policy", "same-origin")
                                .with("Cross-Origin-Embedder-Policy", "require-corp")
                        } else {
                            response
                        }
                    }
                }
            }
        }
        _ => Response::new(405, "method not allowed\n"),
    }
}

/// The file a GET of `path` serves: `/__build/<id>/<file>` is `www/` under
/// a per-build path (any id: a new build takes a new one, as in production,
/// served immutable), `/__bench/` what `cargo xtask bench` writes into
/// `target/bench/` (its documents, the realistic panel, and the `www/` of the
/// build it compares boot phases with, under `baseline/src/www/`), `/__dist/`
/// the bundled host page `cargo xtask test` builds from the installed package
/// (`target/dist/site/`), `/__panels/` the framework panels and their pages
/// (`target/panels/`), anything else a file of `www/`.
fn resolve_any(shared: &Shared, path: &str) -> Option<PathBuf> {
    let (www, target) = (&shared.www, shared.root.join("target"));
    if let Some(rest) = path.strip_prefix("/__build/") {
        rest.split_once('/').and_then(|(_, file)| resolve(www, file))
    } else if let Some(rest) = path.strip_prefix("/__bench/") {
        resolve(&target.join("bench"), rest)
    } else if let Some(rest) = path.strip_prefix("/__dist/") {
        resolve(&target.join("dist/site"), rest)
    } else if let Some(rest) = path.strip_prefix("/__panels/") {
        resolve(&target.join("panels"), rest)
    } else {
        resolve(www, path)
    }
}

/// One rule of a scenario's `faults.json`.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Fault {
    /// An absolute path (`/panel/…`), or one relative to the scenario's folder.
    path: String,
    #[serde(default)]
    delay_ms: u64,
    status: Option<u16>,
    #[serde(default)]
    truncate: bool,
    #[serde(default)]
    tamper: bool,
    content_type: Option<String>,
}

/// The fault rule for this request, if its scenario has one for this path.
fn fault(www: &Path, req: &Request, path: &str) -> Option<Fault> {
    let scenario_of = |p: &str| {
        let rest = p.split("/scenarios/").nth(1)?;
        let name = rest.split('/').next()?;
        (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')).then(|| name.to_owned())
    };
    let referer = req.header("referer").map(str::to_owned);
    let name = scenario_of(path).or_else(|| referer.as_deref().and_then(scenario_of))?;
    let text = std::fs::read_to_string(www.join("scenarios").join(&name).join("faults.json")).ok()?;
    let rules: Vec<Fault> = serde_json::from_str(&text).map_err(|e| eprintln!("faults.json of {name}: {e}")).ok()?;
    rules.into_iter().find(|r| {
        if r.path.starts_with('/') {
            r.path == path
        } else {
            path == format!("/scenarios/{name}/{}", r.path)
        }
    })
}

/// A strong validator for a file's bytes.
fn etag(bytes: &[u8]) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    format!("\"{:016x}-{:x}\"", h.finish(), bytes.len())
}

/// Maps a URL path to a file under `www`, refusing anything that leaves it.
fn resolve(www: &Path, url_path: &str) -> Option<PathBuf> {
    let rel = Path::new(url_path.trim_start_matches('/'));
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    let mut file = www.join(rel);
    if file.is_dir() {
        file = file.join("index.html");
    }
    file.is_file().then_some(file)
}

fn mime(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "wasm" => "application/wasm",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(url: &str) -> Response {
        let req = Request {
            method: "GET".to_owned(),
            url: url.to_owned(),
            headers: Vec::new(),
            body: Vec::new(),
            remote: "127.0.0.1:1".parse().unwrap(),
            local_port: 0,
        };
        handle(&req, &Arc::new(Shared::new(&crate::root(), false)), None)
    }

    fn header<'r>(r: &'r Response, name: &str) -> Option<&'r str> {
        r.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    #[test]
    fn the_validation_bench_page_alone_is_cross_origin_isolated() {
        let page = get("/bench/validate.html");
        assert_eq!(header(&page, "Cross-Origin-Opener-Policy"), Some("same-origin"));
        assert_eq!(header(&page, "Cross-Origin-Embedder-Policy"), Some("require-corp"));
        assert_eq!(header(&get("/desk.html"), "Cross-Origin-Embedder-Policy"), None);
    }

    #[test]
    fn a_per_build_path_serves_www_immutable_and_the_rest_is_revalidated() {
        let built = get("/__build/any-id/boot.js");
        assert_eq!(built.status, 200);
        assert_eq!(built.body, std::fs::read(crate::root().join("www/boot.js")).unwrap());
        assert_eq!(header(&built, "Cache-Control"), Some("public, max-age=31536000, immutable"));
        assert_eq!(header(&built, "ETag"), None);

        let plain = get("/boot.js");
        assert_eq!(header(&plain, "Cache-Control"), Some("no-cache"));
        assert!(header(&plain, "ETag").is_some());

        for outside in ["/__build/id/../Cargo.toml", "/__build/id/missing.js", "/__build/", "/__build/id"] {
            assert_eq!(get(outside).status, 404, "{outside}");
        }
    }
}
