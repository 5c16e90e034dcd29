//! The configuration contract of a release, and the validator that holds a
//! runtime configuration against it.
//!
//! Validation runs in two stages, as the docs describe: [`Contract::parse`]
//! checks what the manifest says by itself; [`Contract::validate`] checks a
//! runtime configuration against it. Both return every problem they find.
//! The format is documented in `docs/manifest.md` and `docs/config.md`.

use super::manifest::{expected, invalid, unknown_key};
use super::problem::{describe, Code, Problem, Severity};
use super::value::{object, quoted, Names, Value};

/// Most variables one release may declare; the rest are ignored with an error.
pub const MAX_VARIABLES: usize = 10_000;

/// Largest manifest or configuration document read, in bytes.
pub const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;

/// The type of a configuration variable.
#[derive(Clone, Debug, PartialEq)]
pub enum VarType {
    /// Any string.
    String,
    /// An absolute URL, optionally limited to some schemes.
    Url,
    /// A whole number (a JSON number or a decimal string).
    Integer,
    /// Any finite number (a JSON number or a decimal string).
    Number,
    /// `true` or `false` (or the strings `"true"` and `"false"`).
    Boolean,
    /// One of the listed strings.
    Enum(Vec<String>),
    /// A JSON object or array, passed through as is.
    Json,
}

impl VarType {
    fn name(&self) -> &'static str {
        match self {
            VarType::String => "string",
            VarType::Url => "url",
            VarType::Integer => "integer",
            VarType::Number => "number",
            VarType::Boolean => "boolean",
            VarType::Enum(_) => "enum",
            VarType::Json => "json",
        }
    }
}

/// One declared configuration variable.
#[derive(Clone, Debug, PartialEq)]
pub struct Variable {
    /// The name, as in the configuration's `values`.
    pub name: String,
    /// The type.
    pub ty: VarType,
    /// Whether a value must be set (by the configuration or a default).
    pub required: bool,
    /// Used when the configuration does not set the variable.
    pub default: Option<Value>,
    /// The feature the variable belongs to: it is only read, and only
    /// required, when that feature is on.
    pub feature: Option<String>,
    /// Strings and URLs must not be empty.
    pub non_empty: bool,
    /// Smallest allowed number.
    pub min: Option<f64>,
    /// Largest allowed number.
    pub max: Option<f64>,
    /// Longest allowed string, in characters.
    pub max_length: Option<usize>,
    /// Allowed URL schemes, such as `["https"]`; empty means any.
    pub schemes: Vec<String>,
    /// The value is never shown, logged or reported: only its presence.
    pub secret: bool,
    /// What the variable is for.
    pub description: Option<String>,
}

/// One declared feature.
#[derive(Clone, Debug, PartialEq)]
pub struct Feature {
    /// The name, as in the configuration's `features`.
    pub name: String,
    /// Whether it is on when the configuration does not say.
    pub default: bool,
    /// Whether the panel cannot start without it. A non-essential feature whose
    /// configuration is not valid is switched off with a warning instead.
    pub essential: bool,
    /// What the feature is.
    pub description: Option<String>,
}

/// What a release declares it needs from the runtime configuration.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Contract {
    /// Declared variables, in manifest order.
    pub variables: Vec<Variable>,
    /// Declared features, in manifest order.
    pub features: Vec<Feature>,
}

/// A runtime configuration after validation: what the panel receives.
#[derive(Clone, Debug, PartialEq)]
pub struct Validated {
    /// Typed values of the variables in force, defaults applied, in contract order.
    pub values: Vec<(String, Value)>,
    /// Every declared feature and whether it is on.
    pub features: Vec<(String, bool)>,
    /// Every problem found, errors and warnings.
    pub problems: Vec<Problem>,
}

impl Validated {
    /// Whether no problem is an error, so the release can boot.
    pub fn bootable(&self) -> bool {
        !self.problems.iter().any(Problem::is_error)
    }

    /// The values as a JSON object, as the panel receives them.
    pub fn values_object(&self) -> Value {
        Value::Object(self.values.clone())
    }

    /// The features as a JSON object of booleans.
    pub fn features_object(&self) -> Value {
        Value::Object(self.features.iter().map(|(k, on)| (k.clone(), Value::Bool(*on))).collect())
    }
}

