//! The requests the shell has in flight for the core, each with its
//! deadline: documents fetched (`fetchTimeoutMs`) and the report's post
//! (`reportTimeoutMs`). The shell keeps no timer of its own for them: their
//! deadlines are part of [`Boot::poll_timeout`](super::Boot::poll_timeout),
//! as every timer of quinn-proto's connection is part of its `poll_timeout`.

use super::io::Doc;

/// The fetches and the report post in flight.
#[derive(Debug, Default)]
pub(super) struct Requests {
    /// Each document being fetched: its URL and when its time runs out.
    fetches: Vec<(Doc, String, f64)>,
    /// When the report's post times out.
    report: Option<f64>,
}

/// A request whose time ran out.
#[derive(Debug, PartialEq)]
pub(super) enum Expired {
    /// A document's fetch, with its URL.
    Fetch(Doc, String),
    /// The report's post.
    Report,
}

impl Requests {
    /// A fetch of `doc` at `url` starts; it has until `until_ms`.
    pub(super) fn fetch(&mut self, doc: Doc, url: &str, until_ms: f64) {
        self.fetches.retain(|(d, _, _)| *d != doc);
        self.fetches.push((doc, url.to_owned(), until_ms));
    }

    /// Whether `doc` may still be answered: not fetched, or fetched and not
    /// timed out. A fetched one is done once answered.
    pub(super) fn answered(&mut self, doc: Doc, fetched: bool) -> bool {
        if !fetched {
            return true;
        }
        let before = self.fetches.len();
        self.fetches.retain(|(d, _, _)| *d != doc);
        self.fetches.len() < before
    }

    /// The report's post starts; it has until `until_ms`.
    pub(super) fn post_report(&mut self, until_ms: f64) {
        self.report = Some(until_ms);
    }

    /// The endpoint answered: whether the post was still awaited.
    pub(super) fn report_answered(&mut self) -> bool {
        self.report.take().is_some()
    }

    /// The earliest deadline in flight.
    pub(super) fn poll_timeout(&self) -> Option<f64> {
        let fetches = self.fetches.iter().map(|(_, _, at)| *at);
        fetches.chain(self.report).reduce(f64::min)
    }

    /// Takes every request whose time has run out at `now_ms`.
    pub(super) fn expire(&mut self, now_ms: f64) -> Vec<Expired> {
        let mut out = Vec::new();
        self.fetches.retain(|(doc, url, at)| {
            let due = now_ms >= *at;
            if due {
                out.push(Expired::Fetch(*doc, url.clone()));
            }
            !due
        });
        if self.report.is_some_and(|at| now_ms >= at) {
            self.report = None;
            out.push(Expired::Report);
        }
        out
    }
}
