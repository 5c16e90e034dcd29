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
    /// How the JS glue is rewritten and minified.
    pub glue: Glue,
    /// Whether imports and exports get short names.
    pub names: Names,
    /// What the module must not contain.
    pub weight: WeightRules,
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
    /// Copy a long string into the module with `TextEncoder.encode` (`glue.rs`).
    #[serde(rename = "encode-strings")]
    pub encode_strings: bool,
}

/// `[names]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Names {
    /// Rename the module's imports, exports and import module to short names
    /// and rewrite the glue to match (`names.rs`).
    pub short: bool,
}

/// `[weight]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeightRules {
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
            // The browser module alone: the workspace's default members built
            // together would unify the core's features (the CLI's `sri`) into it.
            .args(["--", "--package", "desk-loader"])
            .current_dir(&root))?;
        let out = root.join(&b.out_dir);
        let wasm = out.join("desk_loader_bg.wasm");
        // wasm-bindgen's output still names its functions; `weigh` reads them.
        let named = unoptimised(b);
        std::fs::create_dir_all(named.parent().expect("under target/")).map_err(|e| e.to_string())?;
        std::fs::copy(&wasm, &named).map_err(|e| format!("{}: {e}", named.display()))?;
        let mut opt = Command::new(crate::tools::wasm_opt());
        opt.args(&cfg.wasm_opt.flags).arg(&wasm).arg("-o").arg(&wasm);
        let glue = out.join("desk_loader.js");
        let mut text = std::fs::read_to_string(&glue).map_err(|e| format!("{}: {e}", glue.display()))?;
        if cfg.names.short {
            // Runs last in the pipeline, and prints what it renamed.
            opt.arg("--minify-imports-and-exports-and-modules");
            let renames = crate::names::parse(&crate::tools::output(&mut opt)?)?;
            text = crate::names::rewrite_glue(&text, &renames)?;
        } else {
            run(&mut opt)?;
        }
        if cfg.glue.encode_strings {
            text = crate::glue::encode_strings(&text)?;
        }
        std::fs::write(&glue, text).map_err(|e| format!("{}: {e}", glue.display()))?;
        run(Command::new(crate::tools::terser()).arg(&glue).args(&cfg.glue.terser_flags).arg("-o").arg(&glue))?;
        let sizes = measure(b, &out)?;
        println!(
            "package {:<8} wasm {:>7} B, glue {:>6} B, gzip -9 together {:>6} B (budget {} B)",
            sizes.name, sizes.wasm, sizes.glue, sizes.gzip, cfg.budget.gzip_bytes
        );
        all.push(sizes);
    }
    Ok(all)
}

fn unoptimised(b: &Build) -> PathBuf {
    crate::root().join("target/weight").join(format!("{}.wasm", b.name))
}

/// What the build's optimised wasm is made of: wasm-opt with the build's
/// flags but keeping the `name` section, then read per crate and function.
pub fn weigh(b: &Build) -> Result<crate::weight::Weight, String> {
    let cfg = config()?;
    let named = unoptimised(b);
    let optimised = named.with_extension("opt.wasm");
    let keep_names = cfg.wasm_opt.flags.iter().filter(|f| !f.starts_with("--strip"));
    run(Command::new(crate::tools::wasm_opt())
        .args(keep_names)
        .arg("--debuginfo")
        .arg(&named)
        .arg("-o")
        .arg(&optimised))?;
    let bytes = std::fs::read(&optimised).map_err(|e| format!("{}: {e}", optimised.display()))?;
    crate::weight::analyse(&bytes)
}

/// Fails when a build's module (as `weigh` read it) contains a function `[weight].forbidden`
/// names: each links kilobytes the loader does not need (`wasm-pack.toml`).
pub fn check_forbidden(name: &str, w: &crate::weight::Weight) -> Result<(), String> {
    let found = crate::weight::forbidden(w, &config()?.weight.forbidden);
    if found.is_empty() {
        println!("package {name:<8} contains none of the functions [weight].forbidden names");
        return Ok(());
    }
    Err(format!(
        "package {name} contains {}, which wasm-pack.toml's [weight].forbidden keeps out (its comment says why and what to write instead)",
        found.join(", ")
    ))
}

