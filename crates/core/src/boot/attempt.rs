//! An attempt: a release's files injected, and what became of them.
//! [`Attempts`] numbers a boot's attempts and holds the one under way,
//! [`Current`]: its files counted as they load, its ready deadline (paused
//! while the page is hidden), the looks at the mount point after `ready()`,
//! a retry's backoff, the files read back from the cache, and the judgement
//! of a file that failed.

use std::collections::VecDeque;

use super::deadline::Deadline;
use super::io::{Action, Attempt, Diagnosis, Rendering};
use super::lineup::Candidate;
use crate::manifest::{Asset, AssetKind};
use crate::options::{Options, MAX_ATTEMPTS, MAX_RETRIES, RENDER_BOUND_MS, RETRY_BACKOFF_MS};
use crate::problem::{Code, Problem};
use crate::record::{Quarantined, Update};
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

/// The attempts of one boot: their ids, and the one under way.
#[derive(Debug)]
pub(super) struct Attempts {
    /// The id of the first attempt ([`Start::first_attempt`](super::Start::first_attempt)).
    first: u32,
    /// The id the next attempt gets.
    next: u32,
    /// The attempt under way, if any.
    current: Option<Current>,
}

/// Where the current attempt stands.
#[derive(Clone, Debug)]
pub(super) struct Current {
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
pub(super) enum Files {
    /// Their URLs.
    Network,
    /// Cache Storage, where a ready release's files were kept.
    Cache,
}

/// A file of the current attempt loaded: what follows.
#[derive(Debug, PartialEq)]
pub(super) enum FileIn {
    /// Nothing yet: other files are loading (or the file counted already).
    Counted,
    /// The last script ran and the bundle never registered.
    NotRegistered,
    /// The last file is in; `ready()` was heard before it.
    Last { early_ready: bool },
}

/// What the current attempt's timer found.
#[derive(Debug, PartialEq)]
pub(super) enum Due {
    /// Nothing, or a last look asked for.
    Nothing,
    /// The retry's backoff is over: the attempt starts again.
    Retry,
    /// The panel did not call `ready()` within the ready deadline.
    TimedOut,
    /// The panel called `ready()` but the mount point showed nothing within the bound.
    RenderedNothing,
}

/// What becomes of an attempt whose file failed.
#[derive(Debug, PartialEq)]
pub(super) enum Next {
    /// A passing failure: the same files again after a backoff.
    Retry,
    /// The known-good release's files, unavailable: run them from the cache.
    FromCache,
    /// A failure that would happen again: the release is quarantined.
    Quarantine,
    /// The next candidate goes on.
    End,
}

impl Attempts {
    /// None made yet; the first will be 1.
    pub(super) fn new() -> Attempts {
        Attempts { first: 1, next: 1, current: None }
    }

    /// The boot starts; its first attempt is `first` (0 reads as 1).
    pub(super) fn start(&mut self, first: u32) {
        self.first = first.max(1);
        self.next = self.first;
    }

    /// The id the next attempt would get.
    pub(super) fn next_id(&self) -> u32 {
        self.next
    }

    /// Attempts this boot has made.
    pub(super) fn made(&self) -> u32 {
        self.next - self.first
    }

    /// Whether `attempt` is the one under way, and not waiting for a retry.
    pub(super) fn is_waiting_for(&self, attempt: u32) -> bool {
        self.current.as_ref().is_some_and(|c| c.attempt == attempt && c.retry_at.is_none())
    }

    /// The attempt under way.
    pub(super) fn current(&self) -> Option<&Current> {
        self.current.as_ref()
    }

    /// The attempt under way, which ends.
    pub(super) fn take(&mut self) -> Option<Current> {
        self.current.take()
    }

