//! An attempt: a release's files injected, and what became of them.

use super::*;

impl Boot {
    pub(super) fn try_next(&mut self, now_ms: f64) {
        if self.attempts_made() >= MAX_ATTEMPTS {
            self.lineup.give_up();
            self.outcome
                .push(Problem::error(Code::ManifestNoRelease, format!("boot: gave up after {MAX_ATTEMPTS} attempts")));
        }
        match self.lineup.next() {
            Some(c) => self.begin(c, 0, Files::Network, now_ms),
            None => self.fail(now_ms),
        }
    }

    /// Attempts this boot has made.
    fn attempts_made(&self) -> u32 {
        self.next_attempt - self.first_attempt
    }

    /// The same release again, after its backoff: its files from the same place.
    pub(super) fn retry(&mut self, c: Current, now_ms: f64) {
        let files = if c.from_cache { Files::Cache } else { Files::Network };
        self.begin(c.candidate, c.retries, files, now_ms);
    }

    /// Starts an attempt of `candidate`, its files from `files`; after
    /// `retries` retries, each file's URL says so (`retry_url`).
    fn begin(&mut self, candidate: Candidate, retries: u32, files: Files, now_ms: f64) {
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
            id: self.next_attempt,
            release_id: candidate.release.id.clone(),
            assets,
            config: candidate.validated.values_object(),
            features: candidate.validated.features_object(),
            // Under the worker, the files' own URLs: it answers from the cache.
            from_cache: from_cache && !self.options.worker(),
            scripts_wait: styles_left > 0 && scripts_left > 0,
        };
        self.next_attempt += 1;
        self.state = State::Booting;
        self.publish(Status {
            release: Some(attempt.release_id.clone()),
            attempt: Some(attempt.id),
            ..Status::of(State::Booting)
        });
        self.outcome.injected(now_ms);
        let (id, assets_left) = (attempt.id, attempt.assets.len() - chunks);
        let attempt_reads_cache = attempt.from_cache;
        self.actions.push_back(Action::Inject(attempt));
        let deadline = Deadline::after(self.options.ready_deadline_ms, now_ms, self.hidden);
        self.current = Some(Current {
            attempt: id,
            from_cache,
            candidate,
            retries,
            deadline,
            retry_at: None,
            loaded: vec![false; assets_left + chunks],
            assets_left,
            styles_left,
            scripts_left,
            registered: false,
            reading_cache: attempt_reads_cache,
            early_ready: false,
            looking: None,
        });
    }

    pub(super) fn ready(&mut self, now_ms: f64) {
        let Some(c) = self.current.take() else { return };
        self.state = State::Ready;
        self.note(&c, "ready");
        // The ready state first: what the host page and the agent wait for.
        // Then the bookkeeping, and the report last (see `next_action`).
        self.publish(Status {
            release: Some(c.candidate.release.id.clone()),
            attempt: Some(c.attempt),
            ..Status::of(State::Ready)
        });
        self.outcome.measure_ready(now_ms, &mut self.actions);
        self.actions.push_back(Action::UpdateRecord(Update::KnownGood {
            release: c.candidate.release.source.clone(),
            backend_schema: self.lineup.backend(),
            config_fingerprint: c.candidate.fingerprint.clone(),
        }));
        if !c.from_cache {
            self.actions.push_back(Action::CacheAssets {
                release: c.candidate.release.id.clone(),
                assets: c.candidate.release.assets.clone(),
            });
        }
        // Off the boot's path: the worker keeps the release offline from now on.
        if let Some(url) = &self.options.service_worker {
            self.actions.push_back(Action::RegisterWorker(url.clone()));
        }
        self.outcome.ready(&c.candidate.release.id, now_ms);
    }

    #[cold]
    #[inline(never)]
    pub(super) fn asset_failed(
        &mut self,
        url: String,
        diagnosis: Diagnosis,
        graph: Vec<(String, Diagnosis)>,
        now_ms: f64,
    ) {
        let Some(c) = self.current.as_ref() else { return };
        // A module that is intact failed for one of the chunks it imports: the first at fault.
        let mut fault = (verdict(c, &url, diagnosis), url);
        if fault.0 == Verdict::Intact {
            if let Some((chunk, v)) = graph
                .into_iter()
                .map(|(chunk, d)| (verdict(c, &chunk, d), chunk))
                .find(|(v, _)| *v != Verdict::Intact)
                .map(|(v, chunk)| (chunk, v))
            {
                fault = (v, chunk);
            }
        }
        let (verdict, url) = fault;
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
            Verdict::NotCached if self.lineup.cache_kept() => (
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
        if transient && c.retries < MAX_RETRIES && self.attempts_made() < MAX_ATTEMPTS {
            let mut c = self.current.take().expect("checked above");
            self.note(&c, "retry");
            self.outcome.push(warning(Problem::error(code, detail).with_release(&c.candidate.release.id)));
            self.remove(c.attempt);
            c.retry_at = Some(now_ms + RETRY_BACKOFF_MS * f64::from(1u32 << c.retries));
            c.retries += 1;
            self.current = Some(c);
            return;
        }
        let unavailable = matches!(verdict, Verdict::Network(_) | Verdict::Status(_));
        let deterministic = code == Code::BundleIntegrity && !c.from_cache;
        // From `blob:` URLs a module cannot import its chunks: only the worker runs those offline.
        let runs_from_cache =
            self.options.worker() || !c.candidate.release.assets.iter().any(|a| a.kind == AssetKind::Chunk);
        if unavailable && c.candidate.known_good && !c.from_cache && runs_from_cache {
            // The server no longer has (or cannot send) the known-good files: run them from the cache.
            let c = self.current.take().expect("checked above");
            self.note(&c, code.as_str());
            self.outcome.push(Problem::error(code, detail).with_release(&c.candidate.release.id));
            self.remove(c.attempt);
            self.begin(c.candidate, c.retries, Files::Cache, now_ms);
            return;
        }
        let problem = Problem::error(code, detail);
        if deterministic {
            self.attempt_failed(problem, now_ms);
        } else {
            self.end_attempt(problem, now_ms);
        }
    }

    /// The files of an attempt from the cache were read: each must match its
    /// integrity before it runs ([`Action::RunCached`]); the first that does
    /// not fails the attempt as a file not intact in the cache.
    #[cold]
    #[inline(never)]
    pub(super) fn cache_read(&mut self, digests: &[(usize, Vec<u8>)], now_ms: f64) {
        let Some(c) = self.current.as_mut().filter(|c| c.reading_cache) else { return };
        c.reading_cache = false;
        let assets = &c.candidate.release.assets;
        let unread = assets
            .iter()
            .enumerate()
            .filter(|(_, a)| a.kind != AssetKind::Chunk)
            .find(|(i, _)| !digests.iter().any(|(read, _)| read == i));
        let bad = digests.iter().find_map(|(i, digest)| {
            let asset = assets.get(*i)?;
            let intact = crate::integrity::parse(&asset.integrity).is_ok_and(|m| m.matches(digest));
            (!intact).then(|| asset.url.clone())
        });
        match (bad, unread) {
            (Some(url), _) => self.asset_failed(url, Diagnosis::FromCache, Vec::new(), now_ms),
            (None, Some((_, a))) => {
                let url = a.url.clone();
                self.asset_failed(url, Diagnosis::NotCached, Vec::new(), now_ms);
            }
            (None, None) => {
                let attempt = c.attempt;
                self.actions.push_back(Action::RunCached { attempt });
            }
        }
    }

    /// Ends the current attempt on a failure that would happen again with
    /// the same release, configuration and backend: the release is
    /// quarantined (`docs/record.md`), and the next candidate goes on.
    #[cold]
    #[inline(never)]
    pub(super) fn attempt_failed(&mut self, problem: Problem, now_ms: f64) {
        if let Some(c) = self.current.as_ref() {
            self.actions.push_back(Action::UpdateRecord(Update::Quarantine(Quarantined {
                release: c.candidate.release.id.clone(),
                config_fingerprint: c.candidate.fingerprint.clone(),
                backend_schema: self.lineup.backend(),
                until_ms: self.outcome.wall(now_ms) + record::QUARANTINE_MS,
                code: problem.code.as_str().to_owned(),
            })));
        }
        self.end_attempt(problem, now_ms);
    }

    /// Ends the current attempt, and the next candidate goes on.
    #[cold]
    #[inline(never)]
    fn end_attempt(&mut self, problem: Problem, now_ms: f64) {
        let Some(c) = self.current.take() else { return };
        self.note(&c, problem.code.as_str());
        self.outcome.push(problem.with_release(&c.candidate.release.id));
        self.remove(c.attempt);
        self.try_next(now_ms);
    }

    /// Takes the attempt off the page, and puts the loading state back in the
    /// mount point until the next attempt's panel (or the error screen) replaces it.
    fn remove(&mut self, attempt: u32) {
        self.actions.push_back(Action::Remove { attempt });
        self.actions.push_back(Action::ShowLoading);
    }

    pub(super) fn note(&mut self, c: &Current, outcome: &str) {
        let mut entry = vec![
            ("release".into(), Value::from(c.candidate.release.id.as_str())),
            ("attempt".into(), Value::Number(f64::from(c.attempt))),
            ("outcome".into(), outcome.into()),
        ];
        if c.from_cache {
            entry.push(("fromCache".into(), true.into()));
        }
        if let Some(share) = c.candidate.release.rollout {
            entry.push(("rollout".into(), share.into()));
        }
        self.outcome.note(Value::Object(entry));
    }
}

