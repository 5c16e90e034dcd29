//! The preflight CLI (`desk-loader check|schema|embed`, `docs/cli.md`),
//! sans I/O: [`parse`] reads the arguments, [`Cli::inputs`] names the
//! documents to read (files, or URLs read over HTTP as the desk reads them),
//! and [`Cli::run`] turns what was read into the command's output and exit
//! code. Two shells carry out the reads: the native binary
//! (`crates/cli/src/bin/desk-loader.rs`: `std::fs` and `ureq`) and the npm package's
//! Node CLI (`www/npm/bin/desk-loader.js`: `fs` and `fetch`, around this
//! module compiled to WebAssembly, `src/node.rs`). Both therefore print the
//! same text and exit with the same code for the same documents.

use crate::embed::Css;
use desk_loader_core::check::{check_sources, Outcome};
use desk_loader_core::manifest::Manifest;
use desk_loader_core::problem::Severity;
use desk_loader_core::value::{quoted, Value};

/// Largest document read: the browser's limit (`MAX_DOCUMENT_BYTES`), so a
/// file or an answer the desk refuses fails here too. A shell reads at most
/// one byte more.
pub const MAX_INPUT: usize = desk_loader_core::config::MAX_DOCUMENT_BYTES;

/// How long a URL may take to answer, by default: the loader's own
/// `fetchTimeoutMs` (`docs/embed.md`).
pub const DEFAULT_TIMEOUT_MS: u32 = desk_loader_core::boot::DEFAULT_FETCH_TIMEOUT_MS as u32;

const USAGE: &str = "usage:
  desk-loader check --manifest FILE|URL --config FILE|URL [--config FILE|URL …] [--backend URL] [--release ID] [--format text|json] [--deny-warnings]
  desk-loader schema --manifest FILE|URL [--release ID]
  desk-loader embed --manifest FILE|URL --config FILE|URL [--options FILE] [--loader-base URL] [--css inline|link] [--page TITLE]
  desk-loader importmap --manifest FILE|URL
  desk-loader release --vite DIST/.vite/manifest.json|--esbuild META.json --id ID --base URL [--with FILE|URL] [--out DIR]
  reading a URL: [--header 'Name: value' …] [--timeout-ms N]";

/// What the command printed, and its exit code: 0 it would boot (or the
/// embed was written), 1 it would not (or warnings were denied), 2 the
/// arguments or a document could not be used.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Output {
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// The exit code.
    pub code: u8,
}

impl Output {
    fn fatal(message: &str) -> Output {
        Output { stdout: String::new(), stderr: format!("desk-loader: {message}\n"), code: 2 }
    }
}

/// Largest file of a build that `release` hashes: a vendor chunk may be
/// several megabytes. A shell reads at most one byte more.
pub const MAX_BUILD_FILE: usize = 64 * 1024 * 1024;

/// A document the command needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    /// A file's path or a URL, as given.
    pub location: String,
    /// Whether it is read over HTTP(S) rather than from a file.
    pub url: bool,
    /// The most bytes to read: [`MAX_INPUT`] + 1 for a document,
    /// [`MAX_BUILD_FILE`] + 1 for a file of a build.
    pub limit: usize,
}

/// What a shell read for an [`Input`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fetched {
    /// The bytes, at most [`MAX_INPUT`] + 1 of them.
    pub bytes: Vec<u8>,
    /// A URL's `Content-Type`, when it gave one.
    pub content_type: Option<String>,
}

/// Why a shell could not read a document. Each shell maps its platform's
/// failures onto these, and [`Cli::run`] says them in its own words: both
/// shells say the same, and nothing said holds a URL (which may carry user
/// info) or a header's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// No file at that path.
    NoSuchFile,
    /// The file may not be read.
    PermissionDenied,
    /// The path is a directory.
    Directory,
    /// The server answered with this status, 300 or above: redirects are
    /// not followed, so a `--header` reaches no host it was not given for.
    Status(u16),
    /// No answer within `--timeout-ms`.
    NoAnswer,
    /// The host name does not resolve.
    HostUnknown,
    /// Nothing answers at that host and port.
    CannotConnect,
    /// The answer stopped before its end.
    CutOff,
    /// Anything else, in the platform's words: an OS error for a file, the
    /// name of an error's kind for a URL.
    Other(String),
}

