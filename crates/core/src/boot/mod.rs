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
mod inputs;
mod lineup;
mod outcome;
mod recovery;
mod settings;

pub use settings::*;

pub use recovery::{Recovering, DEFAULT_RECHECK_MAX_MS, DEFAULT_RECHECK_MS, MIN_RECHECK_MS};

use outcome::{warning, Ending};

use super::check::evaluate;
use super::config::{Contract, RuntimeConfig, Validated, MAX_DOCUMENT_BYTES};
use super::manifest::{Asset, AssetKind, Manifest, Release};
use super::origin;
use super::problem::{Code, Problem, Severity};
use super::record::{self, Quarantined, Record, Update};
use super::report::{self, Screen, Timings};
use super::rollout;
use super::texts;
use crate::value::{object, Value};

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
    /// A random seed from the shell, for the rechecks' jitter.
    pub seed: u64,
    /// Set when this boot is a recheck after the error screen (`recovery.rs`).
    pub recovering: Option<Recovering>,
    /// The host page's options' problems (`options::parse`), reported with the boot's.
    pub problems: Vec<Problem>,
    /// The id of this boot's first attempt (0 reads as 1). A page that
    /// starts again (the error screen's Retry) continues the numbering, so
    /// an event from an earlier boot's attempt never names one of this boot's.
    pub first_attempt: u32,
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
        LoadError::Unreadable(format!("{what}: no answer within {} s", crate::value::seconds(after_ms)))
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

/// What the mount point showed at a frame after the panel called `ready()`,
/// as the shell measured it (facts only: the core decides what they mean).
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
    /// What the mount point showed at the frame [`Action::Look`] asked for.
    Looked {
        /// The attempt.
        attempt: u32,
        /// What it showed.
        rendered: Rendering,
    },
    /// The attempt's bundle called `deskLoader.register(boot)`: the shell
    /// holds the boot function until [`Action::StartPanel`].
    PanelRegistered {
        /// The attempt whose files were loading when it was called.
        attempt: u32,
    },
    /// The panel threw, rejected or called `fail`.
    PanelFailed {
        /// The attempt.
        attempt: u32,
        /// `panel.threw` or `panel.failed`.
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
        /// The file's index in [`Attempt::assets`].
        index: usize,
    },
    /// The time [`Boot::poll_timeout`] gave has come (or, early, nothing is due yet).
    Timeout,
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
    /// What the server said with a document about asking again: its
    /// `Retry-After` and `Cache-Control` headers, as sent (`recovery.rs`).
    Hints {
        /// `Retry-After`.
        retry_after: Option<String>,
        /// `Cache-Control`.
        cache_control: Option<String>,
    },
    /// The agent clicked the error screen's "Try again" (`recovery.rs`).
    Retry,
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
    /// The state alone: no release, attempt or code yet.
    pub fn of(state: State) -> Status {
        Status { state, release: None, attempt: None, code: None }
    }

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
        let mut message = vec![("type".into(), Value::from("desk-loader:state"))];
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
    /// Add the attempt's scripts, held back (only fetched) until now:
    /// its stylesheets have loaded ([`Attempt::scripts_wait`]).
    RunScripts {
        /// The attempt.
        attempt: u32,
    },
    /// Call the boot function the attempt's bundle registered with its boot
    /// context (the first registration only).
    StartPanel {
        /// The attempt.
        attempt: u32,
    },
    /// Look at the mount point and answer [`Event::Looked`]: after the next
    /// frame the page renders (reading the layout it made, never forcing one),
    /// or, without `after_frame`, in a task of its own: while the page is
    /// hidden, or when no frame came within [`RENDER_BOUND_MS`] (a window
    /// the engine does not paint, though it says it is visible).
    Look {
        /// The attempt.
        attempt: u32,
        /// Wait for a frame first.
        after_frame: bool,
    },
    /// Remove everything the attempt added to the page, and tell its panel
    /// (its context's `signal` aborts).
    Remove {
        /// The attempt.
        attempt: u32,
    },
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
    /// Start this boot again, quietly, as a recheck after the error screen
    /// (`recovery.rs`): the shell does what the screen's Retry does, with
    /// [`Start::recovering`] set to this.
    Recheck(Recovering),
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
    /// Counts from 1 within the page load: a boot started again in the page
    /// goes on from the last ([`Start::first_attempt`]).
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
    /// Only fetch the scripts until [`Action::RunScripts`]: the release has
    /// stylesheets, and a panel that ran before them would render unstyled,
    /// then jump (a layout shift).
    pub scripts_wait: bool,
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
    /// The id of the first attempt ([`Start::first_attempt`]).
    first_attempt: u32,
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
    /// Set when this boot is a recheck after the error screen.
    recovering: Option<Recovering>,
    /// After a failure: when to recheck, and as what.
    recheck: Option<(Deadline, Recovering)>,
    /// What the error screen, once shown, stands for: the screen's "Try
    /// again" starts the boot again as this.
    on_screen: Option<Recovering>,
    /// No recheck before this time: a server's `Retry-After` or `max-age`.
    not_before_ms: f64,
    /// The rechecks' random state.
    rng: u64,
    /// For a recheck that found a release: how long the error screen showed.
    error_screen_ms: Option<f64>,
}

#[derive(Debug, Default)]
struct Docs {
    manifest: Option<Result<Value, LoadError>>,
    config: Vec<Option<Result<Value, LoadError>>>,
    record: Option<Result<Value, LoadError>>,
    backend: Option<Result<Value, LoadError>>,
}
