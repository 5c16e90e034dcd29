//! Installing what a fresh machine lacks: the wasm32 target, wasm-pack,
//! Debian packages and the end-to-end suite's npm packages.

use std::path::Path;
use std::process::Command;

/// Runs a command, failing with its name if it cannot start or exits non-zero.
pub fn run(cmd: &mut Command) -> Result<(), String> {
    checked(cmd, |c| c.status().map(|status| (status, ())))
}

/// Runs a command like [`run`], and returns what it printed on standard output.
pub fn output(cmd: &mut Command) -> Result<String, String> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    let stdout = checked(cmd, |c| c.stderr(std::process::Stdio::inherit()).output().map(|o| (o.status, o.stdout)))?;
    String::from_utf8(stdout).map_err(|_| format!("{program} printed something that is not UTF-8"))
}

/// Shows the command, runs it with `go`, and names it in any failure.
fn checked<T>(
    cmd: &mut Command,
    go: impl FnOnce(&mut Command) -> std::io::Result<(std::process::ExitStatus, T)>,
) -> Result<T, String> {
    let shown = format!("{cmd:?}");
    println!("$ {shown}");
    let (status, value) = go(cmd).map_err(|e| format!("{shown}: could not start: {e}"))?;
    if status.success() {
        Ok(value)
    } else {
        Err(format!("{shown}: {status}"))
    }
}

fn has(program: &str) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {program} >/dev/null 2>&1"))
        .status()
        .is_ok_and(|s| s.success())
}

fn cargo_bin_on_path() {
    if let Some(home) =
        std::env::var_os("CARGO_HOME").or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo").into()))
    {
        let bin = Path::new(&home).join("bin");
        let path = std::env::var_os("PATH").unwrap_or_default();
        if !std::env::split_paths(&path).any(|p| p == bin) {
            let mut paths: Vec<_> = std::env::split_paths(&path).collect();
            paths.push(bin);
            if let Ok(joined) = std::env::join_paths(paths) {
                std::env::set_var("PATH", joined);
            }
        }
    }
}

fn apt_install(packages: &[(&str, &str)]) -> Result<(), String> {
    let missing: Vec<&str> = packages.iter().filter(|(_, program)| !has(program)).map(|(pkg, _)| *pkg).collect();
    if missing.is_empty() {
        return Ok(());
    }
    println!("installing Debian packages: {}", missing.join(" "));
    let sudo: &[&str] = if is_root() { &[] } else { &["sudo"] };
    let apt = |args: &[&str]| {
        let mut all: Vec<&str> = sudo.to_vec();
        all.push("apt-get");
        all.extend_from_slice(args);
        let mut c = Command::new(all[0]);
        c.args(&all[1..]).env("DEBIAN_FRONTEND", "noninteractive");
        run(&mut c)
    };
    apt(&["update", "-q"])?;
    let mut args = vec!["install", "-y", "-q", "--no-install-recommends"];
    args.extend(missing);
    apt(&args)
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0"))
}

/// The wasm32 target, wasm-pack, and from npm binaryen's wasm-opt and terser
/// (and typescript and esbuild, for `cargo xtask dist`'s checks).
///
/// Debian's binaryen (108) is not used: it rewrites wasm-bindgen's externref
/// table so that the module fails to instantiate (`Table.set(): Argument 1 is
/// invalid for table`). binaryen 132 from the npm registry does not.
pub fn ensure_build_tools() -> Result<(), String> {
    cargo_bin_on_path();
    let targets =
        Command::new("rustup").args(["target", "list", "--installed"]).output().map_err(|e| format!("rustup: {e}"))?;
    if !String::from_utf8_lossy(&targets.stdout).lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    if !has("wasm-pack") {
        run(Command::new("cargo").args(["install", "--locked", "wasm-pack"]))?;
    }
    apt_install(&[("gzip", "gzip"), ("nodejs", "node"), ("npm", "npm")])?;
    npm_ci(&super::root().join("xtask/js"), &["binaryen", "terser", "typescript", "esbuild"])
}

/// Path of the wasm-opt that `ensure_build_tools` installs.
pub fn wasm_opt() -> std::path::PathBuf {
    super::root().join("xtask/js/node_modules/.bin/wasm-opt")
}

/// Path of the terser that `ensure_build_tools` installs.
pub fn terser() -> std::path::PathBuf {
    super::root().join("xtask/js/node_modules/.bin/terser")
}

/// `npm ci` in `dir` unless every package in `markers` is already installed there.
pub fn npm_ci(dir: &Path, markers: &[&str]) -> Result<(), String> {
    if markers.iter().all(|m| dir.join("node_modules").join(m).exists()) {
        return Ok(());
    }
    // PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: tests run Debian's Chromium; a download would fail here.
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(dir)
        .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"))
}

/// Everything `cargo xtask test` needs on top of the build tools: the three
/// engines and their drivers (Debian's Chromium, Firefox ESR and WebKitGTK,
/// whose MiniBrowser WebKitWebDriver starts; geckodriver from crates.io, as
/// Debian has none), Xvfb for MiniBrowser, and the suite's npm packages.
/// Never a browser download: it fails on these machines.
pub fn ensure_test_tools() -> Result<(), String> {
    ensure_build_tools()?;
    apt_install(&[
        ("chromium", "chromium"),
        ("chromium-driver", "chromedriver"),
        ("firefox-esr", "firefox-esr"),
        ("xvfb", "Xvfb"),
        ("webkit2gtk-driver", "WebKitWebDriver"),
    ])?;
    if !has("geckodriver") {
        run(Command::new("cargo").args(["install", "--locked", "geckodriver"]))?;
    }
    let rustup_has = |component: &str, probe: &str| {
        has(probe) || run(Command::new("rustup").args(["component", "add", component])).is_ok()
    };
    if !rustup_has("rustfmt", "rustfmt") || !rustup_has("clippy", "cargo-clippy") {
        return Err("rustfmt and clippy are needed: rustup component add rustfmt clippy".to_owned());
    }
    npm_ci(&super::root().join("tests/e2e"), &["@playwright/test"])
}

/// The Python the operations checks run with: a virtual environment in
/// `target/py` with `tests/ops/requirements.txt` (opentelemetry-proto and
/// protobuf, PyYAML) from PyPI. Returns its `python`.
pub fn ensure_python() -> Result<std::path::PathBuf, String> {
    let root = super::root();
    let venv = root.join("target/py");
    let python = venv.join("bin/python");
    let requirements = root.join("tests/ops/requirements.txt");
    let installed = venv.join("requirements.txt");
    let wanted = std::fs::read_to_string(&requirements).map_err(|e| format!("{}: {e}", requirements.display()))?;
    if python.exists() && std::fs::read_to_string(&installed).ok().as_deref() == Some(wanted.as_str()) {
        return Ok(python);
    }
    let has_venv = Command::new("python3").args(["-m", "venv", "--help"]).output().is_ok_and(|o| o.status.success());
    if !has_venv {
        // Debian's python3 lacks venv until python3-venv is installed (a program no machine has: install it).
        apt_install(&[("python3-venv", "python3-venv-is-missing")])?;
    }
    run(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
    run(Command::new(&python)
        .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r"])
        .arg(&requirements))?;
    std::fs::write(&installed, wanted).map_err(|e| format!("{}: {e}", installed.display()))?;
    Ok(python)
}

/// brotli, for the size figures of `cargo xtask bench`.
pub fn ensure_brotli() -> Result<(), String> {
    apt_install(&[("brotli", "brotli")])
}