impl Failure {
    fn words(&self, cli: &Cli) -> String {
        match self {
            Failure::NoSuchFile => "no such file".to_owned(),
            Failure::PermissionDenied => "permission denied".to_owned(),
            Failure::Directory => "a directory, not a file".to_owned(),
            Failure::Status(status @ 300..=399) => {
                format!("HTTP {status}: a redirect, which the CLI does not follow; give the URL it points to")
            }
            Failure::Status(status) => format!("HTTP {status}"),
            Failure::NoAnswer => {
                format!("no answer within {} s", desk_loader_core::value::seconds(f64::from(cli.timeout_ms)))
            }
            Failure::HostUnknown => "the host name does not resolve".to_owned(),
            Failure::CannotConnect => "cannot connect to the host".to_owned(),
            Failure::CutOff => "the answer was cut off".to_owned(),
            Failure::Other(what) => what.clone(),
        }
    }
}

/// The parsed arguments. Its `Debug` leaves out the headers' values.
#[derive(Clone, PartialEq, Eq)]
pub struct Cli {
    command: String,
    manifest: Option<String>,
    configs: Vec<String>,
    backend: Option<String>,
    release: Option<String>,
    json: bool,
    deny_warnings: bool,
    options: Option<String>,
    loader_base: Option<String>,
    css: Option<Css>,
    page: Option<String>,
    headers: Vec<(String, String)>,
    timeout_ms: u32,
    vite: Option<String>,
    esbuild: Option<String>,
    id: Option<String>,
    base: Option<String>,
    with: Option<String>,
    out: Option<String>,
}

