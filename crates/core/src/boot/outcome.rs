//! The outcome: what a boot records and reports over its run ([`Outcome`]:
//! the problems found, the path of the releases considered and tried, the
//! timings), the decisive problem, the error screen's content and the report.

use std::collections::VecDeque;

use super::io::{Action, Doc};
use crate::problem::{Code, Problem, Severity};
use crate::report::{self, Screen, Timings};
use crate::texts;
use crate::value::Value;

/// What a boot records over its run, for its error screen and its report.
#[derive(Debug)]
pub(super) struct Outcome {
    /// Every problem found so far, in the order found.
    problems: Vec<Problem>,
    /// The releases considered and the attempts made, each with its outcome.
    path: Vec<Value>,
    /// This boot's id.
    boot_id: String,
    /// Summaries of earlier failed boots whose reports were not delivered,
    /// from the record; sent again in this boot's report.
    earlier: Vec<Value>,
    /// The browser's languages, most preferred first.
    languages: Vec<String>,
    /// The browser's class.
    user_agent: &'static str,
    /// The runtime configuration's locale, before the browser's languages.
    locale: Option<String>,
    /// When the boot started, on the page's clock.
    started_ms: f64,
    /// When the boot started, on the wall clock.
    wall_ms: f64,
    /// When the manifest and the (last) configuration source came in.
    manifest_at: Option<f64>,
    config_at: Option<f64>,
    /// When the current attempt's files were injected, and when the last loaded.
    injected_at: f64,
    loaded_at: Option<f64>,
    /// The ready report, built when the shell asks for it (after the ready
    /// state is shown): the release id and the time of ready.
    ready_report: Option<(String, f64)>,
}

impl Outcome {
    /// Nothing recorded yet.
    pub(super) fn new() -> Outcome {
        Outcome {
            problems: Vec::new(),
            path: Vec::new(),
            boot_id: String::new(),
            earlier: Vec::new(),
            languages: Vec::new(),
            user_agent: "unknown",
            locale: None,
            started_ms: 0.0,
            wall_ms: 0.0,
            manifest_at: None,
            config_at: None,
            injected_at: 0.0,
            loaded_at: None,
            ready_report: None,
        }
    }

    /// The boot starts at `now_ms` (`wall_ms` on the wall clock), with the
    /// host page's options' problems.
    pub(super) fn start(
        &mut self,
        now_ms: f64,
        wall_ms: f64,
        boot_id: String,
        languages: Vec<String>,
        user_agent: &str,
        problems: Vec<Problem>,
    ) {
        self.started_ms = now_ms;
        self.wall_ms = wall_ms;
        self.boot_id = boot_id;
        self.languages = languages;
        self.user_agent = report::user_agent_class(user_agent);
        self.problems.extend(problems);
    }

    /// When the boot started, on the wall clock.
    pub(super) fn started_wall_ms(&self) -> f64 {
        self.wall_ms
    }

    /// `now_ms`, on the page's clock, on the wall clock.
    pub(super) fn wall(&self, now_ms: f64) -> f64 {
        self.wall_ms + (now_ms - self.started_ms)
    }

    /// Every problem found so far.
    pub(super) fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// A problem found.
    pub(super) fn push(&mut self, problem: Problem) {
        self.problems.push(problem);
    }

    /// Problems found, moved in.
    pub(super) fn append(&mut self, problems: &mut Vec<Problem>) {
        self.problems.append(problems);
    }

    /// Whether any problem is an error.
    pub(super) fn has_error(&self) -> bool {
        self.problems.iter().any(Problem::is_error)
    }

    /// A release considered or an attempt made, and how it went.
    pub(super) fn note(&mut self, entry: Value) {
        self.path.push(entry);
    }

    /// Whether every release considered was quarantined (and some was).
    pub(super) fn only_quarantined(&self) -> bool {
        !self.path.is_empty()
            && self.path.iter().all(|p| p.get("outcome").and_then(Value::as_str) == Some("release.quarantined"))
    }

    /// What the documents said for the screen and the report: the
    /// configuration's locale, and the record's undelivered summaries.
    pub(super) fn documents_read(&mut self, locale: Option<String>, earlier: Vec<Value>) {
        self.locale = locale;
        self.earlier = earlier;
    }

    /// The ids of the boots a delivered report stands for: the earlier
    /// ones it carried, and this one.
    pub(super) fn delivered(&self) -> Vec<String> {
        let mut ids: Vec<String> =
            self.earlier.iter().filter_map(|s| s.get("bootId").and_then(Value::as_str)).map(str::to_owned).collect();
        ids.push(self.boot_id.clone());
        ids
    }

    /// A document is in at `now_ms`.
    pub(super) fn document_in(&mut self, doc: Doc, now_ms: f64) {
        match doc {
            Doc::Manifest => self.manifest_at = Some(now_ms),
            Doc::Config(_) => self.config_at = Some(now_ms),
            _ => {}
        }
    }

