//! The configuration validator, table-driven from `tests/cases/validation.json`.
//!
//! Each case gives a contract, a runtime configuration, and the problems
//! expected, written `code severity name` (the name is the variable, else the
//! feature, else the path).

use desk_loader_core::config::{Contract, RuntimeConfig};
use desk_loader_core::problem::{Code, Problem};
use desk_loader_core::value::Value;

fn cases() -> Vec<Value> {
    let text = include_str!("cases/validation.json");
    match serde_json::from_str(text).expect("validation.json is JSON") {
        Value::Array(items) => items,
        _ => panic!("validation.json is an array of cases"),
    }
}

fn line(p: &Problem) -> String {
    let name = p.variable.as_deref().or(p.feature.as_deref()).or(p.path.as_deref()).unwrap_or("");
    format!("{} {} {name}", p.code.as_str(), p.severity.as_str()).trim_end().to_owned()
}

#[test]
fn validation_cases() {
    let mut failures = Vec::new();
    for case in cases() {
        let name = case.get("name").and_then(Value::as_str).unwrap_or("?").to_owned();
        let (contract, contract_problems) = Contract::parse(case.get("contract"), "config");
        assert!(contract_problems.is_empty(), "{name}: contract problems {contract_problems:#?}");
        let (runtime, mut problems) = RuntimeConfig::parse(case.get("config").cloned().unwrap_or(Value::Null));
        let validated = contract.validate(&runtime);
        problems.extend(validated.problems.iter().cloned());

        let got: Vec<String> = problems.iter().map(line).collect();
        let want: Vec<String> = match case.get("problems") {
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
            _ => panic!("{name}: `problems` is an array"),
        };
        if got != want {
            failures.push(format!("{name}:\n  want {want:?}\n  got  {got:?}"));
        }
        if let Some(values) = case.get("values") {
            if &validated.values_object() != values {
                failures.push(format!("{name}: values {:?}, want {values:?}", validated.values_object().to_json()));
            }
        }
        if let Some(features) = case.get("features") {
            if &validated.features_object() != features {
                failures.push(format!(
                    "{name}: features {}, want {}",
                    validated.features_object().to_json(),
                    features.to_json()
                ));
            }
        }
        let all_text = format!("{problems:?}");
        if let Some(secret) = case.get("absent").and_then(Value::as_str) {
            if all_text.contains(secret) {
                failures.push(format!("{name}: {secret:?} leaked into {all_text}"));
            }
        }
        if let Some(shown) = case.get("present").and_then(Value::as_str) {
            if !all_text.contains(shown) {
                failures.push(format!("{name}: {shown:?} not shown in {all_text}"));
            }
        }
        for p in &problems {
            assert!(!p.message.ends_with('.'), "{name}: message ends with a period: {}", p.message);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_configuration_code_has_a_case() {
    let text = include_str!("cases/validation.json");
    for code in Code::ALL.iter().filter(|c| c.as_str().starts_with("config.") || c.as_str().starts_with("feature.")) {
        let covered = text.contains(&format!("\"{} ", code.as_str()));
        let loaded = matches!(code, Code::ConfigUnreadable | Code::ConfigMalformed);
        assert!(covered || loaded, "no validation case produces {}", code.as_str());
    }
}

#[test]
fn messages_name_the_variable_first_and_say_what_was_found() {
    let (contract, _) = Contract::parse(
        Some(&serde_json::from_str(r#"{"variables": {"POLL_MS": {"type": "integer", "min": 500}}}"#).unwrap()),
        "config",
    );
    let (runtime, _) = RuntimeConfig::parse(serde_json::from_str(r#"{"values": {"POLL_MS": 20}}"#).unwrap());
    let p = &contract.validate(&runtime).problems[0];
    assert_eq!(p.message, "POLL_MS: below the minimum 500, found the number 20");
    assert_eq!(p.expected.as_deref(), Some(">= 500"));
    assert_eq!(p.found.as_deref(), Some("the number 20"));
    assert_eq!(p.path.as_deref(), Some("values.POLL_MS"));
}

#[test]
fn sources_merge_in_order_a_later_source_winning_per_key() {
    let parse = |t: &str| RuntimeConfig::parse(serde_json::from_str(t).unwrap()).0;
    let merged = RuntimeConfig::merge(vec![
        parse(r#"{"values": {"A": "url", "B": "url"}, "features": {"f": true}, "backendSchema": 42}"#),
        parse(r#"{"values": {"B": "inline"}, "locale": "fr"}"#),
        parse(r#"{"values": {"C": "app"}, "features": {"f": false}}"#),
    ]);
    let values = Value::Object(merged.values.clone()).to_json();
    assert_eq!(values, r#"{"A":"url","B":"inline","C":"app"}"#);
    assert_eq!(Value::Object(merged.features.clone()).to_json(), r#"{"f":false}"#);
    assert_eq!(merged.backend_schema, Some(42));
    assert_eq!(merged.locale.as_deref(), Some("fr"));
}

#[test]
fn duplicate_keys_are_an_error() {
    let doc: Value = serde_json::from_str(r#"{"values": {"A": "1", "A": "2"}}"#).unwrap();
    let (_, problems) = RuntimeConfig::parse(doc.clone());
    assert_eq!(problems.iter().map(line).collect::<Vec<_>>(), vec!["config.invalid error values.A"]);
}

#[test]
fn contract_declarations_are_checked() {
    let doc: Value = serde_json::from_str(
        r#"{"variables": {
            "A": {"type": "colour"},
            "B": {"type": "enum"},
            "C": {"required": "yes", "type": "string"},
            "D": {"type": "integer", "default": "ten"},
            "E": {"type": "string", "feature": "ghost"},
            "bad name!": {"type": "string"},
            "F": {"type": "string", "surprise": 1}
        }, "features": {"f": {"default": "on"}}, "other": 1}"#,
    )
    .unwrap();
    let (contract, problems) = Contract::parse(Some(&doc), "releases[0].config");
    let paths: Vec<&str> = problems.iter().filter_map(|p| p.path.as_deref()).collect();
    assert_eq!(
        paths,
        vec![
            "releases[0].config.variables.A.type",
            "releases[0].config.variables.B",
            "releases[0].config.variables.C.required",
            "releases[0].config.variables.D.default",
            "releases[0].config.variables.bad name!",
            "releases[0].config.variables.F.surprise",
            "releases[0].config.features.f.default",
            "releases[0].config.other",
            "releases[0].config.variables.E.feature",
        ]
    );
    assert!(problems.iter().all(|p| p.code == Code::ManifestInvalid));
    // Unknown keys are warnings, so a newer manifest still loads; F stays usable.
    let warnings: Vec<&str> = problems.iter().filter(|p| !p.is_error()).filter_map(|p| p.path.as_deref()).collect();
    assert_eq!(warnings, vec!["releases[0].config.variables.F.surprise", "releases[0].config.other"]);
    assert_eq!(contract.variables.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(), vec!["E", "F"]);
}
