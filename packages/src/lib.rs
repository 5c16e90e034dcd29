//! `wasm-pack.toml` read in one place: the package builds, the wasm-opt
//! and terser flags, the glue's rewrites, the functions the module must not
//! contain and the size budget. xtask builds the packages by it; the bench
//! measures them by it. And `gzip_len`, the one measure of a package's
//! size both print.

use std::path::Path;
use std::process::Command;

use serde::Deserialize;

/// `wasm-pack.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// wasm-opt settings shared by every build.
    #[serde(rename = "wasm-opt")]
    pub wasm_opt: WasmOpt,
    /// How the JS glue is rewritten and minified.
    pub glue: Glue,
    /// Whether imports and exports get short names.
    pub names: Names,
    /// `[weight]`: what the module must not contain (the bench checks it).
    pub weight: Weight,
    /// The size budget.
    pub budget: Budget,
    /// The builds.
    pub build: Vec<Build>,
}

/// `[wasm-opt]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WasmOpt {
    /// Flags passed to wasm-opt.
    pub flags: Vec<String>,
}

/// `[glue]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Glue {
    /// Flags passed to terser, which rewrites the glue in place.
    #[serde(rename = "terser-flags")]
    pub terser_flags: Vec<String>,
    /// Copy a long string into the module with `TextEncoder.encode` (`glue/src/encode.rs`).
    #[serde(rename = "encode-strings")]
    pub encode_strings: bool,
}

/// `[names]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Names {
    /// Rename the module's imports, exports and import module to short names
    /// and rewrite the glue to match (`glue/src/names.rs`).
    pub short: bool,
}

/// `[weight]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Weight {
    /// Parts of function names that must not appear in the module.
    pub forbidden: Vec<String>,
}

/// `[budget]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Budget {
    /// Largest allowed wasm + glue, gzip -9, per build.
    #[serde(rename = "gzip-bytes")]
    pub gzip_bytes: u64,
}

/// One `[[build]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Build {
    /// Its name in reports.
    pub name: String,
    /// wasm-pack's `--target`.
    pub target: String,
    /// Where the package goes, relative to the workspace root.
    #[serde(rename = "out-dir")]
    pub out_dir: String,
}

/// Reads `wasm-pack.toml` at the workspace's `root`.
pub fn read(root: &Path) -> Result<Config, String> {
    let path = root.join("wasm-pack.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// gzip -9 bytes of a file (the `gzip` program: the size a server sends).
pub fn gzip_len(path: &Path) -> Result<u64, String> {
    let out = Command::new("gzip").args(["-9", "-c"]).arg(path).output().map_err(|e| format!("gzip: {e}"))?;
    Ok(out.stdout.len() as u64)
}
