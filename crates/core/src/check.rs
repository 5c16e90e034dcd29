//! The preflight check: would this release boot with this configuration?
//!
//! [`evaluate`] is the one place that decides whether a release can start
//! with a runtime configuration; the boot state machine and the CLI both call
//! it, so the deploy pipeline and the browser always agree.

use super::config::{RuntimeConfig, Validated};
use super::manifest::{Manifest, Release};
use super::problem::{Code, Problem};
use super::value::{object, quoted, Value};

/// The configuration validated against the release's contract, plus the
/// backend compatibility check.
pub fn evaluate(release: &Release, runtime: &RuntimeConfig) -> Validated {
    let mut validated = release.contract.validate(runtime);
    if let (Some(range), Some(live)) = (&release.backend, runtime.backend_schema) {
        if !range.contains(live) {
            validated.problems.insert(
                0,
                Problem::error(
                    Code::BackendIncompatible,
                    format!(
                        "backend: release {} works with schema {}, the live backend is at {live}",
                        release.id, range.text
                    ),
                )
                .with_expected_found(range.text.clone(), live.to_string()),
            );
        }
    }
    for p in &mut validated.problems {
        p.release = Some(release.id.clone());
    }
    validated
}

/// The outcome of [`check`].
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// The release checked.
    pub release: String,
    /// Its rollout: the share of desks that take it, when not every desk.
    pub rollout: Option<f64>,
    /// Every problem: the manifest's, the configuration's and the release's.
    pub problems: Vec<Problem>,
}

impl Outcome {
    /// Whether the release would boot: no problem is an error.
    pub fn bootable(&self) -> bool {
        !self.problems.iter().any(Problem::is_error)
    }

    /// The CLI's `--format json` document.
    pub fn to_value(&self) -> Value {
        object([
            ("release", self.release.as_str().into()),
            ("rollout", self.rollout.into()),
            ("bootable", self.bootable().into()),
            ("problems", Value::Array(self.problems.iter().map(Problem::to_value).collect())),
        ])
    }
}

/// Checks `release` (or, when `None`, the release the loader would try
/// first: the pinned one, else the newest not withdrawn) of a manifest
/// against a configuration document. Fails only when there is no such release.
/// Takes the documents: the checked release keeps its own, without a copy.
pub fn check(manifest: Value, config: Value, release: Option<&str>) -> Result<Outcome, String> {
    check_sources(manifest, vec![config], None, release)
}

/// [`check`] against the configuration the desk would have: several sources
/// merged in order, as the host page's `config` list is (a later one wins),
/// and the backend version endpoint's answer (`backendUrl`), which wins over
/// their `backendSchema`.
pub fn check_sources(
    manifest: Value,
    configs: Vec<Value>,
    backend: Option<Value>,
    release: Option<&str>,
) -> Result<Outcome, String> {
    let (m, mut problems) = Manifest::parse(manifest);
    let chosen = match release.or(m.pin.as_deref()) {
        Some(id) => m.release(id),
        None => m.releases.iter().find(|r| !m.withdrawn.contains(&r.id)),
    };
    let Some(chosen) = chosen else {
        let listed: Vec<&str> = m.releases.iter().map(|r| r.id.as_str()).collect();
        let which =
            release.map_or("no release may be started".to_owned(), |id| format!("no usable release {}", quoted(id)));
        let problems: Vec<String> = problems.iter().map(|p| p.message.clone()).collect();
        return Err(format!(
            "{which} in the manifest (usable releases: {}){}{}",
            if listed.is_empty() { "none".to_owned() } else { listed.join(", ") },
            if problems.is_empty() { "" } else { "\n" },
            problems.join("\n")
        ));
    };
    if m.withdrawn.contains(&chosen.id) {
        problems.push(
            Problem::error(Code::ReleaseWithdrawn, format!("release {}: withdrawn by the manifest", chosen.id))
                .with_path("withdrawn"),
        );
    }
    // The URL rules that hold on any page (the page and its allowedOrigins
    // are the host's, unknown here): a URL the loader would refuse wherever
    // it runs fails the check as it fails the boot.
    for asset in &chosen.assets {
        if let Err(why) = super::origin::origin_of(&asset.url, super::origin::ANY_PAGE) {
            let message = format!("{}: {why}", super::origin::shown(&asset.url));
            problems.push(Problem::error(Code::BundleOrigin, message).with_release(&chosen.id));
        }
    }
    let mut parts = Vec::with_capacity(configs.len());
    for config in configs {
        let (runtime, shape) = RuntimeConfig::parse(config);
        problems.extend(shape);
        parts.push(runtime);
    }
    let mut runtime = RuntimeConfig::merge(parts);
    if let Some(doc) = backend {
        apply_backend(&doc, &mut runtime, &mut problems);
    }
    problems.extend(evaluate(chosen, &runtime).problems);
    Ok(Outcome { release: chosen.id.clone(), rollout: chosen.rollout, problems })
}

/// The backend version endpoint's answer (`{"schema": 44}`) applied to the
/// configuration: its schema wins over `backendSchema`; an answer that is
/// not one is a `backend.unknown` warning.
pub fn apply_backend(doc: &Value, runtime: &mut RuntimeConfig, problems: &mut Vec<Problem>) {
    match doc.get("schema").and_then(super::value::as_integer) {
        Some(schema) => runtime.backend_schema = Some(schema),
        None => problems.push(Problem::warning(
            Code::BackendUnknown,
            "backend: the version endpoint did not answer {\"schema\": <integer>}",
        )),
    }
}
