//! `cargo xtask sri`: recompute the `integrity` of every local asset listed
//! in `www/**/manifest*.json`, so editing a demo bundle is one command away
//! from a consistent manifest. A native test checks the result stays fresh.

use std::path::Path;

/// The product's own SRI helper (`desk_loader_core::sri`).
pub use desk_loader_core::sri::integrity;

/// Rewrites each manifest whose local assets' hashes are stale.
pub fn run() -> Result<(), String> {
    let www = crate::root().join("www");
    let mut manifests = Vec::new();
    collect(&www, &mut manifests);
    for path in manifests {
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        // Each asset is written on one line as {"type": …, "url": "…", "integrity": "…"}.
        let lines: Vec<String> = text.split_inclusive('\n').map(|line| fresh_line(line, &path, &www)).collect();
        let changed = lines.concat();
        if changed != text {
            std::fs::write(&path, changed).map_err(|e| format!("{}: {e}", path.display()))?;
            println!("updated {}", path.display());
        }
    }
    Ok(())
}

/// The line with its integrity recomputed, when it names a local file.
fn fresh_line(line: &str, manifest: &Path, www: &Path) -> String {
    let field = |name: &str| {
        let key = format!("\"{name}\": \"");
        let start = line.find(&key)? + key.len();
        let len = line[start..].find('"')?;
        Some(&line[start..start + len])
    };
    let (Some(url), Some(old)) = (field("url"), field("integrity")) else { return line.to_owned() };
    let beside = manifest.parent().unwrap_or(www).join(url);
    let file = if beside.is_file() { beside } else { www.join(url) };
    match std::fs::read(&file) {
        Ok(bytes) => line.replacen(old, &integrity(&bytes), 1),
        Err(_) => line.to_owned(),
    }
}

fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let name = e.file_name().to_string_lossy().into_owned();
        if p.is_dir() && name != "pkg" && name != "node_modules" {
            collect(&p, out);
        } else if name.starts_with("manifest") && name.ends_with(".json") {
            out.push(p);
        }
    }
}