/// Fails unless `www/boot.js`'s feature probe (the small module it validates
/// before loading the loader, so that an older browser is told it is too old)
/// needs each WebAssembly feature the build enables (`--enable-*` in
/// `[wasm-opt].flags`), and validates with them all: the probe and the build
/// cannot drift apart. binaryen's wasm-opt is the judge.
pub fn check_feature_probe() -> Result<(), String> {
    let boot = crate::root().join("www/boot.js");
    let text = std::fs::read_to_string(&boot).map_err(|e| format!("{}: {e}", boot.display()))?;
    let list = text
        .split_once("const probe = [")
        .and_then(|(_, rest)| rest.split_once(']'))
        .map(|(list, _)| list)
        .ok_or("www/boot.js has no `const probe = [...]`")?;
    let bytes: Vec<u8> = list
        .split(',')
        .map(|b| b.trim().parse::<u8>().map_err(|_| format!("www/boot.js: the probe has a byte {:?}", b.trim())))
        .collect::<Result<_, _>>()?;
    let dir = crate::root().join("target/weight");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let file = dir.join("feature-probe.wasm");
    std::fs::write(&file, &bytes).map_err(|e| format!("{}: {e}", file.display()))?;
    let enabled: Vec<String> = config()?.wasm_opt.flags.into_iter().filter(|f| f.starts_with("--enable-")).collect();
    let valid = |flags: &[&String]| {
        Command::new(crate::tools::wasm_opt())
            .arg(&file)
            .arg("--mvp-features")
            .args(flags)
            .args(["-o", "/dev/null"])
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !valid(&enabled.iter().collect::<Vec<_>>()) {
        return Err("www/boot.js's feature probe is not valid WebAssembly with the build's features".to_owned());
    }
    for feature in &enabled {
        let others: Vec<&String> = enabled.iter().filter(|f| *f != feature).collect();
        if valid(&others) {
            return Err(format!(
                "www/boot.js's feature probe does not need {feature}: a browser without it would be let in"
            ));
        }
    }
    println!("www/boot.js's feature probe needs each of the {} features the build enables", enabled.len());
    Ok(())
}

/// One part of a module with its size: (part, what it holds, raw bytes, gzip -9 bytes alone).
pub type PartSize = (String, String, u64, u64);

/// gzip -9 of each of the module's parts alone ([`crate::weight::PARTS`]),
/// its data section, and the core with the standard library and the data:
/// what no shell, binding or glue could take away.
pub fn part_sizes(name: &str, w: &crate::weight::Weight) -> Result<Vec<PartSize>, String> {
    let dir = crate::root().join("target/weight");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let gzip = |part: &str, bytes: &[u8]| -> Result<u64, String> {
        let file = dir.join(format!("{name}.{part}.bin"));
        std::fs::write(&file, bytes).map_err(|e| format!("{}: {e}", file.display()))?;
        gzip_len(&file)
    };
    let code = |part: &str| w.part_code.iter().find(|(p, _)| *p == part).map_or(&[][..], |(_, c)| c.as_slice());
    let mut sizes = Vec::new();
    for (part, holds) in crate::weight::PARTS {
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
pub fn print_weight(name: &str, w: &crate::weight::Weight, parts: &[PartSize]) {
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

/// The package `b` built into `out`, measured.
pub fn measure(b: &Build, out: &Path) -> Result<Sizes, String> {
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

/// gzip -9 bytes of a file.
pub fn gzip_len(path: &Path) -> Result<u64, String> {
    let out = Command::new("gzip").args(["-9", "-c"]).arg(path).output().map_err(|e| format!("gzip: {e}"))?;
    Ok(out.stdout.len() as u64)
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