/// Reads the arguments (without the program's name); a usage error is
/// the output to print.
pub fn parse(raw: &[String]) -> Result<Cli, Output> {
    let mut it = raw.iter();
    let command = match it.next().map(String::as_str) {
        Some("-h" | "--help") | None => return Err(usage("a command is needed")),
        Some(c) => c.to_owned(),
    };
    let mut cli = Cli {
        command,
        manifest: None,
        configs: Vec::new(),
        backend: None,
        release: None,
        json: false,
        deny_warnings: false,
        options: None,
        loader_base: None,
        css: None,
        page: None,
        headers: Vec::new(),
        timeout_ms: DEFAULT_TIMEOUT_MS,
        vite: None,
        esbuild: None,
        id: None,
        base: None,
        with: None,
        out: None,
    };
    while let Some(flag) = it.next() {
        let mut value = |name: &str| it.next().cloned().ok_or_else(|| usage(&format!("{name} needs a value")));
        match flag.as_str() {
            "--manifest" => cli.manifest = Some(value("--manifest")?),
            "--config" => cli.configs.push(value("--config")?),
            "--backend" => cli.backend = Some(value("--backend")?),
            "--release" => cli.release = Some(value("--release")?),
            "--format" => match value("--format")?.as_str() {
                "text" => cli.json = false,
                "json" => cli.json = true,
                other => return Err(usage(&format!("--format must be text or json, not {}", quoted(other)))),
            },
            "--deny-warnings" => cli.deny_warnings = true,
            "--options" => cli.options = Some(value("--options")?),
            "--loader-base" => cli.loader_base = Some(value("--loader-base")?),
            "--page" => cli.page = Some(value("--page")?),
            "--vite" => cli.vite = Some(value("--vite")?),
            "--esbuild" => cli.esbuild = Some(value("--esbuild")?),
            "--id" => cli.id = Some(value("--id")?),
            "--base" => cli.base = Some(value("--base")?),
            "--with" => cli.with = Some(value("--with")?),
            "--out" => cli.out = Some(value("--out")?),
            "--css" => match value("--css")?.as_str() {
                "inline" => cli.css = Some(Css::Inline),
                "link" => cli.css = Some(Css::Link),
                other => return Err(usage(&format!("--css must be inline or link, not {}", quoted(other)))),
            },
            "--header" => {
                let header = value("--header")?;
                // The value is never printed: it may be a credential.
                let Some((name, value)) = header.split_once(':').filter(|(n, _)| valid_header_name(n.trim())) else {
                    return Err(usage("--header must be 'Name: value'"));
                };
                // RFC 9110's field-value, ASCII only; the value itself is not shown.
                if !value.bytes().all(|b| b == b'\t' || (0x20..=0x7e).contains(&b)) {
                    let name = name.trim();
                    return Err(usage(&format!(
                        "--header {name}: its value holds a character a request header cannot carry (the value is not shown)"
                    )));
                }
                cli.headers.push((name.trim().to_owned(), value.trim().to_owned()));
            }
            "--timeout-ms" => match value("--timeout-ms")?.parse::<u32>() {
                Ok(ms) if ms > 0 => cli.timeout_ms = ms,
                _ => return Err(usage("--timeout-ms must be a whole number of milliseconds above 0")),
            },
            other => return Err(usage(&format!("unknown argument {}", quoted(other)))),
        }
    }
    let allowed: &[&str] = match cli.command.as_str() {
        "check" => &["manifest", "config", "backend", "release", "format", "deny"],
        "schema" => &["manifest", "release"],
        "embed" => &["manifest", "config", "options", "loader", "css", "page"],
        "release" => &["vite", "esbuild", "id", "base", "with", "out"],
        "importmap" => &["manifest"],
        other => return Err(usage(&format!("unknown command {}", quoted(other)))),
    };
    let given = [
        ("manifest", cli.manifest.is_some()),
        ("vite", cli.vite.is_some()),
        ("esbuild", cli.esbuild.is_some()),
        ("id", cli.id.is_some()),
        ("base", cli.base.is_some()),
        ("with", cli.with.is_some()),
        ("out", cli.out.is_some()),
        ("config", !cli.configs.is_empty()),
        ("backend", cli.backend.is_some()),
        ("release", cli.release.is_some()),
        ("format", cli.json),
        ("deny", cli.deny_warnings),
        ("options", cli.options.is_some()),
        ("loader", cli.loader_base.is_some()),
        ("css", cli.css.is_some()),
        ("page", cli.page.is_some()),
    ];
    if given.iter().any(|(name, set)| *set && !allowed.contains(name)) {
        return Err(usage(match cli.command.as_str() {
            "check" => "check takes --manifest, --config, --backend, --release, --format and --deny-warnings",
            "schema" => "schema takes only --manifest and --release",
            "release" => "release takes --vite or --esbuild, --id, --base, --with and --out",
            "importmap" => "importmap takes only --manifest",
            _ => "embed takes --manifest, --config, --options, --loader-base, --css and --page",
        }));
    }
    if cli.command == "release" {
        return match (cli.vite.is_some() != cli.esbuild.is_some(), &cli.id, &cli.base) {
            (true, Some(_), Some(_)) => Ok(cli),
            _ => Err(usage("release needs one of --vite FILE and --esbuild FILE, --id ID and --base URL")),
        };
    }
    if cli.manifest.is_none() {
        return Err(usage(&format!("{} needs --manifest FILE", cli.command)));
    }
    if cli.configs.is_empty() && cli.command != "schema" && cli.command != "importmap" {
        return Err(usage(&format!("{} needs --config FILE", cli.command)));
    }
    if cli.configs.len() > 1 && cli.command == "embed" {
        return Err(usage("embed takes one --config"));
    }
    Ok(cli)
}

impl Cli {
    /// The documents to read, in order: the manifest, each configuration
    /// source, then the options and the backend version endpoint if given.
    pub fn inputs(&self) -> Vec<Input> {
        let all = self.manifest.iter().chain(&self.configs).chain(&self.options).chain(&self.backend);
        let all = all.chain(&self.vite).chain(&self.esbuild).chain(&self.with);
        all.map(|location| Input { url: is_url(location), location: location.clone(), limit: MAX_INPUT + 1 }).collect()
    }

    /// Every input, given what was read so far for the first ones: a shell
    /// reads until this names no more. `release` first reads the build
    /// manifest, then each file it lists; the other commands need no more
    /// than [`Cli::inputs`].
    pub fn inputs_given(&self, read: &[Result<Fetched, Failure>]) -> Vec<Input> {
        let mut inputs = self.inputs();
        let (Some(build), Some(Ok(fetched))) = (self.vite.as_ref().or(self.esbuild.as_ref()), read.first()) else {
            return inputs;
        };
        let Ok(manifest) = document(build, is_url(build), fetched.clone(), &mut String::new()) else { return inputs };
        let Ok((dir, files)) = self.build_files(&manifest) else { return inputs };
        for file in files {
            let location = format!("{}{}", dir, file.path);
            inputs.push(Input { url: is_url(&location), location, limit: MAX_BUILD_FILE + 1 });
        }
        inputs
    }

