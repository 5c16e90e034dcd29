//! The outcome: the decisive problem, the states the page sees, the report.

use super::*;

impl Boot {
    #[cold]
    #[inline(never)]
    pub(super) fn fail(&mut self, now_ms: f64) {
        self.state = State::Failed;
        let decisive = self.decisive();
        let code = decisive.map_or(Code::ManifestNoRelease, |p| p.code);
        let release = decisive.and_then(|p| p.release.clone());
        let wall = self.wall_ms + (now_ms - self.started_ms);
        let languages = self.locale.iter().chain(&self.languages).map(String::as_str);
        let screen = report::screen(texts::pick(languages), decisive, &self.problems, wall);
        self.status(State::Failed, release.as_deref(), Some(code));
        let report = self.report("failed", release.as_deref(), Some(code), Some(&screen.support_code), now_ms);
        self.actions.push_back(Action::ShowError(screen));
        // Kept before it is sent: a page closed during the send loses nothing.
        if let Action::Report { report, .. } = &report {
            self.actions.push_back(Action::UpdateRecord(Update::Unsent(report::summary(report))));
        }
        self.actions.push_back(report);
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

    pub(super) fn status(&mut self, state: State, release: Option<&str>, code: Option<Code>) {
        self.actions.push_back(Action::SetState(Status {
            state,
            release: release.map(str::to_owned),
            attempt: None,
            code,
        }));
    }

    /// Names the attempt in the status just queued.
    pub(super) fn status_attempt(&mut self, attempt: u32) {
        if let Some(Action::SetState(s)) = self.actions.back_mut() {
            s.attempt = Some(attempt);
        }
    }

    /// The report action: the report, and the body the endpoint receives.
    pub(super) fn report(
        &self,
        outcome: &str,
        release: Option<&str>,
        code: Option<Code>,
        support: Option<&str>,
        now_ms: f64,
    ) -> Action {
        let since = |at: Option<f64>, from: f64| at.map(|t| t - from);
        let ready = outcome == "ready";
        let report = report::build(&report::Input {
            boot_id: &self.boot_id,
            outcome,
            release,
            code,
            support_code: support,
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
            user_agent: self.user_agent,
            wall_ms: self.wall_ms + (now_ms - self.started_ms),
            earlier: &self.earlier,
        });
        let (body, content_type) = match self.options.report_format {
            ReportFormat::Json => (report.to_json(), "text/plain;charset=UTF-8"),
            ReportFormat::Otlp => (crate::core::otlp::logs_request(&report).to_json(), "application/json"),
        };
        Action::Report { report, body, content_type }
    }
}

pub(super) fn warning(mut p: Problem) -> Problem {
    p.severity = Severity::Warning;
    p
}
