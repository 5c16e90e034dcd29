//! The release manifest: which releases exist, their files, what they need.
//!
//! [`Manifest::parse`] reads a JSON value of the shape documented in
//! `docs/manifest.md`. A release with a broken declaration is left out with
//! `manifest.invalid` problems naming the path; the others stay usable.

use super::config::{Contract, Keys};
use super::problem::{expected, invalid, unknown_key, Code, Problem};
use super::value::{as_integer, quoted, valid_name, Value};

/// The manifest format this loader reads.
pub const FORMAT: i64 = 1;

/// Most releases read from one manifest; the rest are ignored with a problem.
pub const MAX_RELEASES: usize = 50;

/// Most assets in one release: a Vite or esbuild build of a large panel has
/// dozens of chunks; a hundred entries keep the known-good record (which
/// holds the release's entry) far under its 64 KB.
pub const MAX_ASSETS: usize = 100;

/// A parsed manifest.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Manifest {
    /// Usable releases, newest first, as listed.
    pub releases: Vec<Release>,
    /// A release the operator pinned: only it may start.
    pub pin: Option<String>,
    /// Releases the operator withdrew: they never start, not even as a fallback.
    pub withdrawn: Vec<String>,
}

/// One release of the panel.
#[derive(Clone, Debug, PartialEq)]
pub struct Release {
    /// Its id, such as `2024.06.2`.
    pub id: String,
    /// Its files, loaded in order.
    pub assets: Vec<Asset>,
    /// The backend schema versions it works with; `None` means any.
    pub backend: Option<Range>,
    /// The share of desks that take it, a percentage from 0 to 100; `None`
    /// means every desk (`core::rollout`).
    pub rollout: Option<f64>,
    /// What it needs from the runtime configuration.
    pub contract: Contract,
    /// The release exactly as the manifest declared it, for the known-good record.
    pub source: Value,
}

/// A file of a release.
#[derive(Clone, Debug, PartialEq)]
pub struct Asset {
    /// Script or style.
    pub kind: AssetKind,
    /// Where it is, relative to the manifest's URL or absolute.
    pub url: String,
    /// Its Subresource Integrity metadata, such as `sha384-…`; empty when the
    /// manifest gives none (then it runs only under the host page's opt-out).
    pub integrity: String,
}

/// What kind of file an asset is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssetKind {
    /// A classic `<script>`.
    Script,
    /// A `<script type="module">`.
    Module,
    /// A stylesheet `<link rel="stylesheet">`.
    Style,
    /// A module of the release's graph that the loader never adds to the
    /// page: a `module` asset imports it, statically or lazily, and the
    /// browser fetches it then. Held to the origin rule, its integrity
    /// always needed (the page's import map gives it to the browser:
    /// `docs/manifest.md`, "Module graphs"), and cached with the release.
    Chunk,
}

impl AssetKind {
    /// `script`, `module`, `style` or `chunk`.
    pub fn as_str(self) -> &'static str {
        match self {
            AssetKind::Script => "script",
            AssetKind::Module => "module",
            AssetKind::Style => "style",
            AssetKind::Chunk => "chunk",
        }
    }
}

/// A range of backend schema versions, such as `>=42, <44`: every comparator must hold.
#[derive(Clone, Debug, PartialEq)]
pub struct Range {
    /// The comparators.
    pub comparators: Vec<(Op, i64)>,
    /// The text it was read from.
    pub text: String,
}

/// A comparison operator in a [`Range`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// `>=`
    Ge,
    /// `>`
    Gt,
    /// `<=`
    Le,
    /// `<`
    Lt,
    /// `=`
    Eq,
}

impl Range {
    /// Reads the documented grammar only (`docs/manifest.md`): comparators
    /// separated by commas, each an optional `>=`, `>`, `<=`, `<` or `=`
    /// and a version of 1 to 15 ASCII digits, with ASCII spaces around them;
    /// `>=42, <44`, `=43` or `43`. Refuses a sign, any other character, and
    /// a range no version satisfies (`>44, <42`), naming what is wrong.
    pub fn parse(text: &str) -> Result<Range, &'static str> {
        let mut comparators = Vec::new();
        for part in text.split(',') {
            let part = part.trim_matches(' ');
            let (op, rest) = [(">=", Op::Ge), ("<=", Op::Le), (">", Op::Gt), ("<", Op::Lt), ("=", Op::Eq)]
                .iter()
                .find_map(|(s, op)| part.strip_prefix(s).map(|r| (*op, r)))
                .unwrap_or((Op::Eq, part));
            let digits = rest.trim_start_matches(' ');
            if digits.is_empty() {
                return Err("a comparator without a version");
            }
            if digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err("a version must be 1 to 15 digits, with no sign or other character");
            }
            let n = digits.bytes().fold(0i64, |n, b| n * 10 + i64::from(b - b'0'));
            comparators.push((op, n));
        }
        let range = Range { comparators, text: text.to_owned() };
        let (low, high) = range.bounds();
        if low > high {
            return Err("no version satisfies every comparator");
        }
        Ok(range)
    }

    /// The lowest and highest versions every comparator allows.
    fn bounds(&self) -> (i64, i64) {
        self.comparators.iter().fold((i64::MIN, i64::MAX), |(low, high), &(op, n)| match op {
            Op::Ge => (low.max(n), high),
            Op::Gt => (low.max(n.saturating_add(1)), high),
            Op::Le => (low, high.min(n)),
            Op::Lt => (low, high.min(n.saturating_sub(1))),
            Op::Eq => (low.max(n), high.min(n)),
        })
    }

    /// Whether `version` is in the range.
    pub fn contains(&self, version: i64) -> bool {
        self.comparators.iter().all(|&(op, n)| match op {
            Op::Ge => version >= n,
            Op::Gt => version > n,
            Op::Le => version <= n,
            Op::Lt => version < n,
            Op::Eq => version == n,
        })
    }
}

