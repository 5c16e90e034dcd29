//! The package builds declared in `wasm-pack.toml`: build, optimise, measure.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

use crate::tools::run;

/// `wasm-pack.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// wasm-opt settings shared by every build.
    #[serde(rename = "wasm-opt")]
    pub wasm_opt: WasmOpt,
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

/// Sizes of one built package.
#[derive(Debug)]
pub struct Sizes {
    /// The build's name.
    pub name: String,
    /// Its out-dir, relative to the workspace root.
    pub out_dir: String,
    /// Raw bytes of the wasm file and the JS glue.
    pub wasm: u64,
    /// Raw bytes of the JS glue.
    pub glue: u64,
    /// gzip -9 bytes of wasm + glue.
    pub gzip: u64,
}

/// Reads `wasm-pack.toml`.
pub fn config() -> Result<Config, String> {
    let path = crate::root().join("wasm-pack.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Builds every declared package and prints its size against the budget.
pub fn build_all() -> Result<Vec<Sizes>, String> {
    let cfg = config()?;
    let root = crate::root();
    let mut all = Vec::new();
    for b in &cfg.build {
        run(Command::new("wasm-pack")
            .args(["build", "--release", "--no-typescript", "--no-pack", "--target", &b.target, "--out-dir"])
            .arg(root.join(&b.out_dir))
            .current_dir(&root))?;
        let out = root.join(&b.out_dir);
        let wasm = out.join("desk_loader_bg.wasm");
        run(Command::new(crate::tools::wasm_opt()).args(&cfg.wasm_opt.flags).arg(&wasm).arg("-o").arg(&wasm))?;
        let sizes = measure(b, &out)?;
        println!(
            "package {:<8} wasm {:>7} B, glue {:>6} B, gzip -9 together {:>6} B (budget {} B)",
            sizes.name, sizes.wasm, sizes.glue, sizes.gzip, cfg.budget.gzip_bytes
        );
        all.push(sizes);
    }
    Ok(all)
}

fn measure(b: &Build, out: &Path) -> Result<Sizes, String> {
    let wasm = out.join("desk_loader_bg.wasm");
    let glue = out.join("desk_loader.js");
    let size = |p: &PathBuf| std::fs::metadata(p).map(|m| m.len()).map_err(|e| format!("{}: {e}", p.display()));
    Ok(Sizes {
        name: b.name.clone(),
        out_dir: b.out_dir.clone(),
        wasm: size(&wasm)?,
        glue: size(&glue)?,
        gzip: gzip_len(&wasm)? + gzip_len(&glue)?,
    })
}

fn gzip_len(path: &Path) -> Result<u64, String> {
    let out = Command::new("gzip").args(["-9", "-c"]).arg(path).output().map_err(|e| format!("gzip: {e}"))?;
    Ok(out.stdout.len() as u64)
}

/// brotli -q 11 bytes of wasm + glue in a package directory.
pub fn brotli_len(out: &Path) -> Result<u64, String> {
    let mut total = 0;
    for f in ["desk_loader_bg.wasm", "desk_loader.js"] {
        let o = Command::new("brotli")
            .args(["-q", "11", "-c"])
            .arg(out.join(f))
            .output()
            .map_err(|e| format!("brotli: {e}"))?;
        total += o.stdout.len() as u64;
    }
    Ok(total)
}
