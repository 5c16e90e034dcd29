//! The boot's inputs and outputs: what the shell knows at start
//! ([`Start`], and [`Recovering`] for a recheck), tells the core ([`Event`],
//! with the facts it measured: [`Diagnosis`], [`Rendering`], [`LoadError`])
//! and is told to do ([`Action`], with the [`Attempt`] it injects), and the
//! public state the page sees ([`Status`], [`State`]). Public types only,
//! and no state: the parts of [`Boot`](super::Boot) use them, they use none.

use crate::config::MAX_DOCUMENT_BYTES;
use crate::manifest::Asset;
use crate::problem::{Code, Problem};
use crate::record::Update;
use crate::report::Screen;
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
    /// The mount point holds nothing at all (no element, no text): the host
    /// page wrote no loading state, and the boot shows one.
    pub mount_empty: bool,
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
    /// Read the files from Cache Storage, hash them and answer
    /// [`Event::CacheRead`]; they run from `blob:` URLs once the core has
    /// checked them ([`Action::RunCached`]). Under desk-loader's service
    /// worker an attempt from the cache has this unset: its files load at
    /// their own URLs, which the worker answers from the cache.
    pub from_cache: bool,
    /// Only fetch the scripts until [`Action::RunScripts`]: the release has
    /// stylesheets, and a panel that ran before them would render unstyled,
    /// then jump (a layout shift).
    pub scripts_wait: bool,
}

/// A boot that rechecks after the error screen, and what it needs to know
/// (`recovery.rs`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Recovering {
    /// Which recheck this is: 1 for the first.
    pub round: u32,
    /// When the error screen first showed, on the page's clock.
    pub since_ms: f64,
    /// The code the screen shows: a recheck that fails the same way keeps it.
    pub code: Code,
    /// The agent clicked "Try again": the boot shows and reports as any.
    pub by_agent: bool,
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

