//! `desk-loader release` (`docs/cli.md`): a release's manifest entry from a
//! bundler's build manifest, every file with its integrity computed, so no
//! team hand-computes a hash. Sans I/O like the rest of the CLI: [`files`]
//! names what the build manifest lists, [`entry`] writes the entry from
//! their bytes.
//!
//! Read: Vite's `.vite/manifest.json` (`build.manifest: true`), one entry
//! chunk (`isEntry`) and what it imports, statically (`imports`) and lazily
//! (`dynamicImports`), with each chunk's `css`. The entry becomes the
//! release's `module` asset, every other chunk a `chunk` asset (the browser
//! fetches it as the entry imports it, checked through the page's import
//! map), every stylesheet a `style` asset: the entry's first, then the
//! lazy chunks', which the loader then checks and caches too. Images and
//! fonts (`assets`) are not code, and are left to the page.
//!
//! Or esbuild's metafile (`--metafile`, with `--splitting --format=esm`):
//! its `outputs`, the entry the one with an `entryPoint` that no output
//! imports lazily (esbuild makes each `import()` target an entry point of
//! its own), what it imports (`import-statement`, then `dynamic-import`),
//! and each output's `cssBundle`.

use crate::core::manifest::{AssetKind, Manifest};
use crate::core::value::{object, Value};

/// A file of the build, by its path in the build's output directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    /// Its path, relative to the output directory (`assets/main-x.js`).
    pub path: String,
    /// What the release lists it as.
    pub kind: AssetKind,
}

/// The files of the build's one entry and its graph, in the order the
/// release lists them: stylesheets, chunks, then the entry. An error says
/// what in the build manifest cannot be used.
pub fn files(vite: &Value) -> Result<Vec<File>, String> {
    let Some(chunks) = vite.as_object() else {
        return Err(format!("the build manifest is {}, not Vite's object of chunks", vite.kind()));
    };
    let entries: Vec<&str> =
        chunks.iter().filter(|(_, c)| c.get("isEntry") == Some(&Value::Bool(true))).map(|(k, _)| k.as_str()).collect();
    let entry = match entries[..] {
        [one] => one,
        [] => return Err("the build manifest has no entry chunk (\"isEntry\": true)".to_owned()),
        _ => {
            return Err(format!(
                "the build manifest has {} entry chunks; a release has one: {}",
                entries.len(),
                entries.join(", ")
            ))
        }
    };
    // Breadth first from the entry: what it imports statically, then lazily.
    let (mut order, mut seen) = (vec![entry.to_owned()], vec![entry.to_owned()]);
    let mut next = 0;
    while let Some(key) = order.get(next).cloned() {
        next += 1;
        let chunk = chunks.iter().find(|(k, _)| k.as_str() == key).map(|(_, c)| c);
        let Some(chunk) = chunk else {
            return Err(format!("the build manifest imports {key}, which it does not list"));
        };
        for list in ["imports", "dynamicImports"] {
            for import in array(chunk.get(list)) {
                let Some(import) = import.as_str() else { return Err(format!("{key}.{list}: not a list of names")) };
                if !seen.iter().any(|s| s == import) {
                    seen.push(import.to_owned());
                    order.push(import.to_owned());
                }
            }
        }
    }
    let (mut styles, mut modules) = (Vec::new(), Vec::new());
    for key in &order {
        let chunk = chunks.iter().find(|(k, _)| k.as_str() == key).map(|(_, c)| c).unwrap_or(&Value::Null);
        let Some(file) = chunk.get("file").and_then(Value::as_str) else {
            return Err(format!("{key}: no \"file\""));
        };
        let kind = if key == entry { AssetKind::Module } else { AssetKind::Chunk };
        if file.ends_with(".js") || file.ends_with(".mjs") {
            modules.push(File { path: file.to_owned(), kind });
        }
        for css in array(chunk.get("css")).filter_map(Value::as_str) {
            if !styles.iter().any(|s: &File| s.path == css) {
                styles.push(File { path: css.to_owned(), kind: AssetKind::Style });
            }
        }
    }
    // The entry last: the loader adds the stylesheets, then runs the entry.
    modules.rotate_left(1);
    styles.extend(modules);
    Ok(styles)
}

/// The items of an array member; none for anything else.
fn array(v: Option<&Value>) -> std::slice::Iter<'_, Value> {
    match v {
        Some(Value::Array(items)) => items.iter(),
        _ => [].iter(),
    }
}

