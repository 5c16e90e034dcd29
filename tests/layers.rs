//! The layers as Cargo and the module graph see them (ARCHITECTURE.md):
//! the core crate's dependency tree holds nothing of the browser, no clock
//! and no randomness, and no crate of the workspace has an import cycle
//! among its modules, of any length.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The crates `cargo tree` lists for `package`, every target and feature.
fn tree(package: &str, extra: &[&str]) -> BTreeSet<String> {
    let out = Command::new(env!("CARGO"))
        .current_dir(root())
        .args(["tree", "--offline", "--prefix", "none", "--edges", "normal,build", "-p", package])
        .args(extra)
        .output()
        .expect("cargo tree runs");
    assert!(out.status.success(), "cargo tree -p {package}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect()
}

/// What the core must never depend on: the browser's bindings, and the crates
/// that read a clock or draw random numbers.
const NOT_IN_THE_CORE: [&str; 9] =
    ["wasm-bindgen", "web-sys", "js-sys", "gloo-net", "gloo-timers", "getrandom", "rand", "chrono", "time"];

#[test]
fn the_core_crate_depends_on_nothing_of_the_browser_no_clock_and_no_randomness() {
    let core = tree("desk-loader-core", &["--all-features", "--target", "all"]);
    assert!(core.contains("desk-loader-core") && core.contains("serde"), "cargo tree read nothing: {core:?}");
    for name in NOT_IN_THE_CORE {
        assert!(!core.contains(name), "desk-loader-core depends on {name}: {core:?}");
    }
    // The check sees these crates where they are: the browser module has them.
    let module = tree("desk-loader", &["--target", "wasm32-unknown-unknown"]);
    for name in ["wasm-bindgen", "web-sys", "js-sys", "desk-loader-core"] {
        assert!(module.contains(name), "the browser module's tree lacks {name}: {module:?}");
    }
}

/// The workspace's members, read from the top-level Cargo.toml.
fn members() -> Vec<String> {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let line = manifest.lines().find(|l| l.starts_with("members")).expect("a members line");
    line.split('"').skip(1).step_by(2).map(str::to_owned).collect()
}

/// One crate's modules: each module's path (`["boot", "attempt"]`), the
/// modules it refers to, and the file it is in.
struct Graph {
    modules: BTreeMap<Vec<String>, PathBuf>,
    edges: BTreeSet<(Vec<String>, Vec<String>)>,
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            // `src/bin/` holds crate roots of their own.
            if e.file_name() != "bin" {
                rust_files(&p, out);
            }
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// `src/boot/attempt.rs` → `["boot", "attempt"]`; `src/boot/mod.rs` and
/// `src/boot.rs` → `["boot"]`; `src/lib.rs` → `[]`.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).unwrap();
    let mut path: Vec<String> = rel.iter().map(|s| s.to_string_lossy().trim_end_matches(".rs").to_owned()).collect();
    if matches!(path.last().map(String::as_str), Some("mod" | "lib" | "main")) {
        path.pop();
    }
    path
}

/// The paths a `use` or an expression names from `at` (after `crate::`,
/// `super::` or `self::`), with `{a, b::c}` groups expanded.
fn paths_after(text: &str, out: &mut Vec<Vec<String>>, prefix: Vec<String>) {
    let mut path = prefix;
    let mut rest = text;
    loop {
        let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        rest = &rest[name.len()..];
        if name.is_empty() {
            if let Some(group) = rest.strip_prefix('{') {
                // Each member of the group, up to the matching brace.
                let mut depth = 1;
                let mut start = 0;
                for (i, c) in group.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' | ',' if depth == 1 => {
                            paths_after(group[start..i].trim_start(), out, path.clone());
                            start = i + 1;
                            if c == '}' {
                                return;
                            }
                        }
                        '}' => depth -= 1,
                        _ => {}
                    }
                }
            }
            out.push(path);
            return;
        }
        path.push(name);
        match rest.strip_prefix("::") {
            Some(more) => rest = more,
            None => {
                out.push(path);
                return;
            }
        }
    }
}