    /// Starts an attempt of `candidate`, its files from `files`; after
    /// `retries` retries, each file's URL says so (`retry_url`). The
    /// attempt for the shell to inject.
    pub(super) fn begin(
        &mut self,
        candidate: Candidate,
        retries: u32,
        files: Files,
        now_ms: f64,
        hidden: bool,
        options: &Options,
    ) -> Attempt {
        let from_cache = files == Files::Cache;
        let mut assets = candidate.release.assets.clone();
        let styles_left = assets.iter().filter(|a| a.kind == AssetKind::Style).count();
        // Chunks are the browser's to fetch, as the panel imports them: no element, no event.
        let chunks = assets.iter().filter(|a| a.kind == AssetKind::Chunk).count();
        let scripts_left = assets.len() - styles_left - chunks;
        if retries > 0 && !from_cache {
            for a in &mut assets {
                a.url = retry_url(&a.url, retries);
            }
        }
        let attempt = Attempt {
            id: self.next,
            release_id: candidate.release.id.clone(),
            assets,
            config: candidate.validated.values_object(),
            features: candidate.validated.features_object(),
            // Under the worker, the files' own URLs: it answers from the cache.
            from_cache: from_cache && !options.worker(),
            scripts_wait: styles_left > 0 && scripts_left > 0,
        };
        self.next += 1;
        let assets_left = attempt.assets.len() - chunks;
        self.current = Some(Current {
            attempt: attempt.id,
            from_cache,
            candidate,
            retries,
            deadline: Deadline::after(options.ready_deadline_ms, now_ms, hidden),
            retry_at: None,
            loaded: vec![false; assets_left + chunks],
            assets_left,
            styles_left,
            scripts_left,
            registered: false,
            reading_cache: attempt.from_cache,
            early_ready: false,
            looking: None,
        });
        attempt
    }

    /// `c` waits for its retry, after a backoff that doubles with each.
    pub(super) fn back_off(&mut self, mut c: Current, now_ms: f64) {
        c.retry_at = Some(now_ms + RETRY_BACKOFF_MS * f64::from(1u32 << c.retries));
        c.retries += 1;
        self.current = Some(c);
    }

    /// The earliest time the attempt's timer needs: the end of a retry's
    /// backoff, or its running deadline.
    pub(super) fn poll_timeout(&self) -> Option<f64> {
        match self.current.as_ref().map(|c| (c.retry_at, c.deadline)) {
            Some((Some(at_ms), _) | (None, Deadline::Running { at_ms })) => Some(at_ms),
            _ => None,
        }
    }

    /// The panel called `ready()`: with every file in, the look at the
    /// mount point starts. A stylesheet may still fail: with files loading,
    /// the panel is ready once every file is in.
    pub(super) fn panel_ready(&mut self, now_ms: f64, hidden: bool, actions: &mut VecDeque<Action>) {
        let Some(c) = self.current.as_mut().filter(|c| c.looking.is_none()) else { return };
        if c.assets_left > 0 {
            c.early_ready = true;
        } else {
            self.look(now_ms, hidden, actions);
        }
    }

    /// The panel said it is ready, with every file in: the mount point is
    /// judged on what the agent sees, from the next frame on, for at most
    /// [`RENDER_BOUND_MS`] (`docs/panel-api.md`), hidden or not: a hidden
    /// page's looks need no frame. A framework that renders asynchronously
    /// (React) has its first frames.
    pub(super) fn look(&mut self, now_ms: f64, hidden: bool, actions: &mut VecDeque<Action>) {
        let after_frame = !hidden;
        let Some(c) = self.current.as_mut() else { return };
        c.looking = Some(Looking::default());
        c.deadline = Deadline::Running { at_ms: now_ms + RENDER_BOUND_MS };
        actions.push_back(Action::Look { attempt: c.attempt, after_frame });
    }

    /// A look answered: `Some(true)` when the panel rendered, `Some(false)`
    /// when it had its last look and rendered nothing; else another look.
    pub(super) fn looked(&mut self, rendered: Rendering, hidden: bool, actions: &mut VecDeque<Action>) -> Option<bool> {
        let c = self.current.as_mut()?;
        let looking = c.looking.as_mut()?;
        looking.answered += 1;
        if rendered.is_rendered() {
            Some(true)
        } else if looking.overdue {
            Some(false)
        } else {
            actions.push_back(Action::Look { attempt: c.attempt, after_frame: !hidden });
            None
        }
    }

    /// The bundle registered: the first registration starts the panel; a
    /// second is ignored.
    pub(super) fn registered(&mut self, registration: u32, actions: &mut VecDeque<Action>) {
        if let Some(c) = self.current.as_mut().filter(|c| !c.registered) {
            c.registered = true;
            actions.push_back(Action::StartPanel { attempt: c.attempt, registration });
        }
    }