    /// The request headers for every URL read (`--header`).
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// How long a URL may take to answer, in ms (`--timeout-ms`).
    pub fn timeout_ms(&self) -> u32 {
        self.timeout_ms
    }

    /// The command's output, given what was read for each of
    /// [`Cli::inputs`], in order (`Err` with what went wrong, in words).
    pub fn run(&self, read: Vec<Result<Fetched, Failure>>) -> Output {
        let mut out = Output::default();
        if self.command == "release" {
            self.release(read, &mut out);
            return out;
        }
        match self.documents(read, &mut out.stderr) {
            Ok(docs) => match self.command.as_str() {
                "check" => self.check(docs, &mut out),
                "schema" => self.schema(docs, &mut out),
                "importmap" => {
                    let map = crate::embed::import_map(&docs.manifest);
                    if map.is_empty() {
                        out.stderr.push_str(
                            "desk-loader: no release of the manifest has chunks: the page needs no import map\n",
                        );
                    }
                    out.stdout.push_str(&crate::embed::import_map_tag(&map));
                }
                _ => self.embed(docs, &mut out),
            },
            Err(message) => {
                out.stderr.push_str(&format!("desk-loader: {message}\n"));
                out.code = 2;
            }
        }
        out
    }

    fn documents(&self, read: Vec<Result<Fetched, Failure>>, stderr: &mut String) -> Result<Documents, String> {
        let inputs = self.inputs();
        if read.len() != inputs.len() {
            return Err(format!("{} documents read for {} inputs", read.len(), inputs.len()));
        }
        let mut values = Vec::with_capacity(read.len());
        for (input, result) in inputs.iter().zip(read) {
            let name = shown(&input.location);
            let fetched = result.map_err(|why| format!("{name}: cannot be read: {}", why.words(self)))?;
            values.push(document(&name, input.url, fetched, stderr)?);
        }
        let mut values = values.into_iter();
        let manifest = values.next().unwrap_or(Value::Null);
        let configs = values.by_ref().take(self.configs.len()).collect();
        let options = self.options.as_ref().and_then(|_| values.next());
        let backend = self.backend.as_ref().and_then(|_| values.next());
        Ok(Documents { manifest, configs, options, backend })
    }

    fn check(&self, docs: Documents, out: &mut Output) {
        match check_sources(docs.manifest, docs.configs, docs.backend, self.release.as_deref()) {
            Ok(outcome) => {
                if self.json {
                    out.stdout.push_str(&outcome.to_value().to_json());
                    out.stdout.push('\n');
                } else {
                    print_text(&outcome, self.deny_warnings, &mut out.stdout);
                }
                let warned = outcome.problems.iter().any(|p| p.severity == Severity::Warning);
                out.code = u8::from(!outcome.bootable() || (self.deny_warnings && warned));
            }
            Err(message) => *out = Output::fatal(&message),
        }
    }

    fn schema(&self, docs: Documents, out: &mut Output) {
        let (manifest, _) = Manifest::parse(docs.manifest);
        let release = match self.release.as_deref().or(manifest.pin.as_deref()) {
            Some(id) => manifest.release(id),
            None => manifest.releases.iter().find(|r| !manifest.withdrawn.contains(&r.id)),
        };
        let Some(release) = release else {
            *out = Output::fatal("no such usable release in the manifest");
            return;
        };
        let mut title = format!("desk-loader runtime configuration for release {}", release.id);
        if let Some(share) = release.rollout {
            title.push_str(&format!(", rolled out to {} % of desks", Value::Number(share).to_json()));
        }
        out.stdout.push_str(&release.contract.json_schema(&title).to_json());
        out.stdout.push('\n');
    }