impl Manifest {
    /// Reads a manifest. Returns what is usable and every problem found.
    /// Takes the document, so each release keeps its own text as its
    /// `source` without a copy.
    pub fn parse(doc: Value) -> (Manifest, Vec<Problem>) {
        let mut m = Manifest::default();
        let mut problems = Vec::new();
        let duplicates = doc.duplicate_keys();
        let keys = Keys::of(&duplicates);
        for path in duplicates {
            invalid(&mut problems, &path, "", format_args!("this key appears twice; keep one"));
        }
        let members = match doc {
            Value::Object(members) => members,
            other => {
                expected(&mut problems, "manifest", "", "a JSON object", &other);
                return (m, problems);
            }
        };
        let mut releases = None;
        for (key, value) in members {
            match (key.as_str(), value) {
                ("format", v) if as_integer(&v) == Some(FORMAT) => {}
                ("format", v) => expected(&mut problems, "format", "", "1", &v),
                ("releases", Value::Array(items)) => releases = Some(items),
                ("pin", Value::String(s)) => m.pin = Some(String::from(s)),
                ("pin", Value::Null) => {}
                ("withdrawn", Value::Array(items)) if items.iter().all(|i| i.as_str().is_some()) => {
                    m.withdrawn = items.iter().filter_map(|i| i.as_str().map(str::to_owned)).collect();
                }
                ("releases", v) => expected(&mut problems, "releases", "", "an array", &v),
                ("pin", v) => expected(&mut problems, "pin", "", "a release id", &v),
                ("withdrawn", v) => expected(&mut problems, "withdrawn", "", "an array of release ids", &v),
                ("$schema" | "description", _) => {}
                (other, _) => unknown_key(&mut problems, other, ""),
            }
        }
        let Some(releases) = releases else {
            invalid(
                &mut problems,
                "releases",
                "",
                format_args!("missing; expected an array of releases, newest first"),
            );
            return (m, problems);
        };
        if releases.len() > MAX_RELEASES {
            let n = releases.len();
            invalid(
                &mut problems,
                "releases",
                "",
                format_args!("{n} releases listed; only the first {MAX_RELEASES} are read"),
            );
        }
        for (i, r) in releases.into_iter().take(MAX_RELEASES).enumerate() {
            let before = problems.len();
            let release = parse_release(r, &format!("releases[{i}]"), keys, &mut problems);
            if let Some(release) = release.filter(|_| !problems[before..].iter().any(Problem::is_error)) {
                if m.releases.iter().any(|o: &Release| o.id == release.id) {
                    let path = format!("releases[{i}]");
                    let id = quoted(&release.id);
                    invalid(
                        &mut problems,
                        &path,
                        ".id",
                        format_args!("the id {id} is listed twice; the first is used"),
                    );
                } else {
                    m.releases.push(release);
                }
            }
        }
        (m, problems)
    }

    /// The release with this id.
    pub fn release(&self, id: &str) -> Option<&Release> {
        self.releases.iter().find(|r| r.id == id)
    }
}

