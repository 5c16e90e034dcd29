//! `cargo xtask sri`: recompute the `integrity` of every local asset listed
//! in `www/**/manifest*.json`, so editing a demo bundle is one command away
//! from a consistent manifest. A native test checks the result stays fresh.

use std::path::Path;

use base64::Engine;
use sha2::{Digest, Sha384};

/// Rewrites each manifest whose local assets' hashes are stale.
pub fn run() -> Result<(), String> {
    let www = crate::root().join("www");
    let mut manifests = Vec::new();
    collect(&www, &mut manifests);
    for path in manifests {
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut changed = text.clone();
        let mut rest = text.as_str();
        // Each asset is written on one line as {"type": …, "url": "…", "integrity": "…"}.
        while let Some(at) = rest.find("\"url\": \"") {
            rest = &rest[at + 8..];
            let url = &rest[..rest.find('"').unwrap_or(0)];
            let Some(i) = rest.find("\"integrity\": \"") else {
                break;
            };
            let old = &rest[i + 14..][..rest[i + 14..].find('"').unwrap_or(0)];
            let file = path.parent().unwrap_or(&www).join(url);
            let file = if file.is_file() { file } else { www.join(url) };
            if let Ok(bytes) = std::fs::read(&file) {
                let new = integrity(&bytes);
                if old != new {
                    changed = changed.replace(old, &new);
                }
            }
        }
        if changed != text {
            std::fs::write(&path, changed).map_err(|e| format!("{}: {e}", path.display()))?;
            println!("updated {}", path.display());
        }
    }
    Ok(())
}

/// `sha384-<base64>` of `bytes`.
pub fn integrity(bytes: &[u8]) -> String {
    format!("sha384-{}", base64::engine::general_purpose::STANDARD.encode(Sha384::digest(bytes)))
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