    /// A file of the current attempt is in: with the last stylesheet the
    /// scripts run; with the last script, a bundle that never registered has
    /// failed; with the last file, a `ready()` heard early counts.
    pub(super) fn file_loaded(&mut self, index: usize, actions: &mut VecDeque<Action>) -> FileIn {
        let Some(c) = self.current.as_mut() else { return FileIn::Counted };
        let Some(kind) = c.candidate.release.assets.get(index).map(|a| a.kind) else { return FileIn::Counted };
        match c.loaded.get_mut(index) {
            Some(seen) if !*seen => *seen = true,
            _ => return FileIn::Counted,
        }
        c.assets_left = c.assets_left.saturating_sub(1);
        if kind == AssetKind::Style {
            c.styles_left = c.styles_left.saturating_sub(1);
            if c.styles_left == 0 && c.scripts_left > 0 {
                actions.push_back(Action::RunScripts { attempt: c.attempt });
            }
        } else {
            c.scripts_left = c.scripts_left.saturating_sub(1);
            if c.scripts_left == 0 && !c.registered {
                return FileIn::NotRegistered;
            }
        }
        if c.assets_left > 0 {
            return FileIn::Counted;
        }
        FileIn::Last { early_ready: std::mem::take(&mut c.early_ready) }
    }

    /// The attempt's timer at `now_ms`: the retry's backoff over, or the
    /// deadline passed. A deadline that passes before any look at the mount
    /// point was answered asks for one last look, at once.
    pub(super) fn due(&mut self, now_ms: f64, actions: &mut VecDeque<Action>) -> Due {
        let Some(c) = self.current.as_mut() else { return Due::Nothing };
        if c.retry_at.is_some_and(|at| now_ms >= at) {
            return Due::Retry;
        }
        if c.retry_at.is_some() || !c.deadline.passed(now_ms) {
            return Due::Nothing;
        }
        match c.looking.as_mut() {
            None => Due::TimedOut,
            Some(l) if l.answered == 0 => {
                l.overdue = true;
                c.deadline = Deadline::Paused { left_ms: 0.0 };
                actions.push_back(Action::Look { attempt: c.attempt, after_frame: false });
                Due::Nothing
            }
            Some(_) => Due::RenderedNothing,
        }
    }

    /// The ready deadline runs only while the page is visible; a retry's
    /// backoff and the look after `ready()` run hidden or not.
    pub(super) fn visibility(&mut self, hidden: bool, now_ms: f64) {
        if let Some(c) = self.current.as_mut().filter(|c| c.retry_at.is_none() && c.looking.is_none()) {
            c.deadline = c.deadline.visibility(hidden, now_ms);
        }
    }

    /// The files of an attempt from the cache were read: each must match its
    /// integrity before it runs ([`Action::RunCached`]); the first that does
    /// not is returned, to fail the attempt as a file not intact in the cache.
    pub(super) fn cache_read(
        &mut self,
        digests: &[(usize, Vec<u8>)],
        actions: &mut VecDeque<Action>,
    ) -> Option<(String, Verdict)> {
        let c = self.current.as_mut().filter(|c| c.reading_cache)?;
        c.reading_cache = false;
        let assets = &c.candidate.release.assets;
        let unread = assets
            .iter()
            .enumerate()
            .filter(|(_, a)| a.kind != AssetKind::Chunk)
            .find(|(i, _)| !digests.iter().any(|(read, _)| read == i));
        let bad = digests.iter().find_map(|(i, digest)| {
            let asset = assets.get(*i)?;
            // A copy without integrity never runs: nothing vouches for it.
            (matches(&asset.integrity, digest) != Some(true)).then(|| asset.url.clone())
        });
        match (bad, unread) {
            (Some(url), _) => Some((url, Verdict::CacheMiss(None))),
            (None, Some((_, a))) => Some((a.url.clone(), Verdict::NotCached)),
            (None, None) => {
                actions.push_back(Action::RunCached { attempt: c.attempt });
                None
            }
        }
    }
}

impl Current {
    /// The attempt's id.
    pub(super) fn id(&self) -> u32 {
        self.attempt
    }

