//! Inputs: each event of the shell handed to the parts it concerns
//! ([`Boot::handle`]), and the steps that take several parts: an attempt
//! begun, ready or ended, the boot failed.

use super::attempt::{Current, Due, FileIn, Files, Next, Verdict};
use super::io::{Action, Diagnosis, Doc, Event, LoadError, State, Status};
use super::lineup::{self, Candidate};
use super::outcome::{warning, Ending};
use super::requests::Expired;
use super::Boot;
use crate::options::{MAX_ATTEMPTS, RENDER_BOUND_MS};
use crate::problem::{Code, Problem};
use crate::record::{self, Update};
use crate::value::Value;

impl Boot {
    /// Feeds an event in. Events that do not fit the current state, such as a
    /// `ready()` from an earlier attempt, are ignored.
    pub fn handle(&mut self, event: Event, now_ms: f64) {
        if matches!(event, Event::Timeout) {
            self.requests_due(now_ms);
        }
        match event {
            Event::Text(doc, text) => {
                let result = lineup::read(&self.options, doc, text);
                self.handle(Event::Loaded(doc, result), now_ms);
            }
            Event::Loaded(doc, result)
                if self.state == State::Loading
                    && self.requests.answered(doc, lineup::url_of(&self.options, doc).is_some()) =>
            {
                self.document_in(doc, result, now_ms);
            }
            Event::PanelReady { attempt } if self.is_waiting_for(attempt) => {
                self.attempts.panel_ready(now_ms, self.hidden, &mut self.actions);
            }
            Event::Looked { attempt, rendered } if self.is_waiting_for(attempt) => {
                match self.attempts.looked(rendered, self.hidden, &mut self.actions) {
                    Some(true) => self.ready(now_ms),
                    Some(false) => self.rendered_nothing(now_ms),
                    None => {}
                }
            }
            Event::AssetLoaded { attempt, index } if self.is_waiting_for(attempt) => {
                self.asset_loaded(index, now_ms);
            }
            // The first registration starts the panel; a second is ignored.
            Event::PanelRegistered { attempt, registration } if self.is_waiting_for(attempt) => {
                self.attempts.registered(registration, &mut self.actions);
            }
            Event::PanelFailed { attempt, code, detail } if self.is_waiting_for(attempt) => {
                self.attempt_failed(Problem::error(code, detail), now_ms);
            }
            Event::AssetFailed { attempt, url, diagnosis } if self.is_waiting_for(attempt) => {
                self.asset_failed(url, diagnosis, now_ms);
            }
            Event::ChunksLooked { attempt, module, found } if self.is_waiting_for(attempt) => {
                if let Some(c) = self.attempts.current() {
                    let fault = c.chunk_at_fault(module, found);
                    self.file_failed(fault, now_ms);
                }
            }
            Event::CacheRead { attempt, digests } if self.is_waiting_for(attempt) => {
                self.cache_read(&digests, now_ms);
            }
            Event::Timeout if self.state == State::Failed => self.recovery.due(now_ms, &mut self.actions),
            Event::Retry if self.state == State::Failed => self.recovery.retry_clicked(&mut self.actions),
            Event::Timeout if self.state == State::Booting => match self.attempts.due(now_ms, &mut self.actions) {
                Due::Retry => {
                    if let Some(c) = self.attempts.take() {
                        let (candidate, retries, files) = c.again();
                        self.begin(candidate, retries, files, now_ms);
                    }
                }
                Due::TimedOut => self.timed_out(now_ms),
                Due::RenderedNothing => self.rendered_nothing(now_ms),
                Due::Nothing => {}
            },
            Event::ReportSent { .. } if !self.requests.report_answered() => {}
            Event::ReportSent { delivered: true } => {
                self.actions.push_back(Action::UpdateRecord(Update::Delivered(self.outcome.delivered())));
            }
            // Not delivered: a failed boot's summary is already kept (`fail`).
            Event::ReportSent { delivered: false } => {}
            Event::Cached { release } => {
                self.actions.push_back(Action::UpdateRecord(Update::Cached { release }));
            }
            Event::Visibility { hidden } => {
                self.visibility(hidden, now_ms);
                self.recovery.visibility(hidden, now_ms);
            }
            Event::Hints { retry_after, cache_control } => {
                self.recovery.hints(retry_after.as_deref(), cache_control.as_deref(), now_ms, &self.options);
            }
            Event::MountEmptied if matches!(self.state, State::Loading | State::Booting) => {
                self.actions.push_back(Action::ShowLoading);
            }
            Event::CspViolation { directive, blocked } if !matches!(self.state, State::Ready | State::Failed) => {
                self.outcome.csp_violation(directive, &blocked);
            }
            _ => {}
        }
    }