/// The runtime configuration document's own keys, outside `values`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RuntimeConfig {
    /// Variable values, by name.
    pub values: Vec<(String, Value)>,
    /// Feature switches, by name.
    pub features: Vec<(String, Value)>,
    /// The live backend's schema version, if the configuration says.
    pub backend_schema: Option<i64>,
    /// The agent's language, such as `fr`, if the configuration says.
    pub locale: Option<String>,
}

impl RuntimeConfig {
    /// Merges sources in order: a later source wins per variable, per
    /// feature, and for `backendSchema` and `locale`.
    pub fn merge(parts: Vec<RuntimeConfig>) -> RuntimeConfig {
        let mut out = RuntimeConfig::default();
        let (mut values, mut features) = (Vec::new(), Vec::new());
        for part in parts {
            values.extend(part.values);
            features.extend(part.features);
            out.backend_schema = part.backend_schema.or(out.backend_schema);
            out.locale = part.locale.or(out.locale);
        }
        out.values = last_wins(values);
        out.features = last_wins(features);
        out
    }

    /// Reads the document's shape. Problems with the shape are `config.invalid`
    /// errors; unknown top-level keys are warnings.
    /// Takes the document, so the values are kept without a copy.
    pub fn parse(doc: Value) -> (RuntimeConfig, Vec<Problem>) {
        let mut cfg = RuntimeConfig::default();
        let mut problems = Vec::new();
        for path in doc.duplicate_keys() {
            problems.push(
                Problem::error(Code::ConfigInvalid, format!("{path}: this key appears twice; keep one"))
                    .with_path(path),
            );
        }
        let members = match doc {
            Value::Object(members) => members,
            other => {
                problems.push(
                    Problem::error(Code::ConfigInvalid, "configuration: expected a JSON object")
                        .with_expected_found("an object", describe(&other, false)),
                );
                return (cfg, problems);
            }
        };
        for (key, value) in members {
            match (key.as_str(), value) {
                ("values", Value::Object(m)) => cfg.values = m,
                ("features", Value::Object(m)) => cfg.features = m,
                ("backendSchema", v) => match as_integer(&v) {
                    Some(n) => cfg.backend_schema = Some(n),
                    None => problems.push(shape_error(&key, "an integer", &v)),
                },
                ("locale", Value::String(s)) => cfg.locale = Some(s),
                ("values" | "features", v) => problems.push(shape_error(&key, "an object", &v)),
                ("locale", v) => problems.push(shape_error(&key, "a string", &v)),
                ("$schema", _) => {}
                _ => problems.push(
                    Problem::warning(Code::ConfigInvalid, format!("{key}: not a configuration key, ignored"))
                        .with_path(key),
                ),
            }
        }
        (cfg, problems)
    }
}

/// One member per key, where the key first appeared, with the value it was
/// given last. In place: a repeated key's value moves to its first
/// appearance, and the repeat goes.
fn last_wins(mut members: Vec<(String, Value)>) -> Vec<(String, Value)> {
    let mut repeat = vec![false; members.len()];
    let mut moves = Vec::new();
    {
        let names = Names::new(members.iter().map(|(k, _)| k.as_str()));
        if !names.repeats() {
            return members;
        }
        for (i, (k, _)) in members.iter().enumerate() {
            if let Some(first) = names.first(k).filter(|first| *first != i) {
                repeat[i] = true;
                moves.push((first, i));
            }
        }
    }
    for (first, i) in moves {
        members[first].1 = std::mem::replace(&mut members[i].1, Value::Null);
    }
    let mut i = 0;
    members.retain(|_| {
        i += 1;
        !repeat[i - 1]
    });
    members
}

fn shape_error(key: &str, expected: &str, found: &Value) -> Problem {
    Problem::error(Code::ConfigInvalid, format!("{key}: expected {expected}, found {}", describe(found, false)))
        .with_path(key.to_owned())
        .with_expected_found(expected, describe(found, false))
}

