//! The boot state machine: deterministic, no I/O, no clock.
//!
//! The shell drives it in the sans-IO style of quinn-proto:
//!
//! 1. Create a [`Boot`] with [`Options`] and call [`Boot::start`].
//! 2. Drain [`Boot::next_action`] and carry out each [`Action`] in order.
//! 3. Feed every outcome back with [`Boot::handle`], with the current time in
//!    milliseconds on the page's monotonic clock; then drain actions again.
//!
//! The machine never waits by itself: a deadline or a retry backoff is an
//! [`Action::StartTimer`] that the shell turns into a real timer, reporting
//! [`Event::TimerFired`]. Every run ends in [`State::Ready`] or
//! [`State::Failed`] once the shell has answered each action (see the
//! property tests in `tests/props.rs`).

use std::collections::VecDeque;

use super::check::evaluate;
use super::config::{Contract, RuntimeConfig, Validated, MAX_DOCUMENT_BYTES};
use super::manifest::{Asset, Manifest, Release};
use super::origin;
use super::problem::{Code, Problem, Severity};
use super::record::{self, Quarantined, Record, Update};
use super::report::{self, Screen, Timings};
use super::texts;
use super::value::{object, Value};

/// Settings of one boot, given by the host page.
#[derive(Clone, Debug, PartialEq)]
pub struct Options {
    /// How long a panel has, while the page is visible, to call `ready()`.
    pub ready_deadline_ms: f64,
    /// How many configuration sources the host page gave; they are merged in
    /// order, a later source winning per key (see `docs/config.md`).
    pub config_sources: usize,
    /// Whether the host page gave a backend version endpoint to read.
    pub backend_endpoint: bool,
    /// The page's origin, such as `https://desk.example`; empty when unknown.
    pub page_origin: String,
    /// Other origins the host page allows code from (never widened by a manifest).
    pub allowed_origins: Vec<String>,
    /// The host page's opt-out: same-origin files may come without integrity.
    /// Cross-origin files always need it.
    pub same_origin_without_integrity: bool,
    /// How the report is sent to the report endpoint (`reportFormat`).
    pub report_format: ReportFormat,
}

/// The body a report endpoint receives (`docs/report.md`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReportFormat {
    /// The report itself, as JSON (`text/plain`, so a cross-origin endpoint
    /// needs no CORS preflight).
    #[default]
    Json,
    /// An OTLP/HTTP JSON logs request (`ExportLogsServiceRequest`), for an
    /// OpenTelemetry Collector's `/v1/logs`.
    Otlp,
}

/// The default deadline: a healthy panel is ready within a few seconds on a
/// slow agent laptop; past 10 s an agent would rather see the previous release.
pub const DEFAULT_READY_DEADLINE_MS: f64 = 10_000.0;

/// The default time a document (manifest, configuration, backend version)
/// has to arrive before the shell gives up on it (`fetchTimeoutMs`).
pub const DEFAULT_FETCH_TIMEOUT_MS: f64 = 8_000.0;

/// The default time a report endpoint has to answer before the shell aborts
/// the request (`reportTimeoutMs`): a hanging endpoint holds one connection
/// for at most this long, and never past the page.
pub const DEFAULT_REPORT_TIMEOUT_MS: f64 = 5_000.0;

/// Retries of a release whose files failed to load for a transient reason
/// (network error, HTTP 5xx, 408 or 429), before moving on.
pub const MAX_RETRIES: u32 = 2;

/// Backoff before the first retry; doubled for each further one.
pub const RETRY_BACKOFF_MS: f64 = 300.0;

/// Most attempts in one boot, whatever happens: a bound on fallbacks and retries.
pub const MAX_ATTEMPTS: u32 = 12;

impl Default for Options {
    fn default() -> Options {
        Options {
            ready_deadline_ms: DEFAULT_READY_DEADLINE_MS,
            config_sources: 1,
            backend_endpoint: false,
            page_origin: String::new(),
            allowed_origins: Vec::new(),
            same_origin_without_integrity: false,
            report_format: ReportFormat::Json,
        }
    }
}

/// What the shell knows at start.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Start {
    /// The page's monotonic clock, in ms, as later given to [`Boot::handle`].
    pub now_ms: f64,
    /// Wall-clock time in ms since the Unix epoch, for the quarantine's expiry.
    pub wall_ms: f64,
    /// Whether the page is hidden now.
    pub hidden: bool,
    /// The browser's languages, most preferred first (`navigator.languages`).
    pub languages: Vec<String>,
    /// The browser's user-agent string; only its class is reported.
    pub user_agent: String,
    /// This boot's id, random: the shell draws it, the core has no randomness.
    pub boot_id: String,
}

/// A document the shell loads for the core.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Doc {
    /// The release manifest.
    Manifest,
    /// One source of the runtime configuration, by its index in the host
    /// page's list.
    Config(usize),
    /// The stored record (`null` when there is none).
    Record,
    /// The backend version endpoint's answer.
    Backend,
}

/// Why a document could not be had, as the shell saw it.
#[derive(Clone, Debug, PartialEq)]
pub enum LoadError {
    /// Fetching failed (network error or HTTP status); the text says which.
    Unreadable(String),
    /// The text is not JSON; the text is the parser's message.
    Malformed(String),
}

