//! The configuration contract of a release, and the validator that holds a
//! runtime configuration against it.
//!
//! Validation runs in two stages, as the docs describe: [`Contract::parse`]
//! checks what the manifest says by itself; [`Contract::validate`] checks a
//! runtime configuration against it. Both return every problem they find.
//! The format is documented in `docs/manifest.md` and `docs/config.md`.

use super::problem::Problem;
use super::value::{Str, Value};

mod contract;
mod runtime;
mod schema;
mod validate;

pub(crate) use contract::Keys;

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
    pub name: Str,
    /// The type.
    pub ty: VarType,
    /// Whether a value must be set (by the configuration or a default).
    pub required: bool,
    /// Used when the configuration does not set the variable.
    pub default: Option<Value>,
    /// The feature the variable belongs to: it is only read, and only
    /// required, when that feature is on.
    pub feature: Option<Str>,
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
    pub name: Str,
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
    pub values: Vec<(Str, Value)>,
    /// Every declared feature and whether it is on.
    pub features: Vec<(Str, bool)>,
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
    pub values: Vec<(Str, Value)>,
    /// Feature switches, by name.
    pub features: Vec<(Str, Value)>,
    /// The live backend's schema version, if the configuration says.
    pub backend_schema: Option<i64>,
    /// The agent's language, such as `fr`, if the configuration says.
    pub locale: Option<String>,
}