    /// A document is in (or failed): the first answer for it counts. With
    /// the last one, the releases are chosen.
    fn document_in(&mut self, doc: Doc, result: Result<Value, LoadError>, now_ms: f64) {
        let Some(all_in) = self.lineup.document_in(doc, result, &self.options) else { return };
        self.outcome.document_in(doc, now_ms);
        if all_in {
            self.choose(now_ms);
        }
    }

    /// Every document is in: the releases are lined up, and the first goes on.
    fn choose(&mut self, now_ms: f64) {
        self.outcome.measure_documents(&mut self.actions);
        self.lineup.choose(&self.options, &mut self.outcome, &mut self.actions);
        // A recheck that found a release to start: the loading state replaces the error screen.
        if !self.lineup.is_empty() && self.recovery.found_release(now_ms) {
            self.actions.push_back(Action::ShowLoading);
        }
        self.try_next(now_ms);
    }

    fn is_waiting_for(&self, attempt: u32) -> bool {
        self.state == State::Booting && self.attempts.is_waiting_for(attempt)
    }

    /// A file of the current attempt is in: with the last script, a bundle
    /// that never registered has failed; with the last file, a `ready()`
    /// heard early counts.
    fn asset_loaded(&mut self, index: usize, now_ms: f64) {
        match self.attempts.file_loaded(index, &mut self.actions) {
            FileIn::Counted => {}
            FileIn::NotRegistered => {
                let p = Problem::error(
                    Code::PanelNotRegistered,
                    "the bundle loaded but never called deskLoader.register()",
                );
                self.attempt_failed(p, now_ms);
            }
            FileIn::Last { early_ready } => {
                self.outcome.loaded(now_ms);
                if early_ready {
                    self.attempts.look(now_ms, self.hidden, &mut self.actions);
                }
            }
        }
    }

    /// The next candidate goes on, if any is left and the boot has not made
    /// [`MAX_ATTEMPTS`]; else the boot fails.
    fn try_next(&mut self, now_ms: f64) {
        if self.attempts.made() >= MAX_ATTEMPTS {
            self.lineup.give_up();
            self.outcome
                .push(Problem::error(Code::ManifestNoRelease, format!("boot: gave up after {MAX_ATTEMPTS} attempts")));
        }
        match self.lineup.next() {
            Some(c) => self.begin(c, 0, Files::Network, now_ms),
            None => self.fail(now_ms),
        }
    }

    /// Starts an attempt of `candidate`, its files from `files`, after `retries` retries.
    fn begin(&mut self, candidate: Candidate, retries: u32, files: Files, now_ms: f64) {
        let attempt = self.attempts.begin(candidate, retries, files, now_ms, self.hidden, &self.options);
        self.state = State::Booting;
        self.publish(Status {
            release: Some(attempt.release_id.clone()),
            attempt: Some(attempt.id),
            ..Status::of(State::Booting)
        });
        self.outcome.injected(now_ms);
        self.actions.push_back(Action::Inject(attempt));
    }