/// The files of esbuild's metafile, as [`files`] gives Vite's, with the
/// folder their paths are under (the entry's, as the metafile writes it,
/// relative to where esbuild ran): each [`File::path`] is relative to it.
pub fn esbuild_files(meta: &Value) -> Result<(String, Vec<File>), String> {
    let Some(outputs) = meta.get("outputs").and_then(Value::as_object) else {
        return Err("the metafile has no \"outputs\" object: was it written by esbuild --metafile?".to_owned());
    };
    let imports = |output: &Value, kind: &str| -> Vec<String> {
        array(output.get("imports"))
            .filter(|i| i.get("kind").and_then(Value::as_str) == Some(kind))
            .filter_map(|i| i.get("path").and_then(Value::as_str).map(str::to_owned))
            .collect()
    };
    let lazy: Vec<String> = outputs.iter().flat_map(|(_, o)| imports(o, "dynamic-import")).collect();
    let entries: Vec<&str> = outputs
        .iter()
        .filter(|(k, o)| o.get("entryPoint").is_some() && !lazy.iter().any(|l| l == k.as_str()))
        .map(|(k, _)| k.as_str())
        .collect();
    let entry = match entries[..] {
        [one] => one,
        [] => return Err("the metafile has no entry output (one with an \"entryPoint\")".to_owned()),
        _ => {
            return Err(format!(
                "the metafile has {} entry outputs; a release has one: {}",
                entries.len(),
                entries.join(", ")
            ))
        }
    };
    let dir = entry.rsplit_once('/').map_or(String::new(), |(d, _)| format!("{d}/"));
    let (mut order, mut next) = (vec![entry.to_owned()], 0);
    while let Some(key) = order.get(next).cloned() {
        next += 1;
        let output = outputs.iter().find(|(k, _)| k.as_str() == key).map(|(_, o)| o);
        let Some(output) = output else { return Err(format!("the metafile imports {key}, which it does not list")) };
        for import in imports(output, "import-statement").into_iter().chain(imports(output, "dynamic-import")) {
            if !order.contains(&import) {
                order.push(import);
            }
        }
    }
    let relative = |path: &str| {
        path.strip_prefix(&dir)
            .map(str::to_owned)
            .ok_or_else(|| format!("{path} is outside the entry's folder {dir}: give --out"))
    };
    let (mut styles, mut modules) = (Vec::new(), Vec::new());
    for key in &order {
        let output = outputs.iter().find(|(k, _)| k.as_str() == key).map(|(_, o)| o).unwrap_or(&Value::Null);
        let kind = if key == entry { AssetKind::Module } else { AssetKind::Chunk };
        if key.ends_with(".js") || key.ends_with(".mjs") {
            modules.push(File { path: relative(key)?, kind });
        }
        if let Some(css) = output.get("cssBundle").and_then(Value::as_str) {
            styles.push(File { path: relative(css)?, kind: AssetKind::Style });
        }
    }
    modules.rotate_left(1);
    styles.extend(modules);
    Ok((dir, styles))
}

/// The release's manifest entry: `id`, each file at `base` + its path with
/// the `sha384` of `bytes` (in [`files`]' order), and the members of `with`
/// (`backend`, `config`, `rollout`: what the build cannot know). The entry is
/// read back as the loader reads a manifest; its errors are returned.
pub fn entry(id: &str, base: &str, built: &[(File, Vec<u8>)], with: Option<&Value>) -> Result<Value, String> {
    let assets = built
        .iter()
        .map(|(file, bytes)| {
            object([
                ("type", file.kind.as_str().into()),
                ("url", format!("{base}{}", file.path).into()),
                ("integrity", crate::sri::integrity(bytes).into()),
            ])
        })
        .collect();
    let mut members = vec![("id".into(), Value::from(id)), ("assets".into(), Value::Array(assets))];
    match with {
        None => {}
        Some(Value::Object(extra)) => {
            for (k, v) in extra {
                if k.as_str() == "id" || k.as_str() == "assets" {
                    return Err(format!("--with may not set `{}`: the build gives it", k.as_str()));
                }
                members.push((k.clone(), v.clone()));
            }
        }
        Some(other) => return Err(format!("--with must be a JSON object, not {}", other.kind())),
    }
    let entry = Value::Object(members);
    let manifest = object([("format", 1.0.into()), ("releases", Value::Array(vec![entry.clone()]))]);
    let (parsed, problems) = Manifest::parse(manifest);
    let mut errors: Vec<String> = problems.iter().filter(|p| p.is_error()).map(|p| p.message.clone()).collect();
    // A URL the loader refuses on any page (as `check` judges it).
    for asset in parsed.releases.iter().flat_map(|r| &r.assets) {
        if let Err(why) = crate::core::origin::origin_of(&asset.url, crate::core::origin::ANY_PAGE) {
            errors.push(format!("{}: {why}", crate::core::origin::shown(&asset.url)));
        }
    }
    if errors.is_empty() {
        Ok(entry)
    } else {
        Err(format!("the release entry would not be usable: {}", errors.join("; ")))
    }
}

/// The entry as the command prints it, to paste into a manifest's
/// `releases`: one member per line, one asset per line.
pub fn shown(entry: &Value) -> String {
    let Value::Object(members) = entry else { return entry.to_json() + "\n" };
    let lines: Vec<String> = members
        .iter()
        .map(|(k, v)| {
            let value = match (k.as_str(), v) {
                ("assets", Value::Array(assets)) => {
                    let assets: Vec<String> = assets.iter().map(|a| format!("    {}", a.to_json())).collect();
                    format!("[\n{}\n  ]", assets.join(",\n"))
                }
                _ => v.to_json(),
            };
            format!("  {}: {value}", Value::from(k.as_str()).to_json())
        })
        .collect();
    format!("{{\n{}\n}}\n", lines.join(",\n"))
}
