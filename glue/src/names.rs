//! Short names for the module's imports and exports (`[names]` in
//! `wasm-pack.toml`).
//!
//! wasm-bindgen names each import after its Rust path and a 16-digit hash
//! (`__wbg_getItem_49556a3e59cfb688`) and writes every name twice: in the
//! module's import section and as a key of the glue's import object. Hashes
//! do not compress. binaryen's `--minify-imports-and-exports-and-modules`
//! renames them in the module and prints what it renamed as JSON; [`rewrite_glue`]
//! makes wasm-bindgen's glue (before terser) use the new names.
//!
//! The rewrite is checked, not hoped for: each import name must be a key of
//! the glue exactly once, the import module too, and afterwards the glue may
//! name no export by its old name. Glue written differently (which the
//! version pin, `lib.rs`, keeps from reaching it) fails the build with the
//! name it could not place.

use serde_json::Value;

/// What binaryen renamed.
#[derive(Debug, Default, PartialEq)]
pub struct Renames {
    /// `(module, name, new name)`; every import gets the same new module name.
    pub imports: Vec<(String, String, String)>,
    /// `(name, new name)`.
    pub exports: Vec<(String, String)>,
}

/// The module name every import gets from `--minify-imports-and-exports-and-modules`.
const NEW_MODULE: &str = "a";

/// Reads the JSON binaryen prints: `{"imports": [[module, name, new], …], "exports": [[name, new], …]}`.
pub fn parse(printed: &str) -> Result<Renames, String> {
    let start = printed.find('{').ok_or("wasm-opt printed no renames")?;
    let doc: Value = serde_json::from_str(&printed[start..]).map_err(|e| format!("wasm-opt's renames: {e}"))?;
    let strings = |row: &Value, n: usize| -> Option<Vec<String>> {
        let row = row.as_array().filter(|r| r.len() == n)?;
        row.iter().map(|s| s.as_str().map(str::to_owned)).collect()
    };
    let rows = |key: &str| doc.get(key).and_then(Value::as_array).ok_or(format!("wasm-opt's renames have no {key:?}"));
    let mut renames = Renames::default();
    for row in rows("imports")? {
        let [module, name, new] =
            <[String; 3]>::try_from(strings(row, 3).ok_or("an import rename is not [module, name, new]")?)
                .expect("three strings");
        renames.imports.push((module, name, new));
    }
    for row in rows("exports")? {
        let [name, new] = <[String; 2]>::try_from(strings(row, 2).ok_or("an export rename is not [name, new]")?)
            .expect("two strings");
        renames.exports.push((name, new));
    }
    Ok(renames)
}

/// wasm-bindgen's glue, made to use the renamed imports, module and exports.
pub fn rewrite_glue(glue: &str, renames: &Renames) -> Result<String, String> {
    let mut out = glue.to_owned();
    let mut modules: Vec<&str> = Vec::new();
    for (module, name, new) in &renames.imports {
        let key = format!("{name}:");
        let at = sole(&out, &key, name)?;
        out.replace_range(at..at + key.len(), &format!("{}:", quoted(new)));
        if !modules.contains(&module.as_str()) {
            modules.push(module);
        }
    }
    for module in modules {
        let key = format!("{}:", quoted(module));
        let at = sole(&out, &key, module)?;
        out.replace_range(at..at + key.len(), &format!("{}:", quoted(NEW_MODULE)));
    }
    rename_exports(&out, &renames.exports)
}

