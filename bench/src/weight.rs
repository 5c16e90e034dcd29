//! What a wasm module's bytes are made of: code bytes per crate (and per
//! module of desk-loader itself) and the largest functions, read from the
//! module's `name` section with wasmparser. A small stand-in for `twiggy
//! top`, built in so that `cargo xtask bench` can show what dominates on
//! every run without installing anything.

use std::collections::BTreeMap;

/// The parts of a module.
#[derive(Debug, Default)]
pub struct Weight {
    /// Code bytes per group (a crate, or `desk_loader::<module>` / `desk_loader_core::<module>`).
    pub groups: Vec<(String, u64)>,
    /// The largest functions: (demangled name, code bytes).
    pub functions: Vec<(String, u64)>,
    /// Every function's demangled name.
    pub names: Vec<String>,
    /// Code bytes of each function body, in index order after the imports.
    pub bodies: Vec<u64>,
    /// How many functions the module imports (they come first in the index space).
    pub imported_functions: u32,
    /// Bytes of the code section.
    pub code: u64,
    /// Bytes of the whole module.
    pub total: u64,
    /// The code of each of [`PARTS`], its function bodies in index order: so
    /// that each part's compressed size can be told apart.
    pub part_code: Vec<(&'static str, Vec<u8>)>,
    /// The data section (string constants, tables).
    pub data_bytes: Vec<u8>,
}

impl Weight {
    /// Bytes of the data section.
    pub fn data(&self) -> u64 {
        self.data_bytes.len() as u64
    }
}

/// The loader's parts, each with what it holds: the core's decisions, the
/// browser shell, the bindings to the browser, and Rust's standard library.
pub const PARTS: [(&str, &str); 4] = [
    ("core", "desk_loader_core (validation, manifest, boot, records, reports) and ryu"),
    ("shell", "desk_loader::web, the browser module's shell"),
    ("bindings", "wasm-bindgen, js-sys, web-sys, gloo-net, gloo-timers, console_error_panic_hook"),
    ("std", "Rust's core, alloc and std, the allocator, unnamed functions"),
];

/// Which of [`PARTS`] a group of [`group_of`] belongs to.
fn part_of(group: &str) -> &'static str {
    const BINDINGS: [&str; 9] = [
        "wasm_bindgen",
        "wasm-bindgen shims",
        "js_sys",
        "web_sys",
        "gloo_net",
        "gloo_timers",
        "gloo_utils",
        "console_error_panic_hook",
        "wasm_bindgen_futures",
    ];
    if group.starts_with("desk_loader_core") || group == "ryu" {
        "core"
    } else if group.starts_with("desk_loader") {
        "shell"
    } else if BINDINGS.contains(&group) || group == "http" {
        "bindings"
    } else {
        "std"
    }
}

