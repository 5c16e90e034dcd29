//! The line-up: the documents read, and the releases that may run, in
//! order. [`Lineup`] holds the documents as they come in, then the
//! candidates, and what the documents said that the attempts need (the
//! backend's schema, whether the known-good release's files were kept).

use std::collections::VecDeque;

use super::io::{check_document_size, Action, Doc, LoadError};
use super::outcome::{warning, Outcome};
use crate::check::evaluate;
use crate::config::{Contract, RuntimeConfig, Validated};
use crate::manifest::{AssetKind, Manifest, Release};
use crate::options::{Options, Source};
use crate::origin;
use crate::problem::{Code, Problem};
use crate::record::{self, Record, Update};
use crate::rollout;
use crate::value::Value;

/// A release that may be started, with what it will receive.
#[derive(Clone, Debug)]
pub(super) struct Candidate {
    pub(super) release: Release,
    pub(super) validated: Validated,
    pub(super) fingerprint: String,
    pub(super) known_good: bool,
}

/// The documents, then the releases that may run, in order.
#[derive(Debug, Default)]
pub(super) struct Lineup {
    docs: Docs,
    candidates: VecDeque<Candidate>,
    /// Release ids in the order they were considered: manifest order, then the record's.
    order: Vec<String>,
    /// The backend's schema version the releases were judged against.
    backend: Option<i64>,
    /// Whether the record says the known-good release's files were stored in
    /// Cache Storage: a cached attempt that finds them gone is `cache.lost`.
    cache_kept: bool,
}

/// Each document's answer, the first one, once it came.
#[derive(Debug, Default)]
struct Docs {
    manifest: Option<Result<Value, LoadError>>,
    config: Vec<Option<Result<Value, LoadError>>>,
    record: Option<Result<Value, LoadError>>,
    backend: Option<Result<Value, LoadError>>,
}

impl Lineup {
    /// The documents to ask for, each then awaited: the manifest, every
    /// configuration source, the record, and the backend's answer if the
    /// host page named an endpoint.
    pub(super) fn expect(&mut self, options: &Options) -> Vec<Doc> {
        let sources = options.config.len().max(1);
        self.docs.config = vec![None; sources];
        let mut docs = vec![Doc::Manifest];
        docs.extend((0..sources).map(Doc::Config));
        docs.push(Doc::Record);
        if options.backend_url.is_some() {
            docs.push(Doc::Backend);
        }
        docs
    }

    /// A document is in (or failed): the first answer for it counts. `None`
    /// when it does not (a second answer, or no such document); else whether
    /// every document is in now.
    pub(super) fn document_in(
        &mut self,
        doc: Doc,
        result: Result<Value, LoadError>,
        options: &Options,
    ) -> Option<bool> {
        let slot = match doc {
            Doc::Manifest => &mut self.docs.manifest,
            Doc::Config(i) => self.docs.config.get_mut(i)?,
            Doc::Record => &mut self.docs.record,
            Doc::Backend => &mut self.docs.backend,
        };
        if slot.is_some() {
            return None;
        }
        *slot = Some(result);
        let docs = &self.docs;
        Some(
            docs.manifest.is_some()
                && docs.config.iter().all(Option::is_some)
                && docs.record.is_some()
                && (docs.backend.is_some() || options.backend_url.is_none()),
        )
    }

    /// The next release to try, if any is left.
    pub(super) fn next(&mut self) -> Option<Candidate> {
        self.candidates.pop_front()
    }

    /// No release is tried any more.
    pub(super) fn give_up(&mut self) {
        self.candidates.clear();
    }

    /// Whether no release is left to try.
    pub(super) fn is_empty(&self) -> bool {
        self.candidates.is_empty()
    }

    /// Release ids in the order they were considered.
    pub(super) fn order(&self) -> &[String] {
        &self.order
    }

    /// The backend's schema version the releases were judged against.
    pub(super) fn backend(&self) -> Option<i64> {
        self.backend
    }

    /// Whether the record says the known-good release's files are in Cache Storage.
    pub(super) fn cache_kept(&self) -> bool {
        self.cache_kept
    }

