//! `desk-loader`: the preflight CLI. The same validator the browser runs,
//! for deploy pipelines. See `docs/cli.md`.
//!
//! ```text
//! desk-loader check --manifest FILE|URL --config FILE|URL [--config …] [--backend URL] [--release ID] [--format text|json] [--deny-warnings]
//! desk-loader schema --manifest FILE|URL [--release ID]
//! desk-loader embed --manifest FILE|URL --config FILE|URL [--options FILE] [--loader-base URL] [--css inline|link] [--page TITLE]
//! desk-loader importmap --manifest FILE|URL
//! desk-loader release --vite DIST/.vite/manifest.json|--esbuild META.json --id ID --base URL [--with FILE|URL] [--out DIR]
//! ```
//!
//! Exit codes: 0 the release would boot; 1 it would not, or warnings were
//! denied; 2 usage error, or input that cannot be read or is not JSON.
//!
//! This file is the I/O shell only: it reads the files and URLs that
//! `desk_loader_cli::cli` names (files with `std::fs`, URLs with `ureq`) and
//! prints what it answers. The npm package's Node CLI is the other shell.

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    use std::io::Write;

    let args: Vec<String> = std::env::args().skip(1).collect();
    let output = match desk_loader_cli::cli::parse(&args) {
        Ok(cli) => {
            // Read what the CLI names; it may name more once it has seen them (`release`).
            let mut read = Vec::new();
            loop {
                let inputs = cli.inputs_given(&read);
                if inputs.len() <= read.len() {
                    break;
                }
                for input in &inputs[read.len()..] {
                    read.push(io::read(input, &cli));
                }
            }
            cli.run(read)
        }
        Err(usage) => usage,
    };
    let _ = std::io::stdout().write_all(output.stdout.as_bytes());
    let _ = std::io::stderr().write_all(output.stderr.as_bytes());
    std::process::ExitCode::from(output.code)
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod io {
    use std::io::Read;
    use std::time::Duration;

    use desk_loader_cli::cli::{Cli, Failure, Fetched, Input};

    /// Reads a file, or a URL as the desk would fetch it: a GET with the
    /// `--header`s, answered within `--timeout-ms`, at most one byte over
    /// the document limit, no redirect followed (a header goes to the host
    /// it was given for, and no other). A failure is one of `cli::Failure`,
    /// which `cli::run` says in words: never a URL nor a header's value.
    pub fn read(input: &Input, cli: &Cli) -> Result<Fetched, Failure> {
        let limit = input.limit as u64;
        if !input.url {
            let file = std::fs::File::open(&input.location).map_err(|e| file_failure(&e))?;
            let mut bytes = Vec::new();
            file.take(limit).read_to_end(&mut bytes).map_err(|e| file_failure(&e))?;
            return Ok(Fetched { bytes, content_type: None });
        }
        let timeout = Duration::from_millis(u64::from(cli.timeout_ms()));
        let agent = ureq::AgentBuilder::new().timeout(timeout).redirects(0).build();
        let mut request = agent.get(&input.location);
        for (name, value) in cli.headers() {
            request = request.set(name, value);
        }
        let response = match request.call() {
            Ok(response) if response.status() >= 300 => return Err(Failure::Status(response.status())),
            Ok(response) => response,
            Err(ureq::Error::Status(status, _)) => return Err(Failure::Status(status)),
            Err(ureq::Error::Transport(t)) => return Err(transport_failure(&t)),
        };
        let content_type = response.header("content-type").map(str::to_owned);
        let mut bytes = Vec::new();
        response.into_reader().take(limit).read_to_end(&mut bytes).map_err(|e| match e.kind() {
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => Failure::NoAnswer,
            _ => Failure::CutOff,
        })?;
        Ok(Fetched { bytes, content_type })
    }

    fn file_failure(e: &std::io::Error) -> Failure {
        match e.kind() {
            std::io::ErrorKind::NotFound => Failure::NoSuchFile,
            std::io::ErrorKind::PermissionDenied => Failure::PermissionDenied,
            std::io::ErrorKind::IsADirectory => Failure::Directory,
            _ => Failure::Other(e.to_string()),
        }
    }

    /// ureq's transport error by its kind, never its text, which starts with
    /// the URL; a timeout known by the socket's own error kind.
    fn transport_failure(t: &ureq::Transport) -> Failure {
        let io = std::error::Error::source(t).and_then(|s| s.downcast_ref::<std::io::Error>());
        match (t.kind(), io.map(std::io::Error::kind)) {
            (_, Some(std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock)) => Failure::NoAnswer,
            (ureq::ErrorKind::Dns, _) => Failure::HostUnknown,
            (ureq::ErrorKind::ConnectionFailed, _) => Failure::CannotConnect,
            (kind, _) => Failure::Other(kind.to_string()),
        }
    }
}