/// Refuses a document larger than [`MAX_DOCUMENT_BYTES`] before it is
/// parsed: `what` names it (a URL, or `#id` for an inline document).
pub fn check_document_size(bytes: usize, what: &str) -> Result<(), LoadError> {
    if bytes > MAX_DOCUMENT_BYTES {
        return Err(LoadError::Unreadable(format!(
            "{what}: {bytes} bytes, larger than the limit of {MAX_DOCUMENT_BYTES}"
        )));
    }
    Ok(())
}

impl LoadError {
    /// `what` (a URL) gave no answer within `after_ms`: the shell gave up on it.
    pub fn timed_out(what: &str, after_ms: f64) -> LoadError {
        LoadError::Unreadable(format!("{what}: no answer within {} s", super::value::seconds(after_ms)))
    }

    /// What went wrong, in words.
    pub fn text(&self) -> &str {
        match self {
            LoadError::Unreadable(t) | LoadError::Malformed(t) => t,
        }
    }
}

/// What the shell found out about a file that failed to load, by fetching it again.
#[derive(Clone, Debug, PartialEq)]
pub enum Diagnosis {
    /// The fetch failed: offline, DNS, connection reset, CORS. The text says what the browser said.
    Network(String),
    /// The server answered with this HTTP status (not 2xx).
    Status(u16),
    /// The file is served, but its bytes do not match its integrity.
    Mismatch,
    /// The file is served and intact now: the failure was passing.
    Intact,
    /// The attempt ran from the cache and the file is there, but not intact.
    CacheMiss,
    /// The attempt ran from the cache and the file is not there.
    NotCached,
}

/// What the mount point showed when the panel called `ready()`, as the
/// shell measured it (facts only: the core decides what they mean).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rendering {
    /// The mount point has a box: a width and a height above zero.
    pub mount_box: bool,
    /// It holds non-blank rendered text outside the loading state.
    pub text: bool,
    /// It holds an element, outside the loading state, with a box.
    pub element_box: bool,
}

impl Rendering {
    /// A panel that rendered: a box, with text and elements in it.
    pub const PANEL: Rendering = Rendering { mount_box: true, text: true, element_box: true };
    /// A mount point that shows nothing.
    pub const NOTHING: Rendering = Rendering { mount_box: false, text: false, element_box: false };

    /// What counts as rendered (`docs/panel-api.md`): the mount point has a
    /// box, and in it visible content, text or an element with a box. An
    /// empty element, or content that takes no room, is a blank desk: the
    /// attempt fails with `panel.empty`.
    pub fn is_rendered(self) -> bool {
        self.mount_box && (self.text || self.element_box)
    }
}

/// A timer the core asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// The ready deadline of an attempt.
    Deadline(u32),
    /// The backoff before retrying the release of an attempt.
    Retry(u32),
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
        /// What the mount point showed when the panel called `ready()`.
        rendered: Rendering,
    },
    /// The panel threw, rejected, called `fail`, or never registered.
    PanelFailed {
        /// The attempt.
        attempt: u32,
        /// `panel.threw`, `panel.failed` or `panel.not_registered`.
        code: Code,
        /// What the shell or the panel said; never shown as HTML.
        detail: String,
    },
    /// A file of the attempt did not load.
    AssetFailed {
        /// The attempt.
        attempt: u32,
        /// The file.
        url: String,
        /// What a second look found.
        diagnosis: Diagnosis,
    },
    /// A file of the attempt loaded (and, for a script, ran).
    AssetLoaded {
        /// The attempt.
        attempt: u32,
    },
    /// A timer started by [`Action::StartTimer`] fired.
    TimerFired(Timer),
    /// The report endpoint answered [`Action::Report`]'s body with a 2xx
    /// (`delivered`), or did not: another status, a network error, no
    /// answer in time.
    ReportSent {
        /// Whether the endpoint took it.
        delivered: bool,
    },
    /// The files of [`Action::CacheAssets`] are all in Cache Storage.
    Cached {
        /// The release they belong to.
        release: String,
    },
    /// The page became hidden or visible.
    Visibility {
        /// Whether it is hidden now.
        hidden: bool,
    },
    /// The mount point became empty: no element and no text (a panel cleared
    /// it, or a script removed everything).
    MountEmptied,
    /// The browser's Content Security Policy blocked something.
    CspViolation {
        /// The effective directive, such as `script-src-elem`.
        directive: String,
        /// What was blocked, as the browser reports it.
        blocked: String,
    },
}

/// A change of the boot's public state, as the page, its host and a native
/// app's bridge see it (`docs/embed.md`).
#[derive(Clone, Debug, PartialEq)]
pub struct Status {
    /// The new state.
    pub state: State,
    /// The release starting or started, if any.
    pub release: Option<String>,
    /// The attempt, if any.
    pub attempt: Option<u32>,
    /// On failure, the decisive code.
    pub code: Option<Code>,
}

impl Status {
    /// The `detail` of the `desk-loader:state` event and the bridge message's payload.
    pub fn to_value(&self) -> Value {
        object([
            ("state", self.state.as_str().into()),
            ("release", self.release.clone().into()),
            ("attempt", self.attempt.map(f64::from).into()),
            ("code", self.code.map(Code::as_str).into()),
        ])
    }

