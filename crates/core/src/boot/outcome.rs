//! The outcome: the decisive problem, the states the page sees, the report.

use super::*;

impl Boot {
    #[cold]
    #[inline(never)]
    pub(super) fn fail(&mut self, now_ms: f64) {
        self.state = State::Failed;
        let decisive = self.decisive();
        let code = decisive.map_or(Code::ManifestNoRelease, |p| p.code);
        // A recheck that started nothing and fails as the screen already
        // says (or finds only releases quarantined since) changes nothing on
        // it and reports nothing new: it waits for the next recheck. One that
        // tried a release and saw it fail shows and reports that, as any boot.
        let quarantined = !self.path.is_empty()
            && self.path.iter().all(|p| p.get("outcome").and_then(Value::as_str) == Some("release.quarantined"));
        let started = self.next_attempt != self.first_attempt;
        if let Some(kept) = self.recovery.unchanged(code, started, quarantined) {
            self.recovery.schedule(kept, now_ms, self.hidden, &self.options);
            return;
        }
        let release = decisive.and_then(|p| p.release.clone());
        let wall = self.wall_ms + (now_ms - self.started_ms);
        let languages = self.locale.iter().chain(&self.languages).map(String::as_str);
        let screen = report::screen(texts::pick(languages), decisive, &self.problems, wall);
        self.publish(Status { release: release.clone(), code: Some(code), ..Status::of(State::Failed) });
        let ending = Ending::Failed { code, support_code: &screen.support_code };
        let report = self.report(ending, release.as_deref(), now_ms);
        self.actions.push_back(Action::ShowError(screen));
        // Kept before it is sent: a page closed during the send loses nothing.
        if let Action::Report { report, .. } = &report {
            self.actions.push_back(Action::UpdateRecord(Update::Unsent(report::summary(report))));
        }
        self.actions.push_back(report);
        self.recovery.schedule(code, now_ms, self.hidden, &self.options);
    }

    /// The root cause to show: a document-level error (manifest, configuration)
    /// first; else the first error of the newest release considered, since
    /// what happens to older releases follows from it.
    pub(super) fn decisive(&self) -> Option<&Problem> {
        let errors = || self.problems.iter().filter(|p| p.is_error());
        self.order
            .iter()
            .find_map(|id| errors().find(|p| p.release.as_deref() == Some(id)))
            .or_else(|| errors().find(|p| p.release.is_none()))
            .or_else(|| errors().next())
    }

    /// Publishes a change of the boot's public state.
    pub(super) fn publish(&mut self, status: Status) {
        self.actions.push_back(Action::SetState(status));
    }

    /// The report action: the report of how the boot ended, with `release`
    /// (the one that served, or the decisive problem's), the body the
    /// endpoint receives, and the endpoint, whose answer is awaited for
    /// `reportTimeoutMs`.
    pub(super) fn report(&mut self, ending: Ending<'_>, release: Option<&str>, now_ms: f64) -> Action {
        let since = |at: Option<f64>, from: f64| at.map(|t| t - from);
        let (outcome, code, support_code) = match ending {
            Ending::Ready => ("ready", None, None),
            Ending::Failed { code, support_code } => ("failed", Some(code), Some(support_code)),
        };
        let ready = outcome == "ready";
        let report = report::build(&report::Input {
            boot_id: &self.boot_id,
            outcome,
            release,
            code,
            support_code,
            backend_schema: self.backend,
            path: &self.path,
            problems: &self.problems,
            timings: Timings {
                manifest_ms: since(self.manifest_at, self.started_ms),
                config_ms: since(self.config_at, self.started_ms),
                bundle_ms: if ready { since(self.loaded_at.or(Some(now_ms)), self.injected_at) } else { None },
                ready_ms: if ready { Some(now_ms - self.injected_at) } else { None },
                total_ms: now_ms - self.started_ms,
            },
            error_screen_ms: if ready { self.recovery.error_screen_ms() } else { None },
            user_agent: self.user_agent,
            wall_ms: self.wall_ms + (now_ms - self.started_ms),
            earlier: &self.earlier,
        });
        let (body, content_type) = match self.options.report_format {
            ReportFormat::Json => (report.to_json(), "text/plain;charset=UTF-8"),
            ReportFormat::Otlp => (crate::otlp::logs_request(&report).to_json(), "application/json"),
        };
        let to = self.options.report_url.clone();
        if to.is_some() {
            self.requests.post_report(now_ms + self.options.report_timeout_ms);
        }
        Action::Report { report, body, content_type, to }
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

pub(super) fn warning(mut p: Problem) -> Problem {
    p.severity = Severity::Warning;
    p
}
