//! The boot state machine: deterministic, no I/O, no clock.
//!
//! The shell drives it in the sans-IO style of quinn-proto:
//!
//! 1. Create a [`Boot`] with [`Options`] and call [`Boot::start`].
//! 2. Drain [`Boot::next_action`] and carry out each [`Action`] in order.
//! 3. Feed every outcome back with [`Boot::handle`], with the current time in
//!    milliseconds on the page's monotonic clock; then drain actions again.
//!
//! The machine never waits by itself. Time is quinn-proto's way: after each
//! drain the shell asks [`Boot::poll_timeout`] for the earliest time the
//! machine needs to hear of (a ready deadline, a retry's backoff, a fetch's
//! or the report's deadline, a recheck), keeps
//! one timer for it, and feeds [`Event::Timeout`] when it fires. Every run
//! ends in [`State::Ready`] or [`State::Failed`] once the shell has answered
//! each action (see the property tests in `tests/props.rs`).
//!
//! [`Boot`] is a coordinator, as quinn-proto's `Connection` is: it holds the
//! options, the public state, the queue of actions and its parts, each a
//! type of its own file with its own methods (`lineup.rs`, `attempt.rs`,
//! `outcome.rs`, `recovery.rs`, `requests.rs`), and hands each event to the
//! parts it concerns (`inputs.rs`). The parts never name `Boot`: what one
//! needs of another, the coordinator passes in.

use std::collections::VecDeque;

mod attempt;
mod deadline;
mod inputs;
mod io;
mod lineup;
mod outcome;
mod recovery;
mod requests;

pub use crate::options::{
    Options, ReportFormat, DEFAULT_FETCH_TIMEOUT_MS, DEFAULT_READY_DEADLINE_MS, DEFAULT_RECHECK_MAX_MS,
    DEFAULT_RECHECK_MS, DEFAULT_REPORT_TIMEOUT_MS, MAX_ATTEMPTS, MAX_RETRIES, MIN_RECHECK_MS, RENDER_BOUND_MS,
    RETRY_BACKOFF_MS,
};
pub use attempt::retry_url;
pub use io::{
    check_document_size, Action, Attempt, Diagnosis, Doc, Event, LoadError, Recovering, Rendering, Start, State, Status,
};

use crate::options::Source;
use crate::problem::Problem;
use attempt::Attempts;
use lineup::Lineup;
use outcome::{Ending, Outcome};
use recovery::Recovery;
use requests::Requests;

/// The state machine of one boot.
#[derive(Debug)]
pub struct Boot {
    options: Options,
    state: State,
    /// Whether the page is hidden.
    hidden: bool,
    actions: VecDeque<Action>,
    /// The documents, then the releases that may run, in order.
    lineup: Lineup,
    /// The attempts' ids, and the one under way.
    attempts: Attempts,
    /// What is recorded and reported over the run.
    outcome: Outcome,
    /// Whether this boot is a recheck, and after a failure the next one.
    recovery: Recovery,
    /// The fetches and the report post in flight, with their deadlines.
    requests: Requests,
}

impl Boot {
    /// A boot that has not started.
    pub fn new(options: Options) -> Boot {
        Boot {
            options,
            state: State::Loading,
            hidden: false,
            actions: VecDeque::new(),
            lineup: Lineup::default(),
            attempts: Attempts::new(),
            outcome: Outcome::new(),
            recovery: Recovery::default(),
            requests: Requests::default(),
        }
    }

    /// Starts the boot: asks for every document at once.
    pub fn start(&mut self, start: Start) {
        let Start {
            now_ms,
            wall_ms,
            hidden,
            languages,
            user_agent,
            boot_id,
            seed,
            recovering,
            problems,
            first_attempt,
            mount_empty,
        } = start;
        self.outcome.start(now_ms, wall_ms, boot_id, languages, &user_agent, problems);
        self.attempts.start(first_attempt);
        self.hidden = hidden;
        self.recovery.start(recovering, seed);
        // A recheck keeps the error screen up while it reads; the agent's
        // "Try again" shows that it heard the click.
        if self.recovery.shows_loading() {
            self.publish(Status::of(State::Loading));
            // A host page that left the mount point empty still gets a loading state.
            if mount_empty {
                self.actions.push_back(Action::ShowLoading);
            }
        }
        for doc in self.lineup.expect(&self.options) {
            let action = match lineup::url_of(&self.options, doc) {
                Some(url) => {
                    let url = url.to_owned();
                    self.requests.fetch(doc, &url, now_ms + self.options.fetch_timeout_ms);
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
        self.attempts.next_id()
    }

    /// The earliest time, on the clock given to [`Boot::handle`], at which
    /// the machine must hear [`Event::Timeout`]: the end of a retry's
    /// backoff, the running ready deadline, after a failure the next recheck
    /// (these three pause while the page is hidden), a document fetch's
    /// deadline or the report post's (these two do not).
    /// The shell keeps one timer for it and asks again after every drain.
    pub fn poll_timeout(&self) -> Option<f64> {
        let own = match self.state {
            State::Failed => self.recovery.poll_timeout(),
            State::Booting => self.attempts.poll_timeout(),
            _ => None,
        };
        own.into_iter().chain(self.requests.poll_timeout()).reduce(f64::min)
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

    /// Publishes a change of the boot's public state.
    fn publish(&mut self, status: Status) {
        self.actions.push_back(Action::SetState(status));
    }

    /// The report action: the report of how the boot ended, with `release`
    /// (the one that served, or the decisive problem's), the body the
    /// endpoint receives, and the endpoint, whose answer is awaited for
    /// `reportTimeoutMs`.
    fn report(&mut self, ending: Ending<'_>, release: Option<&str>, now_ms: f64) -> Action {
        let report =
            self.outcome.report(ending, release, now_ms, self.lineup.backend(), self.recovery.error_screen_ms());
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
