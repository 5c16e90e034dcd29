//! Problems: what the loader found wrong, named so a person can act on it.
//!
//! Every check in the core returns all of its problems, never only the first.
//! A [`Problem`] carries a stable [`Code`] (documented in `docs/problems.md`),
//! the variable, feature or manifest path at fault, and a message that starts
//! with the thing at fault. Values of secret variables never enter a problem.

use super::value::{object, quoted, Value};

/// How bad a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// The release cannot boot as configured.
    Error,
    /// The release boots, with something degraded or suspicious.
    Warning,
}

impl Severity {
    /// `"error"` or `"warning"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A stable problem code. The strings never change meaning once released;
/// `docs/problems.md` lists each with what to do about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Code {
    /// An option of the host page has the wrong type or is out of range; its default is used.
    OptionsInvalid,
    /// The manifest could not be fetched or read.
    ManifestUnreadable,
    /// The manifest is not JSON.
    ManifestMalformed,
    /// The manifest is JSON but not of the documented shape.
    ManifestInvalid,
    /// The manifest lists no release that may be started.
    ManifestNoRelease,
    /// The runtime configuration could not be fetched or read.
    ConfigUnreadable,
    /// The runtime configuration is not JSON.
    ConfigMalformed,
    /// The runtime configuration is JSON but not of the documented shape.
    ConfigInvalid,
    /// A required variable is not set.
    ConfigMissing,
    /// A variable has the wrong type.
    ConfigType,
    /// A variable breaks a declared constraint.
    ConfigConstraint,
    /// The configuration sets a variable the release does not declare.
    ConfigUnknown,
    /// The configuration names a feature the release does not declare.
    FeatureUnknown,
    /// A feature was switched off because its configuration is not valid.
    FeatureDisabled,
    /// A feature is off, and turning it on would need variables that are not set.
    FeatureUnconfigured,
    /// The release's declared backend range excludes the live backend.
    BackendIncompatible,
    /// The live backend's schema version is not known, so backend ranges were not checked.
    BackendUnknown,
    /// The release was withdrawn by the manifest.
    ReleaseWithdrawn,
    /// The release failed on this device recently, with this configuration and backend.
    ReleaseQuarantined,
    /// The stored record was unusable and was set aside.
    RecordDiscarded,
    /// A file of the release could not be fetched (network error or server error), even after retries.
    BundleLoadFailed,
    /// A file of the release is not on the server (HTTP 4xx), nor in the cache.
    BundleMissing,
    /// Cache Storage lost the known-good release's files stored after an
    /// earlier boot: this browser keeps no site data between page loads.
    CacheLost,
    /// A file of the release was served but does not match its integrity hash.
    BundleIntegrity,
    /// A file of the release is on an origin the host page does not allow.
    BundleOrigin,
    /// The browser's Content Security Policy blocked something during the boot.
    CspViolation,
    /// The bundle loaded but never registered with the loader.
    PanelNotRegistered,
    /// The panel threw or rejected during its boot.
    PanelThrew,
    /// The panel called `fail(reason)`.
    PanelFailed,
    /// The panel did not call `ready()` before the deadline.
    PanelTimeout,
    /// The panel called `ready()` but rendered nothing into the mount point.
    PanelEmpty,
}

impl Code {
    /// The stable code string, such as `config.missing`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::ManifestUnreadable => "manifest.unreadable",
            Code::ManifestMalformed => "manifest.malformed",
            Code::ManifestInvalid => "manifest.invalid",
            Code::OptionsInvalid => "options.invalid",
            Code::ManifestNoRelease => "manifest.no_release",
            Code::ConfigUnreadable => "config.unreadable",
            Code::ConfigMalformed => "config.malformed",
            Code::ConfigInvalid => "config.invalid",
            Code::ConfigMissing => "config.missing",
            Code::ConfigType => "config.type",
            Code::ConfigConstraint => "config.constraint",
            Code::ConfigUnknown => "config.unknown",
            Code::FeatureUnknown => "feature.unknown",
            Code::FeatureDisabled => "feature.disabled",
            Code::FeatureUnconfigured => "feature.unconfigured",
            Code::BackendIncompatible => "backend.incompatible",
            Code::BackendUnknown => "backend.unknown",
            Code::ReleaseWithdrawn => "release.withdrawn",
            Code::ReleaseQuarantined => "release.quarantined",
            Code::RecordDiscarded => "record.discarded",
            Code::BundleLoadFailed => "bundle.load_failed",
            Code::BundleMissing => "bundle.missing",
            Code::CacheLost => "cache.lost",
            Code::BundleIntegrity => "bundle.integrity",
            Code::BundleOrigin => "bundle.origin",
            Code::CspViolation => "csp.violation",
            Code::PanelNotRegistered => "panel.not_registered",
            Code::PanelThrew => "panel.threw",
            Code::PanelFailed => "panel.failed",
            Code::PanelTimeout => "panel.timeout",
            Code::PanelEmpty => "panel.empty",
        }
    }

    /// Every code, in documentation order.
    pub const ALL: &'static [Code] = &[
        Code::OptionsInvalid,
        Code::ManifestUnreadable,
        Code::ManifestMalformed,
        Code::ManifestInvalid,
        Code::ManifestNoRelease,
        Code::ConfigUnreadable,
        Code::ConfigMalformed,
        Code::ConfigInvalid,
        Code::ConfigMissing,
        Code::ConfigType,
        Code::ConfigConstraint,
        Code::ConfigUnknown,
        Code::FeatureUnknown,
        Code::FeatureDisabled,
        Code::FeatureUnconfigured,
        Code::BackendIncompatible,
        Code::BackendUnknown,
        Code::ReleaseWithdrawn,
        Code::ReleaseQuarantined,
        Code::RecordDiscarded,
        Code::BundleLoadFailed,
        Code::BundleMissing,
        Code::CacheLost,
        Code::BundleIntegrity,
        Code::BundleOrigin,
        Code::CspViolation,
        Code::PanelNotRegistered,
        Code::PanelThrew,
        Code::PanelFailed,
        Code::PanelTimeout,
        Code::PanelEmpty,
    ];
}

