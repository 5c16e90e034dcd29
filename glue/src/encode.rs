//! How wasm-bindgen's glue copies a long string into the module
//! (`[glue] encode-strings` in `wasm-pack.toml`).
//!
//! wasm-bindgen's `passStringToWasm0` copies a string one character at a
//! time in a JavaScript loop while the characters are ASCII, and calls
//! `TextEncoder.encodeInto` only for the rest: the fastest way for the short
//! strings most programs pass, as wasm-bindgen's comment says. The loader
//! also passes whole documents (a manifest, a configuration: tens of KB
//! each). `TextEncoder.encode` costs more per call (it makes its own
//! buffer) and far less per character. Measured in Node 20 on this machine
//! on 2026-12-03, one copy into a `Uint8Array`, by JavaScript length:
//!
//! | length | loop | `encode` |
//! |---:|---:|---:|
//! | 16 | 147 ns | 1,614 ns |
//! | 100 | 733 ns | 1,240 ns |
//! | 300 | 2,269 ns | 2,534 ns |
//! | 1,000 | 7,209 ns | 2,612 ns |
//! | 3,000 | 21,672 ns | 4,464 ns |
//! | 29,953 (validate-500's manifest) | 80 µs | 12 to 24 µs |
//!
//! [`encode_strings`] sends a string longer than [`LONG`] (in UTF-16 code
//! units, JavaScript's `length`) down the function's own `encode` branch,
//! the one wasm-bindgen takes when it has no `realloc`: the same bytes in
//! the module, the same allocation size for Rust to free. Shorter strings
//! go as before.
//!
//! Checked, not hoped for: the function and its branch must be found exactly
//! as wasm-bindgen writes them (the version the crate is pinned to,
//! `lib.rs`), or the build fails and says so.

/// The function's head, as wasm-bindgen writes it.
const HEAD: &str = "function passStringToWasm0(arg, malloc, realloc) {";
/// The branch that encodes with `TextEncoder.encode`: wasm-bindgen's path
/// when it has no `realloc`.
const BRANCH: &str = "if (realloc === undefined) {";
/// Strings longer than this, in UTF-16 code units, take the `encode` branch.
pub const LONG: usize = 512;

/// `glue` with `passStringToWasm0` encoding a string longer than [`LONG`]
/// with `TextEncoder.encode`.
pub fn encode_strings(glue: &str) -> Result<String, String> {
    let changed = "has wasm-bindgen changed its glue?";
    let [start] = glue.match_indices(HEAD).map(|(at, _)| at).collect::<Vec<_>>()[..] else {
        return Err(format!("the glue does not define passStringToWasm0 once: {changed}"));
    };
    let body = &glue[start + HEAD.len()..];
    let end = start + HEAD.len() + block_end(body).ok_or(changed)?;
    let function = &glue[start..end];
    let [branch] = function.match_indices(BRANCH).map(|(at, _)| start + at).collect::<Vec<_>>()[..] else {
        return Err(format!("passStringToWasm0 has no {BRANCH:?}, or more than one: {changed}"));
    };
    let inner = &glue[branch + BRANCH.len()..end];
    if !inner[..block_end(inner).ok_or(changed)?].contains("cachedTextEncoder.encode(arg)") {
        return Err(format!("passStringToWasm0's {BRANCH:?} branch does not encode: {changed}"));
    }
    let condition = format!("if (realloc === undefined || arg.length > {LONG}) {{");
    Ok(format!("{}{condition}{}", &glue[..branch], &glue[branch + BRANCH.len()..]))
}

/// Where the block whose `{` comes just before `text` ends: the length of
/// `text` up to and including its `}`. (The braces in wasm-bindgen's
/// function, its strings included, are balanced.)
fn block_end(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (at, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Some(at + 1),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// wasm-bindgen 0.2.130's function, as it writes it.
    const GLUE: &str = "let WASM_VECTOR_LEN = 0;

function passStringToWasm0(arg, malloc, realloc) {
    if (realloc === undefined) {
        const buf = cachedTextEncoder.encode(arg);
        const ptr = malloc(buf.length, 1) >>> 0;
        getUint8ArrayMemory0().subarray(ptr, ptr + buf.length).set(buf);
        WASM_VECTOR_LEN = buf.length;
        return ptr;
    }

    let len = arg.length;
    let ptr = malloc(len, 1) >>> 0;

    const mem = getUint8ArrayMemory0();

    let offset = 0;

    for (; offset < len; offset++) {
        const code = arg.charCodeAt(offset);
        if (code > 0x7F) break;
        mem[ptr + offset] = code;
    }
    if (offset !== len) {
        if (offset !== 0) {
            arg = arg.slice(offset);
        }
        ptr = realloc(ptr, len, len = offset + arg.length * 3, 1) >>> 0;
        const view = getUint8ArrayMemory0().subarray(ptr + offset, ptr + len);
        const ret = cachedTextEncoder.encodeInto(arg, view);

        offset += ret.written;
        ptr = realloc(ptr, len, offset, 1) >>> 0;
    }

    WASM_VECTOR_LEN = offset;
    return ptr;
}

function takeObject(idx) { return idx; }
";

    #[test]
    fn long_strings_take_the_encode_branch() {
        let out = encode_strings(GLUE).unwrap();
        assert_eq!(
            out,
            GLUE.replace("if (realloc === undefined) {", "if (realloc === undefined || arg.length > 512) {")
        );
    }

    #[test]
    fn a_glue_written_differently_fails_the_build() {
        assert!(encode_strings("function other() {}").unwrap_err().contains("does not define passStringToWasm0"));
        let no_branch = GLUE.replace(BRANCH, "if (realloc === null) {");
        assert!(encode_strings(&no_branch).unwrap_err().contains("has no"));
        let no_encode = GLUE.replace("cachedTextEncoder.encode(arg)", "encodeSomehow(arg)");
        assert!(encode_strings(&no_encode).unwrap_err().contains("does not encode"));
        let unbalanced = &GLUE[..GLUE.find("function takeObject").unwrap() - 3];
        assert!(encode_strings(unbalanced).is_err());
    }
}
