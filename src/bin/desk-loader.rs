//! `desk-loader`: the preflight CLI. The same validator the browser runs,
//! for deploy pipelines. See `docs/cli.md`.
//!
//! ```text
//! desk-loader check --manifest FILE|URL --config FILE|URL [--config …] [--backend URL] [--release ID] [--format text|json] [--deny-warnings]
//! desk-loader schema --manifest FILE|URL [--release ID]
//! desk-loader embed --manifest FILE|URL --config FILE|URL [--options FILE] [--loader-base URL] [--css inline|link] [--page TITLE]
//! ```
//!
//! Exit codes: 0 the release would boot; 1 it would not, or warnings were
//! denied; 2 usage error, or input that cannot be read or is not JSON.
//!
//! This file is the I/O shell only: it reads the files and URLs that
//! `desk_loader::cli` names (files with `std::fs`, URLs with `ureq`) and
//! prints what it answers. The npm package's Node CLI is the other shell.

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    use std::io::Write;

    let args: Vec<String> = std::env::args().skip(1).collect();
    let output = match desk_loader::cli::parse(&args) {
        Ok(cli) => {
            let read = cli.inputs().iter().map(|input| io::read(input, &cli)).collect();
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

    use desk_loader::cli::{Cli, Fetched, Input, MAX_INPUT};

    /// Reads a file, or a URL as the desk would fetch it: a GET with the
    /// `--header`s, answered within `--timeout-ms`, at most one byte over
    /// the document limit. A failure is said in words for `cli::run` to
    /// name with the location; a header's value is never in them.
    pub fn read(input: &Input, cli: &Cli) -> Result<Fetched, String> {
        let limit = MAX_INPUT as u64 + 1;
        if !input.url {
            let file = std::fs::File::open(&input.location).map_err(|e| file_error(&e))?;
            let mut bytes = Vec::new();
            file.take(limit).read_to_end(&mut bytes).map_err(|e| file_error(&e))?;
            return Ok(Fetched { bytes, content_type: None });
        }
        let timeout = Duration::from_millis(u64::from(cli.timeout_ms()));
        let agent = ureq::AgentBuilder::new().timeout(timeout).build();
        let mut request = agent.get(&input.location);
        for (name, value) in cli.headers() {
            request = request.set(name, value);
        }
        let response = match request.call() {
            Ok(response) => response,
            Err(ureq::Error::Status(status, _)) => return Err(format!("HTTP {status}")),
            Err(ureq::Error::Transport(t)) => return Err(transport_error(&t, cli)),
        };
        let content_type = response.header("content-type").map(str::to_owned);
        let mut bytes = Vec::new();
        response.into_reader().take(limit).read_to_end(&mut bytes).map_err(|e| transport_or_timeout(&e, cli))?;
        Ok(Fetched { bytes, content_type })
    }

    /// An OS error in the words the Node CLI uses too.
    fn file_error(e: &std::io::Error) -> String {
        match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_owned(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
            std::io::ErrorKind::IsADirectory => "a directory, not a file".to_owned(),
            _ => e.to_string(),
        }
    }

    fn transport_error(t: &ureq::Transport, cli: &Cli) -> String {
        // Known by the socket's own error kind, not by a message's words.
        let io = std::error::Error::source(t).and_then(|s| s.downcast_ref::<std::io::Error>());
        let timed_out =
            io.is_some_and(|e| matches!(e.kind(), std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock));
        match t.kind() {
            _ if timed_out => cli.no_answer(),
            ureq::ErrorKind::Dns => "the host name does not resolve".to_owned(),
            ureq::ErrorKind::ConnectionFailed => "cannot connect to the host".to_owned(),
            _ => t.to_string(),
        }
    }

    fn transport_or_timeout(e: &std::io::Error, cli: &Cli) -> String {
        match e.kind() {
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => cli.no_answer(),
            _ => format!("the answer was cut off: {e}"),
        }
    }
}