/// What the shell's facts about a failed file mean (`Diagnosis`).
#[derive(Debug, PartialEq)]
enum Verdict {
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

/// The core's judgement of what the shell found about `url`, a file of the
/// attempt `c` at the URL the attempt gave it (`retry_url` after a retry);
/// a file with no integrity is intact when served.
fn verdict(c: &Current, url: &str, diagnosis: Diagnosis) -> Verdict {
    match diagnosis {
        Diagnosis::Network(why) => Verdict::Network(why),
        Diagnosis::Status(s) => Verdict::Status(s),
        Diagnosis::Served(digest) => {
            let retried = c.retries > 0 && !c.from_cache;
            let integrity = c
                .candidate
                .release
                .assets
                .iter()
                .find(|a| a.url == url || retried && retry_url(&a.url, c.retries) == url)
                .map_or("", |a| a.integrity.as_str());
            let intact = integrity.is_empty()
                || crate::integrity::parse(integrity).is_ok_and(|metadata| metadata.matches(&digest));
            if intact {
                Verdict::Intact
            } else {
                Verdict::Mismatch
            }
        }
        Diagnosis::FromCache => Verdict::CacheMiss(None),
        Diagnosis::CacheUnreadable(why) => Verdict::CacheMiss(Some(why)),
        Diagnosis::NotCached => Verdict::NotCached,
    }
}
