//! Holding a runtime configuration against a contract: `Contract::validate`.

use super::{Contract, RuntimeConfig, Validated, VarType, Variable};
use crate::names::Names;
use crate::problem::{describe, describe_secret, Code, Problem, Severity};
use crate::value::{as_integer, quoted, Str, Value};

impl Contract {
    /// Validates a runtime configuration against this contract, in the order
    /// `docs/config.md` gives: the features (which decide the variables in
    /// force), then the variables in force, then what the configuration sets
    /// that the release does not declare. Linear in the number of variables
    /// and features: lookups by name go through [`Names`], O(1) each.
    pub fn validate(&self, cfg: &RuntimeConfig) -> Validated {
        let mut v = Validation::new(self, cfg);
        v.features_in_force();
        v.unknown_features();
        v.unconfigured_features();
        let checked = v.variables_in_force();
        let values = v.switch_off_failing_features(checked);
        v.unknown_values();
        Validated { values, features: v.features, problems: v.problems }
    }
}

/// One validation under way: the lookups by name, each feature's state and
/// the problems found so far.
struct Validation<'a> {
    contract: &'a Contract,
    cfg: &'a RuntimeConfig,
    declared_features: Names<'a>,
    given_values: Names<'a>,
    /// Which of the configuration's values a declared variable names, by the
    /// position of the first of each name: marked as the variables are checked.
    declared: Vec<bool>,
    /// Each declared feature, on or off, in the contract's order.
    features: Vec<(Str, bool)>,
    problems: Vec<Problem>,
}

/// The variables in force that were checked: each value with its feature's
/// position, and each feature's problems (by position).
struct Checked {
    values: Vec<(Str, Value, Option<usize>)>,
    feature_errors: Vec<Vec<Problem>>,
}

