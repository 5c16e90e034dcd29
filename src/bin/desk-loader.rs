//! `desk-loader`: the preflight CLI. The same validator the browser runs,
//! for deploy pipelines. See `docs/cli.md`.
//!
//! ```text
//! desk-loader check --manifest FILE --config FILE [--release ID] [--format text|json] [--deny-warnings]
//! desk-loader schema --manifest FILE [--release ID]
//! desk-loader embed --manifest FILE --config FILE [--options FILE] [--loader-base URL] [--css inline|link] [--page TITLE]
//! ```
//!
//! Exit codes: 0 the release would boot; 1 it would not, or warnings were
//! denied; 2 usage error, or input that cannot be read or is not JSON.

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use std::process::ExitCode;

    use desk_loader::core::check::{check, Outcome};
    use desk_loader::core::manifest::Manifest;
    use desk_loader::core::problem::Severity;
    use desk_loader::core::value::Value;
    use desk_loader::embed::Css;

    /// Largest input file read: the browser's document limit
    /// (`MAX_DOCUMENT_BYTES`), so that a file the desk refuses fails here too.
    const MAX_INPUT: u64 = desk_loader::core::config::MAX_DOCUMENT_BYTES as u64;

    const USAGE: &str = "usage:
  desk-loader check --manifest FILE --config FILE [--release ID] [--format text|json] [--deny-warnings]
  desk-loader schema --manifest FILE [--release ID]
  desk-loader embed --manifest FILE --config FILE [--options FILE] [--loader-base URL] [--css inline|link] [--page TITLE]";

    /// What went wrong before any check could run: exit 2.
    struct Fatal(String);

    struct Args {
        command: String,
        manifest: Option<String>,
        config: Option<String>,
        release: Option<String>,
        json: bool,
        deny_warnings: bool,
        options: Option<String>,
        loader_base: Option<String>,
        css: Option<Css>,
        page: Option<String>,
    }

    pub fn main() -> ExitCode {
        let args: Vec<String> = std::env::args().skip(1).collect();
        match run(&args) {
            Ok(code) => ExitCode::from(code),
            Err(Fatal(message)) => {
                eprintln!("desk-loader: {message}");
                ExitCode::from(2)
            }
        }
    }

    fn run(raw: &[String]) -> Result<u8, Fatal> {
        let args = parse_args(raw)?;
        match args.command.as_str() {
            "check" => {
                let manifest =
                    read_json(args.manifest.as_deref().ok_or_else(|| usage("check needs --manifest FILE"))?)?;
                let config = read_json(args.config.as_deref().ok_or_else(|| usage("check needs --config FILE"))?)?;
                let outcome = check(manifest, config, args.release.as_deref()).map_err(Fatal)?;
                if args.json {
                    println!("{}", outcome.to_value().to_json());
                } else {
                    print_text(&outcome, args.deny_warnings);
                }
                let warned = outcome.problems.iter().any(|p| p.severity == Severity::Warning);
                Ok(if !outcome.bootable() || (args.deny_warnings && warned) { 1 } else { 0 })
            }
            "schema" => {
                if args.config.is_some() || args.json || args.deny_warnings || args.options.is_some() {
                    return Err(usage("schema takes only --manifest and --release"));
                }
                let doc = read_json(args.manifest.as_deref().ok_or_else(|| usage("schema needs --manifest FILE"))?)?;
                let (manifest, _) = Manifest::parse(doc);
                let release = match args.release.as_deref().or(manifest.pin.as_deref()) {
                    Some(id) => manifest.release(id),
                    None => manifest.releases.iter().find(|r| !manifest.withdrawn.contains(&r.id)),
                }
                .ok_or_else(|| Fatal("no such usable release in the manifest".to_owned()))?;
                let schema = release
                    .contract
                    .json_schema(&format!("desk-loader runtime configuration for release {}", release.id));
                println!("{}", schema.to_json());
                Ok(0)
            }
            "embed" => {
                if args.release.is_some() || args.json || args.deny_warnings {
                    return Err(usage("embed takes --manifest, --config, --options, --loader-base, --css and --page"));
                }
                let manifest =
                    read_json(args.manifest.as_deref().ok_or_else(|| usage("embed needs --manifest FILE"))?)?;
                let config = read_json(args.config.as_deref().ok_or_else(|| usage("embed needs --config FILE"))?)?;
                let options = match args.options.as_deref() {
                    Some(path) => read_json(path)?,
                    None => Value::Object(Vec::new()),
                };
                let embed = desk_loader::embed::render(
                    &manifest,
                    &config,
                    &options,
                    args.loader_base.as_deref().unwrap_or(""),
                    args.css.unwrap_or(Css::Inline),
                )
                .map_err(Fatal)?;
                match &args.page {
                    Some(title) => print!("{}", embed.page(title)),
                    None => print!("<!-- in <head> -->\n{}<!-- in <body> -->\n{}", embed.head, embed.body),
                }
                for p in &embed.problems {
                    eprintln!("desk-loader: warning: {} ({})", p.message, p.code.as_str());
                }
                match &embed.release {
                    Some(id) => eprintln!("desk-loader: embed preloads release {id}"),
                    None => eprintln!(
                        "desk-loader: no release would boot with this configuration; the embed preloads no release files \
                         (run `desk-loader check` for the reasons)"
                    ),
                }
                if let Some(style) = &embed.style {
                    eprintln!(
                        "desk-loader: under a Content-Security-Policy, the inline stylesheet needs {} in style-src \
                         (or write the embed with --css link)",
                        desk_loader::sri::csp_hash(style)
                    );
                }
                Ok(0)
            }
            other => Err(usage(&format!("unknown command {other:?}"))),
        }
    }

    fn usage(what: &str) -> Fatal {
        Fatal(format!("{what}\n{USAGE}"))
    }

    fn parse_args(raw: &[String]) -> Result<Args, Fatal> {
        let mut it = raw.iter();
        let command = match it.next().map(String::as_str) {
            Some("-h" | "--help") | None => return Err(usage("a command is needed")),
            Some(c) => c.to_owned(),
        };
        let mut args = Args {
            command,
            manifest: None,
            config: None,
            release: None,
            json: false,
            deny_warnings: false,
            options: None,
            loader_base: None,
            css: None,
            page: None,
        };
        while let Some(flag) = it.next() {
            let mut value = |name: &str| it.next().cloned().ok_or_else(|| usage(&format!("{name} needs a value")));
            match flag.as_str() {
                "--manifest" => args.manifest = Some(value("--manifest")?),
                "--config" => args.config = Some(value("--config")?),
                "--release" => args.release = Some(value("--release")?),
                "--format" => match value("--format")?.as_str() {
                    "text" => args.json = false,
                    "json" => args.json = true,
                    other => return Err(usage(&format!("--format must be text or json, not {other:?}"))),
                },
                "--deny-warnings" => args.deny_warnings = true,
                "--options" => args.options = Some(value("--options")?),
                "--loader-base" => args.loader_base = Some(value("--loader-base")?),
                "--page" => args.page = Some(value("--page")?),
                "--css" => match value("--css")?.as_str() {
                    "inline" => args.css = Some(Css::Inline),
                    "link" => args.css = Some(Css::Link),
                    other => return Err(usage(&format!("--css must be inline or link, not {other:?}"))),
                },
                other => return Err(usage(&format!("unknown argument {other:?}"))),
            }
        }
        Ok(args)
    }

    /// Reads a document as the desk reads a fetched one (issue 27: one reader
    /// for preflight and browser): the bytes decoded as UTF-8 the way
    /// `Response.text()` decodes them (an invalid sequence becomes U+FFFD, a
    /// byte order mark is dropped), over the browser's size limit refused,
    /// then the core's JSON parser (`core::json`), numbers beyond its exact
    /// path read by Rust's correctly rounded parser as the browser's
    /// `parseFloat` reads them. Bad JSON is refused with its line and column.
    fn read_json(path: &str) -> Result<Value, Fatal> {
        use std::io::Read;
        let file = std::fs::File::open(path).map_err(|e| Fatal(format!("{path}: cannot be read: {e}")))?;
        let mut bytes = Vec::new();
        file.take(MAX_INPUT + 1).read_to_end(&mut bytes).map_err(|e| Fatal(format!("{path}: cannot be read: {e}")))?;
        let text = String::from_utf8_lossy(&bytes);
        if let std::borrow::Cow::Owned(_) = text {
            let at = std::str::from_utf8(&bytes).err().map_or(0, |e| e.valid_up_to());
            eprintln!(
                "desk-loader: {path}: not valid UTF-8 (first at byte {at}); read as a browser reads it, with U+FFFD for each invalid sequence"
            );
        }
        desk_loader::core::boot::check_document_size(text.len(), path).map_err(|e| Fatal(e.text().to_owned()))?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        desk_loader::core::json::parse(text, |number| number.parse().ok())
            .map_err(|e| Fatal(format!("{path}:{}:{}: not valid JSON: {}", e.line, e.column, e.what)))
    }

    fn print_text(outcome: &Outcome, deny_warnings: bool) {
        for p in &outcome.problems {
            let feature = p.feature.as_deref().map(|f| format!(", feature {f}")).unwrap_or_default();
            println!("{} ({} {}{feature})", p.message, p.severity.as_str(), p.code.as_str());
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
        println!(
            "release {}: {verdict} ({}, {})",
            outcome.release,
            plural(errors, "error"),
            plural(warnings, "warning")
        );
    }
}
