//! A boot's settings from the host page, and the timing constants they default to.

use super::recovery::{DEFAULT_RECHECK_MAX_MS, DEFAULT_RECHECK_MS};

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
    /// The origin of the page's base URL (`document.baseURI`), against which
    /// the browser resolves a relative URL: empty for the page's own; another
    /// one when a `<base href>` moved it.
    pub base_origin: String,
    /// Other origins the host page allows code from (never widened by a manifest).
    pub allowed_origins: Vec<String>,
    /// The host page's opt-out: same-origin files may come without integrity.
    /// Cross-origin files always need it.
    pub same_origin_without_integrity: bool,
    /// How the report is sent to the report endpoint (`reportFormat`).
    pub report_format: ReportFormat,
    /// The first recheck's bound after the error screen (`recheckMs`; 0: no
    /// recheck): see `recovery.rs`.
    pub recheck_ms: f64,
    /// The longest wait between two rechecks (`recheckMaxMs`).
    pub recheck_max_ms: f64,
    /// The integrity values the page's import maps give (`integrity`
    /// members), when the shell could read them: a release's chunks run
    /// only if each is among them, since the map is the browser's only
    /// check on a chunk (`docs/manifest.md`, "Module graphs"). `None` where
    /// no page is known (the CLI, the embed's own choice).
    pub import_map_integrity: Option<Vec<String>>,
    /// desk-loader's service worker controls the page (`serviceWorker`): a
    /// release's files run from the cache at their own URLs, which the
    /// worker answers from Cache Storage when the network fails; without
    /// it, from `blob:` URLs, where a module's relative imports cannot
    /// resolve, so a release with chunks cannot run from the cache.
    pub worker: bool,
    /// The desk's stable id, which places it in each release's rollout
    /// (`core::rollout`): the host page's `deskId`, else one the shell keeps
    /// in the page's storage.
    pub desk_id: String,
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

/// How long, after `ready()`, the mount point has to show the panel: it is
/// looked at after each frame the page renders until it does, for at most
/// this long while the page is visible, then the attempt is `panel.empty`.
/// A framework's first render (React's is asynchronous) lands in the first
/// frame or two; a second is long past anything an agent would call a panel.
pub const RENDER_BOUND_MS: f64 = 1_000.0;

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
            base_origin: String::new(),
            allowed_origins: Vec::new(),
            same_origin_without_integrity: false,
            report_format: ReportFormat::Json,
            desk_id: String::new(),
            import_map_integrity: None,
            worker: false,
            recheck_ms: DEFAULT_RECHECK_MS,
            recheck_max_ms: DEFAULT_RECHECK_MAX_MS,
        }
    }
}
