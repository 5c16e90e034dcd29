//! Recovery without a reload (`docs/error-screen.md`, "Recovery"): a desk on
//! the error screen reads the manifest and the configuration again on its
//! own, and boots as soon as a release can run, in the same page.
//!
//! The failed boot keeps a recheck timer, the core's like every other
//! (`poll_timeout`): the n-th recheck comes a random time between half and
//! all of `recheckMs`·2ⁿ⁻¹, at most `recheckMaxMs` (30 s then 3 min by
//! default: the first after 15–30 s), and never before a `Retry-After` or a
//! `Cache-Control: max-age` the server sent with a document. It runs only
//! while the page is visible. When it is due the core asks the shell to start
//! the same boot again ([`Action::Recheck`]), as the screen's Retry does, but
//! quietly: that boot keeps the error screen up while it reads, and if it
//! fails the same way it shows and reports nothing new and waits for the next
//! recheck. A boot that became ready has no recheck: a panel that is up stays
//! as it is.
//!
//! The screen's "Try again" ([`Event::Retry`](super::Event::Retry)) is a
//! recheck the agent asked for: it comes at once, shows the loading state
//! and reports as any boot, but it takes the pending recheck's place in the
//! backoff and keeps the time the screen first showed, so an agent's clicks
//! neither restart the fleet's backoff nor the report's `errorScreenMs`.
//!
//! [`Recovery`] is the boot's part in it: whether this boot is a recheck,
//! the next recheck once it failed, and what holds that back.

use std::collections::VecDeque;

use super::deadline::Deadline;
use super::io::{Action, Recovering};
use crate::options::Options;
use crate::problem::Code;

/// A boot's part in the recovery: whether it is a recheck, the next
/// recheck after it failed, and what holds that back.
#[derive(Debug, Default)]
pub(super) struct Recovery {
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

impl Recovery {
    /// The boot starts: a recheck when `recovering` is set; `seed` is the
    /// shell's, for the rechecks' jitter.
    pub(super) fn start(&mut self, recovering: Option<Recovering>, seed: u64) {
        self.rng = seed;
        self.recovering = recovering;
    }

    /// Whether the boot shows its states from the start: a recheck keeps
    /// the error screen up while it reads; the agent's "Try again" shows
    /// that it heard the click.
    pub(super) fn shows_loading(&self) -> bool {
        self.recovering.is_none_or(|r| r.by_agent)
    }

    /// Whether this boot is a recheck: its fetches ask the server again.
    pub(super) fn rechecking(&self) -> bool {
        self.recovering.is_some()
    }

    /// A recheck found a release to start: how long the error screen showed
    /// is kept for the report. Whether this boot is a recheck (the loading
    /// state then replaces the error screen).
    pub(super) fn found_release(&mut self, now_ms: f64) -> bool {
        let Some(r) = self.recovering else { return false };
        self.error_screen_ms = Some(now_ms - r.since_ms);
        true
    }

    /// For a recheck that became ready: how long the error screen showed.
    pub(super) fn error_screen_ms(&self) -> Option<f64> {
        self.error_screen_ms
    }

    /// The code still on the screen, when this boot is a quiet recheck that
    /// started nothing (`started`) and fails as the screen already says
    /// (`code`), or finds only releases quarantined since (`quarantined`):
    /// it changes nothing on the screen and reports nothing new. One that
    /// tried a release and saw it fail shows and reports that, as any boot.
    pub(super) fn unchanged(&self, code: Code, started: bool, quarantined: bool) -> Option<Code> {
        self.recovering.filter(|r| !r.by_agent && !started && (r.code == code || quarantined)).map(|r| r.code)
    }

    /// After a failure with `code`: the next recheck, if the host page has them on.
    #[cold]
    #[inline(never)]
    pub(super) fn schedule(&mut self, code: Code, now_ms: f64, hidden: bool, options: &Options) {
        let (round, since_ms) = self.recovering.map_or((1, now_ms), |r| (r.round + 1, r.since_ms));
        self.on_screen = Some(Recovering { round, since_ms, code, by_agent: false });
        if options.recheck_ms <= 0.0 {
            return;
        }
        let cap = (options.recheck_ms * 2f64.powi(round.min(30) as i32 - 1)).min(options.recheck_max_ms);
        let at_ms = (now_ms + cap * (0.5 + 0.5 * self.random())).max(self.not_before_ms);
        self.recheck =
            Some((Deadline::at(at_ms, now_ms, hidden), Recovering { round, since_ms, code, by_agent: false }));
    }

    /// The agent clicked the error screen's "Try again": the shell starts
    /// the boot again at once, in the pending recheck's place.
    #[cold]
    #[inline(never)]
    pub(super) fn retry_clicked(&mut self, actions: &mut VecDeque<Action>) {
        if let Some(screen) = self.on_screen.take() {
            self.recheck = None;
            actions.push_back(Action::Recheck(Recovering { by_agent: true, ..screen }));
        }
    }

    /// The recheck's time, when it has come: the shell starts the boot again.
    #[cold]
    #[inline(never)]
    pub(super) fn due(&mut self, now_ms: f64, actions: &mut VecDeque<Action>) {
        if let Some((deadline, next)) = self.recheck {
            if deadline.passed(now_ms) {
                self.recheck = None;
                actions.push_back(Action::Recheck(next));
            }
        }
    }

    /// When the next recheck is due, if its timer runs.
    pub(super) fn poll_timeout(&self) -> Option<f64> {
        self.recheck.and_then(|(deadline, _)| deadline.running())
    }

    /// The recheck's timer runs only while the page is visible.
    pub(super) fn visibility(&mut self, hidden: bool, now_ms: f64) {
        if let Some((deadline, _)) = self.recheck.as_mut() {
            *deadline = deadline.visibility(hidden, now_ms);
        }
    }

    /// A server's word on when to ask again, with a document: `Retry-After`
    /// in seconds, or `Cache-Control`'s `max-age` (before which the browser's
    /// cache would answer with the same document anyway).
    pub(super) fn hints(
        &mut self,
        retry_after: Option<&str>,
        cache_control: Option<&str>,
        now_ms: f64,
        options: &Options,
    ) {
        let seconds = |s: &str| {
            let s = s.trim();
            (!s.is_empty() && s.len() <= 9 && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.bytes().fold(0.0, |n, b| n * 10.0 + f64::from(b - b'0')))
        };
        let max_age = cache_control.and_then(|c| {
            c.split(',').find_map(|d| {
                let (name, value) = d.split_once('=')?;
                name.trim().eq_ignore_ascii_case("max-age").then(|| seconds(value)).flatten()
            })
        });
        // Never beyond the longest wait between rechecks: a day's max-age on
        // a version endpoint must not hold recovery back for a day.
        for s in [retry_after.and_then(seconds), max_age].into_iter().flatten() {
            let at_ms = now_ms + (s * 1000.0).min(options.recheck_max_ms);
            self.not_before_ms = self.not_before_ms.max(at_ms);
        }
    }

    /// A number in [0, 1) from the shell's seed (xorshift64*): the core draws
    /// no randomness of its own.
    fn random(&mut self) -> f64 {
        let mut x = self.rng.max(1);
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng = x;
        (x.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11) as f64 / (1u64 << 53) as f64
    }
}
