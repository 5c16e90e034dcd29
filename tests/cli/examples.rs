//! Every console and JSON example in the README and `docs/` is produced or
//! read by the product here, so the docs cannot drift from it.
//!
//! - A ```console block is run: each `$ desk-loader …` line (or `$ cargo run
//!   -q --bin desk-loader -- …`) runs the CLI built with the tests, and its
//!   standard output then standard error must be the lines that follow;
//!   `$ echo $?` prints the exit code of the command before it. A `…` in an
//!   expected line stands for any text (an abridged example).
//! - A ```json block must follow a marker line saying what it is:
//!   `<!-- example: $ desk-loader … -->` (the command's output, run as
//!   above), `<!-- example: manifest -->`, `<!-- example: contract -->`,
//!   `<!-- example: config -->`, `<!-- example: record -->` or
//!   `<!-- example: options -->` (a document the product must read without
//!   an error, `…` standing for a value elided), or
//!   `<!-- example: NAME -->` … `<!-- example: end -->` (written by the test
//!   that names it: tests/reports.rs).
//! - `<!-- example: in DIR -->` sets the directory the commands after it run
//!   in (from the repository root; the root by default); `<!-- example: in
//!   DIR, served at $NAME -->` also serves DIR over HTTP on 127.0.0.1, and
//!   `$NAME` in a command stands for that server's origin (a URL example, such
//!   as a pipeline's check against production's configuration).
//! - A command's words are split as a shell splits them, `"…"` holding one
//!   word with spaces.
//!
//! With `UPDATE_DOCS=1`, a console or output block with no `…` is rewritten
//! to what the product printed. Hand-written rather than with `trycmd`: its
//! syntax for exit codes (`? 1`) is not a shell's, and it would add a dozen
//! crates to every CI build for the forty lines below.
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The repository: these are `desk-loader-cli`'s tests, kept in the top-level
/// `tests/` beside the others.
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

use desk_loader_cli::embed;
use desk_loader_core::config::{Contract, RuntimeConfig};
use desk_loader_core::manifest::Manifest;
use desk_loader_core::problem::Problem;
use desk_loader_core::record::Record;
use desk_loader_core::value::Value;

fn root() -> PathBuf {
    PathBuf::from(ROOT)
}

/// The README and every page of `docs/`.
fn pages() -> Vec<PathBuf> {
    let mut pages: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    pages.sort();
    pages.insert(0, root().join("README.md"));
    pages
}

/// Runs `$ …` lines; returns what they printed, as the block would show it.
fn run_session(commands: &[String], dir: &Path, served: Option<&(String, String)>) -> String {
    let mut out = String::new();
    let mut last = 0;
    for command in commands {
        out.push_str(&format!("$ {command}\n"));
        if command == "echo $?" {
            out.push_str(&format!("{last}\n"));
            continue;
        }
        let args = command
            .strip_prefix("desk-loader ")
            .or_else(|| command.strip_prefix("cargo run -q --bin desk-loader -- "))
            .unwrap_or_else(|| panic!("not a desk-loader command: {command}"));
        let words: Vec<String> = shell_words(args)
            .into_iter()
            .map(|w| served.map_or(w.clone(), |(name, origin)| w.replace(name.as_str(), origin)))
            .collect();
        let done = Command::new(env!("CARGO_BIN_EXE_desk-loader")).args(&words).current_dir(dir).output().unwrap();
        out.push_str(&String::from_utf8_lossy(&done.stdout));
        out.push_str(&String::from_utf8_lossy(&done.stderr));
        last = done.status.code().unwrap_or(-1);
    }
    out
}

/// A command line's words, as a shell splits them: on spaces, except inside
/// double quotes, which are dropped.
fn shell_words(line: &str) -> Vec<String> {
    let (mut words, mut word, mut quoted, mut any) = (Vec::new(), String::new(), false, false);
    for c in line.chars() {
        match c {
            '"' => (quoted, any) = (!quoted, true),
            ' ' if !quoted => {
                if any {
                    words.push(std::mem::take(&mut word));
                }
                any = false;
            }
            c => (word, any) = (word + c.encode_utf8(&mut [0; 4]), true),
        }
    }
    if any {
        words.push(word);
    }
    words
}

