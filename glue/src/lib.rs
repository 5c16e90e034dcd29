//! The rewriter of wasm-bindgen's JavaScript glue: a step of `cargo xtask
//! build` (`xtask/src/packages.rs`), between wasm-opt and terser. It never
//! runs in the browser; what it writes does.
//!
//! - [`names`]: the glue made to use the short import and export names
//!   binaryen gave the module (`[names]` in `wasm-pack.toml`).
//! - [`encode`]: a long string copied into the module with
//!   `TextEncoder.encode` rather than a character at a time (`[glue]
//!   encode-strings`).
//!
//! Both find wasm-bindgen's text as one version of wasm-bindgen writes it,
//! so the rewriter is pinned to that version, [`WASM_BINDGEN`]:
//!
//! - the build refuses a module another wasm-bindgen processed
//!   ([`check_wasm_bindgen`], from the module's `producers` section), with a
//!   message that says what to do;
//! - `cargo test` fails as soon as `Cargo.lock` holds another wasm-bindgen
//!   (`tests/fixture.rs`), whose fixture is the glue the pinned version wrote
//!   for the loader (`tests/fixtures/wasm-bindgen-<version>/`), rewritten and
//!   compared with the committed expected output.
//!
//! To move to a new wasm-bindgen: build once with the new version, put its
//! glue and binaryen's renames in a new fixture directory (`tests/fixture.rs`
//! says how), write the expected output with `UPDATE_FIXTURES=1`, read its
//! difference with the glue, mend the rewriter if it must, then change
//! [`WASM_BINDGEN`].

pub mod encode;
pub mod names;

/// The wasm-bindgen whose glue the rewriter was written for and is tested
/// on (`tests/fixtures/wasm-bindgen-0.2.130/`): `Cargo.lock`'s.
pub const WASM_BINDGEN: &str = "0.2.130";

/// Fails unless `module` (as wasm-bindgen wrote it, before wasm-opt) was
/// processed by wasm-bindgen [`WASM_BINDGEN`], whose glue the rewriter knows.
pub fn check_wasm_bindgen(module: &[u8]) -> Result<(), String> {
    match processed_by(module, "wasm-bindgen")? {
        Some(version) if version == WASM_BINDGEN => Ok(()),
        found => Err(format!(
            "the glue rewriter (glue/) knows the glue of wasm-bindgen {WASM_BINDGEN}, and the module was processed by {}: \
             check the rewriter against the new glue and update WASM_BINDGEN (glue/src/lib.rs says how), \
             or switch off [names] short and [glue] encode-strings in wasm-pack.toml",
            found.map_or_else(|| "a wasm-bindgen that does not say its version".to_owned(), |v| format!("wasm-bindgen {v}"))
        )),
    }
}

/// The version of `tool` in the module's `producers` section, under
/// `processed-by` (its first word: a version may be followed by a commit).
fn processed_by(module: &[u8], tool: &str) -> Result<Option<String>, String> {
    use wasmparser::{KnownCustom, Parser, Payload};
    let err = |e: wasmparser::BinaryReaderError| format!("the module: {e}");
    for payload in Parser::new(0).parse_all(module) {
        let Payload::CustomSection(custom) = payload.map_err(err)? else { continue };
        let KnownCustom::Producers(fields) = custom.as_known() else { continue };
        for field in fields {
            let field = field.map_err(err)?;
            if field.name != "processed-by" {
                continue;
            }
            for value in field.values {
                let value = value.map_err(err)?;
                if value.name == tool {
                    return Ok(value.version.split_whitespace().next().map(str::to_owned));
                }
            }
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An empty module with a `producers` section: `processed-by` `tool` `version`.
    fn module(tool: &str, version: &str) -> Vec<u8> {
        let string = |s: &str| [&[s.len() as u8][..], s.as_bytes()].concat();
        let body =
            [string("producers"), vec![1], string("processed-by"), vec![1], string(tool), string(version)].concat();
        [&b"\0asm\x01\0\0\0"[..], &[0, body.len() as u8], &body].concat()
    }

    #[test]
    fn a_module_from_the_pinned_wasm_bindgen_passes_and_any_other_is_refused() {
        assert_eq!(check_wasm_bindgen(&module("wasm-bindgen", WASM_BINDGEN)), Ok(()));
        assert_eq!(check_wasm_bindgen(&module("wasm-bindgen", &format!("{WASM_BINDGEN} (abc1234)"))), Ok(()));
        let newer = check_wasm_bindgen(&module("wasm-bindgen", "0.2.999")).unwrap_err();
        assert!(newer.contains("processed by wasm-bindgen 0.2.999") && newer.contains(WASM_BINDGEN), "{newer}");
        let unnamed = check_wasm_bindgen(&module("walrus", "0.27.3")).unwrap_err();
        assert!(unnamed.contains("does not say its version"), "{unnamed}");
        assert!(check_wasm_bindgen(b"\0asm\x01\0\0\0").is_err());
    }
}
