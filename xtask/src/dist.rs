//! `cargo xtask dist`: the npm package, as a tarball in `target/dist/` made by
//! `npm pack`: the module and its glue (`pkg/`), `boot.js`, `unavailable.js`,
//! `desk-loader.css`, the Node build (`node/`: the preflight CLI and
//! `check()` for Node, `src/node.rs`), and from `www/npm/` the
//! `package.json` (its version set to the crate's), the TypeScript
//! declarations, the `desk-loader` command (`bin/`) and the package README.

use std::path::PathBuf;
use std::process::Command;

use crate::{packages, tools};

/// `cargo xtask dist [--site]`: the tarball; with `--site`, also the bundled
/// host page the end-to-end suite boots (`cargo xtask demo` serves it at
/// `/__dist/index.html`).
pub fn main(args: &[String]) -> Result<(), String> {
    let site = match args {
        [] => false,
        [flag] if flag == "--site" => true,
        _ => return Err("usage: cargo xtask dist [--site]".to_owned()),
    };
    let tarball = run()?;
    if site {
        tools::ensure_build_tools()?;
        build_site(&tarball)?;
        println!("dist: site in target/dist/site/");
    }
    Ok(())
}

/// Builds the package; returns the tarball's path.
pub fn run() -> Result<PathBuf, String> {
    tools::ensure_build_tools()?;
    packages::build_all()?;
    pack()
}

/// Packs what `cargo xtask build` wrote; returns the tarball's path.
pub fn pack() -> Result<PathBuf, String> {
    let root = crate::root();
    let stage = root.join("target/dist/desk-loader");
    let _ = std::fs::remove_dir_all(&stage);
    std::fs::create_dir_all(stage.join("pkg")).map_err(|e| format!("{}: {e}", stage.display()))?;
    let copy = |from: &str, to: &str| {
        std::fs::copy(root.join(from), stage.join(to)).map(drop).map_err(|e| format!("{from}: {e}"))
    };
    copy("www/pkg/desk_loader.js", "pkg/desk_loader.js")?;
    copy("www/pkg/desk_loader_bg.wasm", "pkg/desk_loader_bg.wasm")?;
    for f in ["boot.js", "unavailable.js", "desk-loader.css", "desk-loader-sw.js"] {
        copy(&format!("www/{f}"), f)?;
    }
    copy("www/npm/index.d.ts", "index.d.ts")?;
    copy("www/npm/node.d.ts", "node.d.ts")?;
    copy("www/npm/README.md", "README.md")?;
    std::fs::create_dir_all(stage.join("bin")).map_err(|e| e.to_string())?;
    copy("www/npm/bin/desk-loader.js", "bin/desk-loader.js")?;
    let node = build_node()?;
    std::fs::create_dir_all(stage.join("node")).map_err(|e| e.to_string())?;
    let from_node = |from: &str, to: &str| {
        std::fs::copy(node.join(from), stage.join(to)).map(drop).map_err(|e| format!("{from}: {e}"))
    };
    // CommonJS glue in a package of ES modules: `.cjs`. It finds the module
    // by its own name, beside it.
    from_node("desk_loader.js", "node/desk_loader.cjs")?;
    from_node("desk_loader_bg.wasm", "node/desk_loader_bg.wasm")?;
    let version = crate_version()?;
    let manifest = std::fs::read_to_string(root.join("www/npm/package.json")).map_err(|e| e.to_string())?;
    let manifest = manifest.replacen("\"version\": \"0.0.0\"", &format!("\"version\": \"{version}\""), 1);
    std::fs::write(stage.join("package.json"), manifest).map_err(|e| e.to_string())?;

    let out = root.join("target/dist");
    let packed = Command::new("npm")
        .args(["pack", "--silent", "--pack-destination"])
        .arg(&out)
        .current_dir(&stage)
        .output()
        .map_err(|e| format!("npm pack: {e}"))?;
    if !packed.status.success() {
        return Err(format!("npm pack: {}", String::from_utf8_lossy(&packed.stderr)));
    }
    let name = String::from_utf8_lossy(&packed.stdout).trim().to_owned();
    let tarball = out.join(&name);
    println!("dist: {}", tarball.display());
    Ok(tarball)
}

/// The Node build: the crate with the `cli` feature (the preflight CLI's
/// logic and its bindings, `src/node.rs`), wasm-pack's `nodejs` target, then
/// wasm-opt with the browser build's flags. Not a `[[build]]` of
/// `wasm-pack.toml`: the page's size budget, short names and glue rewriting
/// are the browser's concerns, and this module never reaches a browser.
fn build_node() -> Result<PathBuf, String> {
    let root = crate::root();
    let out = root.join("target/dist/node-pkg");
    tools::run(
        Command::new("wasm-pack")
            .args(["build", "--release", "--no-typescript", "--no-pack", "--target", "nodejs", "--out-dir"])
            .arg(&out)
            .args(["--", "--package", "desk-loader", "--features", "cli"])
            .current_dir(&root),
    )?;
    let wasm = out.join("desk_loader_bg.wasm");
    tools::run(
        Command::new(tools::wasm_opt()).args(&packages::config()?.wasm_opt.flags).arg(&wasm).arg("-o").arg(&wasm),
    )?;
    Ok(out)
}

/// The desk-loader crate's version, from the root `Cargo.toml`.
fn crate_version() -> Result<String, String> {
    let text = std::fs::read_to_string(crate::root().join("Cargo.toml")).map_err(|e| e.to_string())?;
    let package = text.split("[package]").nth(1).ok_or("Cargo.toml has no [package]")?;
    package
        .lines()
        .find_map(|l| l.strip_prefix("version = \"").and_then(|v| v.strip_suffix('"')))
        .map(str::to_owned)
        .ok_or_else(|| "Cargo.toml's [package] has no version".to_owned())
}

