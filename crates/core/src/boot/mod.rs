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
//! machine needs to hear of (a ready deadline or a retry's backoff), keeps
//! one timer for it, and feeds [`Event::Timeout`] when it fires. Every run
//! ends in [`State::Ready`] or [`State::Failed`] once the shell has answered
//! each action (see the property tests in `tests/props.rs`).

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
pub use io::{
    check_document_size, Action, Attempt, Diagnosis, Doc, Event, LoadError, Recovering, Rendering, Start, State, Status,
};

use deadline::Deadline;
use lineup::{Candidate, Lineup};
use outcome::{warning, Ending, Outcome};
use recovery::Recovery;

use super::manifest::AssetKind;
use super::problem::{Code, Problem};
use super::record::{self, Quarantined, Update};
use crate::value::Value;

/// The URL a retry loads a file from: its own, with `desk-retry=N` added to
/// the query. A new URL is a new request past every cache between the page
/// and the origin: WebKit answers a `<link rel="preload">` or `<script>` of
/// a URL whose preload failed earlier in the page with that failure, without
/// asking the server again, and a CDN may keep a 5xx for a while. A server
/// of static files ignores the query; the integrity stays the file's.
pub fn retry_url(url: &str, retries: u32) -> String {
    let (base, fragment) = url.split_once('#').map_or((url, None), |(b, f)| (b, Some(f)));
    let mut out = String::with_capacity(url.len() + 16);
    out.push_str(base);
    out.push(if base.contains('?') { '&' } else { '?' });
    out.push_str("desk-retry=");
    out.push_str(&retries.to_string());
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

/// Where the current attempt stands.
#[derive(Clone, Debug)]
struct Current {
    /// The attempt's id; its release and files are the candidate's.
    attempt: u32,
    /// Whether its files come from the cache.
    from_cache: bool,
    candidate: Candidate,
    retries: u32,
    /// When the deadline fires, or, while the page is hidden, how much of it is left.
    deadline: Deadline,
    /// Waiting for a retry's backoff until this time, not for a panel.
    retry_at: Option<f64>,
    /// Which of its files have loaded, by index: a second `load` of one counts once.
    loaded: Vec<bool>,
    /// Files not yet loaded; a `ready()` counts only once they all have.
    assets_left: usize,
    /// Stylesheets not yet loaded; the scripts run after the last one.
    styles_left: usize,
    /// Scripts not yet loaded (and run); after the last one, a bundle that
    /// never registered is `panel.not_registered`.
    scripts_left: usize,
    /// Whether the bundle called `deskLoader.register`.
    registered: bool,
    /// The files being read from Cache Storage, not yet checked.
    reading_cache: bool,
    /// A `ready()` heard while files were still loading.
    early_ready: bool,
    /// After `ready()`: the mount point is being looked at, frame by frame,
    /// until it shows the panel or the bound passes (`deadline` holds it).
    looking: Option<Looking>,
}

/// The looks at the mount point after `ready()`.
#[derive(Clone, Copy, Debug, Default)]
struct Looking {
    /// Looks answered so far.
    answered: u32,
    /// The bound passed before any look was answered: the next answer is the last.
    overdue: bool,
}

/// Where an attempt's files come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Files {
    /// Their URLs.
    Network,
    /// Cache Storage, where a ready release's files were kept.
    Cache,
}

/// The state machine of one boot.
#[derive(Debug)]
pub struct Boot {
    options: Options,
    state: State,
    actions: VecDeque<Action>,
    /// The documents, then the releases that may run, in order.
    lineup: Lineup,
    current: Option<Current>,
    next_attempt: u32,
    /// The id of the first attempt ([`Start::first_attempt`]).
    first_attempt: u32,
    hidden: bool,
    /// What is recorded and reported over the run.
    outcome: Outcome,
    /// Whether this boot is a recheck, and after a failure the next one.
    recovery: Recovery,
    /// The fetches and the report post in flight, with their deadlines.
    requests: requests::Requests,
}

impl Boot {
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
