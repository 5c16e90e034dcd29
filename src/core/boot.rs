//! The boot state machine: deterministic, no I/O, no clock.
//!
//! The shell drives it in the sans-IO style of quinn-proto:
//!
//! 1. Create a [`Boot`] with [`Options`] and call [`Boot::start`].
//! 2. Drain [`Boot::next_action`] and carry out each [`Action`] in order.
//! 3. Feed every outcome back with [`Boot::handle`], with the current time in
//!    milliseconds from any fixed origin; then drain actions again.
//!
//! The machine never waits by itself: a deadline is an [`Action::StartTimer`]
//! that the shell turns into a real timer, reporting [`Event::TimerFired`].

use std::collections::VecDeque;

use super::config::{RuntimeConfig, Validated};
use super::manifest::{Asset, Manifest, Release};
use super::problem::{Code, Problem};
use super::value::{object, Value};

/// Settings of one boot, given by the host page.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// How long a panel has, from injection, to call `ready()`.
    pub ready_deadline_ms: f64,
    /// How many configuration sources the host page gave; they are merged in
    /// order, a later source winning per key (see `docs/config.md`).
    pub config_sources: usize,
}

/// The default deadline: a healthy panel is ready within a few seconds on a
/// slow agent laptop; past 10 s an agent would rather see the previous release.
pub const DEFAULT_READY_DEADLINE_MS: f64 = 10_000.0;

impl Default for Options {
    fn default() -> Options {
        Options { ready_deadline_ms: DEFAULT_READY_DEADLINE_MS, config_sources: 1 }
    }
}

/// A document the shell loads for the core.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Doc {
    /// The release manifest.
    Manifest,
    /// One source of the runtime configuration, by its index in the host
    /// page's list.
    Config(usize),
}

/// Why a document could not be had, as the shell saw it.
#[derive(Clone, Debug, PartialEq)]
pub enum LoadError {
    /// Fetching failed (network error or HTTP status); the text says which.
    Unreadable(String),
    /// The text is not JSON; the text is the parser's message.
    Malformed(String),
}

/// Something that happened, reported by the shell.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    /// A document arrived or failed.
    Loaded(Doc, Result<Value, LoadError>),
    /// The panel of this attempt called `ready()`.
    PanelReady {
        /// The attempt named in the boot context the panel was given.
        attempt: u32,
    },
    /// The attempt failed: a file did not load, the panel threw, or it called `fail`.
    AttemptFailed {
        /// The attempt.
        attempt: u32,
        /// What kind of failure.
        code: Code,
        /// What the shell or the panel said; never shown as HTML.
        detail: String,
    },
    /// A timer started by [`Action::StartTimer`] fired.
    TimerFired {
        /// The attempt the timer belongs to.
        attempt: u32,
    },
}

/// Something the shell must do.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Publish the boot state: attributes on the mount point and a DOM event.
    SetState(State),
    /// Load a document from wherever the host page said it is.
    Load(Doc),
    /// Add the release's files to the page and hand its panel this context.
    Inject(Attempt),
    /// Remove everything the attempt added to the page.
    Remove {
        /// The attempt.
        attempt: u32,
    },
    /// Call back with [`Event::TimerFired`] at this time.
    StartTimer {
        /// The attempt.
        attempt: u32,
        /// When, on the clock given to [`Boot::handle`].
        at_ms: f64,
    },
    /// Remember this release as the last one that worked.
    StoreRecord(Value),
    /// Show the error screen: no release can run.
    ShowError(Failure),
    /// Send this report of the boot's outcome.
    Report(Value),
}

/// The boot's public state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Reading the manifest and configuration.
    Loading,
    /// A release's files are loading and its panel is starting.
    Booting,
    /// A panel said it is ready.
    Ready,
    /// No release could run; the error screen is shown.
    Failed,
}

impl State {
    /// `loading`, `booting`, `ready` or `failed`, as in the `data-desk-state` attribute.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Loading => "loading",
            State::Booting => "booting",
            State::Ready => "ready",
            State::Failed => "failed",
        }
    }
}

/// One try at starting one release.
#[derive(Clone, Debug, PartialEq)]
pub struct Attempt {
    /// Counts from 1 within this boot.
    pub id: u32,
    /// The release.
    pub release_id: String,
    /// Its files, in order.
    pub assets: Vec<Asset>,
    /// The validated configuration values the panel receives.
    pub config: Value,
    /// Which features are on.
    pub features: Value,
}

