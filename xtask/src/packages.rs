//! The package builds declared in `wasm-pack.toml`: build, optimise, measure.

use std::path::Path;
use std::process::Command;

use desk_loader_packages::{gzip_len, Config};

use crate::tools::run;

/// Reads `wasm-pack.toml` (`desk_loader_packages`).
pub fn config() -> Result<Config, String> {
    desk_loader_packages::read(&crate::root())
}

/// Builds every declared package and prints its size against the budget.
pub fn build_all() -> Result<(), String> {
    let cfg = config()?;
    let root = crate::root();
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
        // wasm-bindgen's output still names its functions: the bench reads
        // them there (`desk-loader-bench weight`).
        let named = root.join("target/weight").join(format!("{}.wasm", b.name));
        std::fs::create_dir_all(named.parent().expect("under target/")).map_err(|e| e.to_string())?;
        std::fs::copy(&wasm, &named).map_err(|e| format!("{}: {e}", named.display()))?;
        if cfg.names.short || cfg.glue.encode_strings {
            // The rewriter knows the glue of one wasm-bindgen (glue/src/lib.rs).
            desk_loader_glue::check_wasm_bindgen(
                &std::fs::read(&named).map_err(|e| format!("{}: {e}", named.display()))?,
            )?;
        }
        let mut opt = Command::new(crate::tools::wasm_opt());
        opt.args(&cfg.wasm_opt.flags).arg(&wasm).arg("-o").arg(&wasm);
        let glue = out.join("desk_loader.js");
        let mut text = std::fs::read_to_string(&glue).map_err(|e| format!("{}: {e}", glue.display()))?;
        if cfg.names.short {
            // Runs last in the pipeline, and prints what it renamed.
            opt.arg("--minify-imports-and-exports-and-modules");
            let renames = desk_loader_glue::names::parse(&crate::tools::output(&mut opt)?)?;
            text = desk_loader_glue::names::rewrite_glue(&text, &renames)?;
        } else {
            run(&mut opt)?;
        }
        if cfg.glue.encode_strings {
            text = desk_loader_glue::encode::encode_strings(&text)?;
        }
        std::fs::write(&glue, text).map_err(|e| format!("{}: {e}", glue.display()))?;
        run(Command::new(crate::tools::terser()).arg(&glue).args(&cfg.glue.terser_flags).arg("-o").arg(&glue))?;
        let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).map_err(|e| format!("{}: {e}", p.display()));
        println!(
            "package {:<8} wasm {:>7} B, glue {:>6} B, gzip -9 together {:>6} B (budget {} B)",
            b.name,
            size(&wasm)?,
            size(&glue)?,
            gzip_len(&wasm)? + gzip_len(&glue)?,
            cfg.budget.gzip_bytes
        );
    }
    Ok(())
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