    fn embed(&self, docs: Documents, out: &mut Output) {
        let options = docs.options.unwrap_or(Value::Object(Vec::new()));
        let config = docs.configs.into_iter().next().unwrap_or(Value::Null);
        let base = self.loader_base.as_deref().unwrap_or("");
        let embed = match crate::embed::render(&docs.manifest, &config, &options, base, self.css.unwrap_or(Css::Inline))
        {
            Ok(embed) => embed,
            Err(message) => {
                *out = Output::fatal(&message);
                return;
            }
        };
        match &self.page {
            Some(title) => out.stdout.push_str(&embed.page(title)),
            None => {
                out.stdout.push_str(&format!("<!-- in <head> -->\n{}<!-- in <body> -->\n{}", embed.head, embed.body))
            }
        }
        for p in &embed.problems {
            out.stderr.push_str(&format!("desk-loader: warning: {} ({})\n", p.message, p.code.as_str()));
        }
        match (&embed.release, &embed.rolled_out) {
            (Some(id), _) => out.stderr.push_str(&format!("desk-loader: embed preloads release {id}\n")),
            (None, Some(id)) => out.stderr.push_str(&format!(
                "desk-loader: release {id} is rolled out to a share of desks and the options give no deskId: \
                 which release a desk starts is decided on the desk, so the embed preloads no release files\n"
            )),
            (None, None) => out.stderr.push_str(
                "desk-loader: no release would boot with this configuration; the embed preloads no release files \
                 (run `desk-loader check` for the reasons)\n",
            ),
        }
        if let Some(style) = &embed.style {
            out.stderr.push_str(&format!(
                "desk-loader: under a Content-Security-Policy, the inline stylesheet needs {} in style-src \
                 (or write the embed with --css link)\n",
                desk_loader_core::sri::csp_hash(style)
            ));
        }
    }
}

impl Cli {
    /// `release`: the build manifest, `--with`, then each file it lists.
    fn release(&self, read: Vec<Result<Fetched, Failure>>, out: &mut Output) {
        match self.release_entry(read, &mut out.stderr) {
            Ok(entry) => out.stdout.push_str(&crate::release::shown(&entry)),
            Err(message) => {
                out.stderr.push_str(&format!("desk-loader: {message}\n"));
                out.code = 2;
            }
        }
    }

    fn release_entry(&self, read: Vec<Result<Fetched, Failure>>, stderr: &mut String) -> Result<Value, String> {
        let inputs = self.inputs_given(&read);
        if read.len() != inputs.len() {
            return Err(format!("{} documents read for {} inputs", read.len(), inputs.len()));
        }
        let mut read = inputs.into_iter().zip(read);
        let mut next = |stderr: &mut String, json: bool| -> Result<(Input, Fetched, Value), String> {
            let (input, result) = read.next().ok_or("an input is missing")?;
            let name = shown(&input.location);
            let fetched = result.map_err(|why| format!("{name}: cannot be read: {}", why.words(self)))?;
            let value = if json { document(&name, input.url, fetched.clone(), stderr)? } else { Value::Null };
            Ok((input, fetched, value))
        };
        let (_, _, vite) = next(stderr, true)?;
        let with = if self.with.is_some() { Some(next(stderr, true)?.2) } else { None };
        let build_name = shown(self.vite.as_ref().or(self.esbuild.as_ref()).map_or("", String::as_str));
        let (_, files) = self.build_files(&vite).map_err(|e| format!("{build_name}: {e}"))?;
        let mut built = Vec::with_capacity(files.len());
        for file in files {
            let (input, fetched, _) = next(stderr, false)?;
            if fetched.bytes.len() > MAX_BUILD_FILE {
                return Err(format!("{}: larger than {MAX_BUILD_FILE} bytes", shown(&input.location)));
            }
            built.push((file, fetched.bytes));
        }
        let id = self.id.as_deref().unwrap_or_default();
        crate::release::entry(id, self.base.as_deref().unwrap_or_default(), &built, with.as_ref())
    }
}

impl Cli {
    /// The build's files and the folder their paths are relative to: `--out`,
    /// else Vite's output directory, or the folder esbuild's metafile names.
    fn build_files(&self, manifest: &Value) -> Result<(String, Vec<crate::release::File>), String> {
        match &self.vite {
            Some(vite) => Ok((self.out.clone().unwrap_or_else(|| out_dir(vite)), crate::release::files(manifest)?)),
            None => {
                let (dir, files) = crate::release::esbuild_files(manifest)?;
                Ok((self.out.clone().unwrap_or(dir), files))
            }
        }
    }
}

/// The build's output directory, from its manifest's location: Vite writes
/// it at `<outDir>/.vite/manifest.json` (before Vite 5, `<outDir>/manifest.json`).
fn out_dir(manifest: &str) -> String {
    let dir = manifest.rsplit_once('/').map_or("", |(dir, _)| dir);
    match dir.strip_suffix(".vite") {
        Some(parent) => parent.to_owned(),
        None if dir.is_empty() => String::new(),
        None => format!("{dir}/"),
    }
}