/// The declarations, tested: the typed panel and host page in `examples/`
/// compile with `tsc --noEmit --strict`, and stop compiling when the report
/// loses a field the host page reads (`fallbacks`). Returns (passed, failed),
/// each check printed.
pub fn check_types() -> (u64, u64) {
    let root = crate::root();
    let tsc = root.join("xtask/js/node_modules/.bin/tsc");
    let compile = |project: &std::path::Path| {
        Command::new(&tsc).arg("-p").arg(project).current_dir(&root).output().map_err(|e| format!("tsc: {e}"))
    };
    let mut results = Vec::new();
    results.push(match compile(&root.join("examples/tsconfig.json")) {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => Err(format!("examples/ do not compile:\n{}", String::from_utf8_lossy(&o.stdout))),
        Err(e) => Err(e),
    });
    results.push(broken_field_fails(&root).and_then(|project| match compile(&project) {
        Ok(o) if !o.status.success() && String::from_utf8_lossy(&o.stdout).contains("'fallbacks'") => Ok(()),
        Ok(o) => Err(format!(
            "examples/ still compile against a report without `fallbacks`:\n{}",
            String::from_utf8_lossy(&o.stdout)
        )),
        Err(e) => Err(e),
    }));
    let names = ["examples/ compile against index.d.ts", "a report without `fallbacks` breaks the compile"];
    let mut count = (0, 0);
    for (name, result) in names.iter().zip(results) {
        match result {
            Ok(()) => {
                println!("types: ok: {name}");
                count.0 += 1;
            }
            Err(e) => {
                println!("types: FAILED: {name}: {e}");
                count.1 += 1;
            }
        }
    }
    count
}

/// A project like `examples/tsconfig.json` whose `desk-loader` is a copy of
/// the declarations with the report's `fallbacks` removed.
fn broken_field_fails(root: &std::path::Path) -> Result<PathBuf, String> {
    let dir = root.join("target/dist/types-without-fallbacks");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let dts = std::fs::read_to_string(root.join("www/npm/index.d.ts")).map_err(|e| e.to_string())?;
    let report = dts.find("export interface Report {").ok_or("index.d.ts has no Report")?;
    let field = dts[report..].find("\n  fallbacks: number;").ok_or("Report has no fallbacks")? + report;
    let broken = format!("{}{}", &dts[..field], &dts[field + "\n  fallbacks: number;".len()..]);
    std::fs::write(dir.join("index.d.ts"), broken).map_err(|e| e.to_string())?;
    let examples = root.join("examples");
    let config = format!(
        r#"{{"extends": "{0}/tsconfig.json", "compilerOptions": {{"baseUrl": "{0}", "paths": {{"desk-loader": ["{1}/index.d.ts"]}}}}, "files": ["{0}/panel/panel.ts", "{0}/host/main.ts", "{0}/host/assets.d.ts"]}}"#,
        examples.display(),
        dir.display()
    );
    let project = dir.join("tsconfig.json");
    std::fs::write(&project, config).map_err(|e| e.to_string())?;
    Ok(project)
}

/// Installs the tarball into a scratch project as a desk team would
/// (`npm install ./desk-loader-<version>.tgz`), bundles `examples/host/`
/// with esbuild and writes the site to `target/dist/site/`, with the demo's
/// documents and panel files beside it; the test server serves it under
/// `/__dist/` and `tests/e2e/dist.spec.js` boots it.
pub fn build_site(tarball: &std::path::Path) -> Result<(), String> {
    let root = crate::root();
    let scratch = root.join("target/dist/scratch");
    let site = root.join("target/dist/site");
    let _ = std::fs::remove_dir_all(&scratch);
    let _ = std::fs::remove_dir_all(&site);
    std::fs::create_dir_all(&scratch).map_err(|e| e.to_string())?;
    std::fs::write(scratch.join("package.json"), r#"{"name": "desk", "private": true}"#).map_err(|e| e.to_string())?;
    tools::run(
        Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--prefer-offline"])
            .arg(tarball)
            .current_dir(&scratch),
    )?;
    for f in ["main.ts", "assets.d.ts", "index.html"] {
        std::fs::copy(root.join("examples/host").join(f), scratch.join(f)).map_err(|e| format!("{f}: {e}"))?;
    }
    tools::run(
        Command::new(root.join("xtask/js/node_modules/.bin/esbuild"))
            .args(["main.ts", "--bundle", "--format=esm", "--minify", "--loader:.wasm=file"])
            .arg(format!("--outdir={}", site.display()))
            .current_dir(&scratch),
    )?;
    std::fs::copy(scratch.join("index.html"), site.join("index.html")).map_err(|e| e.to_string())?;
    // The README's snippet as Vite builds it (`?url`), into /__dist/vite/,
    // with the Vite the framework panels install (`panels.rs`).
    let panels = root.join("examples/panels");
    tools::npm_ci(&panels, &["vite", "react", "vue", "svelte"])?;
    copy_dir(&root.join("examples/host/vite"), &scratch.join("vite"))?;
    tools::run(
        Command::new(panels.join("node_modules/.bin/vite"))
            .args(["build", "--base", "./", "--emptyOutDir", "--outDir"])
            .arg(site.join("vite"))
            .current_dir(scratch.join("vite")),
    )?;
    for dir in [site.clone(), site.join("vite")] {
        for f in ["manifest.json", "config.json"] {
            std::fs::copy(root.join("www").join(f), dir.join(f)).map_err(|e| format!("{f}: {e}"))?;
        }
        copy_dir(&root.join("www/panel"), &dir.join("panel"))?;
    }
    Ok(())
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| e.to_string())?;
    for entry in std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let entry = entry.map_err(|e| e.to_string())?;
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), target).map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}
