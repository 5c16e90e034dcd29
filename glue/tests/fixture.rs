//! The rewriter on real glue: what wasm-bindgen [`WASM_BINDGEN`] wrote for
//! the loader, rewritten as the build rewrites it, against the committed
//! expected output; and the pin against `Cargo.lock`, so that a new
//! wasm-bindgen fails `cargo test` before it reaches a build.
//!
//! A fixture directory, `tests/fixtures/wasm-bindgen-<version>/`, holds
//! `desk_loader.js`, the glue as `wasm-pack build --release --no-typescript
//! --no-pack --target web` writes it (before wasm-opt, terser or this
//! crate), `renames.json`, what binaryen's wasm-opt printed for the same
//! module with `[wasm-opt].flags` and `--minify-imports-and-exports-and-modules`,
//! and `expected.js`, the glue rewritten, reviewed by hand and committed
//! (`UPDATE_FIXTURES=1 cargo test -p desk-loader-glue` writes it).

use std::path::{Path, PathBuf};

use desk_loader_glue::{encode, names, WASM_BINDGEN};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/wasm-bindgen-{WASM_BINDGEN}"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!("{}: {e}: the pinned wasm-bindgen has no fixture (glue/src/lib.rs says how to add one)", path.display())
    })
}

#[test]
fn the_glue_the_pinned_wasm_bindgen_writes_is_rewritten_as_expected() {
    let dir = fixtures();
    let glue = read(&dir.join("desk_loader.js"));
    let renames = names::parse(&read(&dir.join("renames.json"))).unwrap();
    let out = encode::encode_strings(&names::rewrite_glue(&glue, &renames).unwrap()).unwrap();

    // The rewrite did its work: no import is left under its old name, and
    // long strings take the encode branch.
    assert!(renames.imports.len() > 50 && renames.exports.len() > 10, "renames.json is too short");
    for (_, name, _) in &renames.imports {
        assert!(!out.contains(&format!("{name}:")), "{name} is still a key of the glue");
    }
    assert!(out.contains(&format!("arg.length > {}", encode::LONG)));

    let expected = dir.join("expected.js");
    if std::env::var_os("UPDATE_FIXTURES").is_some() {
        std::fs::write(&expected, &out).unwrap();
        return;
    }
    let want = read(&expected);
    if let Some((n, (a, b))) = out.lines().zip(want.lines()).enumerate().find(|(_, (a, b))| a != b) {
        panic!("the rewritten glue differs from expected.js at line {}:\n  got:  {a}\n  want: {b}", n + 1);
    }
    assert_eq!(out, want, "the rewritten glue differs from expected.js in length");
}

#[test]
fn the_pin_is_the_wasm_bindgen_cargo_lock_holds() {
    let lock = read(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock"));
    let locked = lock
        .split("[[package]]")
        .find(|p| p.contains("\nname = \"wasm-bindgen\"\n"))
        .and_then(|p| p.lines().find_map(|l| l.strip_prefix("version = \"")?.strip_suffix('"')))
        .expect("Cargo.lock has wasm-bindgen");
    assert_eq!(
        locked, WASM_BINDGEN,
        "Cargo.lock holds wasm-bindgen {locked}, and the glue rewriter knows the glue of {WASM_BINDGEN}: \
         check it against the new glue and update WASM_BINDGEN (glue/src/lib.rs says how)"
    );
    assert!(fixtures().join("desk_loader.js").is_file(), "no fixture for wasm-bindgen {WASM_BINDGEN}");
}
