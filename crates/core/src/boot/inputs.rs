//! Inputs: a boot created and started, the shell's events handled, actions handed out.

use super::requests::Expired;
use super::*;
use crate::options::Source;

impl Boot {
    /// A boot that has not started.
    pub fn new(options: Options) -> Boot {
        Boot {
            options,
            state: State::Loading,
            actions: VecDeque::new(),
            lineup: Lineup::default(),
            current: None,
            next_attempt: 1,
            first_attempt: 1,
            hidden: false,
            outcome: Outcome::new(),
            recovery: Recovery::default(),
            requests: requests::Requests::default(),
        }
    }

    /// Starts the boot: asks for every document at once.
    pub fn start(&mut self, start: Start) {
        self.outcome.start(
            start.now_ms,
            start.wall_ms,
            start.boot_id,
            start.languages,
            &start.user_agent,
            start.problems,
        );
        self.first_attempt = start.first_attempt.max(1);
        self.next_attempt = self.first_attempt;
        self.hidden = start.hidden;
        self.recovery.start(start.recovering, start.seed);
        // A recheck keeps the error screen up while it reads; the agent's
        // "Try again" shows that it heard the click.
        if self.recovery.shows_loading() {
            self.publish(Status::of(State::Loading));
            // A host page that left the mount point empty still gets a loading state.
            if start.mount_empty {
                self.actions.push_back(Action::ShowLoading);
            }
        }
        for doc in self.lineup.expect(&self.options) {
            let action = match lineup::url_of(&self.options, doc) {
                Some(url) => {
                    let url = url.to_owned();
                    self.requests.fetch(doc, &url, start.now_ms + self.options.fetch_timeout_ms);
                    Action::Fetch { doc, url, revalidate: self.recovery.rechecking() }
                }
                None => Action::Load(doc),
            };
            self.actions.push_back(action);
        }
    }

    /// The current state.
    pub fn state(&self) -> State {
        self.state
    }

    /// The id the next attempt would get: a boot started after this one in
    /// the same page begins there ([`Start::first_attempt`]).
    pub fn next_attempt(&self) -> u32 {
        self.next_attempt
    }

    /// The earliest time, on the clock given to [`Boot::handle`], at which
    /// the machine must hear [`Event::Timeout`]: the end of a retry's
    /// backoff, the running ready deadline, or after a failure the next
    /// recheck (none of them runs while the page is hidden).
    /// The shell keeps one timer for it and asks again after every drain.
    pub fn poll_timeout(&self) -> Option<f64> {
        let requests = self.requests.poll_timeout();
        let own = match self.state {
            State::Failed => self.recovery.poll_timeout(),
            State::Booting => match self.current.as_ref().map(|c| (c.retry_at, c.deadline)) {
                Some((Some(at_ms), _) | (None, Deadline::Running { at_ms })) => Some(at_ms),
                _ => None,
            },
            _ => None,
        };
        own.into_iter().chain(requests).reduce(f64::min)
    }

    /// Where the host page said `doc` is ([`Action::Load`] reads it in the
    /// page; a URL is [`Action::Fetch`]'s): `None` for the stored record.
    pub fn source(&self, doc: Doc) -> Option<&Source> {
        lineup::source(&self.options, doc)
    }

    /// Every problem found so far.
    pub fn problems(&self) -> &[Problem] {
        self.outcome.problems()
    }