    /// Its release's id.
    pub(super) fn release_id(&self) -> &str {
        &self.candidate.release.id
    }

    /// What to start again, and its files' place: the same release after
    /// the same retries.
    pub(super) fn again(self) -> (Candidate, u32, Files) {
        let files = if self.from_cache { Files::Cache } else { Files::Network };
        (self.candidate, self.retries, files)
    }

    /// Its entry in the boot's path, with how it went.
    pub(super) fn note(&self, outcome: &str) -> Value {
        let mut entry = vec![
            ("release".into(), Value::from(self.candidate.release.id.as_str())),
            ("attempt".into(), Value::Number(f64::from(self.attempt))),
            ("outcome".into(), outcome.into()),
        ];
        if self.from_cache {
            entry.push(("fromCache".into(), true.into()));
        }
        if let Some(share) = self.candidate.release.rollout {
            entry.push(("rollout".into(), share.into()));
        }
        Value::Object(entry)
    }

    /// It became ready: the record's new known-good release, judged against `backend`.
    pub(super) fn known_good(&self, backend: Option<i64>) -> Update {
        Update::KnownGood {
            release: self.candidate.release.source.clone(),
            backend_schema: backend,
            config_fingerprint: self.candidate.fingerprint.clone(),
        }
    }

    /// It became ready from the network: its files, to keep in the cache.
    pub(super) fn cache_assets(&self) -> Option<Action> {
        (!self.from_cache).then(|| Action::CacheAssets {
            release: self.candidate.release.id.clone(),
            assets: self.candidate.release.assets.clone(),
        })
    }

    /// It failed with `code` in a way that would happen again with the same
    /// release, configuration and `backend`: quarantined until `until_ms`.
    pub(super) fn quarantined(&self, backend: Option<i64>, until_ms: f64, code: Code) -> Update {
        Update::Quarantine(Quarantined {
            release: self.candidate.release.id.clone(),
            config_fingerprint: self.candidate.fingerprint.clone(),
            backend_schema: backend,
            until_ms,
            code: code.as_str().to_owned(),
        })
    }

    /// The asset at `url` (at the URL this attempt gave it: `retry_url`
    /// after a retry).
    fn asset(&self, url: &str) -> Option<&Asset> {
        let retried = self.retries > 0 && !self.from_cache;
        self.candidate.release.assets.iter().find(|a| a.url == url || retried && retry_url(&a.url, self.retries) == url)
    }

    /// For a module served intact that failed to load, the chunks to look at
    /// (a module fails too when a chunk it imports fails the import map's
    /// integrity); `None` when there is nothing more to look at.
    pub(super) fn chunks_to_look_at(&self, url: &str, verdict: &Verdict) -> Option<Vec<(String, String)>> {
        if *verdict != Verdict::Intact || self.asset(url)?.kind != AssetKind::Module {
            return None;
        }
        let chunks = self.candidate.release.assets.iter().filter(|a| a.kind == AssetKind::Chunk);
        let chunks: Vec<(String, String)> = chunks.map(|a| (a.url.clone(), a.integrity.clone())).collect();
        (!chunks.is_empty()).then_some(chunks)
    }

    /// The file at fault when `module`, served intact, failed: the first of
    /// its chunks that is not intact, else the module itself.
    pub(super) fn chunk_at_fault(&self, module: String, found: Vec<(String, Diagnosis)>) -> (String, Verdict) {
        found
            .into_iter()
            .map(|(chunk, d)| (self.verdict(&chunk, d), chunk))
            .find(|(v, _)| *v != Verdict::Intact)
            .map_or((module, Verdict::Intact), |(v, chunk)| (chunk, v))
    }