    /// The native bridge's message for this change (`docs/embed.md`): the
    /// event's detail with `"type": "desk-loader:state"` first.
    pub fn bridge_message(&self) -> Value {
        let mut message = vec![("type".to_owned(), Value::from("desk-loader:state"))];
        if let Value::Object(members) = self.to_value() {
            message.extend(members);
        }
        Value::Object(message)
    }
}

/// Something the shell must do.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Publish the boot state: attributes on the mount point, a DOM event, the native bridge.
    SetState(Status),
    /// Add a User Timing measure `desk-loader:<name>` from `start_ms` to `end_ms`.
    Measure {
        /// `manifest`, `config`, `bundle` or `ready`.
        name: &'static str,
        /// Start, on the clock given to [`Boot::handle`].
        start_ms: f64,
        /// End, on the same clock.
        end_ms: f64,
    },
    /// Load a document from wherever the host page said it is.
    Load(Doc),
    /// Add the release's files to the page (or from the cache) and hand its panel this context.
    Inject(Attempt),
    /// Remove everything the attempt added to the page.
    Remove {
        /// The attempt.
        attempt: u32,
    },
    /// Call back with [`Event::TimerFired`] at this time.
    StartTimer {
        /// Which timer.
        timer: Timer,
        /// When, on the clock given to [`Boot::handle`].
        at_ms: f64,
    },
    /// Stop a timer started earlier; it must not fire.
    CancelTimer(Timer),
    /// Apply this change to the stored record (see [`record::apply`]).
    UpdateRecord(Update),
    /// Keep these files in the cache, for a fallback when the server no
    /// longer has them; then answer [`Event::Cached`].
    CacheAssets {
        /// The release, the known-good one from now on.
        release: String,
        /// Its files.
        assets: Vec<Asset>,
    },
    /// Put the loading state back in the mount point: it must never be
    /// blank while the boot is loading or booting.
    ShowLoading,
    /// Show the error screen: no release can run.
    ShowError(Screen),
    /// Send this report of the boot's outcome: log `report`, post `body` to
    /// the report endpoint as `content_type` (then answer
    /// [`Event::ReportSent`]), and give `report` to a native bridge.
    Report {
        /// The report (`docs/report.md`).
        report: Value,
        /// What the endpoint receives, in the host page's `reportFormat`.
        body: String,
        /// Its `Content-Type`.
        content_type: &'static str,
    },
}

/// The boot's public state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Reading the manifest, configuration and record.
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
    /// Load the files from the cache, after checking their integrity, instead of the network.
    pub from_cache: bool,
}

/// A release that may be started, with what it will receive.
#[derive(Clone, Debug)]
struct Candidate {
    release: Release,
    validated: Validated,
    fingerprint: String,
    known_good: bool,
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
    /// Waiting for a retry's backoff, not for a panel.
    backing_off: bool,
    /// Files not yet loaded; a `ready()` counts only once they all have.
    assets_left: usize,
    /// A `ready()` heard while files were still loading, with what the panel rendered.
    early_ready: Option<Rendering>,
}

#[derive(Clone, Copy, Debug)]
enum Deadline {
    Running { at_ms: f64 },
    Paused { left_ms: f64 },
}

/// The state machine of one boot.
#[derive(Debug)]
pub struct Boot {
    options: Options,
    state: State,
    actions: VecDeque<Action>,
    docs: Docs,
    candidates: VecDeque<Candidate>,
    current: Option<Current>,
    next_attempt: u32,
    problems: Vec<Problem>,
    path: Vec<Value>,
    started_ms: f64,
    wall_ms: f64,
    hidden: bool,
    backend: Option<i64>,
    languages: Vec<String>,
    user_agent: &'static str,
    locale: Option<String>,
    manifest_at: Option<f64>,
    config_at: Option<f64>,
    injected_at: f64,
    loaded_at: Option<f64>,
    /// Release ids in the order they were considered: manifest order, then the record's.
    order: Vec<String>,
    /// The ready report, built when the shell asks for it (after the ready
    /// state is shown): the release id and the time of ready.
    ready_report: Option<(String, f64)>,
    /// Whether the record says the known-good release's files were stored in
    /// Cache Storage: a cached attempt that finds them gone is `cache.lost`.
    cache_kept: bool,
    /// This boot's id.
    boot_id: String,
    /// Summaries of earlier failed boots whose reports were not delivered,
    /// from the record; sent again in this boot's report.
    earlier: Vec<Value>,
}

#[derive(Debug, Default)]
struct Docs {
    manifest: Option<Result<Value, LoadError>>,
    config: Vec<Option<Result<Value, LoadError>>>,
    record: Option<Result<Value, LoadError>>,
    backend: Option<Result<Value, LoadError>>,
}

impl Boot {
    /// A boot that has not started.
    pub fn new(options: Options) -> Boot {
        Boot {
            options,
            state: State::Loading,
            actions: VecDeque::new(),
            docs: Docs::default(),
            candidates: VecDeque::new(),
            current: None,
            next_attempt: 1,
            problems: Vec::new(),
            path: Vec::new(),
            started_ms: 0.0,
            wall_ms: 0.0,
            hidden: false,
            backend: None,
            languages: Vec::new(),
            user_agent: "unknown",
            locale: None,
            manifest_at: None,
            config_at: None,
            injected_at: 0.0,
            loaded_at: None,
            order: Vec::new(),
            ready_report: None,
            cache_kept: false,
            boot_id: String::new(),
            earlier: Vec::new(),
        }
    }