impl<'a> Validation<'a> {
    fn new(contract: &'a Contract, cfg: &'a RuntimeConfig) -> Validation<'a> {
        Validation {
            contract,
            cfg,
            declared_features: Names::new(contract.features.iter().map(|f| f.name.as_str())),
            given_values: Names::new(cfg.values.iter().map(|(k, _)| k.as_str())),
            declared: vec![false; cfg.values.len()],
            features: Vec::with_capacity(contract.features.len()),
            problems: Vec::new(),
        }
    }

    /// The value the configuration sets for a variable: `null` counts as unset.
    fn given(&self, name: &str) -> Option<&'a Value> {
        self.value_at(self.given_values.first(name))
    }

    fn value_at(&self, at: Option<usize>) -> Option<&'a Value> {
        let cfg = self.cfg;
        at.map(|i| &cfg.values[i].1).filter(|v| !matches!(v, Value::Null))
    }

    /// The position of the feature a variable belongs to, if it is declared.
    fn feature_of(&self, var: &Variable) -> Option<usize> {
        var.feature.as_deref().and_then(|f| self.declared_features.first(f))
    }

    /// Each declared feature on or off: as the configuration says, else its
    /// default (a value that is not a boolean is a warning, and the default).
    fn features_in_force(&mut self) {
        let given = Names::new(self.cfg.features.iter().map(|(k, _)| k.as_str()));
        for f in &self.contract.features {
            let on = match given.first(&f.name).map(|i| &self.cfg.features[i].1) {
                None => f.default,
                Some(Value::Bool(b)) => *b,
                Some(other) => {
                    self.problems.push(
                        Problem::warning(
                            Code::ConfigType,
                            format!(
                                "features.{}: expected true or false, found {}; using the default ({})",
                                f.name,
                                describe(other),
                                if f.default { "on" } else { "off" }
                            ),
                        )
                        .with_feature(Some(&f.name))
                        .with_path(format!("features.{}", f.name))
                        .with_expected_found("a boolean", describe(other)),
                    );
                    f.default
                }
            };
            self.features.push((f.name.clone(), on));
        }
    }

    /// A feature the configuration sets that the release does not declare.
    fn unknown_features(&mut self) {
        for (k, _) in &self.cfg.features {
            if self.declared_features.first(k).is_none() {
                self.problems.push(
                    Problem::warning(
                        Code::FeatureUnknown,
                        format!("features.{k}: this release declares no such feature"),
                    )
                    .with_feature(Some(k))
                    .with_path(format!("features.{k}")),
                );
            }
        }
    }

    /// A feature that is off and could not be turned on is worth a warning:
    /// it is how a not-yet-launched feature's new variable shows up in preflight.
    fn unconfigured_features(&mut self) {
        // (`resize_with`, not `vec![Vec::new(); n]`, which compiles a clone of the element type.)
        let mut unset: Vec<Vec<&str>> = Vec::new();
        unset.resize_with(self.contract.features.len(), Vec::new);
        for v in &self.contract.variables {
            if let Some(f) = self.feature_of(v).filter(|f| !self.features[*f].1) {
                if v.required && v.default.is_none() && self.given(&v.name).is_none() {
                    unset[f].push(&v.name);
                }
            }
        }
        for (f, unset) in self.contract.features.iter().zip(&unset).filter(|(_, unset)| !unset.is_empty()) {
            self.problems.push(
                Problem::warning(
                    Code::FeatureUnconfigured,
                    format!("{}: feature stays off; turning it on needs {}", f.name, unset.join(", ")),
                )
                .with_feature(Some(&f.name)),
            );
        }
    }

    /// Each variable in force, checked: the core's, and those of features
    /// that are on. A feature's problems are kept apart, for
    /// [`Self::switch_off_failing_features`].
    fn variables_in_force(&mut self) -> Checked {
        let mut checked = Checked { values: Vec::new(), feature_errors: Vec::new() };
        checked.feature_errors.resize_with(self.contract.features.len(), Vec::new);
        for var in &self.contract.variables {
            // Looked up once, in force or not: `unknown_values` reads the marks.
            let at = self.given_values.first(&var.name);
            if let Some(i) = at {
                self.declared[i] = true;
            }
            let feature = self.feature_of(var);
            // A variable of an undeclared feature (a manifest error) or of one that is off is not in force.
            if var.feature.is_some() && !feature.is_some_and(|f| self.features[f].1) {
                continue;
            }
            let mut found = Vec::new();
            let value = match (self.value_at(at), &var.default) {
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
            if let Some(v) = value.filter(|_| found.is_empty()) {
                checked.values.push((var.name.clone(), v, feature));
            }
            for pr in found {
                let pr = pr
                    .with_variable(&var.name)
                    .with_feature(var.feature.as_deref())
                    .with_path(format!("values.{}", var.name));
                match feature {
                    Some(f) => checked.feature_errors[f].push(pr),
                    None => self.problems.push(pr),
                }
            }
        }
        checked
    }

    /// A feature whose variables fail is switched off, its problems becoming
    /// warnings, unless it is essential. Returns the values in force.
    fn switch_off_failing_features(&mut self, checked: Checked) -> Vec<(Str, Value)> {
        let features = self.contract.features.iter().zip(checked.feature_errors).zip(&mut self.features);
        for ((f, mine), (_, on)) in features {
            if mine.is_empty() {
                continue;
            }
            if f.essential {
                self.problems.extend(mine);
                continue;
            }
            let names: Vec<&str> = mine.iter().filter_map(|p| p.variable.as_deref()).collect();
            let switched_off = Problem::warning(
                Code::FeatureDisabled,
                format!("{}: feature switched off because of {}", f.name, names.join(", ")),
            )
            .with_feature(Some(&f.name));
            self.problems.extend(mine.into_iter().map(|mut p| {
                p.severity = Severity::Warning;
                p
            }));
            self.problems.push(switched_off);
            *on = false;
        }
        let features = &self.features;
        checked
            .values
            .into_iter()
            .filter(|(_, _, feature)| feature.is_none_or(|f| features[f].1))
            .map(|(name, value, _)| (name, value))
            .collect()
    }

    /// A value the configuration sets that the release does not declare.
    fn unknown_values(&mut self) {
        let declared = &self.declared;
        let repeats = self.given_values.repeats();
        for (i, (k, _)) in self.cfg.values.iter().enumerate() {
            let first = if repeats { self.given_values.first(k) } else { Some(i) };
            if !first.is_some_and(|i| declared[i]) {
                self.problems.push(
                    Problem::warning(
                        Code::ConfigUnknown,
                        format!("{k}: set, but this release declares no such variable"),
                    )
                    .with_variable(k)
                    .with_path(format!("values.{k}")),
                );
            }
        }
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
    pub(super) fn check(&self, raw: &Value, problems: &mut Vec<Problem>) -> Option<Value> {
        // Described only for a problem: most values have none.
        let found = || if self.secret { describe_secret(raw) } else { describe(raw) };
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
            (VarType::Number, Value::String(s)) => match crate::value::parse_decimal(s.trim()) {
                Some(n) => Value::Number(n),
                _ => return type_error(problems),
            },
            (VarType::Boolean, Value::Bool(b)) => Value::Bool(*b),
            (VarType::Boolean, Value::String(s)) if s == "true" || s == "false" => Value::Bool(s == "true"),
            (VarType::Enum(values), Value::String(s)) if values.iter().any(|v| v == s.as_str()) => {
                Value::String(s.clone())
            }
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
