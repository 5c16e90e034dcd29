//! Reading a release's contract from its manifest: `Contract::parse`.

use super::{Contract, Feature, VarType, Variable, MAX_VARIABLES};
use crate::names::Names;
use crate::problem::{expected, invalid, unknown_key, Problem};
use crate::value::{as_integer, quoted, valid_name, Str, Value};

impl Contract {
    /// Reads a contract from the release's `config` member. `path` prefixes
    /// problem paths. Returns the contract with every usable declaration, and a
    /// `manifest.invalid` error for each declaration that is not.
    pub fn parse(doc: Option<&Value>, path: &str) -> (Contract, Vec<Problem>) {
        Contract::parse_keys(doc, path, Keys::MayRepeat)
    }

    /// [`Contract::parse`], told whether a key may appear twice in the
    /// document. A manifest's duplicate keys are found (and reported) before
    /// its contracts are read; when it has none, no declaration list needs
    /// an index to tell the first of a name from a repeat.
    pub(crate) fn parse_keys(doc: Option<&Value>, path: &str, keys: Keys) -> (Contract, Vec<Problem>) {
        let mut contract = Contract::default();
        let mut problems = Vec::new();
        let Some(doc) = doc else {
            return (contract, problems);
        };
        let mut p = Parser { path, problems: &mut problems };
        let Some(members) = p.object(doc, "") else {
            return (contract, problems);
        };
        for (key, value) in members {
            match key.as_str() {
                "variables" => {
                    if let Some(vars) = p.object(value, ".variables") {
                        if vars.len() > MAX_VARIABLES {
                            p.error(
                                ".variables",
                                &format!("{} variables declared; only the first {MAX_VARIABLES} are read", vars.len()),
                            );
                        }
                        for (name, spec) in keys.firsts(&vars[..vars.len().min(MAX_VARIABLES)]) {
                            if let Some(v) = p.variable(name, spec) {
                                contract.variables.push(v);
                            }
                        }
                    }
                }
                "features" => {
                    if let Some(feats) = p.object(value, ".features") {
                        for (name, spec) in keys.firsts(feats) {
                            if let Some(f) = p.feature(name, spec) {
                                contract.features.push(f);
                            }
                        }
                    }
                }
                other => p.unknown(&format!(".{other}")),
            }
        }
        let features = Names::new(contract.features.iter().map(|f| f.name.as_str()));
        for v in &contract.variables {
            if let Some(f) = &v.feature {
                if features.first(f).is_none() {
                    let at = format!(".variables.{}.feature", v.name);
                    p.error(&at, &format!("names the feature {}, which is not declared", quoted(f)));
                }
            }
        }
        (contract, problems)
    }
}

/// Whether a key may appear twice in a contract's document.
#[derive(Clone, Copy)]
pub(crate) enum Keys {
    /// The document was found to hold no duplicate key.
    Unique,
    /// Not known, or some key repeats: each list is indexed to find its repeats.
    MayRepeat,
}

impl Keys {
    /// What a document's duplicate-key scan (`Value::duplicate_keys`) found.
    pub(crate) fn of(duplicates: &[String]) -> Keys {
        if duplicates.is_empty() {
            Keys::Unique
        } else {
            Keys::MayRepeat
        }
    }

    /// A declaration list's members, each name's first only: a repeated name
    /// is reported with the document's duplicate keys, and the first wins.
    /// The list is indexed only when a name may repeat, and does.
    fn firsts(self, members: &[(Str, Value)]) -> impl Iterator<Item = &(Str, Value)> {
        let names = match self {
            Keys::Unique => None,
            Keys::MayRepeat => Some(Names::new(members.iter().map(|(k, _)| k.as_str()))).filter(Names::repeats),
        };
        members
            .iter()
            .enumerate()
            .filter(move |(i, (name, _))| names.as_ref().is_none_or(|names| names.first(name) == Some(*i)))
            .map(|(_, member)| member)
    }
}

/// Reads declarations, collecting `manifest.invalid` problems with paths.
struct Parser<'a> {
    path: &'a str,
    problems: &'a mut Vec<Problem>,
}