/// Serves the files of `dir` over HTTP/1.1 on 127.0.0.1, one connection at
/// a time, for as long as the test runs; returns its origin.
fn serve(dir: PathBuf) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(&stream);
            let mut request = String::new();
            let _ = reader.read_line(&mut request);
            let mut header = String::new();
            while reader.read_line(&mut header).is_ok_and(|n| n > 2) {
                header.clear();
            }
            let path = request.split(' ').nth(1).unwrap_or("/").trim_start_matches('/').to_owned();
            let (status, body) = match std::fs::read(dir.join(&path)) {
                Ok(body) if !path.contains("..") => ("200 OK", body),
                _ => ("404 Not Found", b"not found".to_vec()),
            };
            let head = format!(
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            );
            let mut stream = &stream;
            let _ = stream.write_all(head.as_bytes()).and_then(|()| stream.write_all(&body));
        }
    });
    origin
}

/// Whether `actual` is what `expected` shows, `…` standing for any text.
fn shows(expected: &str, actual: &str) -> bool {
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    e.len() == a.len()
        && e.iter().zip(&a).all(|(e, a)| {
            let mut parts = e.split('…');
            let first = parts.next().unwrap_or("");
            let Some(mut rest) = a.strip_prefix(first) else { return false };
            let parts: Vec<&str> = parts.collect();
            for (i, part) in parts.iter().enumerate() {
                if i + 1 == parts.len() {
                    return rest.ends_with(part);
                }
                match rest.find(part) {
                    Some(at) => rest = &rest[at + part.len()..],
                    None => return false,
                }
            }
            rest.is_empty()
        })
}

/// A document with its `…` elisions filled in with values the product reads.
fn document(text: &str) -> Value {
    let sri = format!("sha384-{}", "A".repeat(64));
    let filled = text
        .replace("\"sha384-…\"", &format!("\"{sri}\""))
        .replace("\"…\": {}", "\"ELIDED\": {\"type\": \"string\"}")
        .replace('…', "elided");
    serde_json::from_str(&filled).unwrap_or_else(|e| panic!("not JSON ({e}):\n{filled}"))
}

fn errors(problems: &[Problem]) -> Vec<&str> {
    problems.iter().filter(|p| p.is_error()).map(|p| p.message.as_str()).collect()
}

/// Checks one input example; `contract` is the last contract example seen,
/// which a configuration example is checked against.
fn read_input(kind: &str, text: &str, contract: &mut Option<Contract>) -> Result<(), String> {
    // A contract example is the release's `"config": {…}` member.
    let doc = if kind == "contract" { document(&format!("{{{text}}}")) } else { document(text) };
    let problems = match kind {
        "manifest" => Manifest::parse(doc).1,
        "contract" => {
            let (c, problems) = Contract::parse(doc.get("config"), "config");
            *contract = Some(c);
            problems
        }
        "config" => {
            let (runtime, mut problems) = RuntimeConfig::parse(doc);
            let contract = contract.as_ref().ok_or("a config example needs a contract example before it")?;
            problems.extend(contract.validate(&runtime).problems);
            problems
        }
        "record" => {
            let (_, problems) = Record::decode(&doc);
            problems
        }
        "options" => return read_options(&doc),
        other => return Err(format!("unknown example kind {other}")),
    };
    match errors(&problems)[..] {
        [] => Ok(()),
        ref e => Err(format!("the {kind} example has errors: {e:?}")),
    }
}

/// A host page's options: every key is one docs/embed.md documents, and
/// `desk-loader embed` writes a page with them (the demo's documents).
fn read_options(doc: &Value) -> Result<(), String> {
    let embed_doc = std::fs::read_to_string(root().join("docs/embed.md")).unwrap();
    let members = doc.as_object().ok_or("the options example is not an object")?;
    for (key, _) in members {
        if !embed_doc.contains(&format!("| `{key}` |")) {
            return Err(format!("the option `{key}` is not in docs/embed.md's table"));
        }
    }
    let read = |f: &str| serde_json::from_str::<Value>(&std::fs::read_to_string(root().join(f)).unwrap()).unwrap();
    let page_options =
        Value::Object(members.iter().filter(|(k, _)| k != "manifest" && k != "config").cloned().collect());
    embed::render(&read("www/manifest.json"), &read("www/config.json"), &page_options, "", embed::Css::Link).map(|_| ())
}