    /// The measures of the documents, once all are in.
    pub(super) fn measure_documents(&self, actions: &mut VecDeque<Action>) {
        for (name, at) in [("manifest", self.manifest_at), ("config", self.config_at)] {
            if let Some(end_ms) = at {
                actions.push_back(Action::Measure { name, start_ms: self.started_ms, end_ms });
            }
        }
    }

    /// An attempt's files are injected at `now_ms`.
    pub(super) fn injected(&mut self, now_ms: f64) {
        self.injected_at = now_ms;
        self.loaded_at = None;
    }

    /// The attempt's last file loaded at `now_ms`.
    pub(super) fn loaded(&mut self, now_ms: f64) {
        self.loaded_at = Some(now_ms);
    }

    /// The measures of the attempt that became ready at `now_ms`.
    pub(super) fn measure_ready(&self, now_ms: f64, actions: &mut VecDeque<Action>) {
        let bundle_end = self.loaded_at.unwrap_or(now_ms);
        actions.push_back(Action::Measure { name: "bundle", start_ms: self.injected_at, end_ms: bundle_end });
        actions.push_back(Action::Measure { name: "ready", start_ms: self.injected_at, end_ms: now_ms });
    }

    /// `release` became ready at `now_ms`: it recovered from whatever it
    /// met on the way (a failed load before its retry or its cached copy),
    /// so its problems are warnings now. Other releases keep theirs: an
    /// error is a release that could not serve (docs/report.md,
    /// "Severities"). Its report is built when the shell asks for it.
    pub(super) fn ready(&mut self, release: &str, now_ms: f64) {
        for p in self.problems.iter_mut().filter(|p| p.release.as_deref() == Some(release)) {
            p.severity = Severity::Warning;
        }
        self.ready_report = Some((release.to_owned(), now_ms));
    }

    /// The ready report's release and time, once.
    pub(super) fn take_ready_report(&mut self) -> Option<(String, f64)> {
        self.ready_report.take()
    }

    /// The root cause to show: a document-level error (manifest, configuration)
    /// first; else the first error of the newest release considered (`order`),
    /// since what happens to older releases follows from it.
    pub(super) fn decisive(&self, order: &[String]) -> Option<&Problem> {
        let errors = || self.problems.iter().filter(|p| p.is_error());
        order
            .iter()
            .find_map(|id| errors().find(|p| p.release.as_deref() == Some(id)))
            .or_else(|| errors().find(|p| p.release.is_none()))
            .or_else(|| errors().next())
    }

    /// The error screen at `now_ms`, for the `decisive` problem, in the
    /// configuration's locale or else the browser's languages.
    pub(super) fn screen(&self, decisive: Option<&Problem>, now_ms: f64) -> Screen {
        let languages = self.locale.iter().chain(&self.languages).map(String::as_str);
        report::screen(texts::pick(languages), decisive, &self.problems, self.wall(now_ms))
    }

    /// The report of how the boot ended at `now_ms`, with `release` (the
    /// one that served, or the decisive problem's), the `backend` schema
    /// the releases were judged against, and, for a recheck that became
    /// ready, how long the error screen showed.
    pub(super) fn report(
        &self,
        ending: Ending<'_>,
        release: Option<&str>,
        now_ms: f64,
        backend: Option<i64>,
        error_screen_ms: Option<f64>,
    ) -> Value {
        let since = |at: Option<f64>, from: f64| at.map(|t| t - from);
        let (outcome, code, support_code) = match ending {
            Ending::Ready => ("ready", None, None),
            Ending::Failed { code, support_code } => ("failed", Some(code), Some(support_code)),
        };
        let ready = outcome == "ready";
        report::build(&report::Input {
            boot_id: &self.boot_id,
            outcome,
            release,
            code,
            support_code,
            backend_schema: backend,
            path: &self.path,
            problems: &self.problems,
            timings: Timings {
                manifest_ms: since(self.manifest_at, self.started_ms),
                config_ms: since(self.config_at, self.started_ms),
                bundle_ms: if ready { since(self.loaded_at.or(Some(now_ms)), self.injected_at) } else { None },
                ready_ms: if ready { Some(now_ms - self.injected_at) } else { None },
                total_ms: now_ms - self.started_ms,
            },
            error_screen_ms: if ready { error_screen_ms } else { None },
            user_agent: self.user_agent,
            wall_ms: self.wall(now_ms),
            earlier: &self.earlier,
        })
    }

    /// A CSP violation the browser reported: a warning.
    #[cold]
    #[inline(never)]
    pub(super) fn csp_violation(&mut self, directive: String, blocked: &str) {
        let mut p = Problem::warning(Code::CspViolation, format!("{directive}: the page's policy blocked {blocked}"));
        p.expected = Some(directive);
        self.problems.push(p);
    }
}

/// How a boot ended, for its report.
#[derive(Clone, Copy, Debug)]
pub(super) enum Ending<'a> {
    /// A panel said it is ready.
    Ready,
    /// The error screen is shown, with this decisive code and support code.
    Failed { code: Code, support_code: &'a str },
}

/// `p`, as a warning.
pub(super) fn warning(mut p: Problem) -> Problem {
    p.severity = Severity::Warning;
    p
}