/// One thing found wrong.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// The stable code.
    pub code: Code,
    /// Whether it stops the release from booting.
    pub severity: Severity,
    /// The configuration variable at fault, if any.
    pub variable: Option<String>,
    /// The feature that needs the variable, or the feature affected.
    pub feature: Option<String>,
    /// The release the problem was found in, when the boot considered several.
    pub release: Option<String>,
    /// A path into the manifest or configuration, such as `releases[0].assets[1].url`.
    pub path: Option<String>,
    /// What the rule expected, in words.
    pub expected: Option<String>,
    /// What was found, in words; for secrets only its kind, never its value.
    pub found: Option<String>,
    /// One line for a person, starting with the thing at fault; no trailing period.
    pub message: String,
}

impl Problem {
    /// A problem with only a code, severity and message; fill the rest with the `with_*` methods.
    pub fn new(code: Code, severity: Severity, message: impl Into<String>) -> Problem {
        Problem {
            code,
            severity,
            variable: None,
            feature: None,
            release: None,
            path: None,
            expected: None,
            found: None,
            message: message.into(),
        }
    }

    /// An error.
    pub fn error(code: Code, message: impl Into<String>) -> Problem {
        Problem::new(code, Severity::Error, message)
    }

    /// A warning.
    pub fn warning(code: Code, message: impl Into<String>) -> Problem {
        Problem::new(code, Severity::Warning, message)
    }

    /// Names the variable at fault.
    pub fn with_variable(mut self, name: &str) -> Problem {
        self.variable = Some(name.to_owned());
        self
    }

    /// Names the feature involved.
    pub fn with_feature(mut self, name: Option<&str>) -> Problem {
        self.feature = name.map(str::to_owned);
        self
    }

    /// Names the release the problem was found in.
    pub fn with_release(mut self, release: &str) -> Problem {
        self.release = Some(release.to_owned());
        self
    }

    /// Names the path at fault.
    pub fn with_path(mut self, path: impl Into<String>) -> Problem {
        self.path = Some(path.into());
        self
    }

    /// Says what was expected and what was found.
    pub fn with_expected_found(mut self, expected: impl Into<String>, found: impl Into<String>) -> Problem {
        self.expected = Some(expected.into());
        self.found = Some(found.into());
        self
    }

    /// Whether this problem stops the release.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The problem as a JSON object, as in the CLI's `--format json` and in reports.
    pub fn to_value(&self) -> Value {
        object([
            ("code", self.code.as_str().into()),
            ("severity", self.severity.as_str().into()),
            ("variable", self.variable.clone().into()),
            ("feature", self.feature.clone().into()),
            ("release", self.release.clone().into()),
            ("path", self.path.clone().into()),
            ("expected", self.expected.clone().into()),
            ("found", self.found.clone().into()),
            ("message", self.message.clone().into()),
        ])
    }
}

/// Describes a value for a problem's `found` field: its kind and a short
/// quoted excerpt (for a secret, [`describe_secret`]).
pub fn describe(value: &Value) -> String {
    match value {
        Value::String(s) => {
            let mut excerpt: String = s.chars().take(60).collect();
            if excerpt.len() < s.len() {
                excerpt.push('…');
            }
            format!("the string {}", quoted(&excerpt))
        }
        Value::Number(n) => format!("the number {}", Value::Number(*n).to_json()),
        Value::Bool(b) => format!("{b}"),
        Value::Null => "null".to_owned(),
        other => format!("an {}", other.kind()),
    }
}

/// What a secret variable was found to be: its kind only, never its value.
pub fn describe_secret(value: &Value) -> String {
    format!("a {} (secret, value not shown)", value.kind())
}
// `manifest.invalid` problems, for the manifest and the contracts in it
// (`manifest.rs` and `config.rs` both read parts of a manifest).

/// An unknown key is a warning, so an older loader reads a newer manifest.
#[cold]
#[inline(never)]
pub(super) fn unknown_key(problems: &mut Vec<Problem>, path: &str, at: &str) {
    let path = format!("{path}{at}");
    problems.push(Problem::warning(Code::ManifestInvalid, format!("{path}: unknown key, ignored")).with_path(path));
}

/// `manifest.invalid` at `path` + `at`: "`path`: `what`", for the manifest and
/// the contracts in it (`config::Parser`). The error paths are out of line, so
/// parsing a valid manifest compiles and runs none of them (the browser
/// compiles wasm functions on first call).
#[cold]
#[inline(never)]
pub(super) fn invalid(problems: &mut Vec<Problem>, path: &str, at: &str, what: std::fmt::Arguments) {
    let path = format!("{path}{at}");
    problems.push(Problem::error(Code::ManifestInvalid, format!("{path}: {what}")).with_path(path));
}

/// `manifest.invalid`: "expected `what`, found <the value described>".
#[cold]
#[inline(never)]
pub(super) fn expected(problems: &mut Vec<Problem>, path: &str, at: &str, what: &str, found: &Value) {
    let found = describe(found);
    invalid(problems, path, at, format_args!("expected {what}, found {found}"));
}
