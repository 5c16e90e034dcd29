//! The packages `cargo xtask build` built, measured: their bytes raw, gzip
//! and brotli, and what their modules are made of (`weight.rs`), read from
//! each module as wasm-bindgen wrote it (`target/weight/<build>.wasm`,
//! copied there by the build), optimised again with the build's wasm-opt
//! flags but keeping its `name` section.

use std::path::{Path, PathBuf};
use std::process::Command;

pub use desk_loader_packages::gzip_len;
use desk_loader_packages::{Build, Config};

use crate::weight::{self, Weight};

/// Sizes of one built package.
#[derive(Debug)]
pub struct Sizes {
    /// The build's name.
    pub name: String,
    /// Where it is.
    pub out: PathBuf,
    /// Raw bytes of the wasm file.
    pub wasm: u64,
    /// Raw bytes of the JS glue.
    pub glue: u64,
    /// gzip -9 bytes of wasm + glue.
    pub gzip: u64,
}

/// Reads `wasm-pack.toml` (`desk_loader_packages`).
pub fn config() -> Result<Config, String> {
    desk_loader_packages::read(&crate::root())
}

/// The package called `name` in `out`, measured.
pub fn measure(name: &str, out: &Path) -> Result<Sizes, String> {
    let wasm = out.join("desk_loader_bg.wasm");
    let glue = out.join("desk_loader.js");
    let size = |p: &PathBuf| std::fs::metadata(p).map(|m| m.len()).map_err(|e| format!("{}: {e}", p.display()));
    Ok(Sizes {
        name: name.to_owned(),
        out: out.to_path_buf(),
        wasm: size(&wasm)?,
        glue: size(&glue)?,
        gzip: gzip_len(&wasm)? + gzip_len(&glue)?,
    })
}

/// brotli -q 11 bytes of a file.
pub fn brotli_file_len(path: &Path) -> Result<u64, String> {
    let o = Command::new("brotli").args(["-q", "11", "-c"]).arg(path).output().map_err(|e| format!("brotli: {e}"))?;
    Ok(o.stdout.len() as u64)
}

/// brotli -q 11 bytes of wasm + glue in a package directory.
pub fn brotli_len(out: &Path) -> Result<u64, String> {
    Ok(brotli_file_len(&out.join("desk_loader_bg.wasm"))? + brotli_file_len(&out.join("desk_loader.js"))?)
}

/// What the build's optimised wasm is made of: wasm-opt (the one `cargo
/// xtask` installs) with the build's flags but keeping the `name` section,
/// on the module as wasm-bindgen wrote it, then read per crate and function.
pub fn weigh(b: &Build) -> Result<Weight, String> {
    let cfg = config()?;
    let named = crate::root().join("target/weight").join(format!("{}.wasm", b.name));
    if !named.is_file() {
        return Err(format!("{} is missing: build the packages first (`cargo xtask build`)", named.display()));
    }
    let optimised = named.with_extension("opt.wasm");
    let keep_names = cfg.wasm_opt.flags.iter().filter(|f| !f.starts_with("--strip"));
    crate::output(
        Command::new(crate::root().join("xtask/js/node_modules/.bin/wasm-opt"))
            .args(keep_names)
            .arg("--debuginfo")
            .arg(&named)
            .arg("-o")
            .arg(&optimised),
    )?;
    let bytes = std::fs::read(&optimised).map_err(|e| format!("{}: {e}", optimised.display()))?;
    weight::analyse(&bytes)
}

/// Fails when a build's module (as `weigh` read it) contains a function `[weight].forbidden`
/// names: each links kilobytes the loader does not need (`wasm-pack.toml`).
pub fn check_forbidden(name: &str, w: &Weight) -> Result<(), String> {
    let found = weight::forbidden(w, &config()?.weight.forbidden);
    if found.is_empty() {
        println!("package {name:<8} contains none of the functions [weight].forbidden names");
        return Ok(());
    }
    Err(format!(
        "package {name} contains {}, which wasm-pack.toml's [weight].forbidden keeps out (its comment says why and what to write instead)",
        found.join(", ")
    ))
}

/// One part of a module with its size: (part, what it holds, raw bytes, gzip -9 bytes alone).
pub type PartSize = (String, String, u64, u64);

/// gzip -9 of each of the module's parts alone ([`weight::PARTS`]),
/// its data section, and the core with the standard library and the data:
/// what no shell, binding or glue could take away.
pub fn part_sizes(name: &str, w: &Weight) -> Result<Vec<PartSize>, String> {
    let dir = crate::root().join("target/weight");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let gzip = |part: &str, bytes: &[u8]| -> Result<u64, String> {
        let file = dir.join(format!("{name}.{part}.bin"));
        std::fs::write(&file, bytes).map_err(|e| format!("{}: {e}", file.display()))?;
        gzip_len(&file)
    };
    let code = |part: &str| w.part_code.iter().find(|(p, _)| *p == part).map_or(&[][..], |(_, c)| c.as_slice());
    let mut sizes = Vec::new();
    for (part, holds) in weight::PARTS {
        sizes.push((part.to_owned(), holds.to_owned(), code(part).len() as u64, gzip(part, code(part))?));
    }
    sizes.push(("data".to_owned(), "string constants and tables".to_owned(), w.data(), gzip("data", &w.data_bytes)?));
    let floor = [code("core"), code("std"), &w.data_bytes].concat();
    sizes.push((
        "core + std + data".to_owned(),
        "together, without the shell, the bindings or the glue".to_owned(),
        floor.len() as u64,
        gzip("floor", &floor)?,
    ));
    Ok(sizes)
}

/// Prints a weight: its parts ([`part_sizes`]), the groups above 1 % of the
/// code, then the largest functions.
pub fn print_weight(name: &str, w: &Weight, parts: &[PartSize]) {
    println!("\nwhat package {name} is made of ({} B of wasm, {} B code, {} B data):", w.total, w.code, w.data());
    println!("  by part, raw and gzip -9 alone:");
    for (part, holds, raw, gz) in parts {
        println!("  {raw:>7} B  {gz:>7} B gzip  {part}: {holds}");
    }
    println!("  by crate or module:");
    for (group, bytes) in w.groups.iter().filter(|(_, b)| *b * 100 >= w.code) {
        println!("  {:>7} B  {:>4.1} %  {group}", bytes, *bytes as f64 * 100.0 / w.code as f64);
    }
    println!("  largest functions:");
    for (f, bytes) in &w.functions {
        println!("  {bytes:>7} B  {}", f.chars().take(110).collect::<String>());
    }
}