    /// Every document is in: read them and line up the releases that can
    /// run. What was found goes to `outcome`.
    pub(super) fn choose(&mut self, options: &Options, outcome: &mut Outcome, actions: &mut VecDeque<Action>) {
        let docs = std::mem::take(&mut self.docs);
        let manifest = match docs.manifest {
            Some(Ok(doc)) => {
                let (m, mut problems) = Manifest::parse(doc);
                outcome.append(&mut problems);
                Some(m)
            }
            Some(Err(e)) => {
                outcome.push(load_problem(Doc::Manifest, e));
                None
            }
            None => None,
        };
        let mut parts = Vec::new();
        for (i, part) in docs.config.into_iter().enumerate() {
            match part {
                Some(Ok(doc)) => {
                    let (runtime, mut problems) = RuntimeConfig::parse(doc);
                    outcome.append(&mut problems);
                    parts.push(runtime);
                }
                // A source that cannot be read is left out, so what the
                // releases need is then named variable by variable.
                Some(Err(e)) => outcome.push(warning(load_problem(Doc::Config(i), e))),
                None => {}
            }
        }
        let mut runtime = RuntimeConfig::merge(parts);
        match docs.backend {
            Some(Ok(v)) => {
                let mut problems = Vec::new();
                crate::check::apply_backend(&v, &mut runtime, &mut problems);
                outcome.append(&mut problems);
            }
            Some(Err(e)) => outcome.push(Problem::warning(
                Code::BackendUnknown,
                format!("backend: the version endpoint could not be read: {}", load_error_text(&e)),
            )),
            None => {}
        }
        self.backend = runtime.backend_schema;
        let mut record = match docs.record {
            Some(Ok(v)) => {
                let (r, mut problems) = Record::decode(&v);
                outcome.append(&mut problems);
                r
            }
            Some(Err(e)) => {
                outcome.push(Problem::warning(
                    Code::RecordDiscarded,
                    format!("stored record: {}; discarded", load_error_text(&e)),
                ));
                Record::default()
            }
            None => Record::default(),
        };
        outcome.documents_read(runtime.locale.clone(), std::mem::take(&mut record.unsent));
        self.line_up(manifest, &runtime, record, options, outcome, actions);
        if self.candidates.is_empty() && !outcome.has_error() {
            outcome.push(Problem::error(Code::ManifestNoRelease, "manifest: no release may be started"));
        }
    }