impl std::fmt::Debug for Cli {
    /// The arguments, each header by its name alone: a value may be a credential.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("Cli")
            .field("command", &self.command)
            .field("manifest", &self.manifest)
            .field("configs", &self.configs)
            .field("backend", &self.backend)
            .field("headers", &headers)
            .field("timeout_ms", &self.timeout_ms)
            .finish_non_exhaustive()
    }
}

struct Documents {
    manifest: Value,
    configs: Vec<Value>,
    options: Option<Value>,
    backend: Option<Value>,
}

fn usage(what: &str) -> Output {
    Output::fatal(&format!("{what}\n{USAGE}"))
}

/// An RFC 9110 token: what a header's name may be.
fn valid_header_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fn is_url(location: &str) -> bool {
    let lower = location.get(..8).unwrap_or(location).to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// A location as printed: a URL without its user info, which may be a
/// credential.
fn shown(location: &str) -> String {
    if !is_url(location) {
        return location.to_owned();
    }
    let (scheme, rest) = location.split_once("://").unwrap_or(("", location));
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest.get(..end).and_then(|authority| authority.rsplit_once('@')) {
        Some((_, host)) => format!("{scheme}://{host}{}", rest.get(end..).unwrap_or_default()),
        None => location.to_owned(),
    }
}

/// A document read as the desk reads a fetched one (issue 27: one reader for
/// preflight and browser): the bytes decoded as `Response.text()` decodes
/// them (an invalid sequence becomes U+FFFD, with a note; a byte order mark
/// is dropped), over the browser's size limit refused, then the core's JSON
/// parser, its numbers beyond the exact path read by Rust's correctly
/// rounded parser as the browser's `parseFloat` reads them. A URL that
/// answers with an HTML page (a login or error page) is named as one.
fn document(name: &str, url: bool, fetched: Fetched, stderr: &mut String) -> Result<Value, String> {
    let html = fetched.content_type.as_deref().is_some_and(|t| t.to_ascii_lowercase().contains("html"))
        || fetched.bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<');
    if url && html {
        return Err(format!("{name}: answered with an HTML page, not JSON (a login or error page?)"));
    }
    let text = String::from_utf8_lossy(&fetched.bytes);
    if let std::borrow::Cow::Owned(_) = text {
        let at = std::str::from_utf8(&fetched.bytes).err().map_or(0, |e| e.valid_up_to());
        stderr.push_str(&format!(
            "desk-loader: {name}: not valid UTF-8 (first at byte {at}); read as a browser reads it, with U+FFFD for each invalid sequence\n"
        ));
    }
    desk_loader_core::boot::check_document_size(text.len(), name).map_err(|e| e.text().to_owned())?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    desk_loader_core::json::parse(text, |number| number.parse().ok())
        .map_err(|e| format!("{name}:{}:{}: not valid JSON: {}", e.line, e.column, e.what))
}

fn print_text(outcome: &Outcome, deny_warnings: bool, out: &mut String) {
    for p in &outcome.problems {
        let feature = p.feature.as_deref().map(|f| format!(", feature {f}")).unwrap_or_default();
        out.push_str(&format!("{} ({} {}{feature})\n", p.message, p.severity.as_str(), p.code.as_str()));
    }
    let errors = outcome.problems.iter().filter(|p| p.is_error()).count();
    let warnings = outcome.problems.len() - errors;
    let verdict = if !outcome.bootable() {
        "would NOT boot"
    } else if deny_warnings && warnings > 0 {
        "would boot, but warnings are denied"
    } else {
        "would boot"
    };
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    if let Some(share) = outcome.rollout {
        let share = Value::Number(share).to_json();
        out.push_str(&format!("rollout: release {} goes to {share} % of desks\n", outcome.release));
    }
    out.push_str(&format!(
        "release {}: {verdict} ({}, {})\n",
        outcome.release,
        plural(errors, "error"),
        plural(warnings, "warning")
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_is_shown_without_its_user_info() {
        assert_eq!(shown("https://user:pw@desk.example/config.json?x"), "https://desk.example/config.json?x");
        assert_eq!(shown("config.json"), "config.json");
    }
}