    /// Starts the boot: asks for every document at once.
    pub fn start(&mut self, start: Start) {
        self.started_ms = start.now_ms;
        self.wall_ms = start.wall_ms;
        self.boot_id = start.boot_id;
        self.hidden = start.hidden;
        self.languages = start.languages;
        self.user_agent = report::user_agent_class(&start.user_agent);
        self.status(State::Loading, None, None);
        self.actions.push_back(Action::Load(Doc::Manifest));
        let sources = self.options.config_sources.max(1);
        self.docs.config = vec![None; sources];
        for i in 0..sources {
            self.actions.push_back(Action::Load(Doc::Config(i)));
        }
        self.actions.push_back(Action::Load(Doc::Record));
        if self.options.backend_endpoint {
            self.actions.push_back(Action::Load(Doc::Backend));
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

    /// The next action for the shell, in order. The ready report comes last,
    /// built only when asked for, so building it never delays the ready state.
    pub fn next_action(&mut self) -> Option<Action> {
        self.actions.pop_front().or_else(|| {
            let (release, at_ms) = self.ready_report.take()?;
            Some(self.report("ready", Some(&release), None, None, at_ms))
        })
    }

    /// Feeds an event in. Events that do not fit the current state, such as a
    /// `ready()` from an earlier attempt, are ignored.
    pub fn handle(&mut self, event: Event, now_ms: f64) {
        match event {
            Event::Loaded(doc, result) if self.state == State::Loading => {
                let slot = match doc {
                    Doc::Manifest => &mut self.docs.manifest,
                    Doc::Config(i) => match self.docs.config.get_mut(i) {
                        Some(slot) => slot,
                        None => return,
                    },
                    Doc::Record => &mut self.docs.record,
                    Doc::Backend => &mut self.docs.backend,
                };
                *slot = Some(result);
                match doc {
                    Doc::Manifest => self.manifest_at = Some(now_ms),
                    Doc::Config(_) => self.config_at = Some(now_ms),
                    _ => {}
                }
                let docs = &self.docs;
                let all_in = docs.manifest.is_some()
                    && docs.config.iter().all(Option::is_some)
                    && docs.record.is_some()
                    && (docs.backend.is_some() || !self.options.backend_endpoint);
                if all_in {
                    self.choose(now_ms);
                }
            }
            Event::PanelReady { attempt, rendered } if self.is_waiting_for(attempt) => {
                if let Some(c) = self.current.as_mut().filter(|c| c.assets_left > 0) {
                    // A stylesheet may still fail: the panel is ready once every file is in.
                    c.early_ready = Some(rendered);
                } else if rendered.is_rendered() {
                    self.ready(now_ms);
                } else {
                    let p = Problem::error(
                        Code::PanelEmpty,
                        "the panel called ready() but rendered nothing visible into the mount point",
                    );
                    self.attempt_failed(p, true, now_ms);
                }
            }
            Event::AssetLoaded { attempt } if self.is_waiting_for(attempt) => {
                let early = self.current.as_mut().and_then(|c| {
                    c.assets_left = c.assets_left.saturating_sub(1);
                    if c.assets_left == 0 {
                        self.loaded_at = Some(now_ms);
                    }
                    if c.assets_left == 0 {
                        c.early_ready.take()
                    } else {
                        None
                    }
                });
                if let Some(rendered) = early {
                    self.handle(Event::PanelReady { attempt, rendered }, now_ms);
                }
            }
            Event::PanelFailed { attempt, code, detail } if self.is_waiting_for(attempt) => {
                self.attempt_failed(Problem::error(code, detail), true, now_ms);
            }
            Event::AssetFailed { attempt, url, diagnosis } if self.is_waiting_for(attempt) => {
                self.asset_failed(&url, diagnosis, now_ms);
            }
            Event::TimerFired(Timer::Deadline(attempt)) if self.is_waiting_for(attempt) => {
                let running = matches!(self.current.as_ref().map(|c| c.deadline), Some(Deadline::Running { .. }));
                if running {
                    self.timed_out(now_ms);
                }
            }
            Event::ReportSent { delivered: true } => {
                let mut ids: Vec<String> = self
                    .earlier
                    .iter()
                    .filter_map(|s| s.get("bootId").and_then(Value::as_str))
                    .map(str::to_owned)
                    .collect();
                ids.push(self.boot_id.clone());
                self.actions.push_back(Action::UpdateRecord(Update::Delivered(ids)));
            }
            // Not delivered: a failed boot's summary is already kept (`fail`).
            Event::ReportSent { delivered: false } => {}
            Event::Cached { release } => {
                self.actions.push_back(Action::UpdateRecord(Update::Cached { release }));
            }
            Event::TimerFired(Timer::Retry(attempt)) => {
                let due = self.current.as_ref().is_some_and(|c| c.backing_off && c.attempt == attempt);
                if due && self.state == State::Booting {
                    if let Some(c) = self.current.take() {
                        self.inject(c.candidate, c.retries, c.from_cache, now_ms);
                    }
                }
            }
            Event::Visibility { hidden } => self.visibility(hidden, now_ms),
            Event::MountEmptied if matches!(self.state, State::Loading | State::Booting) => {
                self.actions.push_back(Action::ShowLoading);
            }
            Event::CspViolation { directive, blocked } if !matches!(self.state, State::Ready | State::Failed) => {
                self.csp_violation(directive, &blocked);
            }
            _ => {}
        }
    }

    // What follows `handle` marked `#[cold]` is what a healthy boot never
    // does. Kept out of line, the browser compiles it (wasm functions are
    // compiled on first call) only when a boot goes wrong.

    #[cold]
    #[inline(never)]
    fn timed_out(&mut self, now_ms: f64) {
        let secs = super::value::seconds(self.options.ready_deadline_ms);
        let p = Problem::error(Code::PanelTimeout, format!("the panel did not call ready() within {secs} s"));
        self.attempt_failed(p, true, now_ms);
    }

    #[cold]
    #[inline(never)]
    fn csp_violation(&mut self, directive: String, blocked: &str) {
        let mut p = Problem::warning(Code::CspViolation, format!("{directive}: the page's policy blocked {blocked}"));
        p.expected = Some(directive);
        self.problems.push(p);
    }

    fn is_waiting_for(&self, attempt: u32) -> bool {
        self.state == State::Booting && self.current.as_ref().is_some_and(|c| c.attempt == attempt && !c.backing_off)
    }

    /// The deadline runs only while the page is visible.
    #[cold]
    #[inline(never)]
    fn visibility(&mut self, hidden: bool, now_ms: f64) {
        self.hidden = hidden;
        let Some(c) = self.current.as_mut().filter(|c| !c.backing_off) else { return };
        if self.state != State::Booting {
            return;
        }
        let timer = Timer::Deadline(c.attempt);
        match (hidden, c.deadline) {
            (true, Deadline::Running { at_ms }) => {
                c.deadline = Deadline::Paused { left_ms: (at_ms - now_ms).max(0.0) };
                self.actions.push_back(Action::CancelTimer(timer));
            }
            (false, Deadline::Paused { left_ms }) => {
                c.deadline = Deadline::Running { at_ms: now_ms + left_ms };
                self.actions.push_back(Action::StartTimer { timer, at_ms: now_ms + left_ms });
            }
            _ => {}
        }
    }

    /// Every document is in: read them and line up the releases that can run.
    fn choose(&mut self, now_ms: f64) {
        let docs = std::mem::take(&mut self.docs);
        let manifest = match docs.manifest {
            Some(Ok(doc)) => {
                let (m, problems) = Manifest::parse(doc);
                self.problems.extend(problems);
                Some(m)
            }
            Some(Err(e)) => {
                self.problems.push(load_problem(Doc::Manifest, e));
                None
            }
            None => None,
        };
        let mut parts = Vec::new();
        for (i, part) in docs.config.into_iter().enumerate() {
            match part {
                Some(Ok(doc)) => {
                    let (runtime, problems) = RuntimeConfig::parse(doc);
                    self.problems.extend(problems);
                    parts.push(runtime);
                }
                // A source that cannot be read is left out, so what the
                // releases need is then named variable by variable.
                Some(Err(e)) => self.problems.push(warning(load_problem(Doc::Config(i), e))),
                None => {}
            }
        }
        let mut runtime = RuntimeConfig::merge(parts);
        self.locale = runtime.locale.clone();
        for (name, at) in [("manifest", self.manifest_at), ("config", self.config_at)] {
            if let Some(end_ms) = at {
                self.actions.push_back(Action::Measure { name, start_ms: self.started_ms, end_ms });
            }
        }
        match docs.backend {
            Some(Ok(v)) => match v.get("schema").and_then(super::value::as_integer) {
                Some(n) => runtime.backend_schema = Some(n),
                None => self.problems.push(Problem::warning(
                    Code::BackendUnknown,
                    "backend: the version endpoint did not answer {\"schema\": <integer>}",
                )),
            },
            Some(Err(e)) => self.problems.push(Problem::warning(
                Code::BackendUnknown,
                format!("backend: the version endpoint could not be read: {}", load_error_text(&e)),
            )),
            None => {}
        }
        self.backend = runtime.backend_schema;
        let record = match docs.record {
            Some(Ok(v)) => {
                let (r, problems) = Record::decode(&v);
                self.problems.extend(problems);
                r
            }
            Some(Err(e)) => {
                self.problems.push(Problem::warning(
                    Code::RecordDiscarded,
                    format!("stored record: {}; discarded", load_error_text(&e)),
                ));
                Record::default()
            }
            None => Record::default(),
        };
        self.line_up(manifest, &runtime, record);
        if self.candidates.is_empty() && !self.problems.iter().any(Problem::is_error) {
            self.problems.push(Problem::error(Code::ManifestNoRelease, "manifest: no release may be started"));
        }
        self.try_next(now_ms);
    }

    /// The newest viable release first; then the known-good one; then the
    /// other viable releases, newest first. Withdrawn, incompatible, invalid
    /// and quarantined releases are never candidates.
    fn line_up(&mut self, manifest: Option<Manifest>, runtime: &RuntimeConfig, mut record: Record) {
        // The releases are moved into the line-up, not copied: each holds its
        // manifest entry as a JSON value, for the known-good record.
        let Manifest { releases: listed, pin, withdrawn } = manifest.unwrap_or_default();
        let withdrawn = |id: &str| withdrawn.iter().any(|w| w == id);
        let pinned_out = |id: &str| pin.as_deref().is_some_and(|pin| pin != id);
        let mut good = record.known_good.take();
        // A stored release is untrusted input: one whose files break the
        // trust rules (another origin, no integrity) was never written by
        // this loader for this page. It is discarded, as record.md says, and
        // forgotten, never refused boot after boot under its own id.
        if let Some(p) = good.as_ref().and_then(|k| untrusted_files(&k.release, &self.options)) {
            self.problems.push(Problem::warning(
                Code::RecordDiscarded,
                format!("stored record: knownGood does not meet the page's trust rules ({}); discarded", p.message),
            ));
            self.actions.push_back(Action::UpdateRecord(Update::ForgetKnownGood));
            good = None;
        }
        self.cache_kept = good.as_ref().is_some_and(|k| k.cached);
        self.earlier = std::mem::take(&mut record.unsent);
        let is_good = |r: &Release| good.as_ref().is_some_and(|k| k.release.id == r.id);
        let mut releases: Vec<(Release, bool)> = listed
            .into_iter()
            .map(|r| {
                let good = is_good(&r);
                (r, good)
            })
            .collect();
        if let Some(k) = good.filter(|k| !releases.iter().any(|(r, _)| r.id == k.release.id)) {
            releases.push((k.release, true));
        }
        let mut viable = Vec::new();
        for (release, known_good) in releases {
            let note = |path: &mut Vec<Value>, outcome: &str| {
                path.push(object([("release", release.id.as_str().into()), ("outcome", outcome.into())]));
            };
            if withdrawn(&release.id) || pinned_out(&release.id) {
                continue;
            }
            self.order.push(release.id.clone());
            if let Some(p) = untrusted_files(&release, &self.options) {
                note(&mut self.path, p.code.as_str());
                self.problems.push(p);
                continue;
            }
            let mut validated = evaluate(&release, runtime);
            let fingerprint = record::fingerprint(&validated, |name| is_secret(&release.contract, name));
            let refused = (!validated.bootable()).then(|| {
                let incompatible = validated.problems.iter().any(|p| p.code == Code::BackendIncompatible);
                if incompatible {
                    "backend.incompatible"
                } else {
                    "config.invalid"
                }
            });
            // The boot keeps the problems (moved, not copied); the candidate keeps the values.
            self.problems.append(&mut validated.problems);
            if let Some(outcome) = refused {
                note(&mut self.path, outcome);
                continue;
            }
            if let Some(q) = record.quarantined(&release.id, &fingerprint, runtime.backend_schema, self.wall_ms) {
                let minutes = ((q.until_ms - self.wall_ms) / 60_000.0).ceil() as i64;
                self.problems.push(
                    Problem::warning(
                        Code::ReleaseQuarantined,
                        format!(
                            "release {}: skipped on this device for {minutes} more min after {}",
                            release.id, q.code
                        ),
                    )
                    .with_release(&release.id),
                );
                note(&mut self.path, "release.quarantined");
                continue;
            }
            viable.push(Candidate { release, validated, fingerprint, known_good });
        }
        if runtime.backend_schema.is_none() && viable.iter().any(|c| c.release.backend.is_some()) {
            self.problems.push(Problem::warning(
                Code::BackendUnknown,
                "backend: no schema version known (no backendSchema, no endpoint), so backend ranges were not checked",
            ));
        }
        let mut ordered: VecDeque<Candidate> = VecDeque::new();
        let mut rest = viable.into_iter();
        if let Some(first) = rest.next() {
            ordered.push_back(first);
        }
        let mut rest: Vec<Candidate> = rest.collect();
        if let Some(i) = rest.iter().position(|c| c.known_good) {
            ordered.push_back(rest.remove(i));
        }
        ordered.extend(rest);
        self.candidates = ordered;
    }

    fn try_next(&mut self, now_ms: f64) {
        if self.next_attempt > MAX_ATTEMPTS {
            self.candidates.clear();
            self.problems
                .push(Problem::error(Code::ManifestNoRelease, format!("boot: gave up after {MAX_ATTEMPTS} attempts")));
        }
        match self.candidates.pop_front() {
            Some(c) => self.inject(c, 0, false, now_ms),
            None => self.fail(now_ms),
        }
    }

    fn inject(&mut self, candidate: Candidate, retries: u32, from_cache: bool, now_ms: f64) {
        let mut assets = candidate.release.assets.clone();
        if retries > 0 && !from_cache {
            for a in &mut assets {
                a.url = retry_url(&a.url, retries);
            }
        }
        let attempt = Attempt {
            id: self.next_attempt,
            release_id: candidate.release.id.clone(),
            assets,
            config: candidate.validated.values_object(),
            features: candidate.validated.features_object(),
            from_cache,
        };
        self.next_attempt += 1;
        self.state = State::Booting;
        self.status(State::Booting, Some(&attempt.release_id), None);
        self.status_attempt(attempt.id);
        self.injected_at = now_ms;
        self.loaded_at = None;
        let (id, assets_left) = (attempt.id, attempt.assets.len());
        self.actions.push_back(Action::Inject(attempt));
        let deadline = if self.hidden {
            Deadline::Paused { left_ms: self.options.ready_deadline_ms }
        } else {
            let at_ms = now_ms + self.options.ready_deadline_ms;
            self.actions.push_back(Action::StartTimer { timer: Timer::Deadline(id), at_ms });
            Deadline::Running { at_ms }
        };
        self.current = Some(Current {
            attempt: id,
            from_cache,
            candidate,
            retries,
            deadline,
            backing_off: false,
            assets_left,
            early_ready: None,
        });
    }

    fn ready(&mut self, now_ms: f64) {
        let Some(c) = self.current.take() else { return };
        self.state = State::Ready;
        self.actions.push_back(Action::CancelTimer(Timer::Deadline(c.attempt)));
        self.note(&c, "ready");
        // The ready state first: what the host page and the agent wait for.
        // Then the bookkeeping, and the report last (see `next_action`).
        self.status(State::Ready, Some(&c.candidate.release.id), None);
        self.status_attempt(c.attempt);
        let bundle_end = self.loaded_at.unwrap_or(now_ms);
        self.actions.push_back(Action::Measure { name: "bundle", start_ms: self.injected_at, end_ms: bundle_end });
        self.actions.push_back(Action::Measure { name: "ready", start_ms: self.injected_at, end_ms: now_ms });
        self.actions.push_back(Action::UpdateRecord(Update::KnownGood {
            release: c.candidate.release.source.clone(),
            backend_schema: self.backend,
            config_fingerprint: c.candidate.fingerprint.clone(),
        }));
        if !c.from_cache {
            self.actions.push_back(Action::CacheAssets {
                release: c.candidate.release.id.clone(),
                assets: c.candidate.release.assets.clone(),
            });
        }
        // The served release recovered from whatever it met on the way (a
        // failed load before its retry or its cached copy): its problems are
        // warnings now. Other releases keep theirs: an error is a release
        // that could not serve (docs/report.md, "Severities").
        for p in self.problems.iter_mut().filter(|p| p.release.as_deref() == Some(c.candidate.release.id.as_str())) {
            p.severity = Severity::Warning;
        }
        self.ready_report = Some((c.candidate.release.id.clone(), now_ms));
    }

    #[cold]
    #[inline(never)]
    fn asset_failed(&mut self, url: &str, diagnosis: Diagnosis, now_ms: f64) {
        let Some(c) = self.current.as_ref() else { return };
        let (code, transient, detail) = match &diagnosis {
            Diagnosis::Network(why) => (Code::BundleLoadFailed, true, format!("{url}: network error: {why}")),
            Diagnosis::Status(s) if *s >= 500 || *s == 408 || *s == 429 => {
                (Code::BundleLoadFailed, true, format!("{url}: HTTP {s}"))
            }
            Diagnosis::Status(s) => (Code::BundleMissing, false, format!("{url}: HTTP {s}")),
            Diagnosis::Intact => {
                (Code::BundleLoadFailed, true, format!("{url}: failed to load, but is served intact now"))
            }
            Diagnosis::Mismatch => (
                Code::BundleIntegrity,
                false,
                format!("{url}: the file is served but does not match its integrity hash"),
            ),
            Diagnosis::CacheMiss => (Code::BundleMissing, false, format!("{url}: not intact in the cache")),
            Diagnosis::NotCached if self.cache_kept => (
                Code::CacheLost,
                false,
                format!(
                    "{url}: stored in Cache Storage after an earlier boot, gone now: this browser keeps no site data \
                     between page loads (a private window, or an app's non-persistent web view data store), so the \
                     known-good release cannot run offline here"
                ),
            ),
            Diagnosis::NotCached => (Code::BundleMissing, false, format!("{url}: not in the cache")),
        };
        if transient && c.retries < MAX_RETRIES && self.next_attempt <= MAX_ATTEMPTS {
            let mut c = self.current.take().expect("checked above");
            self.note(&c, "retry");
            self.problems.push(warning(Problem::error(code, detail).with_release(&c.candidate.release.id)));
            self.actions.push_back(Action::CancelTimer(Timer::Deadline(c.attempt)));
            self.actions.push_back(Action::Remove { attempt: c.attempt });
            let backoff = RETRY_BACKOFF_MS * f64::from(1u32 << c.retries);
            self.actions.push_back(Action::StartTimer { timer: Timer::Retry(c.attempt), at_ms: now_ms + backoff });
            c.retries += 1;
            c.backing_off = true;
            self.current = Some(c);
            return;
        }
        let unavailable = matches!(diagnosis, Diagnosis::Network(_) | Diagnosis::Status(_));
        let deterministic = code == Code::BundleIntegrity && !c.from_cache;
        if unavailable && c.candidate.known_good && !c.from_cache {
            // The server no longer has (or cannot send) the known-good files: run them from the cache.
            let c = self.current.take().expect("checked above");
            self.note(&c, code.as_str());
            self.problems.push(Problem::error(code, detail).with_release(&c.candidate.release.id));
            self.actions.push_back(Action::CancelTimer(Timer::Deadline(c.attempt)));
            self.actions.push_back(Action::Remove { attempt: c.attempt });
            self.inject(c.candidate, c.retries, true, now_ms);
            return;
        }
        self.attempt_failed(Problem::error(code, detail), deterministic, now_ms);
    }

    /// Ends the current attempt; a deterministic failure quarantines the release.
    #[cold]
    #[inline(never)]
    fn attempt_failed(&mut self, problem: Problem, deterministic: bool, now_ms: f64) {
        let Some(c) = self.current.take() else { return };
        self.note(&c, problem.code.as_str());
        if deterministic {
            self.actions.push_back(Action::UpdateRecord(Update::Quarantine(Quarantined {
                release: c.candidate.release.id.clone(),
                config_fingerprint: c.candidate.fingerprint.clone(),
                backend_schema: self.backend,
                until_ms: self.wall_ms + (now_ms - self.started_ms) + record::QUARANTINE_MS,
                code: problem.code.as_str().to_owned(),
            })));
        }
        self.problems.push(problem.with_release(&c.candidate.release.id));
        self.actions.push_back(Action::CancelTimer(Timer::Deadline(c.attempt)));
        self.actions.push_back(Action::Remove { attempt: c.attempt });
        self.try_next(now_ms);
    }

    fn note(&mut self, c: &Current, outcome: &str) {
        let mut entry = vec![
            ("release".to_owned(), Value::from(c.candidate.release.id.as_str())),
            ("attempt".to_owned(), Value::Number(f64::from(c.attempt))),
            ("outcome".to_owned(), outcome.into()),
        ];
        if c.from_cache {
            entry.push(("fromCache".to_owned(), true.into()));
        }
        self.path.push(Value::Object(entry));
    }

    #[cold]
    #[inline(never)]
    fn fail(&mut self, now_ms: f64) {
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
    fn decisive(&self) -> Option<&Problem> {
        let errors = || self.problems.iter().filter(|p| p.is_error());
        self.order
            .iter()
            .find_map(|id| errors().find(|p| p.release.as_deref() == Some(id)))
            .or_else(|| errors().find(|p| p.release.is_none()))
            .or_else(|| errors().next())
    }

    fn status(&mut self, state: State, release: Option<&str>, code: Option<Code>) {
        self.actions.push_back(Action::SetState(Status {
            state,
            release: release.map(str::to_owned),
            attempt: None,
            code,
        }));
    }

    /// Names the attempt in the status just queued.
    fn status_attempt(&mut self, attempt: u32) {
        if let Some(Action::SetState(s)) = self.actions.back_mut() {
            s.attempt = Some(attempt);
        }
    }

    /// The report action: the report, and the body the endpoint receives.
    fn report(
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
            ReportFormat::Otlp => (super::otlp::logs_request(&report).to_json(), "application/json"),
        };
        Action::Report { report, body, content_type }
    }
}

/// The trust rules on a release's files (`SECURITY.md`): each must be on the
/// page's origin or an allowed one, and carry integrity unless the host page
/// opted out for same-origin files. The first rule broken, as a problem.
fn untrusted_files(release: &Release, options: &Options) -> Option<Problem> {
    let page = options.page_origin.as_str();
    let refuse = |code: Code, urls: Vec<&str>, why: &str| {
        (!urls.is_empty())
            .then(|| Problem::error(code, format!("{}: {why}", urls.join(", "))).with_release(&release.id))
    };
    let foreign =
        release.assets.iter().filter(|a| !page.is_empty() && !origin::allowed(&a.url, page, &options.allowed_origins));
    let unchecked = release.assets.iter().filter(|a| {
        a.integrity.is_empty() && !(options.same_origin_without_integrity && origin::same_origin(&a.url, page))
    });
    refuse(
        Code::BundleOrigin,
        foreign.map(|a| a.url.as_str()).collect(),
        "not on this page's origin nor on an origin the host page allows",
    )
    .or_else(|| {
        refuse(
            Code::BundleIntegrity,
            unchecked.map(|a| a.url.as_str()).collect(),
            "no integrity, and the host page does not allow that for this file",
        )
    })
}

fn is_secret(contract: &Contract, name: &str) -> bool {
    contract.variables.iter().any(|v| v.name == name && v.secret)
}

fn warning(mut p: Problem) -> Problem {
    p.severity = Severity::Warning;
    p
}

fn load_error_text(e: &LoadError) -> String {
    match e {
        LoadError::Unreadable(why) => format!("could not be read: {why}"),
        LoadError::Malformed(why) => format!("not valid JSON: {why}"),
    }
}

fn load_problem(doc: Doc, e: LoadError) -> Problem {
    let (name, code) = match (doc, &e) {
        (Doc::Manifest, LoadError::Unreadable(_)) => ("manifest".to_owned(), Code::ManifestUnreadable),
        (Doc::Manifest, LoadError::Malformed(_)) => ("manifest".to_owned(), Code::ManifestMalformed),
        (Doc::Config(i), LoadError::Unreadable(_)) => {
            (format!("configuration source {}", i + 1), Code::ConfigUnreadable)
        }
        (Doc::Config(i), LoadError::Malformed(_)) => (format!("configuration source {}", i + 1), Code::ConfigMalformed),
        (Doc::Record | Doc::Backend, _) => ("record".to_owned(), Code::RecordDiscarded),
    };
    Problem::error(code, format!("{name}: {}", load_error_text(&e)))
}