    /// The newest viable release first; then the known-good one; then the
    /// other viable releases, newest first. Withdrawn, incompatible, invalid
    /// and quarantined releases are never candidates.
    fn line_up(
        &mut self,
        manifest: Option<Manifest>,
        runtime: &RuntimeConfig,
        mut record: Record,
        options: &Options,
        outcome: &mut Outcome,
        actions: &mut VecDeque<Action>,
    ) {
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
        if let Some(p) = good.as_ref().and_then(|k| untrusted_files(&k.release, options)) {
            outcome.push(Problem::warning(
                Code::RecordDiscarded,
                format!("stored record: knownGood does not meet the page's trust rules ({}); discarded", p.message),
            ));
            actions.push_back(Action::UpdateRecord(Update::ForgetKnownGood));
            good = None;
        }
        self.cache_kept = good.as_ref().is_some_and(|k| k.cached);
        let wall_ms = outcome.started_wall_ms();
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
        for (mut release, known_good) in releases {
            // Outside its rollout, a release is as if not yet published: not
            // a candidate, not a fallback. A pinned one is for every desk, and
            // its reports count as a full rollout's.
            if pin.as_deref() == Some(release.id.as_str()) {
                release.rollout = None;
            }
            if withdrawn(&release.id) || pinned_out(&release.id) || !rollout::takes(&options.desk_id, &release) {
                continue;
            }
            let note = |what: &str| {
                let mut entry = vec![("release".into(), release.id.as_str().into()), ("outcome".into(), what.into())];
                if let Some(share) = release.rollout {
                    entry.push(("rollout".into(), share.into()));
                }
                Value::Object(entry)
            };
            self.order.push(release.id.clone());
            if let Some(p) = untrusted_files(&release, options) {
                outcome.note(note(p.code.as_str()));
                outcome.push(p);
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
            outcome.append(&mut validated.problems);
            if let Some(refused) = refused {
                outcome.note(note(refused));
                continue;
            }
            if let Some(q) = record.quarantined(&release.id, &fingerprint, runtime.backend_schema, wall_ms) {
                let minutes = ((q.until_ms - wall_ms) / 60_000.0).ceil() as i64;
                outcome.push(
                    Problem::warning(
                        Code::ReleaseQuarantined,
                        format!(
                            "release {}: skipped on this device for {minutes} more min after {}",
                            release.id, q.code
                        ),
                    )
                    .with_release(&release.id),
                );
                outcome.note(note("release.quarantined"));
                continue;
            }
            viable.push(Candidate { release, validated, fingerprint, known_good });
        }
        if runtime.backend_schema.is_none() && viable.iter().any(|c| c.release.backend.is_some()) {
            outcome.push(Problem::warning(
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
}

/// The URL `doc` is fetched from, when the host page gave one.
pub(super) fn url_of(options: &Options, doc: Doc) -> Option<&str> {
    if doc == Doc::Backend {
        return options.backend_url.as_deref();
    }
    match source(options, doc) {
        Some(Source::Url(url)) => Some(url),
        _ => None,
    }
}

/// Where the host page said `doc` is: `None` for the stored record and the
/// backend's endpoint.
pub(super) fn source(options: &Options, doc: Doc) -> Option<&Source> {
    match doc {
        Doc::Manifest => Some(&options.manifest),
        Doc::Config(i) => options.config.get(i),
        Doc::Backend | Doc::Record => None,
    }
}

/// A document's text read: the size limit first (the stored record's
/// own, `record::read_stored`), then the core's JSON parser.
pub(super) fn read(options: &Options, doc: Doc, text: Result<String, LoadError>) -> Result<Value, LoadError> {
    let text = text?;
    if doc == Doc::Record {
        return record::read_stored(&text, options.parse_number).map_err(LoadError::Malformed);
    }
    let what = match (url_of(options, doc), doc) {
        (Some(url), _) => url.to_owned(),
        (None, Doc::Manifest) => options.manifest.name(),
        (None, Doc::Config(i)) => options.config.get(i).map(Source::name).unwrap_or_default(),
        (None, _) => String::new(),
    };
    check_document_size(text.len(), &what)?;
    crate::json::parse(&text, options.parse_number).map_err(|e| LoadError::Malformed(e.to_string()))
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
    // Each refused URL with its reason, shown escaped when it holds a
    // character that would not print as it reads (a tab, a line break).
    let foreign: Vec<String> = release
        .assets
        .iter()
        .filter(|_| !page.is_empty())
        .filter_map(|a| {
            let why = origin::check(&a.url, page, &options.base_origin, &options.allowed_origins).err()?;
            Some(format!("{}: {why}", origin::shown(&a.url)))
        })
        .collect();
    let unchecked = release.assets.iter().filter(|a| {
        a.integrity.is_empty()
            && (a.kind == AssetKind::Chunk
                || !(options.same_origin_without_integrity && origin::same_origin(&a.url, page, &options.base_origin)))
    });
    // A chunk is checked by the browser only through the page's import map.
    let unmapped: Vec<&str> = match &options.import_map_integrity {
        Some(listed) => release
            .assets
            .iter()
            .filter(|a| a.kind == AssetKind::Chunk && !a.integrity.is_empty() && !listed.contains(&a.integrity))
            .map(|a| a.url.as_str())
            .collect(),
        None => Vec::new(),
    };
    (!foreign.is_empty())
        .then(|| Problem::error(Code::BundleOrigin, foreign.join("; ")).with_release(&release.id))
        .or_else(|| {
            refuse(
                Code::BundleIntegrity,
                unchecked.map(|a| a.url.as_str()).collect(),
                "no integrity, and the host page does not allow that for this file",
            )
        })
        .or_else(|| {
            refuse(
                Code::BundleIntegrity,
                unmapped,
                "the page's import map gives no integrity for it, so the browser would not check it \
                 (docs/manifest.md, \"Module graphs\")",
            )
        })
}

fn is_secret(contract: &Contract, name: &str) -> bool {
    contract.variables.iter().any(|v| v.name == name && v.secret)
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