    /// The panel rendered: the boot is ready.
    fn ready(&mut self, now_ms: f64) {
        let Some(c) = self.attempts.take() else { return };
        self.state = State::Ready;
        self.outcome.note(c.note("ready"));
        // The ready state first: what the host page and the agent wait for.
        // Then the bookkeeping, and the report last (see `next_action`).
        self.publish(Status {
            release: Some(c.release_id().to_owned()),
            attempt: Some(c.id()),
            ..Status::of(State::Ready)
        });
        self.outcome.measure_ready(now_ms, &mut self.actions);
        self.actions.push_back(Action::UpdateRecord(c.known_good(self.lineup.backend())));
        if let Some(cache) = c.cache_assets() {
            self.actions.push_back(cache);
        }
        // Off the boot's path: the worker keeps the release offline from now on.
        if let Some(url) = &self.options.service_worker {
            self.actions.push_back(Action::RegisterWorker(url.clone()));
        }
        self.outcome.ready(c.release_id(), now_ms);
    }

    // What follows marked `#[cold]` is what a healthy boot never does. Kept
    // out of line, the browser compiles it (wasm functions are compiled on
    // first call) only when a boot goes wrong.

    /// The requests whose time ran out: a document fetched counts as failed
    /// (the shell aborts its fetch), a report post as not delivered.
    #[cold]
    #[inline(never)]
    fn requests_due(&mut self, now_ms: f64) {
        for expired in self.requests.expire(now_ms) {
            match expired {
                Expired::Fetch(doc, url) => {
                    self.actions.push_back(Action::Abort(doc));
                    let timed_out = LoadError::timed_out(&url, self.options.fetch_timeout_ms);
                    if self.state == State::Loading {
                        self.document_in(doc, Err(timed_out), now_ms);
                    }
                }
                // Not delivered: a failed boot's summary is already kept (`fail`).
                Expired::Report => self.actions.push_back(Action::AbortReport),
            }
        }
    }

    #[cold]
    #[inline(never)]
    fn timed_out(&mut self, now_ms: f64) {
        let secs = crate::value::seconds(self.options.ready_deadline_ms);
        let p = Problem::error(Code::PanelTimeout, format!("the panel did not call ready() within {secs} s"));
        self.attempt_failed(p, now_ms);
    }

    #[cold]
    #[inline(never)]
    fn rendered_nothing(&mut self, now_ms: f64) {
        let secs = crate::value::seconds(RENDER_BOUND_MS);
        let p = Problem::error(
            Code::PanelEmpty,
            format!("the panel called ready() but rendered nothing visible into the mount point within {secs} s"),
        );
        self.attempt_failed(p, now_ms);
    }

    /// The page became hidden or visible: the attempt's deadline runs only while it is visible.
    #[cold]
    #[inline(never)]
    fn visibility(&mut self, hidden: bool, now_ms: f64) {
        self.hidden = hidden;
        if self.state == State::Booting {
            self.attempts.visibility(hidden, now_ms);
        }
    }

    /// A file of the current attempt failed: a retry after a backoff, its
    /// cached copy, or the attempt ends (`Current::failed` decides).
    #[cold]
    #[inline(never)]
    fn asset_failed(&mut self, url: String, diagnosis: Diagnosis, now_ms: f64) {
        let Some(c) = self.attempts.current() else { return };
        let verdict = c.verdict(&url, diagnosis);
        // A module served intact failed for a chunk it imports: the chunks are looked at first.
        if let Some(chunks) = c.chunks_to_look_at(&url, &verdict) {
            let attempt = c.id();
            self.actions.push_back(Action::LookAtChunks { attempt, module: url, chunks });
            return;
        }
        self.file_failed((url, verdict), now_ms);
    }

