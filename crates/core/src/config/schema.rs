//! The JSON Schema of a release's runtime configuration document.

use super::{Contract, VarType, Variable};
use crate::value::{object, Str, Value};

impl Contract {
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
                let mut s = vec![("type".into(), "boolean".into()), ("default".into(), f.default.into())];
                if let Some(d) = &f.description {
                    s.push(("description".into(), d.as_str().into()));
                }
                (f.name.clone(), Value::Object(s))
            })
            .collect();
        let mut all_of = Vec::new();
        for f in &self.features {
            let needed: Vec<Value> = self
                .variables
                .iter()
                .filter(|v| v.required && v.default.is_none() && v.feature.as_deref() == Some(f.name.as_str()))
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
            ("$schema".into(), "https://json-schema.org/draft/2020-12/schema".into()),
            ("title".into(), title.into()),
            ("type".into(), "object".into()),
            ("required".into(), Value::Array(vec!["values".into()])),
            (
                "properties".into(),
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
            schema.push(("allOf".into(), Value::Array(all_of)));
        }
        Value::Object(schema)
    }
}

impl Variable {
    fn schema(&self) -> Value {
        let mut s: Vec<(Str, Value)> = Vec::new();
        let mut put = |k: &str, v: Value| s.push((k.into(), v));
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
