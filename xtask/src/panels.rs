//! The framework panels of `examples/panels/` (React, Vue and Svelte, built
//! by Vite from npm), as a panel team ships them: each built into
//! `target/panels/<framework>/`, its release entry written by `desk-loader
//! release` from Vite's `.vite/manifest.json`, a manifest of that release
//! over the demo's 2026.11.1, and a page with the fast embed written by
//! `desk-loader embed` (`target/panels/<framework>.html`, with the import
//! map that has the browser check each chunk), and one that reads the
//! manifest from its URL as `www/desk.html` does, with the map `desk-loader
//! importmap` prints (`target/panels/<framework>-url.html`). The test server
//! serves them at `/__panels/`; `tests/e2e/frameworks.spec.js` boots them.

use std::path::Path;
use std::process::Command;

use crate::tools::{self, run};

/// Each framework and the release id it is given.
pub const FRAMEWORKS: [(&str, &str); 3] = [("react", "2026.12.1"), ("vue", "2026.12.2"), ("svelte", "2026.12.3")];

/// Builds the panels and writes their releases, manifests and pages, with
/// the native CLI at `cli`.
pub fn build(cli: &Path) -> Result<(), String> {
    let root = crate::root();
    let source = root.join("examples/panels");
    let out = root.join("target/panels");
    tools::npm_ci(&source, &["vite", "react", "vue", "svelte"])?;
    run(Command::new("npm").args(["run", "build"]).current_dir(&source).env("PANELS_OUT", &out))?;
    let demo =
        std::fs::read_to_string(root.join("www/manifest.json")).map_err(|e| format!("www/manifest.json: {e}"))?;
    let demo: serde_json::Value = serde_json::from_str(&demo).map_err(|e| format!("www/manifest.json: {e}"))?;
    let mut fallback = demo["releases"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["id"] == "2026.11.1"))
        .cloned()
        .ok_or("www/manifest.json has no release 2026.11.1")?;
    // Its files are the page's (`panel/…`); these pages are at /__panels/.
    for asset in fallback["assets"].as_array_mut().into_iter().flatten() {
        if let Some(url) = asset["url"].as_str() {
            asset["url"] = format!("/{url}").into();
        }
    }
    for (framework, id) in FRAMEWORKS {
        let dir = out.join(framework);
        let release = tools::output(Command::new(cli).args([
            "release".as_ref(),
            "--vite".as_ref(),
            dir.join(".vite/manifest.json").as_os_str(),
            "--id".as_ref(),
            id.as_ref(),
            "--base".as_ref(),
            format!("/__panels/{framework}/").as_ref(),
            "--with".as_ref(),
            source.join("release.json").as_os_str(),
        ]))?;
        write(&dir.join("release.json"), &release)?;
        let release: serde_json::Value = serde_json::from_str(&release).map_err(|e| format!("{framework}: {e}"))?;
        let manifest = serde_json::json!({ "format": 1, "releases": [release, fallback] });
        let manifest_path = dir.join("manifest.json");
        write(&manifest_path, &serde_json::to_string_pretty(&manifest).unwrap_or_default())?;
        let page = tools::output(
            Command::new(cli)
                .args(["embed", "--manifest"])
                .arg(&manifest_path)
                .args(["--config", "www/config.json", "--options", "examples/panels/options.json"])
                .args(["--loader-base", "/", "--page", &format!("desk-loader: a {framework} panel built by Vite")])
                .current_dir(&root),
        )?;
        write(&out.join(format!("{framework}.html")), &page)?;
        // The README's snippet, at /: the map first, before any module.
        let map = tools::output(Command::new(cli).args(["importmap", "--manifest"]).arg(&manifest_path))?;
        let desk = std::fs::read_to_string(root.join("www/desk.html")).map_err(|e| format!("www/desk.html: {e}"))?;
        let page = desk
            .replacen("<head>\n", &format!("<head>\n  <base href=\"/\">\n  {map}"), 1)
            .replacen("  <link rel=\"preload\" href=\"manifest.json\" as=\"fetch\" crossorigin>\n", "", 1)
            .replacen(
                r#""manifest": "manifest.json""#,
                &format!(r#""manifest": "/__panels/{framework}/manifest.json""#),
                1,
            );
        write(&out.join(format!("{framework}-url.html")), &page)?;
    }
    Ok(())
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}
