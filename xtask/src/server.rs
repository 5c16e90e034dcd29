//! The test server (`tests/server`, the `desk-loader-test-server` binary) as
//! a child process: built, started, and stopped when dropped. xtask itself
//! serves nothing.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A running test server.
pub struct Server {
    child: Child,
    /// Where it listens: `127.0.0.1:N`.
    pub addr: String,
}

impl Server {
    /// Builds the server and starts it on 127.0.0.1:`port` (0 picks a free
    /// port). With `print_reports`, it prints each report it receives.
    pub fn start(port: u16, print_reports: bool) -> Result<Server, String> {
        crate::tools::run(crate::cargo().args(["build", "--quiet", "-p", "desk-loader-test-server"]))?;
        let binary = crate::target_dir().join("debug/desk-loader-test-server");
        let mut cmd = Command::new(&binary);
        // It exits when its standard input closes: it never outlives xtask.
        cmd.args(["--port", &port.to_string(), "--until-stdin-closes"]);
        if print_reports {
            cmd.arg("--print-reports");
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("{}: could not start: {e}", binary.display()))?;
        let mut lines = BufReader::new(child.stdout.take().expect("stdout is piped")).lines();
        // Its first line says where it listens; its errors go to stderr, shown as they come.
        let first = lines.next().and_then(Result::ok).unwrap_or_default();
        let Some(addr) = first.strip_prefix("listening on http://").map(str::to_owned) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("the test server did not start on 127.0.0.1:{port} (its error is above)"));
        };
        // The rest of what it prints (the demo's reports) is passed on.
        std::thread::spawn(move || lines.map_while(Result::ok).for_each(|line| println!("{line}")));
        Ok(Server { child, addr })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