/// Reads a module that still has its `name` section, with wasmparser.
pub fn analyse(bytes: &[u8]) -> Result<Weight, String> {
    use wasmparser::{KnownCustom, Name, Parser, Payload, TypeRef};
    let err = |e: wasmparser::BinaryReaderError| e.to_string();
    let mut imported_functions = 0u32;
    let mut bodies: Vec<&[u8]> = Vec::new();
    let mut names: BTreeMap<u32, String> = BTreeMap::new();
    let mut weight = Weight { total: bytes.len() as u64, ..Weight::default() };
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.map_err(err)? {
            Payload::ImportSection(imports) => {
                for import in imports.into_imports() {
                    imported_functions += u32::from(matches!(import.map_err(err)?.ty, TypeRef::Func(_)));
                }
            }
            Payload::CodeSectionStart { size, .. } => weight.code = u64::from(size),
            Payload::CodeSectionEntry(body) => bodies.push(&bytes[body.range()]),
            Payload::DataSection(data) => weight.data_bytes = bytes[data.range()].to_vec(),
            Payload::CustomSection(custom) => {
                if let KnownCustom::Name(reader) = custom.as_known() {
                    for subsection in reader {
                        if let Name::Function(map) = subsection.map_err(err)? {
                            for naming in map {
                                let naming = naming.map_err(err)?;
                                names.insert(naming.index, naming.name.to_owned());
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let mut groups: BTreeMap<String, u64> = BTreeMap::new();
    let mut functions = Vec::new();
    weight.part_code = PARTS.iter().map(|(part, _)| (*part, Vec::new())).collect();
    for (i, body) in bodies.iter().enumerate() {
        let size = body.len() as u64;
        let index = imported_functions + i as u32;
        let name = names.get(&index).map_or_else(|| format!("function[{index}]"), |n| demangle(n));
        let group = group_of(&name);
        if let Some((_, code)) = weight.part_code.iter_mut().find(|(part, _)| *part == part_of(&group)) {
            code.extend_from_slice(body);
        }
        *groups.entry(group).or_default() += size;
        weight.names.push(name.clone());
        functions.push((name, size));
    }
    weight.bodies = bodies.iter().map(|b| b.len() as u64).collect();
    weight.imported_functions = imported_functions;
    functions.sort_by_key(|f| std::cmp::Reverse(f.1));
    functions.truncate(15);
    let mut groups: Vec<(String, u64)> = groups.into_iter().collect();
    groups.sort_by_key(|g| std::cmp::Reverse(g.1));
    weight.groups = groups;
    weight.functions = functions;
    Ok(weight)
}

/// The functions whose demangled name contains one of `patterns`.
pub fn forbidden<'w>(w: &'w Weight, patterns: &[String]) -> Vec<&'w str> {
    w.names.iter().filter(|n| patterns.iter().any(|p| n.contains(p.as_str()))).map(String::as_str).collect()
}

/// Demangles, and drops the hashes that make names unreadable: the legacy
/// `::h0123…` suffix and the v0 crate disambiguator `core[0123…]`.
fn demangle(name: &str) -> String {
    let name = format!("{:#}", rustc_demangle::demangle(name));
    let mut out = String::with_capacity(name.len());
    let mut rest = name.as_str();
    while let Some(open) = rest.find('[') {
        let close = rest[open..].find(']').map(|c| open + c);
        match close {
            Some(close) if rest[open + 1..close].chars().all(|c| c.is_ascii_hexdigit()) && close > open + 1 => {
                out.push_str(&rest[..open]);
                rest = &rest[close + 1..];
            }
            _ => {
                out.push_str(&rest[..=open]);
                rest = &rest[open + 1..];
            }
        }
    }
    out.push_str(rest);
    match out.rfind("::h") {
        Some(i) if out.len() - i == 19 && out[i + 3..].chars().all(|c| c.is_ascii_hexdigit()) => out[..i].to_owned(),
        _ => out,
    }
}

/// `desk_loader_core::config::validate` → `desk_loader_core::config`;
/// `<serde_wasm_bindgen::de::Deserializer as serde::de::Deserializer>::x` →
/// `serde_wasm_bindgen`; wasm-bindgen's shims → `wasm-bindgen shims`.
fn group_of(name: &str) -> String {
    let mut s = name.trim_start_matches(['<', '&', '*', '(', '[']);
    for prefix in ["mut ", "const ", "dyn "] {
        s = s.trim_start_matches(prefix);
    }
    if s.starts_with("__wbg") || s.starts_with("__wbindgen") || s.starts_with("__externref") {
        return "wasm-bindgen shims".to_owned();
    }
    let segments: Vec<&str> = s.split("::").collect();
    match segments.as_slice() {
        ["desk_loader_core", module, ..] => {
            format!("desk_loader_core::{}", module.split(['<', ' ', '{']).next().unwrap_or(module))
        }
        ["desk_loader", "web", sub, ..] => {
            format!("desk_loader::web::{}", sub.split(['<', ' ', '{']).next().unwrap_or(sub))
        }
        [krate, _, ..] => krate.split(['<', ' ', '{']).next().unwrap_or(krate).to_owned(),
        _ => "(unnamed)".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_name_the_crate_or_our_module() {
        assert_eq!(group_of("desk_loader_core::config::validate"), "desk_loader_core::config");
        assert_eq!(
            group_of("<serde_wasm_bindgen::de::Deserializer as serde::de::Deserializer>::x"),
            "serde_wasm_bindgen"
        );
        assert_eq!(group_of("core::fmt::write"), "core");
        assert_eq!(group_of("__wbg_get_123"), "wasm-bindgen shims");
        for (name, part) in [
            ("desk_loader_core::config::validate", "core"),
            ("ryu::pretty::format64", "core"),
            ("desk_loader::web::pump", "shell"),
            ("<gloo_net::http::request::Request as core::convert::TryFrom<X>>::try_from", "bindings"),
            ("__wbg_get_123", "bindings"),
            ("alloc::raw_vec::finish_grow", "std"),
            ("core::fmt::write", "std"),
        ] {
            assert_eq!(part_of(&group_of(name)), part, "{name}");
        }
        assert_eq!(demangle("core[c5930c85a12de822]::fmt::write::h0123456789abcdef"), "core::fmt::write");
    }

    #[test]
    fn reads_a_module_with_one_named_function() {
        // (module (func $f)) with a name section naming function 0 "f".
        let module = [
            0, b'a', b's', b'm', 1, 0, 0, 0, // header
            1, 4, 1, 0x60, 0, 0, // type section: () -> ()
            3, 2, 1, 0, // function section
            10, 4, 1, 2, 0, 0x0b, // code: one body of 2 bytes
            0, 11, 4, b'n', b'a', b'm', b'e', 1, 4, 1, 0, 1, b'f', // name section
        ];
        let w = analyse(&module).unwrap();
        assert_eq!(w.functions, vec![("f".to_owned(), 2)]);
        assert_eq!(forbidden(&w, &["f".to_owned()]), vec!["f"]);
        assert!(forbidden(&w, &["core::str::slice_error_fail".to_owned()]).is_empty());
        assert_eq!(w.total, module.len() as u64);
        assert_eq!(
            w.part_code.iter().find(|(p, _)| *p == "std").map(|(_, code)| code.as_slice()),
            Some(&[0, 0x0b][..])
        );
    }
}