fn parse_release(v: Value, path: &str, keys: Keys, problems: &mut Vec<Problem>) -> Option<Release> {
    let Some(members) = v.as_object() else {
        expected(problems, path, "", "an object", &v);
        return None;
    };
    let mut id = None;
    let mut assets = Vec::new();
    let mut backend = None;
    let mut rollout = None;
    let mut contract_doc = None;
    for (key, value) in members {
        match (key.as_str(), value) {
            ("id", Value::String(s)) if valid_name(s) => id = Some(s.as_str().to_owned()),
            ("id", v) => expected(problems, path, ".id", "1 to 64 of A-Z, a-z, 0-9, _, . or -", v),
            ("assets", Value::Array(items)) => {
                if items.is_empty() || items.len() > MAX_ASSETS {
                    let n = items.len();
                    invalid(problems, path, ".assets", format_args!("expected 1 to {MAX_ASSETS} assets, found {n}"));
                }
                for (j, a) in items.iter().take(MAX_ASSETS).enumerate() {
                    if let Some(a) = parse_asset(a, &format!("{path}.assets[{j}]"), problems) {
                        assets.push(a);
                    }
                }
            }
            ("assets", v) => expected(problems, path, ".assets", "an array", v),
            ("backend", Value::String(s)) => match Range::parse(s) {
                Ok(r) => backend = Some(r),
                Err(why) => {
                    let what = format!("a range such as \">=42, <44\" ({why})");
                    expected(problems, path, ".backend", &what, value)
                }
            },
            ("backend", v) => expected(problems, path, ".backend", "a range string", v),
            ("rollout", Value::Number(n)) if (0.0..=100.0).contains(n) => rollout = Some(*n),
            ("rollout", v) => expected(problems, path, ".rollout", "a percentage of desks from 0 to 100", v),
            ("config", v) => contract_doc = Some(v),
            ("description" | "released", _) => {}
            (key, _) => unknown_key(problems, path, &format!(".{key}")),
        }
    }
    let (contract, contract_problems) = Contract::parse_keys(contract_doc, &format!("{path}.config"), keys);
    problems.extend(contract_problems);
    if !assets.iter().any(|a| a.kind != AssetKind::Style) {
        invalid(problems, path, ".assets", format_args!("expected at least one script or module"));
    }
    let Some(id) = id else {
        // An id that is there but invalid was named above: once is enough.
        if !members.iter().any(|(key, _)| key == "id") {
            invalid(problems, path, ".id", format_args!("missing"));
        }
        return None;
    };
    Some(Release { id, assets, backend, rollout, contract, source: v })
}

fn parse_asset(v: &Value, path: &str, problems: &mut Vec<Problem>) -> Option<Asset> {
    let Some(members) = v.as_object() else {
        expected(problems, path, "", "an object", v);
        return None;
    };
    let (mut kind, mut url, mut integrity) = (None, None, None);
    let mut unknown = Vec::new();
    for (key, value) in members {
        match (key.as_str(), value) {
            ("type", Value::String(s)) => match s.as_str() {
                "script" => kind = Some(AssetKind::Script),
                "module" => kind = Some(AssetKind::Module),
                "style" => kind = Some(AssetKind::Style),
                "chunk" => kind = Some(AssetKind::Chunk),
                _ => expected(problems, path, ".type", "script, module, style or chunk", value),
            },
            ("url", Value::String(s)) if !s.trim().is_empty() && s.len() <= 2048 => url = Some(s.as_str().to_owned()),
            ("integrity", Value::String(s)) => match super::integrity::parse(s) {
                Ok(_) => integrity = Some(s.as_str().to_owned()),
                Err(why) => {
                    let what = format!("sha256-, sha384- or sha512- followed by base64 ({why})");
                    expected(problems, path, ".integrity", &what, value)
                }
            },
            ("integrity", v) => {
                expected(problems, path, ".integrity", "sha256-, sha384- or sha512- followed by base64", v)
            }
            ("url", Value::String(_)) => {
                invalid(problems, path, ".url", format_args!("expected a non-empty URL of at most 2048 characters"))
            }
            ("type", v) => expected(problems, path, ".type", "a string", v),
            ("url", v) => expected(problems, path, ".url", "a string", v),
            (key, _) => unknown_key(&mut unknown, path, &format!(".{key}")),
        }
    }
    // An asset without integrity is read, with a warning: it can only run
    // same-origin on a page whose host opts out (`allowSameOriginWithoutIntegrity`).
    if integrity.is_none() && !members.iter().any(|(key, _)| key == "integrity") {
        unknown.push(
            Problem::warning(
                Code::BundleIntegrity,
                format!("{path}.integrity: missing; this file loads only same-origin where the host page opts out of integrity"),
            )
            .with_path(format!("{path}.integrity")),
        );
        integrity = Some(String::new());
    }
    let asset = match (kind, url, integrity) {
        (Some(kind), Some(url), Some(integrity)) => Some(Asset { kind, url, integrity }),
        (k, u, i) => {
            for (missing, name) in [(k.is_none(), ".type"), (u.is_none(), ".url"), (i.is_none(), ".integrity")] {
                if missing && !members.iter().any(|(key, _)| Some(key.as_str()) == name.strip_prefix('.')) {
                    invalid(problems, path, name, format_args!("missing"));
                }
            }
            None
        }
    };
    problems.extend(unknown);
    asset
}