    /// The problem a failed file makes, judged (`verdict`), and what becomes
    /// of the attempt, after `made` attempts. `cache_kept`: the record says
    /// the known-good files were stored in Cache Storage.
    pub(super) fn failed(
        &self,
        url: String,
        verdict: Verdict,
        cache_kept: bool,
        options: &Options,
        made: u32,
    ) -> (Problem, Next) {
        let (code, transient, detail) = match &verdict {
            Verdict::Network(why) => (Code::BundleLoadFailed, true, format!("{url}: network error: {why}")),
            Verdict::Status(s) if *s >= 500 || *s == 408 || *s == 429 => {
                (Code::BundleLoadFailed, true, format!("{url}: HTTP {s}"))
            }
            Verdict::Status(s) => (Code::BundleMissing, false, format!("{url}: HTTP {s}")),
            Verdict::Intact => {
                (Code::BundleLoadFailed, true, format!("{url}: failed to load, but is served intact now"))
            }
            Verdict::Mismatch => (
                Code::BundleIntegrity,
                false,
                format!("{url}: the file is served but does not match its integrity hash"),
            ),
            Verdict::CacheMiss(None) => (Code::BundleMissing, false, format!("{url}: not intact in the cache")),
            Verdict::CacheMiss(Some(why)) => {
                (Code::BundleMissing, false, format!("{url}: not intact in the cache: {why}"))
            }
            Verdict::NotCached if cache_kept => (
                Code::CacheLost,
                false,
                format!(
                    "{url}: stored in Cache Storage after an earlier boot, gone now: this browser keeps no site data \
                     between page loads (a private window, or an app's non-persistent web view data store), so the \
                     known-good release cannot run offline here"
                ),
            ),
            Verdict::NotCached => (Code::BundleMissing, false, format!("{url}: not in the cache")),
        };
        let problem = Problem::error(code, detail);
        if transient && self.retries < MAX_RETRIES && made < MAX_ATTEMPTS {
            return (problem, Next::Retry);
        }
        let unavailable = matches!(verdict, Verdict::Network(_) | Verdict::Status(_));
        let deterministic = code == Code::BundleIntegrity && !self.from_cache;
        // From `blob:` URLs a module cannot import its chunks: only the worker runs those offline.
        let runs_from_cache =
            options.worker() || !self.candidate.release.assets.iter().any(|a| a.kind == AssetKind::Chunk);
        let next = if unavailable && self.candidate.known_good && !self.from_cache && runs_from_cache {
            // The server no longer has (or cannot send) the known-good files: run them from the cache.
            Next::FromCache
        } else if deterministic {
            Next::Quarantine
        } else {
            Next::End
        };
        (problem, next)
    }

    /// The core's judgement of what the shell found about `url`, a file of
    /// the attempt at the URL the attempt gave it; a file served with no
    /// integrity to compare is intact.
    pub(super) fn verdict(&self, url: &str, diagnosis: Diagnosis) -> Verdict {
        match diagnosis {
            Diagnosis::Network(why) | Diagnosis::Unhashed(why) => Verdict::Network(why),
            Diagnosis::Status(s) => Verdict::Status(s),
            Diagnosis::Served(digest) => {
                let integrity = self.asset(url).map_or("", |a| a.integrity.as_str());
                if matches(integrity, &digest) == Some(false) {
                    Verdict::Mismatch
                } else {
                    Verdict::Intact
                }
            }
            Diagnosis::FromCache => Verdict::CacheMiss(None),
            Diagnosis::CacheUnreadable(why) => Verdict::CacheMiss(Some(why)),
            Diagnosis::NotCached => Verdict::NotCached,
        }
    }
}

/// Whether `digest` (with the algorithm the file's integrity names as the
/// strongest) is one the integrity lists, as browsers compare: `None` when
/// the file has no integrity to compare. Metadata the manifest would refuse
/// matches nothing.
fn matches(integrity: &str, digest: &[u8]) -> Option<bool> {
    if integrity.is_empty() {
        return None;
    }
    Some(crate::integrity::parse(integrity).is_ok_and(|metadata| metadata.matches(digest)))
}

/// What the shell's facts about a failed file mean (`Diagnosis`).
#[derive(Debug, PartialEq)]
pub(super) enum Verdict {
    Network(String),
    Status(u16),
    /// Served intact now: the failure was passing.
    Intact,
    /// Served, but the bytes do not match the file's integrity.
    Mismatch,
    /// The attempt's copy in the cache is not intact, or could not be read (why).
    CacheMiss(Option<String>),
    NotCached,
}