// The error paths are out of line and cold: reading a valid contract neither
// runs nor (in the browser, which compiles wasm functions on first call)
// compiles them, and no path text is built unless a problem needs it.
// A contract is part of a manifest: its problems are `manifest.invalid`.
impl Parser<'_> {
    // Thin and out of line: the problems are the manifest's own
    // (`problem::invalid`, `problem::expected`, `problem::unknown_key`).
    #[cold]
    #[inline(never)]
    fn error(&mut self, at: &str, what: &str) {
        invalid(self.problems, self.path, at, format_args!("{what}"));
    }

    /// "`at`.`key`: expected `what`, found <the value described>".
    #[cold]
    #[inline(never)]
    fn expected(&mut self, at: &str, key: &str, what: &str, found: &Value) {
        expected(self.problems, self.path, &format!("{at}.{key}"), what, found);
    }

    #[cold]
    #[inline(never)]
    fn unknown(&mut self, at: &str) {
        unknown_key(self.problems, self.path, at);
    }

    fn errors_since(&self, before: usize) -> bool {
        self.problems[before..].iter().any(Problem::is_error)
    }

    fn object<'v>(&mut self, v: &'v Value, at: &str) -> Option<&'v [(Str, Value)]> {
        match v {
            Value::Object(m) => Some(m),
            other => {
                expected(self.problems, self.path, at, "an object", other);
                None
            }
        }
    }

    fn variable(&mut self, name: &str, spec: &Value) -> Option<Variable> {
        // Written out only for a problem: most declarations have none.
        let at = || format!(".variables.{name}");
        if !valid_name(name) {
            self.error(&at(), "a variable name must be 1 to 64 of A-Z, a-z, 0-9, _, . or -");
            return None;
        }
        let members = match spec {
            Value::Object(m) => m,
            other => return self.object(other, &at()).and(None),
        };
        let mut v = Variable {
            name: name.into(),
            ty: VarType::String,
            required: false,
            default: None,
            feature: None,
            non_empty: false,
            min: None,
            max: None,
            max_length: None,
            schemes: Vec::new(),
            secret: false,
            description: None,
        };
        let before = self.problems.len();
        let mut ty_name = None;
        let mut values = None;
        for (key, value) in members {
            let bad = |p: &mut Self, expected: &str| p.expected(&at(), key, expected, value);
            match (key.as_str(), value) {
                ("type", Value::String(s)) => ty_name = Some(s.as_str()),
                ("required", Value::Bool(b)) => v.required = *b,
                ("default", d) => v.default = Some(d.clone()),
                ("feature", Value::String(s)) => v.feature = Some(s.clone()),
                ("nonEmpty", Value::Bool(b)) => v.non_empty = *b,
                ("min", Value::Number(n)) => v.min = Some(*n),
                ("max", Value::Number(n)) => v.max = Some(*n),
                ("maxLength", n) if as_integer(n).is_some_and(|n| n >= 0) => {
                    v.max_length = as_integer(n).map(|n| n as usize)
                }
                ("schemes", Value::Array(items)) if items.iter().all(|i| i.as_str().is_some()) => {
                    v.schemes = items.iter().filter_map(|i| i.as_str().map(str::to_owned)).collect();
                }
                ("values", Value::Array(items)) if items.iter().all(|i| i.as_str().is_some()) && !items.is_empty() => {
                    values = Some(items.iter().filter_map(|i| i.as_str().map(str::to_owned)).collect());
                }
                ("secret", Value::Bool(b)) => v.secret = *b,
                ("description", Value::String(s)) => v.description = Some(s.as_str().to_owned()),
                ("type" | "feature" | "description", _) => bad(self, "a string"),
                ("required" | "nonEmpty" | "secret", _) => bad(self, "true or false"),
                ("min" | "max", _) => bad(self, "a number"),
                ("maxLength", _) => bad(self, "a whole number >= 0"),
                ("schemes", _) => bad(self, "an array of strings"),
                ("values", _) => bad(self, "a non-empty array of strings"),
                _ => self.unknown(&format!("{}.{key}", at())),
            }
        }
        v.ty = match (ty_name, values) {
            (Some("string"), _) => VarType::String,
            (Some("url"), _) => VarType::Url,
            (Some("integer"), _) => VarType::Integer,
            (Some("number"), _) => VarType::Number,
            (Some("boolean"), _) => VarType::Boolean,
            (Some("json"), _) => VarType::Json,
            (Some("enum"), Some(values)) => VarType::Enum(values),
            (Some("enum"), None) => {
                self.error(&at(), "an enum needs `values`, a non-empty array of strings");
                return None;
            }
            (Some(other), _) => {
                self.error(
                    &format!("{}.type", at()),
                    &format!(
                        "unknown type {}; expected string, url, integer, number, boolean, enum or json",
                        quoted(other)
                    ),
                );
                return None;
            }
            (None, _) => {
                self.error(&at(), "missing `type`");
                return None;
            }
        };
        if let Some(d) = &v.default {
            let mut found = Vec::new();
            if v.check(d, &mut found).is_none() {
                for p in found {
                    self.error(
                        &format!("{}.default", at()),
                        &format!("the default does not fit the declaration: {}", p.message),
                    );
                }
            }
        }
        (!self.errors_since(before)).then_some(v)
    }

    fn feature(&mut self, name: &str, spec: &Value) -> Option<Feature> {
        let at = format!(".features.{name}");
        if !valid_name(name) {
            self.error(&at, "a feature name must be 1 to 64 of A-Z, a-z, 0-9, _, . or -");
            return None;
        }
        let members = self.object(spec, &at)?;
        let mut f = Feature { name: name.into(), default: false, essential: false, description: None };
        let before = self.problems.len();
        for (key, value) in members {
            match (key.as_str(), value) {
                ("default", Value::Bool(b)) => f.default = *b,
                ("essential", Value::Bool(b)) => f.essential = *b,
                ("description", Value::String(s)) => f.description = Some(s.as_str().to_owned()),
                ("default" | "essential", v) => self.expected(&at, key, "true or false", v),
                ("description", v) => self.expected(&at, key, "a string", v),
                _ => self.unknown(&format!("{at}.{key}")),
            }
        }
        (!self.errors_since(before)).then_some(f)
    }
}