#[test]
fn every_console_and_json_example_is_the_products() {
    let update = std::env::var_os("UPDATE_DOCS").is_some();
    let mut failures = Vec::new();
    let mut checked = 0;
    for page in pages() {
        let name = page.strip_prefix(root()).unwrap().display().to_string();
        let text = std::fs::read_to_string(&page).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let mut out: Vec<String> = Vec::new();
        let (mut dir, mut contract, mut marker, mut generated) = (root(), None, None::<String>, false);
        let mut served: Option<(String, String)> = None;
        let mut i = 0;
        while i < lines.len() {
            let line = lines[i];
            out.push(line.to_owned());
            i += 1;
            if let Some(m) = line.strip_prefix("<!-- example: ").and_then(|m| m.strip_suffix(" -->")) {
                match m.strip_prefix("in ") {
                    Some(d) => {
                        let (d, name) = d.split_once(", served at ").map_or((d, None), |(d, n)| (d, Some(n)));
                        dir = root().join(d);
                        served = name.map(|n| (n.to_owned(), serve(dir.clone())));
                    }
                    None if m == "end" => generated = false,
                    None => marker = Some(m.to_owned()),
                }
                continue;
            }
            let Some(lang) = line.strip_prefix("```").filter(|l| matches!(*l, "console" | "json")) else {
                if !line.trim().is_empty() {
                    marker = None;
                }
                continue;
            };
            let start = i;
            while lines.get(i).is_some_and(|l| *l != "```") {
                i += 1;
            }
            let block = lines[start..i].join("\n") + "\n";
            let at = format!("{name}:{start}");
            checked += 1;
            let what = marker.take();
            let command = what.as_deref().and_then(|m| m.strip_prefix("$ "));
            let commands: Vec<String> = match (lang, command) {
                ("console", _) => block
                    .replace("\\\n", " ")
                    .lines()
                    .filter_map(|l| l.strip_prefix("$ ").map(|c| c.split_whitespace().collect::<Vec<_>>().join(" ")))
                    .collect(),
                (_, Some(c)) => vec![c.to_owned()],
                _ => Vec::new(),
            };
            if lang == "console" || command.is_some() {
                if commands.is_empty() {
                    failures.push(format!("{at}: a console block with no command: give its `$ desk-loader …` line"));
                } else {
                    let mut actual = run_session(&commands, &dir, served.as_ref());
                    if lang == "json" {
                        actual = actual.split_once('\n').map_or("", |(_, rest)| rest).to_owned();
                    }
                    let expected = if lang == "console" { block.replace("\\\n", " ") } else { block.clone() };
                    let expected = if lang == "console" {
                        // Continuation lines are one command.
                        expected
                            .lines()
                            .map(|l| {
                                if l.starts_with("$ ") {
                                    l.split_whitespace().collect::<Vec<_>>().join(" ")
                                } else {
                                    l.to_owned()
                                }
                            })
                            .collect::<Vec<_>>()
                            .join("\n")
                            + "\n"
                    } else {
                        expected
                    };
                    if !shows(&expected, &actual) {
                        if update && !block.contains('…') && !block.contains("\\\n") {
                            out.extend(actual.lines().map(str::to_owned));
                            out.push("```".to_owned());
                            i += 1;
                            continue;
                        }
                        failures.push(format!("{at}: the block shows\n{expected}\nthe product printed\n{actual}"));
                    }
                }
            } else {
                match what.as_deref() {
                    Some(kind @ ("manifest" | "contract" | "config" | "record" | "options")) => {
                        if let Err(e) = read_input(kind, &block, &mut contract) {
                            failures.push(format!("{at}: {e}"));
                        }
                    }
                    Some(_) => generated = true,
                    None if generated => {}
                    None => failures.push(format!(
                        "{at}: a json block with no `<!-- example: … -->` line before it saying what checks it"
                    )),
                }
            }
            out.extend(lines[start..i].iter().map(|l| (*l).to_owned()));
        }
        if update {
            let mut new = out.join("\n");
            if text.ends_with('\n') {
                new.push('\n');
            }
            if new != text {
                std::fs::write(&page, new).unwrap();
            }
        }
    }
    assert!(checked >= 10, "only {checked} examples were found");
    assert!(
        failures.is_empty(),
        "{} examples are not the product's (UPDATE_DOCS=1 rewrites those with no `…`):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