fn graph(src: &Path) -> Graph {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut modules = BTreeMap::new();
    for f in &files {
        modules.insert(module_path(src, f), f.clone());
    }
    let mut inline = BTreeMap::new();
    let mut named: Vec<(Vec<String>, Vec<String>)> = Vec::new();
    for f in &files {
        let own = module_path(src, f);
        let text = std::fs::read_to_string(f).unwrap();
        // The module each line is in: the file's, or an inline `mod x {`'s.
        let mut stack: Vec<(Vec<String>, usize)> = vec![(own.clone(), 0)];
        let mut depth = 0usize;
        // A `use` whose `{…}` group rustfmt wrapped over several lines is read as one line.
        let mut logical: Vec<String> = Vec::new();
        let mut open = 0i32;
        for line in text.lines() {
            let code = line.split("//").next().unwrap();
            let depth = code.matches('{').count() as i32 - code.matches('}').count() as i32;
            if open > 0 {
                logical.last_mut().unwrap().push_str(code.trim());
                open += depth;
            } else {
                logical.push(code.to_owned());
                open = if code.trim_start().starts_with("use ") || code.contains(" use ") { depth.max(0) } else { 0 };
            }
        }
        for code in &logical {
            let code = code.as_str();
            let here = stack.last().unwrap().0.clone();
            let words: Vec<&str> = code.split_whitespace().collect();
            if let Some(i) = words.iter().position(|w| *w == "mod") {
                if words.get(i + 2) == Some(&"{") {
                    let mut inner = here.clone();
                    inner.push(words[i + 1].to_owned());
                    inline.insert(inner.clone(), f.clone());
                    stack.push((inner, depth + 1));
                }
            }
            for (at, _) in
                code.match_indices("crate::").chain(code.match_indices("super::")).chain(code.match_indices("self::"))
            {
                // A whole word: `crate::`, not `desk_crate::`.
                if code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':') {
                    continue;
                }
                let mut base = here.clone();
                let mut rest = &code[at..];
                if let Some(r) = rest.strip_prefix("crate::") {
                    base.clear();
                    rest = r;
                } else if let Some(r) = rest.strip_prefix("self::") {
                    rest = r;
                } else {
                    while let Some(r) = rest.strip_prefix("super::") {
                        base.pop();
                        rest = r;
                    }
                }
                let mut found = Vec::new();
                paths_after(rest, &mut found, base);
                named.extend(found.into_iter().map(|p| (here.clone(), p)));
            }
            depth += code.matches('{').count();
            depth = depth.saturating_sub(code.matches('}').count());
            while stack.len() > 1 && depth < stack.last().unwrap().1 {
                stack.pop();
            }
        }
    }
    modules.extend(inline);
    let mut edges = BTreeSet::new();
    for (from, mut to) in named {
        // The longest prefix of the named path that is a module.
        while !to.is_empty() && !modules.contains_key(&to) {
            to.pop();
        }
        // A module may use what it declares (a parent its children, as
        // `mod.rs` re-exports them), and itself; every other reference is an
        // edge. Counting a parent's use of its own children would make every
        // `pub use child::Item` beside a child's `super::Shared` a cycle: the
        // layering that matters is between siblings and across the tree.
        if !to.starts_with(&from) {
            edges.insert((from, to));
        }
    }
    Graph { modules, edges }
}

/// A cycle in `g`, as the modules on it, if there is one (a depth-first
/// search that meets a module still on its stack).
fn cycle(g: &Graph) -> Option<Vec<Vec<String>>> {
    fn visit(
        g: &Graph,
        m: &Vec<String>,
        state: &mut BTreeMap<Vec<String>, bool>,
        stack: &mut Vec<Vec<String>>,
    ) -> Option<Vec<Vec<String>>> {
        match state.get(m) {
            Some(true) => {
                let at = stack.iter().position(|s| s == m).unwrap();
                let mut c = stack[at..].to_vec();
                c.push(m.clone());
                return Some(c);
            }
            Some(false) => return None,
            None => {}
        }
        state.insert(m.clone(), true);
        stack.push(m.clone());
        for (_, to) in g.edges.range((m.clone(), Vec::new())..).take_while(|(f, _)| f == m) {
            if let Some(c) = visit(g, to, state, stack) {
                return Some(c);
            }
        }
        stack.pop();
        state.insert(m.clone(), false);
        None
    }
    let mut state = BTreeMap::new();
    for m in g.modules.keys() {
        if let Some(c) = visit(g, m, &mut state, &mut Vec::new()) {
            return Some(c);
        }
    }
    None
}

#[test]
fn no_crate_has_an_import_cycle() {
    let mut checked = 0;
    for member in members() {
        let src = root().join(&member).join("src");
        let g = graph(&src);
        if let Some(c) = cycle(&g) {
            let shown: Vec<String> = c.iter().map(|m| format!("crate::{}", m.join("::"))).collect();
            panic!("{member}: an import cycle: {}", shown.join(" → "));
        }
        checked += g.edges.len();
    }
    assert!(checked > 60, "too few imports found ({checked}): the scan is broken");
}

#[test]
fn the_cycle_check_finds_cycles_of_any_length() {
    let dir = std::env::temp_dir().join(format!("desk-loader-layers-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("b")).unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.join(name), format!("//! x\n{text}\n")).unwrap();
    write("lib.rs", "mod a;\nmod b;\nmod c;\n#[cfg(test)]\nmod tests {\n    use super::*;\n}");
    write("a.rs", "use crate::b::{\n    x,\n    y::Z,\n};\nfn f() { super::c::g(); }");
    write("b/mod.rs", "pub mod y;\nuse y::Z;");
    write("b/y.rs", "pub struct Z;\nfn f() -> super::super::c::T { todo!() }");
    // a → b, a → b::y (grouped), a → c, b::y → c, and c → a: a cycle a → c → a.
    write("c.rs", "pub struct T;\npub fn g() { crate::a::f() }");
    let g = graph(&dir);
    assert!(g.edges.contains(&(vec!["a".into()], vec!["b".into(), "y".into()])), "{:?}", g.edges);
    assert!(g.edges.contains(&(vec!["b".into(), "y".into()], vec!["c".into()])), "{:?}", g.edges);
    assert!(cycle(&g).is_some());
    // A cycle of three: a → b::y → c → a.
    write("a.rs", "use crate::b::y::Z;");
    let g = graph(&dir);
    let c = cycle(&g).expect("a cycle of three");
    assert_eq!(c.len(), 4, "{c:?}");
    // Broken, it is gone; a parent using its child and the child its parent is not one.
    write("c.rs", "pub struct T;");
    write("b/mod.rs", "pub mod y;\nuse y::Z;\npub struct W;");
    write("b/y.rs", "pub struct Z;\nuse super::W;");
    assert_eq!(cycle(&graph(&dir)), None);
    std::fs::remove_dir_all(&dir).unwrap();
}