impl Contract {
    /// Reads a contract from the release's `config` member. `path` prefixes
    /// problem paths. Returns the contract with every usable declaration, and a
    /// `manifest.invalid` error for each declaration that is not.
    pub fn parse(doc: Option<&Value>, path: &str) -> (Contract, Vec<Problem>) {
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
                        let vars = &vars[..vars.len().min(MAX_VARIABLES)];
                        let names = Names::new(vars.iter().map(|(k, _)| k.as_str()));
                        let repeats = names.repeats();
                        for (i, (name, spec)) in vars.iter().enumerate() {
                            // A repeated name is reported with the document's duplicate keys; the first wins.
                            if repeats && names.first(name) != Some(i) {
                                continue;
                            }
                            if let Some(v) = p.variable(name, spec) {
                                contract.variables.push(v);
                            }
                        }
                    }
                }
                "features" => {
                    if let Some(feats) = p.object(value, ".features") {
                        let names = Names::new(feats.iter().map(|(k, _)| k.as_str()));
                        for (i, (name, spec)) in feats.iter().enumerate() {
                            if names.first(name) != Some(i) {
                                continue;
                            }
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

    /// Validates a runtime configuration against this contract. Linear in
    /// the number of variables and features, but for the lookups by name
    /// ([`Names`], O(log n) each).
    pub fn validate(&self, cfg: &RuntimeConfig) -> Validated {
        let mut problems = Vec::new();
        let declared_features = Names::new(self.features.iter().map(|f| f.name.as_str()));
        let given_features = Names::new(cfg.features.iter().map(|(k, _)| k.as_str()));
        let given_values = Names::new(cfg.values.iter().map(|(k, _)| k.as_str()));
        // Which of the configuration's values a declared variable names (the
        // rest are unknown), by the position of the first of each name.
        let mut declared = vec![false; cfg.values.len()];
        for v in &self.variables {
            if let Some(i) = given_values.first(&v.name) {
                declared[i] = true;
            }
        }
        // The value set for a variable: `null` counts as unset.
        let given = |name: &str| given_values.first(name).map(|i| &cfg.values[i].1).filter(|v| **v != Value::Null);
        // The position of the feature a variable belongs to, if it is declared.
        let feature_of = |var: &Variable| var.feature.as_deref().and_then(|f| declared_features.first(f));

        // Features first: they decide which variables are in force.
        let mut features: Vec<(String, bool)> = Vec::with_capacity(self.features.len());
        for f in &self.features {
            let on = match given_features.first(&f.name).map(|i| &cfg.features[i].1) {
                None => f.default,
                Some(Value::Bool(b)) => *b,
                Some(other) => {
                    problems.push(
                        Problem::warning(
                            Code::ConfigType,
                            format!(
                                "features.{}: expected true or false, found {}; using the default ({})",
                                f.name,
                                describe(other, false),
                                if f.default { "on" } else { "off" }
                            ),
                        )
                        .with_feature(Some(&f.name))
                        .with_path(format!("features.{}", f.name))
                        .with_expected_found("a boolean", describe(other, false)),
                    );
                    f.default
                }
            };
            features.push((f.name.clone(), on));
        }
        for (k, _) in &cfg.features {
            if declared_features.first(k).is_none() {
                problems.push(
                    Problem::warning(
                        Code::FeatureUnknown,
                        format!("features.{k}: this release declares no such feature"),
                    )
                    .with_feature(Some(k))
                    .with_path(format!("features.{k}")),
                );
            }
        }

        // A feature that is off and could not be turned on is worth a warning:
        // it is how a not-yet-launched feature's new variable shows up in preflight.
        // (`resize_with`, not `vec![Vec::new(); n]`, which compiles a clone of the element type.)
        let mut unset: Vec<Vec<&str>> = Vec::new();
        unset.resize_with(self.features.len(), Vec::new);
        for v in &self.variables {
            if let Some(f) = feature_of(v).filter(|f| !features[*f].1) {
                if v.required && v.default.is_none() && given(&v.name).is_none() {
                    unset[f].push(&v.name);
                }
            }
        }
        for (f, unset) in self.features.iter().zip(&unset).filter(|(_, unset)| !unset.is_empty()) {
            problems.push(
                Problem::warning(
                    Code::FeatureUnconfigured,
                    format!("{}: feature stays off; turning it on needs {}", f.name, unset.join(", ")),
                )
                .with_feature(Some(&f.name)),
            );
        }

        // Variables: check each one in force. A value is kept with its
        // feature's position, for the switching off below.
        let mut values: Vec<(String, Value, Option<usize>)> = Vec::new();
        let mut feature_errors: Vec<Vec<Problem>> = Vec::new();
        feature_errors.resize_with(self.features.len(), Vec::new);
        for var in &self.variables {
            let feature = feature_of(var);
            // A variable of an undeclared feature (a manifest error) or of one that is off is not in force.
            if var.feature.is_some() && !feature.is_some_and(|f| features[f].1) {
                continue;
            }
            let mut found = Vec::new();
            let value = match (given(&var.name), &var.default) {
                (Some(raw), _) => var.check(raw, &mut found),
                (None, Some(default)) => Some(default.clone()),
                (None, None) if var.required => {
                    found.push(
                        Problem::error(
                            Code::ConfigMissing,
                            format!("{}: required {}, but not set", var.name, var.needed_by()),
                        )
                        .with_expected_found(format!("a {}", var.ty.name()), "nothing"),
                    );
                    None
                }
                (None, None) => None,
            };
            if let Some(v) = value {
                if found.is_empty() {
                    values.push((var.name.clone(), v, feature));
                }
            }
            for pr in found {
                let pr = pr
                    .with_variable(&var.name)
                    .with_feature(var.feature.as_deref())
                    .with_path(format!("values.{}", var.name));
                match feature {
                    Some(f) => feature_errors[f].push(pr),
                    None => problems.push(pr),
                }
            }
        }

        // A feature whose variables fail is switched off, unless it is essential.
        for ((f, mine), (_, on)) in self.features.iter().zip(feature_errors).zip(&mut features) {
            if mine.is_empty() {
                continue;
            }
            if f.essential {
                problems.extend(mine);
                continue;
            }
            let names: Vec<&str> = mine.iter().filter_map(|p| p.variable.as_deref()).collect();
            let switched_off = Problem::warning(
                Code::FeatureDisabled,
                format!("{}: feature switched off because of {}", f.name, names.join(", ")),
            )
            .with_feature(Some(&f.name));
            problems.extend(mine.into_iter().map(|mut p| {
                p.severity = Severity::Warning;
                p
            }));
            problems.push(switched_off);
            *on = false;
        }
        let values = values
            .into_iter()
            .filter(|(_, _, feature)| feature.is_none_or(|f| features[f].1))
            .map(|(name, value, _)| (name, value))
            .collect();

        let repeats = given_values.repeats();
        for (i, (k, _)) in cfg.values.iter().enumerate() {
            let first = if repeats { given_values.first(k) } else { Some(i) };
            if !first.is_some_and(|i| declared[i]) {
                problems.push(
                    Problem::warning(
                        Code::ConfigUnknown,
                        format!("{k}: set, but this release declares no such variable"),
                    )
                    .with_variable(k)
                    .with_path(format!("values.{k}")),
                );
            }
        }

        Validated { values, features, problems }
    }

    /// A JSON Schema (draft 2020-12) of the runtime configuration document for
    /// this contract.
    pub fn json_schema(&self, title: &str) -> Value {
        let props = self.variables.iter().map(|v| (v.name.clone(), v.schema())).collect();
        let core_required: Vec<Value> = self
            .variables
            .iter()
            .filter(|v| v.required && v.default.is_none() && v.feature.is_none())
            .map(|v| Value::from(v.name.as_str()))
            .collect();
        let feature_props = self
            .features
            .iter()
            .map(|f| {
                let mut s = vec![("type".to_owned(), "boolean".into()), ("default".to_owned(), f.default.into())];
                if let Some(d) = &f.description {
                    s.push(("description".to_owned(), d.as_str().into()));
                }
                (f.name.clone(), Value::Object(s))
            })
            .collect();
        let mut all_of = Vec::new();
        for f in &self.features {
            let needed: Vec<Value> = self
                .variables
                .iter()
                .filter(|v| v.required && v.default.is_none() && v.feature.as_deref() == Some(&f.name))
                .map(|v| Value::from(v.name.as_str()))
                .collect();
            if needed.is_empty() {
                continue;
            }
            let on = object([("const", true.into())]);
            let cond = if f.default {
                // On unless switched off: the condition is "not set to false".
                object([(
                    "properties",
                    object([("features", object([("properties", Value::Object(vec![(f.name.clone(), on)]))]))]),
                )])
            } else {
                object([
                    (
                        "properties",
                        object([(
                            "features",
                            object([
                                ("properties", Value::Object(vec![(f.name.clone(), on)])),
                                ("required", Value::Array(vec![f.name.as_str().into()])),
                            ]),
                        )]),
                    ),
                    ("required", Value::Array(vec!["features".into()])),
                ])
            };
            all_of.push(object([
                ("if", cond),
                ("then", object([("properties", object([("values", object([("required", Value::Array(needed))]))]))])),
            ]));
        }
        let mut schema = vec![
            ("$schema".to_owned(), "https://json-schema.org/draft/2020-12/schema".into()),
            ("title".to_owned(), title.into()),
            ("type".to_owned(), "object".into()),
            ("required".to_owned(), Value::Array(vec!["values".into()])),
            (
                "properties".to_owned(),
                object([
                    ("$schema", object([("type", "string".into())])),
                    (
                        "values",
                        object([
                            ("type", "object".into()),
                            ("properties", Value::Object(props)),
                            ("required", Value::Array(core_required)),
                        ]),
                    ),
                    (
                        "features",
                        object([
                            ("type", "object".into()),
                            ("properties", Value::Object(feature_props)),
                            ("additionalProperties", object([("type", "boolean".into())])),
                        ]),
                    ),
                    ("backendSchema", object([("type", "integer".into())])),
                    ("locale", object([("type", "string".into())])),
                ]),
            ),
        ];
        if !all_of.is_empty() {
            schema.push(("allOf".to_owned(), Value::Array(all_of)));
        }
        Value::Object(schema)
    }
}

impl Variable {
    fn needed_by(&self) -> String {
        match &self.feature {
            Some(f) => format!("by the feature {}", quoted(f)),
            None => "by the core panel".to_owned(),
        }
    }

    /// Checks a raw value; returns the typed value, pushing every problem found.
    fn check(&self, raw: &Value, problems: &mut Vec<Problem>) -> Option<Value> {
        // Described only for a problem: most values have none.
        let found = || describe(raw, self.secret);
        let type_error = |problems: &mut Vec<Problem>| {
            let found = found();
            let expected = match &self.ty {
                VarType::Enum(values) => format!("one of {}", values.join(", ")),
                VarType::Json => "a JSON object or array".to_owned(),
                VarType::Integer => "an integer".to_owned(),
                other => format!("a {}", other.name()),
            };
            problems.push(
                Problem::error(Code::ConfigType, format!("{}: expected {expected}, found {found}", self.name))
                    .with_expected_found(expected, found.clone()),
            );
            None
        };
        let typed = match (&self.ty, raw) {
            (VarType::String | VarType::Url, Value::String(s)) => Value::String(s.clone()),
            (VarType::Integer, v) => match as_integer(v) {
                Some(n) => Value::Number(n as f64),
                None => return type_error(problems),
            },
            (VarType::Number, Value::Number(n)) => Value::Number(*n),
            (VarType::Number, Value::String(s)) => match super::value::parse_decimal(s.trim()) {
                Some(n) => Value::Number(n),
                _ => return type_error(problems),
            },
            (VarType::Boolean, Value::Bool(b)) => Value::Bool(*b),
            (VarType::Boolean, Value::String(s)) if s == "true" || s == "false" => Value::Bool(s == "true"),
            (VarType::Enum(values), Value::String(s)) if values.contains(s) => Value::String(s.clone()),
            (VarType::Json, v @ (Value::Object(_) | Value::Array(_))) => v.clone(),
            _ => return type_error(problems),
        };
        let before = problems.len();
        let mut constraint = |rule: &str, expected: String| {
            let found = found();
            problems.push(
                Problem::error(Code::ConfigConstraint, format!("{}: {rule}, found {found}", self.name))
                    .with_expected_found(expected, found.clone()),
            );
        };
        if let Value::String(s) = &typed {
            if self.non_empty && s.trim().is_empty() {
                constraint("must not be empty", "a non-empty string".to_owned());
            }
            let chars = s.chars().count();
            if let Some(max) = self.max_length {
                if chars > max {
                    constraint(&format!("longer than {max} characters ({chars})"), format!("at most {max} characters"));
                }
            }
            if self.ty == VarType::Url && !s.is_empty() {
                match url_scheme(s) {
                    None => constraint("not an absolute URL", "an absolute URL such as https://host/path".to_owned()),
                    Some(scheme)
                        if !self.schemes.is_empty() && !self.schemes.iter().any(|a| a.eq_ignore_ascii_case(scheme)) =>
                    {
                        constraint(
                            &format!("scheme {} is not allowed", quoted(scheme)),
                            format!("a URL with scheme {}", self.schemes.join(" or ")),
                        );
                    }
                    Some(_) => {}
                }
            }
        }
        if let Value::Number(n) = typed {
            if let Some(min) = self.min {
                if n < min {
                    constraint(
                        &format!("below the minimum {}", Value::Number(min).to_json()),
                        format!(">= {}", Value::Number(min).to_json()),
                    );
                }
            }
            if let Some(max) = self.max {
                if n > max {
                    constraint(
                        &format!("above the maximum {}", Value::Number(max).to_json()),
                        format!("<= {}", Value::Number(max).to_json()),
                    );
                }
            }
        }
        (problems.len() == before).then_some(typed)
    }

    fn schema(&self) -> Value {
        let mut s: Vec<(String, Value)> = Vec::new();
        let mut put = |k: &str, v: Value| s.push((k.to_owned(), v));
        match &self.ty {
            VarType::String => put("type", "string".into()),
            VarType::Url => {
                put("type", "string".into());
                put("format", "uri".into());
                if !self.schemes.is_empty() {
                    let alts = self.schemes.iter().map(|x| x.to_ascii_lowercase()).collect::<Vec<_>>().join("|");
                    put("pattern", format!("^(?i:{alts}):").into());
                }
            }
            VarType::Integer => put("type", Value::Array(vec!["integer".into(), "string".into()])),
            VarType::Number => put("type", Value::Array(vec!["number".into(), "string".into()])),
            VarType::Boolean => put("type", Value::Array(vec!["boolean".into(), "string".into()])),
            VarType::Enum(values) => put("enum", Value::Array(values.iter().map(|v| v.as_str().into()).collect())),
            VarType::Json => put("type", Value::Array(vec!["object".into(), "array".into()])),
        }
        if self.non_empty {
            put("minLength", 1.0.into());
        }
        if let Some(n) = self.max_length {
            put("maxLength", (n as f64).into());
        }
        if let Some(n) = self.min {
            put("minimum", n.into());
        }
        if let Some(n) = self.max {
            put("maximum", n.into());
        }
        if let Some(d) = &self.default {
            put("default", if self.secret { Value::Null } else { d.clone() });
        }
        if self.secret {
            put("writeOnly", true.into());
        }
        let mut desc = self.description.clone().unwrap_or_default();
        if let Some(f) = &self.feature {
            desc = format!("{desc} (feature: {f})").trim().to_owned();
        }
        if !desc.is_empty() {
            put("description", desc.into());
        }
        Value::Object(s)
    }
}

/// The scheme of an absolute URL (`scheme:` followed by something), if it is one.
fn url_scheme(s: &str) -> Option<&str> {
    let (scheme, rest) = s.split_once(':')?;
    let ok = !rest.is_empty()
        && scheme.chars().next()?.is_ascii_alphabetic()
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    let hierarchical = rest.starts_with("//");
    (ok && (hierarchical || matches!(scheme, "mailto" | "data" | "urn"))).then_some(scheme)
}

/// A whole number from a JSON number or a decimal string.
pub(crate) fn as_integer(v: &Value) -> Option<i64> {
    let n = match v {
        Value::Number(n) => *n,
        Value::String(s) => s.trim().parse::<i64>().ok()? as f64,
        _ => return None,
    };
    (n.fract() == 0.0 && n.abs() <= 9.007_199_254_740_991e15).then_some(n as i64)
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
    // (`manifest::invalid`, `manifest::expected`, `manifest::unknown_key`).
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

    fn object<'v>(&mut self, v: &'v Value, at: &str) -> Option<&'v [(String, Value)]> {
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
            name: name.to_owned(),
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
                ("type", Value::String(s)) => ty_name = Some(s.clone()),
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
                ("description", Value::String(s)) => v.description = Some(s.clone()),
                ("type" | "feature" | "description", _) => bad(self, "a string"),
                ("required" | "nonEmpty" | "secret", _) => bad(self, "true or false"),
                ("min" | "max", _) => bad(self, "a number"),
                ("maxLength", _) => bad(self, "a whole number >= 0"),
                ("schemes", _) => bad(self, "an array of strings"),
                ("values", _) => bad(self, "a non-empty array of strings"),
                _ => self.unknown(&format!("{}.{key}", at())),
            }
        }
        v.ty = match (ty_name.as_deref(), values) {
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
        if let Some(d) = v.default.clone() {
            let mut found = Vec::new();
            if v.check(&d, &mut found).is_none() {
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
        let mut f = Feature { name: name.to_owned(), default: false, essential: false, description: None };
        let before = self.problems.len();
        for (key, value) in members {
            match (key.as_str(), value) {
                ("default", Value::Bool(b)) => f.default = *b,
                ("essential", Value::Bool(b)) => f.essential = *b,
                ("description", Value::String(s)) => f.description = Some(s.clone()),
                ("default" | "essential", v) => self.expected(&at, key, "true or false", v),
                ("description", v) => self.expected(&at, key, "a string", v),
                _ => self.unknown(&format!("{at}.{key}")),
            }
        }
        (!self.errors_since(before)).then_some(f)
    }
}

fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}