/// Why nothing could run.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// The code of the decisive problem.
    pub code: Code,
    /// The release that was tried last, if any.
    pub release: Option<String>,
    /// Every problem, in the order found.
    pub problems: Vec<Problem>,
}

/// The state machine of one boot.
#[derive(Debug)]
pub struct Boot {
    options: Options,
    state: State,
    actions: VecDeque<Action>,
    manifest: Option<Result<Value, LoadError>>,
    config: Vec<Option<Result<Value, LoadError>>>,
    candidates: VecDeque<Candidate>,
    current: Option<Attempt>,
    next_attempt: u32,
    problems: Vec<Problem>,
    path: Vec<Value>,
    started_ms: f64,
}

#[derive(Debug)]
struct Candidate {
    release: Release,
    validated: Validated,
}

impl Boot {
    /// A boot that has not started.
    pub fn new(options: Options) -> Boot {
        Boot {
            options,
            state: State::Loading,
            actions: VecDeque::new(),
            manifest: None,
            config: Vec::new(),
            candidates: VecDeque::new(),
            current: None,
            next_attempt: 1,
            problems: Vec::new(),
            path: Vec::new(),
            started_ms: 0.0,
        }
    }

    /// Starts the boot: asks for the manifest and configuration.
    pub fn start(&mut self, now_ms: f64) {
        self.started_ms = now_ms;
        self.actions.push_back(Action::SetState(State::Loading));
        self.actions.push_back(Action::Load(Doc::Manifest));
        let sources = self.options.config_sources.max(1);
        self.config = vec![None; sources];
        for i in 0..sources {
            self.actions.push_back(Action::Load(Doc::Config(i)));
        }
    }

    /// The current state.
    pub fn state(&self) -> State {
        self.state
    }

    /// Every problem found so far.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// The next action for the shell, in order.
    pub fn next_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    /// Feeds an event in. Events that do not fit the current state, such as a
    /// `ready()` from an earlier attempt, are ignored.
    pub fn handle(&mut self, event: Event, now_ms: f64) {
        match event {
            Event::Loaded(doc, result) if self.state == State::Loading => {
                match doc {
                    Doc::Manifest => self.manifest = Some(result),
                    Doc::Config(i) => {
                        if let Some(slot) = self.config.get_mut(i) {
                            *slot = Some(result);
                        }
                    }
                }
                if self.manifest.is_some() && self.config.iter().all(Option::is_some) {
                    self.choose(now_ms);
                }
            }
            Event::PanelReady { attempt } if self.is_current(attempt) => self.ready(now_ms),
            Event::AttemptFailed { attempt, code, detail } if self.is_current(attempt) => {
                self.attempt_failed(Problem::error(code, detail), now_ms);
            }
            Event::TimerFired { attempt } if self.is_current(attempt) => {
                let secs = self.options.ready_deadline_ms / 1000.0;
                let p = Problem::error(Code::PanelTimeout, format!("the panel did not call ready() within {secs} s"));
                self.attempt_failed(p, now_ms);
            }
            _ => {}
        }
    }

    fn is_current(&self, attempt: u32) -> bool {
        self.state == State::Booting && self.current.as_ref().is_some_and(|a| a.id == attempt)
    }

    /// Both documents are in: read them and line up the releases that can run.
    fn choose(&mut self, now_ms: f64) {
        let manifest = match self.manifest.take() {
            Some(Ok(doc)) => {
                let (m, problems) = Manifest::parse(&doc);
                self.problems.extend(problems);
                m
            }
            Some(Err(e)) => {
                self.problems.push(load_problem(Doc::Manifest, e));
                Manifest::default()
            }
            None => Manifest::default(),
        };
        let mut parts = Vec::new();
        for (i, part) in std::mem::take(&mut self.config).into_iter().enumerate() {
            match part {
                Some(Ok(doc)) => {
                    let (runtime, problems) = RuntimeConfig::parse(&doc);
                    self.problems.extend(problems);
                    parts.push(runtime);
                }
                // A source that cannot be read is left out, so what the
                // releases need is then named variable by variable.
                Some(Err(e)) => {
                    let mut p = load_problem(Doc::Config(i), e);
                    p.severity = super::problem::Severity::Warning;
                    self.problems.push(p);
                }
                None => {}
            }
        }
        let runtime = RuntimeConfig::merge(parts);

        for release in manifest.releases {
            if manifest.withdrawn.contains(&release.id) {
                continue;
            }
            if manifest.pin.as_ref().is_some_and(|pin| pin != &release.id) {
                continue;
            }
            let validated = super::check::evaluate(&release, &runtime);
            let bootable = validated.bootable();
            self.problems.extend(validated.problems.iter().cloned());
            if bootable {
                self.candidates.push_back(Candidate { release, validated });
            } else {
                self.path.push(object([("release", release.id.as_str().into()), ("outcome", "invalid-config".into())]));
            }
        }
        if self.candidates.is_empty() && !self.problems.iter().any(Problem::is_error) {
            self.problems.push(Problem::error(Code::ManifestNoRelease, "manifest: no release may be started"));
        }
        self.try_next(now_ms);
    }

