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

use desk_loader_core::manifest::{AssetKind, Manifest};
use desk_loader_core::value::{object, Value};

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
    let chunk = |key: &str| chunks.iter().find(|(k, _)| k.as_str() == key).map(|(_, c)| c);
    let entries = chunks.iter().filter(|(_, c)| c.get("isEntry") == Some(&Value::Bool(true))).map(|(k, _)| k.as_str());
    let entry = one_entry(entries.collect(), "the build manifest", "entry chunk", "(\"isEntry\": true)")?;
    let order = reached(entry, |key| {
        let chunk = chunk(key).ok_or_else(|| format!("the build manifest imports {key}, which it does not list"))?;
        let mut imports = Vec::new();
        for list in ["imports", "dynamicImports"] {
            for import in array(chunk.get(list)) {
                let import = import.as_str().ok_or_else(|| format!("{key}.{list}: not a list of names"))?;
                imports.push(import.to_owned());
            }
        }
        Ok(imports)
    })?;
    listed(&order, entry, |key| {
        let chunk = chunk(key).unwrap_or(&Value::Null);
        let file = chunk.get("file").and_then(Value::as_str).ok_or_else(|| format!("{key}: no \"file\""))?;
        let css = array(chunk.get("css")).filter_map(Value::as_str).map(str::to_owned).collect();
        Ok((file.to_owned(), css))
    })
}

/// The files of esbuild's metafile, as [`files`] gives Vite's, with the
/// folder their paths are under (the entry's, as the metafile writes it,
/// relative to where esbuild ran): each [`File::path`] is relative to it.
pub fn esbuild_files(meta: &Value) -> Result<(String, Vec<File>), String> {
    let Some(outputs) = meta.get("outputs").and_then(Value::as_object) else {
        return Err("the metafile has no \"outputs\" object: was it written by esbuild --metafile?".to_owned());
    };
    let output = |key: &str| outputs.iter().find(|(k, _)| k.as_str() == key).map(|(_, o)| o);
    let imports = |output: &Value, kind: &str| -> Vec<String> {
        array(output.get("imports"))
            .filter(|i| i.get("kind").and_then(Value::as_str) == Some(kind))
            .filter_map(|i| i.get("path").and_then(Value::as_str).map(str::to_owned))
            .collect()
    };
    let lazy: Vec<String> = outputs.iter().flat_map(|(_, o)| imports(o, "dynamic-import")).collect();
    let entries = outputs
        .iter()
        .filter(|(k, o)| o.get("entryPoint").is_some() && !lazy.iter().any(|l| l == k.as_str()))
        .map(|(k, _)| k.as_str());
    let entry = one_entry(entries.collect(), "the metafile", "entry output", "(one with an \"entryPoint\")")?;
    let dir = entry.rsplit_once('/').map_or(String::new(), |(d, _)| format!("{d}/"));
    let order = reached(entry, |key| {
        let output = output(key).ok_or_else(|| format!("the metafile imports {key}, which it does not list"))?;
        Ok(imports(output, "import-statement").into_iter().chain(imports(output, "dynamic-import")).collect())
    })?;
    let relative = |path: &str| {
        path.strip_prefix(&dir)
            .map(str::to_owned)
            .ok_or_else(|| format!("{path} is outside the entry's folder {dir}: give --out"))
    };
    let files = listed(&order, entry, |key| {
        let css = output(key).and_then(|o| o.get("cssBundle")).and_then(Value::as_str);
        Ok((relative(key)?, css.map(relative).transpose()?.into_iter().collect()))
    })?;
    Ok((dir, files))
}

/// The build's one entry, or why there is not one.
fn one_entry<'a>(entries: Vec<&'a str>, build: &str, what: &str, which: &str) -> Result<&'a str, String> {
    match entries[..] {
        [one] => Ok(one),
        [] => Err(format!("{build} has no {what} {which}")),
        _ => Err(format!("{build} has {} {what}s; a release has one: {}", entries.len(), entries.join(", "))),
    }
}

/// Every output reached from `entry`, breadth first: what each imports
/// statically, then lazily, as `imports` lists them.
fn reached(entry: &str, mut imports: impl FnMut(&str) -> Result<Vec<String>, String>) -> Result<Vec<String>, String> {
    let (mut order, mut next) = (vec![entry.to_owned()], 0);
    while let Some(key) = order.get(next).cloned() {
        next += 1;
        for import in imports(&key)? {
            if !order.contains(&import) {
                order.push(import);
            }
        }
    }
    Ok(order)
}

/// The release's files from the outputs in `order`, each giving its file and
/// its stylesheets: the stylesheets first, once each, then the chunks, the
/// entry last (the loader adds the stylesheets, then runs the entry).
fn listed(
    order: &[String],
    entry: &str,
    mut file_and_css: impl FnMut(&str) -> Result<(String, Vec<String>), String>,
) -> Result<Vec<File>, String> {
    let (mut styles, mut modules) = (Vec::<File>::new(), Vec::new());
    for key in order {
        let (file, css) = file_and_css(key)?;
        let kind = if key == entry { AssetKind::Module } else { AssetKind::Chunk };
        if file.ends_with(".js") || file.ends_with(".mjs") {
            modules.push(File { path: file, kind });
        }
        for css in css {
            if !styles.iter().any(|s| s.path == css) {
                styles.push(File { path: css, kind: AssetKind::Style });
            }
        }
    }
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
                ("integrity", desk_loader_core::sri::integrity(bytes).into()),
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
        if let Err(why) = desk_loader_core::origin::origin_of(&asset.url, desk_loader_core::origin::ANY_PAGE) {
            errors.push(format!("{}: {why}", desk_loader_core::origin::shown(&asset.url)));
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