    /// The next action for the shell, in order. The ready report comes last,
    /// built only when asked for, so building it never delays the ready state.
    pub fn next_action(&mut self) -> Option<Action> {
        self.actions.pop_front().or_else(|| {
            let (release, at_ms) = self.outcome.take_ready_report()?;
            Some(self.report(Ending::Ready, Some(&release), at_ms))
        })
    }

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
                let Some(c) = self.current.as_mut().filter(|c| c.looking.is_none()) else { return };
                if c.assets_left > 0 {
                    // A stylesheet may still fail: the panel is ready once every file is in.
                    c.early_ready = true;
                } else {
                    self.look(now_ms);
                }
            }
            Event::Looked { attempt, rendered } if self.is_waiting_for(attempt) => {
                let Some(c) = self.current.as_mut() else { return };
                let Some(looking) = c.looking.as_mut() else { return };
                looking.answered += 1;
                if rendered.is_rendered() {
                    self.ready(now_ms);
                } else if looking.overdue {
                    self.rendered_nothing(now_ms);
                } else {
                    self.actions.push_back(Action::Look { attempt, after_frame: !self.hidden });
                }
            }
            Event::AssetLoaded { attempt, index } if self.is_waiting_for(attempt) => {
                self.asset_loaded(attempt, index, now_ms);
            }
            // The first registration starts the panel; a second is ignored.
            Event::PanelRegistered { attempt, registration } if self.is_waiting_for(attempt) => {
                if let Some(c) = self.current.as_mut().filter(|c| !c.registered) {
                    c.registered = true;
                    self.actions.push_back(Action::StartPanel { attempt, registration });
                }
            }
            Event::PanelFailed { attempt, code, detail } if self.is_waiting_for(attempt) => {
                self.attempt_failed(Problem::error(code, detail), now_ms);
            }
            Event::AssetFailed { attempt, url, diagnosis, graph } if self.is_waiting_for(attempt) => {
                self.asset_failed(url, diagnosis, graph, now_ms);
            }
            Event::CacheRead { attempt, digests } if self.is_waiting_for(attempt) => {
                self.cache_read(&digests, now_ms);
            }
            Event::Timeout if self.state == State::Failed => self.recovery.due(now_ms, &mut self.actions),
            Event::Retry if self.state == State::Failed => self.recovery.retry_clicked(&mut self.actions),
            Event::Timeout if self.state == State::Booting => match self.current.as_ref() {
                Some(c) if c.retry_at.is_some_and(|at| now_ms >= at) => {
                    if let Some(c) = self.current.take() {
                        self.retry(c, now_ms);
                    }
                }
                Some(Current { retry_at: None, deadline: Deadline::Running { at_ms }, looking, .. })
                    if now_ms >= *at_ms =>
                {
                    match *looking {
                        None => self.timed_out(now_ms),
                        Some(Looking { answered: 0, .. }) => {
                            if let Some(Current { attempt, looking: Some(l), deadline, .. }) = self.current.as_mut() {
                                l.overdue = true;
                                *deadline = Deadline::Paused { left_ms: 0.0 };
                                self.actions.push_back(Action::Look { attempt: *attempt, after_frame: false });
                            }
                        }
                        Some(_) => self.rendered_nothing(now_ms),
                    }
                }
                _ => {}
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

    // What follows `handle` marked `#[cold]` is what a healthy boot never
    // does. Kept out of line, the browser compiles it (wasm functions are
    // compiled on first call) only when a boot goes wrong.

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
    pub(super) fn timed_out(&mut self, now_ms: f64) {
        let secs = crate::value::seconds(self.options.ready_deadline_ms);
        let p = Problem::error(Code::PanelTimeout, format!("the panel did not call ready() within {secs} s"));
        self.attempt_failed(p, now_ms);
    }

    pub(super) fn is_waiting_for(&self, attempt: u32) -> bool {
        self.state == State::Booting
            && self.current.as_ref().is_some_and(|c| c.attempt == attempt && c.retry_at.is_none())
    }

    /// A file of the current attempt is in: with the last stylesheet the
    /// scripts run; with the last script, a bundle that never registered has
    /// failed; with the last file, a `ready()` heard early counts.
    fn asset_loaded(&mut self, attempt: u32, index: usize, now_ms: f64) {
        let Some(c) = self.current.as_mut() else { return };
        let Some(kind) = c.candidate.release.assets.get(index).map(|a| a.kind) else { return };
        match c.loaded.get_mut(index) {
            Some(seen) if !*seen => *seen = true,
            _ => return,
        }
        c.assets_left = c.assets_left.saturating_sub(1);
        if kind == AssetKind::Style {
            c.styles_left = c.styles_left.saturating_sub(1);
            if c.styles_left == 0 && c.scripts_left > 0 {
                self.actions.push_back(Action::RunScripts { attempt });
            }
        } else {
            c.scripts_left = c.scripts_left.saturating_sub(1);
            if c.scripts_left == 0 && !c.registered {
                let p = Problem::error(
                    Code::PanelNotRegistered,
                    "the bundle loaded but never called deskLoader.register()",
                );
                self.attempt_failed(p, now_ms);
                return;
            }
        }
        if c.assets_left > 0 {
            return;
        }
        self.outcome.loaded(now_ms);
        if std::mem::take(&mut c.early_ready) {
            self.look(now_ms);
        }
    }

    /// The panel said it is ready, with every file in: the mount point is
    /// judged on what the agent sees, from the next frame on, for at most
    /// [`RENDER_BOUND_MS`] (`docs/panel-api.md`), hidden or not: a hidden
    /// page's looks need no frame. A framework that renders asynchronously
    /// (React) has its first frames.
    fn look(&mut self, now_ms: f64) {
        let after_frame = !self.hidden;
        let Some(c) = self.current.as_mut() else { return };
        c.looking = Some(Looking::default());
        c.deadline = Deadline::Running { at_ms: now_ms + RENDER_BOUND_MS };
        self.actions.push_back(Action::Look { attempt: c.attempt, after_frame });
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

    /// The deadline runs only while the page is visible.
    #[cold]
    #[inline(never)]
    pub(super) fn visibility(&mut self, hidden: bool, now_ms: f64) {
        self.hidden = hidden;
        // The look after ready() runs hidden or not (`look`).
        let Some(c) = self.current.as_mut().filter(|c| c.retry_at.is_none() && c.looking.is_none()) else { return };
        if self.state != State::Booting {
            return;
        }
        c.deadline = c.deadline.visibility(hidden, now_ms);
    }

    /// No release can run: the error screen and the report, then a recheck.
    #[cold]
    #[inline(never)]
    pub(super) fn fail(&mut self, now_ms: f64) {
        self.state = State::Failed;
        let decisive = self.outcome.decisive(self.lineup.order());
        let code = decisive.map_or(Code::ManifestNoRelease, |p| p.code);
        // A recheck that started nothing and fails as the screen already
        // says (or finds only releases quarantined since) changes nothing on
        // it and reports nothing new: it waits for the next recheck. One that
        // tried a release and saw it fail shows and reports that, as any boot.
        let started = self.next_attempt != self.first_attempt;
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