/// Where `key` is, when it is in `text` exactly once as a whole key.
fn sole(text: &str, key: &str, what: &str) -> Result<usize, String> {
    let whole = |at: &usize| !text[..*at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$');
    let found: Vec<usize> = text.match_indices(key).map(|(at, _)| at).filter(whole).collect();
    match found[..] {
        [at] => Ok(at),
        _ => Err(format!(
            "the glue names import {what:?} {} times, not once: has wasm-bindgen changed its glue?",
            found.len()
        )),
    }
}

/// `wasm.<name>` → `wasm.<new name>`, whole identifiers only; fails if an
/// old name is left.
fn rename_exports(glue: &str, exports: &[(String, String)]) -> Result<String, String> {
    const OBJECT: &str = "wasm.";
    let ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    let mut out = String::with_capacity(glue.len());
    let mut rest = glue;
    while let Some(at) = rest.find(OBJECT) {
        let standalone = !rest[..at].ends_with(ident);
        out.push_str(&rest[..at + OBJECT.len()]);
        rest = &rest[at + OBJECT.len()..];
        let end = rest.find(|c: char| !ident(c)).unwrap_or(rest.len());
        let name = &rest[..end];
        match exports.iter().find(|(old, _)| old == name) {
            Some((_, new)) if standalone => out.push_str(new),
            None if standalone && !exports.iter().any(|(_, new)| new == name) => {
                return Err(format!("the glue uses wasm.{name}, which the module does not export"));
            }
            _ => out.push_str(name),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    Ok(out)
}

fn quoted(s: &str) -> String {
    serde_json::to_string(s).expect("a string serialises")
}

#[cfg(test)]
mod tests {
    use super::*;

    const GLUE: &str = r#"export function start(options) {
    const ret = wasm.start(options);
    wasm.__wbindgen_free(wasm.__wbindgen_malloc(1), 1);
}
function __wbg_get_imports() {
    const import0 = {
        __proto__: null,
        __wbg_getItem_49556a3e59cfb688: function(arg0) { return wasm.memory; },
        __wbg_get_2080c49015e35254: function(arg0) { return arg0; },
    };
    return {
        __proto__: null,
        "./desk_loader_bg.js": import0,
    };
}
function cachedwasm() { return notwasm.start; }
"#;

    fn renames() -> Renames {
        parse(
            r#"{
 "imports": [
  ["./desk_loader_bg.js", "__wbg_get_2080c49015e35254", "$"],
  ["./desk_loader_bg.js", "__wbg_getItem_49556a3e59cfb688", "$a"]
 ],
 "exports": [["start", "b"], ["memory", "c"], ["__wbindgen_free", "d"], ["__wbindgen_malloc", "e"]]
}"#,
        )
        .unwrap()
    }

    #[test]
    fn renames_import_keys_the_module_and_export_uses() {
        let out = rewrite_glue(GLUE, &renames()).unwrap();
        assert!(out.contains(r#""$a": function(arg0) { return wasm.c; },"#), "{out}");
        assert!(out.contains(r#""$": function(arg0) { return arg0; },"#), "{out}");
        assert!(out.contains(r#""a": import0,"#), "{out}");
        assert!(out.contains("const ret = wasm.b(options);\n    wasm.d(wasm.e(1), 1);"), "{out}");
        assert!(out.contains("export function start(options)"), "the JS API keeps its names: {out}");
        assert!(out.contains("return notwasm.start;"), "only the exports object is renamed: {out}");
    }

    #[test]
    fn a_name_the_glue_does_not_hold_once_fails_the_build() {
        let mut r = renames();
        r.imports.push(("./desk_loader_bg.js".into(), "__wbg_gone_0000000000000000".into(), "b".into()));
        let e = rewrite_glue(GLUE, &r).unwrap_err();
        assert!(e.contains("__wbg_gone_0000000000000000") && e.contains("0 times"), "{e}");

        let twice = GLUE.replace(
            "__wbg_get_2080c49015e35254: function(arg0) { return arg0; },",
            "__wbg_getItem_49556a3e59cfb688: 1, __wbg_get_2080c49015e35254: 2,",
        );
        assert!(rewrite_glue(&twice, &renames()).unwrap_err().contains("2 times"));
    }

    #[test]
    fn an_export_the_module_does_not_rename_fails_the_build() {
        let glue = GLUE.replace("wasm.start(options)", "wasm.stop(options)");
        assert_eq!(
            rewrite_glue(&glue, &renames()).unwrap_err(),
            "the glue uses wasm.stop, which the module does not export"
        );
    }

    #[test]
    fn reads_what_binaryen_prints_and_refuses_anything_else() {
        assert_eq!(
            renames().imports[1],
            ("./desk_loader_bg.js".into(), "__wbg_getItem_49556a3e59cfb688".into(), "$a".into())
        );
        assert!(parse("").is_err());
        assert!(parse(r#"{"imports": [["a", "b"]], "exports": []}"#).is_err());
        assert!(parse(r#"{"imports": []}"#).unwrap_err().contains("exports"));
    }
}