    /// A file of the attempt is at fault, judged: what follows.
    #[cold]
    #[inline(never)]
    fn file_failed(&mut self, (url, verdict): (String, Verdict), now_ms: f64) {
        let Some(c) = self.attempts.current() else { return };
        let (problem, next) = c.failed(url, verdict, self.lineup.cache_kept(), &self.options, self.attempts.made());
        match next {
            Next::Retry => {
                if let Some(c) = self.set_aside("retry", warning(problem)) {
                    self.attempts.back_off(c, now_ms);
                }
            }
            Next::FromCache => {
                if let Some(c) = self.set_aside(problem.code.as_str(), problem) {
                    let (candidate, retries, _) = c.again();
                    self.begin(candidate, retries, Files::Cache, now_ms);
                }
            }
            Next::Quarantine => self.attempt_failed(problem, now_ms),
            Next::End => self.end_attempt(problem, now_ms),
        }
    }

    /// The files of an attempt from the cache were read: they run if each
    /// matches its integrity; else the first that does not fails.
    #[cold]
    #[inline(never)]
    fn cache_read(&mut self, digests: &[(usize, Vec<u8>)], now_ms: f64) {
        if let Some(fault) = self.attempts.cache_read(digests, &mut self.actions) {
            self.file_failed(fault, now_ms);
        }
    }

    /// Ends the current attempt on a failure that would happen again with
    /// the same release, configuration and backend: the release is
    /// quarantined (`docs/record.md`), and the next candidate goes on.
    #[cold]
    #[inline(never)]
    fn attempt_failed(&mut self, problem: Problem, now_ms: f64) {
        if let Some(c) = self.attempts.current() {
            let until_ms = self.outcome.wall(now_ms) + record::QUARANTINE_MS;
            let update = c.quarantined(self.lineup.backend(), until_ms, problem.code);
            self.actions.push_back(Action::UpdateRecord(update));
        }
        self.end_attempt(problem, now_ms);
    }

    /// Ends the current attempt, and the next candidate goes on.
    #[cold]
    #[inline(never)]
    fn end_attempt(&mut self, problem: Problem, now_ms: f64) {
        if self.set_aside(problem.code.as_str(), problem).is_some() {
            self.try_next(now_ms);
        }
    }

    /// Takes the current attempt off the page, its path entry saying
    /// `outcome`, with its `problem`; the loading state goes back in the
    /// mount point until the next attempt's panel (or the error screen)
    /// replaces it.
    fn set_aside(&mut self, outcome: &str, problem: Problem) -> Option<Current> {
        let c = self.attempts.take()?;
        self.outcome.note(c.note(outcome));
        self.outcome.push(problem.with_release(c.release_id()));
        self.actions.push_back(Action::Remove { attempt: c.id() });
        self.actions.push_back(Action::ShowLoading);
        Some(c)
    }

    /// No release can run: the error screen and the report, then a recheck.
    #[cold]
    #[inline(never)]
    fn fail(&mut self, now_ms: f64) {
        self.state = State::Failed;
        let decisive = self.outcome.decisive(self.lineup.order());
        let code = decisive.map_or(Code::ManifestNoRelease, |p| p.code);
        // A quiet recheck that fails as the screen already says changes
        // nothing on it and reports nothing new: it waits for the next recheck.
        let started = self.attempts.made() > 0;
        if let Some(kept) = self.recovery.unchanged(code, started, self.outcome.only_quarantined()) {
            self.recovery.schedule(kept, now_ms, self.hidden, &self.options);
            return;
        }
        let release = decisive.and_then(|p| p.release.clone());
        let screen = self.outcome.screen(decisive, now_ms);
        self.publish(Status { release: release.clone(), code: Some(code), ..Status::of(State::Failed) });
        let ending = Ending::Failed { code, support_code: &screen.support_code };
        let report = self.report(ending, release.as_deref(), now_ms);
        self.actions.push_back(Action::ShowError(screen));
        // Kept before it is sent: a page closed during the send loses nothing.
        if let Action::Report { report, .. } = &report {
            self.actions.push_back(Action::UpdateRecord(Update::Unsent(crate::report::summary(report))));
        }
        self.actions.push_back(report);
        self.recovery.schedule(code, now_ms, self.hidden, &self.options);
    }
}