impl LoadError {
    /// `what` (a URL) gave no answer within `after_ms`: the core gave up on it.
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

/// Refuses a document larger than [`MAX_DOCUMENT_BYTES`] before it is
/// parsed: `what` names it (a URL, or `#id` for an inline document). The
/// boot applies it to each document's text ([`Event::Text`]); the CLI to
/// each file it reads.
pub fn check_document_size(bytes: usize, what: &str) -> Result<(), LoadError> {
    if bytes > MAX_DOCUMENT_BYTES {
        return Err(LoadError::Unreadable(format!(
            "{what}: {bytes} bytes, larger than the limit of {MAX_DOCUMENT_BYTES}"
        )));
    }
    Ok(())
}

/// What the shell found out about a file that failed to load, by fetching
/// it again (or, for an attempt from the cache, by reading the cache): facts
/// only. The core judges them (`attempt.rs`, `verdict`): whether the
/// bytes match the file's integrity, whether the failure was passing.
#[derive(Clone, Debug, PartialEq)]
pub enum Diagnosis {
    /// The fetch failed: offline, DNS, connection reset, CORS. The text says what the browser said.
    Network(String),
    /// The server answered with this HTTP status (not 2xx).
    Status(u16),
    /// The server sent the whole file: the digest of its bytes with the
    /// algorithm [`integrity::Metadata`](crate::integrity::Metadata) reads
    /// as the strongest of the file's integrity (empty when it has none).
    Served(Vec<u8>),
    /// The server sent the whole file, but its bytes could not be hashed
    /// (WebCrypto failed); the text says why.
    Unhashed(String),
    /// The attempt ran the file from a `blob:` URL of its cached copy
    /// ([`Attempt::from_cache`]): there is nothing to fetch again.
    FromCache,
    /// The attempt's files come from the cache, and this one is not there.
    NotCached,
    /// Cache Storage could not be read; the text says why.
    CacheUnreadable(String),
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
    /// A document arrived or failed, read: an object the host page gave
    /// (the shell writes it out with `JSON.stringify` and reads it with the
    /// core's parser; no size limit: it is the page's own, already in
    /// memory), or no stored record (`null`).
    Loaded(Doc, Result<Value, LoadError>),
    /// A document's text arrived (or failed): the core applies the size
    /// limit and reads it (`lineup.rs`, `read`). A fetched or inline
    /// document, or the stored record.
    Text(Doc, Result<String, LoadError>),
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
    /// holds each boot function it was given until [`Action::StartPanel`]
    /// names one.
    PanelRegistered {
        /// The attempt whose files were loading when it was called.
        attempt: u32,
        /// Which of the attempt's registrations, counting from 0.
        registration: u32,
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
    /// What a second look found at each chunk [`Action::LookAtChunks`] named.
    ChunksLooked {
        /// The attempt.
        attempt: u32,
        /// The module that failed, served intact.
        module: String,
        /// Each chunk and what was found.
        found: Vec<(String, Diagnosis)>,
    },
    /// The attempt's files were read from Cache Storage ([`Attempt::from_cache`]):
    /// the digest of each, by its index in [`Attempt::assets`] (chunks are
    /// not read), with the algorithm its integrity names as the strongest.
    /// The core compares, then answers [`Action::RunCached`] or fails the file.
    CacheRead {
        /// The attempt.
        attempt: u32,
        /// Each file read and its digest.
        digests: Vec<(usize, Vec<u8>)>,
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
    /// (`delivered`), or did not: another status or a network error. No
    /// answer within `reportTimeoutMs` is the core's to see
    /// ([`Action::AbortReport`]); a later answer is ignored.
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
    /// Read a document in the page at once and answer: [`Event::Text`] for
    /// the stored record or an inline `<script type="application/json">`,
    /// [`Event::Loaded`] for an object the host page gave or no stored record.
    Load(Doc),
    /// Fetch a document at `url` and answer [`Event::Text`], with the
    /// server's [`Event::Hints`]. The core keeps its deadline
    /// (`fetchTimeoutMs`): when it passes, [`Action::Abort`] follows and the
    /// document counts as failed.
    Fetch {
        /// Which document.
        doc: Doc,
        /// Where.
        url: String,
        /// Ask the server again, never the browser's cache as it is: a
        /// recheck after the error screen.
        revalidate: bool,
    },
    /// Abort the fetch of this document: its time ran out. Its answer, if
    /// one still comes, is ignored.
    Abort(Doc),
    /// Add the release's files to the page (or from the cache) and hand its panel this context.
    Inject(Attempt),
    /// Add the attempt's scripts, held back (only fetched) until now:
    /// its stylesheets have loaded ([`Attempt::scripts_wait`]).
    RunScripts {
        /// The attempt.
        attempt: u32,
    },
    /// Call the boot function the attempt's bundle registered with its boot
    /// context: the one [`Event::PanelRegistered`] numbered `registration`,
    /// the attempt's first.
    StartPanel {
        /// The attempt.
        attempt: u32,
        /// Which registration ([`Event::PanelRegistered`]).
        registration: u32,
    },
    /// Fetch each of these chunks again and answer [`Event::ChunksLooked`]:
    /// the module failed to load, though it is served intact, so one of the
    /// chunks it imports is at fault (the import map's integrity).
    LookAtChunks {
        /// The attempt.
        attempt: u32,
        /// The module.
        module: String,
        /// Each chunk of the release: its URL and integrity.
        chunks: Vec<(String, String)>,
    },
    /// Add the files of an attempt from the cache, from `blob:` URLs of
    /// the bytes [`Event::CacheRead`] hashed: each matched its integrity.
    RunCached {
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
    /// longer has them; then answer [`Event::Cached`]. A file the cache
    /// holds already is not fetched again: a kept copy is checked when it
    /// is used ([`Event::CacheRead`]).
    CacheAssets {
        /// The release, the known-good one from now on.
        release: String,
        /// Its files.
        assets: Vec<Asset>,
    },
    /// Register desk-loader's service worker at this URL (`serviceWorker`):
    /// a release is ready, and the worker can keep it offline.
    RegisterWorker(String),
    /// Put the loading state back in the mount point: it must never be
    /// blank while the boot is loading or booting.
    ShowLoading,
    /// Show the error screen: no release can run.
    ShowError(Screen),
    /// Send this report of the boot's outcome: log `report`, post `body` to
    /// `to` as `content_type` when there is an endpoint (then answer
    /// [`Event::ReportSent`]), and give `report` to a native bridge. The
    /// core keeps the post's deadline (`reportTimeoutMs`).
    Report {
        /// The report (`docs/report.md`).
        report: Value,
        /// What the endpoint receives, in the host page's `reportFormat`.
        body: String,
        /// Its `Content-Type`.
        content_type: &'static str,
        /// The report endpoint (`reportUrl`), if any.
        to: Option<String>,
    },
    /// Abort the report's post: the endpoint did not answer in time.
    AbortReport,
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