    fn try_next(&mut self, now_ms: f64) {
        let Some(c) = self.candidates.pop_front() else {
            self.fail(now_ms);
            return;
        };
        let attempt = Attempt {
            id: self.next_attempt,
            release_id: c.release.id.clone(),
            assets: c.release.assets.clone(),
            config: c.validated.values_object(),
            features: c.validated.features_object(),
        };
        self.next_attempt += 1;
        self.state = State::Booting;
        self.actions.push_back(Action::SetState(State::Booting));
        self.actions.push_back(Action::Inject(attempt.clone()));
        self.actions
            .push_back(Action::StartTimer { attempt: attempt.id, at_ms: now_ms + self.options.ready_deadline_ms });
        self.current = Some(attempt);
    }

    fn ready(&mut self, now_ms: f64) {
        let Some(attempt) = self.current.take() else {
            return;
        };
        self.state = State::Ready;
        self.path.push(object([("release", attempt.release_id.as_str().into()), ("outcome", "ready".into())]));
        let record = object([
            ("format", 1.0.into()),
            ("release", attempt.release_id.as_str().into()),
            ("assets", Value::Array(attempt.assets.iter().map(asset_value).collect())),
        ]);
        self.actions.push_back(Action::StoreRecord(record));
        self.actions.push_back(Action::SetState(State::Ready));
        self.actions.push_back(Action::Report(self.report("ready", Some(&attempt.release_id), now_ms)));
    }

    fn attempt_failed(&mut self, problem: Problem, now_ms: f64) {
        let Some(attempt) = self.current.take() else {
            return;
        };
        self.path
            .push(object([("release", attempt.release_id.as_str().into()), ("outcome", problem.code.as_str().into())]));
        self.problems.push(tag_release(problem, &attempt.release_id));
        self.actions.push_back(Action::Remove { attempt: attempt.id });
        self.try_next(now_ms);
    }

    fn fail(&mut self, now_ms: f64) {
        self.state = State::Failed;
        let decisive = self.problems.iter().rev().find(|p| p.is_error()).map_or(Code::ManifestNoRelease, |p| p.code);
        let release = self.path.last().and_then(|p| p.get("release")).and_then(Value::as_str).map(str::to_owned);
        self.actions.push_back(Action::SetState(State::Failed));
        self.actions.push_back(Action::ShowError(Failure {
            code: decisive,
            release: release.clone(),
            problems: self.problems.clone(),
        }));
        self.actions.push_back(Action::Report(self.report("failed", release.as_deref(), now_ms)));
    }

    fn report(&self, outcome: &str, release: Option<&str>, now_ms: f64) -> Value {
        object([
            ("format", 1.0.into()),
            ("outcome", outcome.into()),
            ("release", release.into()),
            ("elapsedMs", (now_ms - self.started_ms).round().into()),
            ("path", Value::Array(self.path.clone())),
            ("problems", Value::Array(self.problems.iter().map(Problem::to_value).collect())),
        ])
    }
}

fn tag_release(mut p: Problem, release: &str) -> Problem {
    p.release = Some(release.to_owned());
    p
}

fn load_problem(doc: Doc, e: LoadError) -> Problem {
    let (name, unreadable, malformed) = match doc {
        Doc::Manifest => ("manifest".to_owned(), Code::ManifestUnreadable, Code::ManifestMalformed),
        Doc::Config(i) => (format!("configuration source {}", i + 1), Code::ConfigUnreadable, Code::ConfigMalformed),
    };
    match e {
        LoadError::Unreadable(why) => Problem::error(unreadable, format!("{name}: could not be read: {why}")),
        LoadError::Malformed(why) => Problem::error(malformed, format!("{name}: not valid JSON: {why}")),
    }
}

fn asset_value(a: &Asset) -> Value {
    object([
        ("type", a.kind.as_str().into()),
        ("url", a.url.as_str().into()),
        ("integrity", a.integrity.as_str().into()),
    ])
}
