//! The 2023-08-11 incident replayed across 10,000 desks, through the real
//! [`Boot`], in simulated time (`docs/operations.md`, "The incident across a
//! fleet"). `cargo run --release --example fleet` prints the table and the
//! plots that docs/operations.md shows; `cargo test --example fleet` checks
//! them against the document and the targets of issue 30.
//!
//! Every desk is a page running the core as the browser shell does: it
//! answers each [`Action`] after a simulated latency, keeps the stored
//! record between boots, and starts the boot again on a recheck, a reload or
//! an agent's "Try again". Nothing is random but the seeded draws below, so
//! a run prints the same figures every time.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use desk_loader_core::boot::{
    Action, Boot, Doc, Event, Options, Recovering, Rendering, Start, State, DEFAULT_RECHECK_MAX_MS, DEFAULT_RECHECK_MS,
};
use desk_loader_core::problem::Code;
use desk_loader_core::record;
use desk_loader_core::rollout::place;
use desk_loader_core::value::Value;

/// Desks in the fleet.
pub const DESKS: usize = 10_000;
const MINUTE: f64 = 60_000.0;
/// The wall clock at 07:00 (the simulation's 0), for the record's expiries.
const WALL: f64 = 1_691_730_000_000.0;

/// A time of the morning, on the simulation's clock (0 is 07:00).
const fn clock(h: u32, m: u32) -> f64 {
    ((h as f64 - 7.0) * 60.0 + m as f64) * MINUTE
}

/// The bad release is published with its schema migration.
pub const PUBLISHED: f64 = clock(9, 35);
/// The operator publishes the fixed release.
pub const FIX: f64 = clock(10, 22);
/// The simulation stops.
pub const END: f64 = clock(12, 0);

// The model's assumptions (docs/operations.md lists them with these values).
/// Agents log in uniformly between 07:00 and 10:00.
const LOGIN_UNTIL: f64 = clock(10, 0);
/// A desk that is up is reloaded (a navigation, a new window) on average every hour.
const RELOAD_MEAN: f64 = 60.0 * MINUTE;
/// An agent facing the error screen clicks "Try again" (or reloads) after 10 minutes on average.
const MANUAL_RETRY_MEAN: f64 = 10.0 * MINUTE;
/// A document's round trip, uniform in this range (ms).
const DOC_MS: (f64, f64) = (40.0, 200.0);
/// The panel's files, uniform in this range (ms).
const FILES_MS: (f64, f64) = (80.0, 400.0);
/// The panel's start, from its boot function to `ready()` or the throw (ms).
const START_MS: (f64, f64) = (50.0, 300.0);

/// The releases: the one that works before, the bad one, the fix.
const GOOD: &str = "2023.08.1";
const BAD: &str = "2023.08.2";
const FIXED: &str = "2023.08.3";

/// One row of the table.
#[derive(Clone, Copy, Debug)]
pub struct Case {
    /// What the row is called.
    pub name: &'static str,
    /// Whether the bad release is published at all: not on the baseline's morning.
    pub incident: bool,
    /// The bad release's `rollout`; `None` for every desk.
    pub rollout: Option<u32>,
    /// `recheckMs` and `recheckMaxMs`; `None` for rechecks off.
    pub recheck: Option<(f64, f64)>,
}

/// The cases of issue 30, then two that show what the defaults weigh: a
/// longer bound between rechecks, and recovery with no rollout.
pub const CASES: [Case; 5] = [
    Case { name: "today: no rollout, no recheck", incident: true, rollout: None, recheck: None },
    Case { name: "rollout 10 %", incident: true, rollout: Some(10), recheck: None },
    Case { name: "rollout 10 % + recovery", incident: true, rollout: Some(10), recheck: Some(DEFAULTS) },
    Case {
        name: "rollout 10 % + recovery, recheckMaxMs 5 min",
        incident: true,
        rollout: Some(10),
        recheck: Some((30_000.0, 300_000.0)),
    },
    Case { name: "recovery, no rollout", incident: true, rollout: None, recheck: Some(DEFAULTS) },
];

/// The same morning without the bad release: the origin's steady rate.
pub const BASELINE: Case = Case { name: "no incident", incident: false, rollout: None, recheck: Some(DEFAULTS) };

/// `recheckMs` and `recheckMaxMs` by default.
const DEFAULTS: (f64, f64) = (DEFAULT_RECHECK_MS, DEFAULT_RECHECK_MAX_MS);

/// The seed of the figures docs/operations.md shows.
pub const SEED: u64 = 0x2023_0811;

/// What one case came to.
#[derive(Clone, Debug, Default)]
pub struct Outcome {
    /// Desks that booted at least once between the release and the fix.
    pub exposed: usize,
    /// Desks that showed the error screen at least once.
    pub error_desks: usize,
    /// Agent-minutes on the error screen.
    pub error_minutes: f64,
    /// Agent-minutes with nothing on the page: neither loading, panel nor error screen.
    pub blank_minutes: f64,
    /// From the fix until 99 % of the desks logged in show a panel (ms).
    pub fix_to_99_ms: Option<f64>,
    /// Mean requests per second to the manifest and configuration origin, 09:35–12:00.
    pub mean_rps: f64,
    /// The busiest minute from 09:35 on, in requests per second.
    pub peak_rps: f64,
    /// Desks on the error screen, sampled every 5 minutes from 09:30.
    pub on_error: Vec<usize>,
    /// Requests per second to the origin, per 5 minutes from 09:30.
    pub rps: Vec<f64>,
}

/// What a desk's page shows.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Screen {
    /// Not logged in yet.
    Away,
    Loading,
    Panel,
    Error,
    /// Nothing: a boot that ended without a panel or an error screen.
    Blank,
}

/// Something that happens to a desk.
enum Kind {
    /// The page loads: a login or a reload.
    PageLoad,
    /// The boot starts again in the same page: a recheck, or "Try again".
    Restart(Option<Recovering>),
    /// An agent on the error screen clicks "Try again".
    ManualRetry,
    /// A desk that is up is reloaded (dropped if it is another boot's).
    Reload,
    /// The shell answers the boot.
    Deliver(Event),
    /// The shell's one timer, set for this time.
    Timer(f64),
}

/// A scheduled happening, ordered by time then by when it was scheduled.
struct Due {
    at: f64,
    seq: u64,
    desk: usize,
    /// The boot it belongs to: a later boot of the desk drops it.
    generation: u64,
    kind: Kind,
}

impl PartialEq for Due {
    fn eq(&self, other: &Due) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}
impl Eq for Due {}
impl PartialOrd for Due {
    fn partial_cmp(&self, other: &Due) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Due {
    fn cmp(&self, other: &Due) -> std::cmp::Ordering {
        self.at.total_cmp(&other.at).then(self.seq.cmp(&other.seq))
    }
}

struct Desk {
    id: String,
    options: Options,
    stored: Value,
    boot: Boot,
    /// Which boot of this desk's the scheduled events are for.
    generation: u64,
    /// The timer the shell holds for the boot, if any.
    timer: Option<f64>,
    /// Events in flight for the current boot.
    pending: usize,
    /// The release of each attempt of the current page.
    releases: Vec<(u32, String)>,
    next_attempt: u32,
    /// The agent means to click "Try again": one click pending at most.
    retry_pending: bool,
    screen: Screen,
    since: f64,
    saw_error: bool,
    exposed: bool,
    error_ms: f64,
    blank_ms: f64,
}

/// A SplitMix64 stream: the simulation's only randomness, seeded.
struct Rng(u64);

impl Rng {
    fn unit(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }

    fn between(&mut self, (low, high): (f64, f64)) -> f64 {
        low + (high - low) * self.unit()
    }

    fn exponential(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.unit()).ln()
    }

    fn seed(&mut self) -> u64 {
        (self.unit() * (1u64 << 53) as f64) as u64 | 1
    }
}

/// The manifest the origin serves at `now`: the good release; from 09:35
/// the bad one before it; from the fix, the fixed one first.
fn manifest(now: f64, case: Case) -> Value {
    let release = |id: &str, backend: &str, extra: &str| {
        format!(
            r#"{{"id": "{id}", "backend": "{backend}", "assets": [{{"type": "script", "url": "/desk/{id}/panel.js", "integrity": "sha384-{}"}}]{extra}}}"#,
            "A".repeat(64)
        )
    };
    let good = release(GOOD, "43", "");
    let bad = release(BAD, ">=44", &case.rollout.map_or(String::new(), |r| format!(r#", "rollout": {r}"#)));
    let fixed = release(FIXED, ">=43, <45", "");
    let releases = if now < PUBLISHED || !case.incident {
        good
    } else if now < FIX {
        format!("{bad}, {good}")
    } else {
        format!("{fixed}, {bad}, {good}")
    };
    json(&format!(r#"{{"format": 1, "releases": [{releases}]}}"#))
}

fn json(text: &str) -> Value {
    desk_loader_core::json::parse(text, |n| n.parse().ok()).expect("the simulation's documents are JSON")
}

struct Fleet {
    case: Case,
    desks: Vec<Desk>,
    queue: BinaryHeap<Reverse<Due>>,
    seq: u64,
    rng: Rng,
    now: f64,
    /// Requests to the manifest and configuration origin, per second of the morning.
    requests: Vec<u32>,
    logged_in: usize,
    on_panel: usize,
    on_error: usize,
    on_error_samples: Vec<usize>,
    fix_to_99_ms: Option<f64>,
    /// The documents the origin serves, by period: before, during, after.
    manifests: [Value; 3],
}

impl Fleet {
    fn new(case: Case, seed: u64) -> Fleet {
        let mut fleet = Fleet {
            case,
            desks: Vec::with_capacity(DESKS),
            queue: BinaryHeap::new(),
            seq: 0,
            rng: Rng(seed),
            now: 0.0,
            requests: vec![0; (END / 1000.0) as usize + 1],
            logged_in: 0,
            on_panel: 0,
            on_error: 0,
            on_error_samples: Vec::new(),
            fix_to_99_ms: None,
            manifests: [0.0, PUBLISHED, FIX].map(|t| manifest(t, case)),
        };
        for n in 0..DESKS {
            let options = Options {
                desk_id: format!("agent-{n:05}"),
                recheck_ms: case.recheck.map_or(0.0, |r| r.0),
                recheck_max_ms: case.recheck.map_or(0.0, |r| r.1),
                ..Options::default()
            };
            fleet.desks.push(Desk {
                id: options.desk_id.clone(),
                stored: Value::Null,
                boot: Boot::new(options.clone()),
                options,
                generation: 0,
                timer: None,
                pending: 0,
                releases: Vec::new(),
                next_attempt: 1,
                retry_pending: false,
                screen: Screen::Away,
                since: 0.0,
                saw_error: false,
                exposed: false,
                error_ms: 0.0,
                blank_ms: 0.0,
            });
            let login = fleet.rng.unit() * LOGIN_UNTIL;
            fleet.schedule(login, n, Kind::PageLoad);
        }
        fleet
    }

    /// The backend schema `desk` works against at `now`: the bad release's
    /// migration reaches the desks the release reaches (a canary cell), and
    /// stays; the fixed release works on both.
    fn schema(&self, desk: usize, now: f64) -> u32 {
        let share = self.case.rollout.map_or(100.0, f64::from);
        if self.case.incident && now >= PUBLISHED && place(&self.desks[desk].id, BAD) < share {
            44
        } else {
            43
        }
    }

    fn schedule(&mut self, at: f64, desk: usize, kind: Kind) {
        self.seq += 1;
        let generation = self.desks[desk].generation;
        if matches!(kind, Kind::Deliver(_)) {
            self.desks[desk].pending += 1;
        }
        self.queue.push(Reverse(Due { at: at.max(self.now), seq: self.seq, desk, generation, kind }));
    }

    fn run(mut self) -> Outcome {
        let mut sample = clock(9, 30);
        while let Some(Reverse(due)) = self.queue.pop() {
            if due.at > END {
                break;
            }
            while sample <= due.at {
                self.on_error_samples.push(self.on_error);
                sample += 5.0 * MINUTE;
            }
            self.now = due.at;
            self.happen(due);
            if self.fix_to_99_ms.is_none() && self.now >= FIX && self.on_panel as f64 >= 0.99 * self.logged_in as f64 {
                self.fix_to_99_ms = Some(self.now - FIX);
            }
        }
        while sample <= END {
            self.on_error_samples.push(self.on_error);
            sample += 5.0 * MINUTE;
        }
        self.now = END;
        for d in 0..DESKS {
            let screen = self.desks[d].screen;
            self.show(d, screen);
        }
        self.outcome()
    }

    fn happen(&mut self, due: Due) {
        let d = due.desk;
        let current = due.generation == self.desks[d].generation;
        match due.kind {
            Kind::PageLoad => {
                if self.desks[d].screen == Screen::Away {
                    self.logged_in += 1;
                }
                self.desks[d].next_attempt = 1;
                self.desks[d].releases.clear();
                self.show(d, Screen::Loading);
                self.begin(d, None);
            }
            Kind::Restart(recovering) if current => {
                if recovering.is_none_or(|r| r.by_agent) {
                    self.show(d, Screen::Loading);
                }
                self.begin(d, recovering);
            }
            // The agent clicks whichever boot the screen is from.
            Kind::ManualRetry => {
                self.desks[d].retry_pending = false;
                if self.desks[d].screen == Screen::Error {
                    self.desks[d].boot.handle(Event::Retry, self.now);
                    self.drain(d);
                }
            }
            Kind::Reload if current && self.desks[d].screen == Screen::Panel => {
                self.happen(Due { kind: Kind::PageLoad, ..due });
            }
            Kind::Deliver(event) if current => {
                self.desks[d].pending -= 1;
                self.desks[d].boot.handle(event, self.now);
                self.drain(d);
            }
            Kind::Timer(at) if current && self.desks[d].timer == Some(at) => {
                self.desks[d].timer = None;
                self.desks[d].boot.handle(Event::Timeout, self.now);
                self.drain(d);
            }
            _ => {}
        }
    }

    /// A new boot of the desk, as the shell's `begin`.
    fn begin(&mut self, d: usize, recovering: Option<Recovering>) {
        let seed = self.rng.seed();
        let now = self.now;
        let desk = &mut self.desks[d];
        desk.generation += 1;
        desk.timer = None;
        desk.pending = 0;
        if (PUBLISHED..FIX).contains(&now) {
            desk.exposed = true;
        }
        desk.boot = Boot::new(desk.options.clone());
        desk.boot.start(Start {
            now_ms: now,
            wall_ms: WALL + now,
            seed,
            recovering,
            first_attempt: desk.next_attempt,
            ..Start::default()
        });
        self.drain(d);
    }

    /// Carries out the boot's actions, as the browser shell does.
    fn drain(&mut self, d: usize) {
        while let Some(action) = self.desks[d].boot.next_action() {
            self.act(d, action);
        }
        let desk = &mut self.desks[d];
        if let Some(at) = desk.boot.poll_timeout() {
            if desk.timer != Some(at) {
                desk.timer = Some(at);
                self.schedule(at, d, Kind::Timer(at));
            }
        } else {
            desk.timer = None;
        }
        // Nothing in flight, no timer, and neither a panel nor the error
        // screen: the page would be stuck, which the core must never allow.
        let desk = &self.desks[d];
        if desk.pending == 0 && desk.timer.is_none() && !matches!(desk.screen, Screen::Panel | Screen::Error) {
            self.show(d, Screen::Blank);
        }
    }

    fn act(&mut self, d: usize, action: Action) {
        let now = self.now;
        match action {
            Action::Load(doc) => {
                let (at, value) = match doc {
                    Doc::Manifest => {
                        self.requests[(now / 1000.0) as usize] += 1;
                        let period = usize::from(now >= PUBLISHED) + usize::from(now >= FIX);
                        (now + self.rng.between(DOC_MS), self.manifests[period].clone())
                    }
                    Doc::Config(_) => {
                        self.requests[(now / 1000.0) as usize] += 1;
                        let schema = self.schema(d, now);
                        let config = json(&format!(
                            r#"{{"values": {{"API_URL": "https://api.example"}}, "backendSchema": {schema}}}"#
                        ));
                        (now + self.rng.between(DOC_MS), config)
                    }
                    Doc::Record => (now, self.desks[d].stored.clone()),
                    Doc::Backend => unreachable!("the desks have no backend endpoint"),
                };
                self.schedule(at, d, Kind::Deliver(Event::Loaded(doc, Ok(value))));
            }
            Action::Inject(attempt) => {
                let desk = &mut self.desks[d];
                desk.releases.push((attempt.id, attempt.release_id.clone()));
                desk.next_attempt = attempt.id + 1;
                let at = now + self.rng.between(FILES_MS);
                self.schedule(at, d, Kind::Deliver(Event::PanelRegistered { attempt: attempt.id, registration: 0 }));
                for index in 0..attempt.assets.len() {
                    self.schedule(at, d, Kind::Deliver(Event::AssetLoaded { attempt: attempt.id, index }));
                }
            }
            Action::StartPanel { attempt, .. } => {
                let release = self.desks[d].releases.iter().find(|(id, _)| *id == attempt).map(|(_, r)| r.clone());
                let at = now + self.rng.between(START_MS);
                // The bad release throws at start on the migrated backend.
                let event = if release.as_deref() == Some(BAD) {
                    Event::PanelFailed { attempt, code: Code::PanelThrew, detail: "TypeError at start".into() }
                } else {
                    Event::PanelReady { attempt }
                };
                self.schedule(at, d, Kind::Deliver(event));
            }
            Action::UpdateRecord(update) => {
                let desk = &mut self.desks[d];
                desk.stored = record::apply(&desk.stored, &update, WALL + now);
            }
            Action::CacheAssets { release, .. } => {
                let at = now + self.rng.between(FILES_MS);
                self.schedule(at, d, Kind::Deliver(Event::Cached { release }));
            }
            Action::Report { .. } => {
                let at = now + self.rng.between(DOC_MS);
                self.schedule(at, d, Kind::Deliver(Event::ReportSent { delivered: true }));
            }
            Action::Look { attempt, .. } => {
                // The next frame shows the panel.
                self.schedule(now + 16.0, d, Kind::Deliver(Event::Looked { attempt, rendered: Rendering::PANEL }));
            }
            Action::ShowLoading => self.show(d, Screen::Loading),
            Action::ShowError(_) => {
                self.show(d, Screen::Error);
                if !self.desks[d].retry_pending {
                    self.desks[d].retry_pending = true;
                    let at = now + self.rng.exponential(MANUAL_RETRY_MEAN);
                    self.schedule(at, d, Kind::ManualRetry);
                }
            }
            Action::SetState(status) if status.state == State::Ready => {
                self.show(d, Screen::Panel);
                let at = now + self.rng.exponential(RELOAD_MEAN);
                self.schedule(at, d, Kind::Reload);
            }
            Action::Recheck(recovering) => self.schedule(now, d, Kind::Restart(Some(recovering))),
            // The desks read their documents in the page, run nothing from the cache and have no
            // service worker or report endpoint: nothing is fetched, aborted or posted.
            Action::Fetch { .. }
            | Action::Abort(_)
            | Action::RunCached { .. }
            | Action::LookAtChunks { .. }
            | Action::RegisterWorker(_)
            | Action::AbortReport
            | Action::SetState(_)
            | Action::Measure { .. }
            | Action::RunScripts { .. }
            | Action::Remove { .. } => {}
        }
    }

    /// The desk's page now shows `screen`: the time on the last one is counted.
    fn show(&mut self, d: usize, screen: Screen) {
        let now = self.now;
        let desk = &mut self.desks[d];
        let spent = now - desk.since;
        match desk.screen {
            Screen::Error => {
                desk.error_ms += spent;
                self.on_error -= 1;
            }
            Screen::Blank => desk.blank_ms += spent,
            Screen::Panel => self.on_panel -= 1,
            Screen::Away | Screen::Loading => {}
        }
        match screen {
            Screen::Error => {
                desk.saw_error = true;
                self.on_error += 1;
            }
            Screen::Panel => self.on_panel += 1,
            Screen::Away | Screen::Loading | Screen::Blank => {}
        }
        desk.screen = screen;
        desk.since = now;
    }

    fn outcome(&self) -> Outcome {
        let per_second = |from: f64, to: f64| &self.requests[(from / 1000.0) as usize..(to / 1000.0) as usize];
        let busiest = |seconds: &[u32]| {
            seconds.chunks(60).map(|m| f64::from(m.iter().sum::<u32>()) / m.len() as f64).fold(0.0, f64::max)
        };
        let after = per_second(PUBLISHED, END);
        let rps = per_second(clock(9, 30), END)
            .chunks(300)
            .map(|c| f64::from(c.iter().sum::<u32>()) / c.len() as f64)
            .collect();
        Outcome {
            exposed: self.desks.iter().filter(|d| d.exposed).count(),
            error_desks: self.desks.iter().filter(|d| d.saw_error).count(),
            error_minutes: self.desks.iter().map(|d| d.error_ms).sum::<f64>() / MINUTE,
            blank_minutes: self.desks.iter().map(|d| d.blank_ms).sum::<f64>() / MINUTE,
            fix_to_99_ms: self.fix_to_99_ms,
            mean_rps: f64::from(after.iter().sum::<u32>()) / after.len() as f64,
            peak_rps: busiest(after),
            on_error: self.on_error_samples.clone(),
            rps,
        }
    }
}

/// Runs one case.
pub fn simulate(case: Case, seed: u64) -> Outcome {
    Fleet::new(case, seed).run()
}

/// `cargo run --release --example fleet [SEED]`: the table and the plots.
fn main() {
    let seed = match std::env::args().nth(1).map(|s| s.parse()) {
        None => SEED,
        Some(Ok(seed)) => seed,
        Some(Err(_)) => {
            eprintln!("usage: cargo run --release --example fleet [SEED]  (a whole number; {SEED} by default)");
            std::process::exit(2);
        }
    };
    let baseline = simulate(BASELINE, seed);
    let outcomes: Vec<(Case, Outcome)> = CASES.iter().map(|c| (*c, simulate(*c, seed))).collect();
    print!("{}", render(&baseline, &outcomes));
}

/// The table and the plots, as docs/operations.md shows them.
pub fn render(baseline: &Outcome, outcomes: &[(Case, Outcome)]) -> String {
    let steady = baseline.mean_rps;
    let mut out = String::new();
    out.push_str("| Case | Desks on the error screen | Of the desks that booted 09:35–10:22 | Agent-minutes on the error screen | Blank | Fix → 99 % ready | Busiest minute at the origin |\n");
    out.push_str("|---|---:|---:|---:|---:|---:|---:|\n");
    for (case, o) in outcomes {
        let fix = o.fix_to_99_ms.map_or("not by 12:00".to_owned(), |ms| format!("{:.0} s", ms / 1000.0));
        out.push_str(&format!(
            "| {} | {} | {:.1} % | {:.0} | {:.0} | {} | {:.1} req/s ({:.2}×) |\n",
            case.name,
            o.error_desks,
            100.0 * o.error_desks as f64 / o.exposed.max(1) as f64,
            o.error_minutes,
            o.blank_minutes,
            fix,
            o.peak_rps,
            o.peak_rps / steady,
        ));
    }
    out.push_str(&format!(
        "\nThe steady rate (×): the same morning without the bad release sends {steady:.1} requests per second to the manifest and configuration origin from 09:35 to 12:00 on average; its own busiest minute is {:.1} req/s ({:.2}×).\n",
        baseline.peak_rps,
        baseline.peak_rps / steady
    ));
    out.push_str("\nDesks on the error screen, every 5 minutes from 09:30 to 12:00, each line to its own scale (`|` comes before 09:35 and before the 5 minutes that hold 10:22):\n\n```text\n");
    for (case, o) in outcomes {
        let counts: Vec<f64> = o.on_error.iter().map(|&n| n as f64).collect();
        let top = counts.iter().copied().fold(1.0, f64::max);
        out.push_str(&format!("{:<44} {} max {top}\n", case.name, spark(&counts, top)));
    }
    out.push_str(
        "```\n\nRequests per second to the origin, per 5 minutes from 09:30, all lines to one scale:\n\n```text\n",
    );
    let top = outcomes.iter().flat_map(|(_, o)| o.rps.iter().copied()).fold(0.0, f64::max);
    for (case, o) in outcomes {
        out.push_str(&format!(
            "{:<44} {} max {:.1}\n",
            case.name,
            spark(o.rps.as_slice(), top),
            o.rps.iter().copied().fold(0.0, f64::max)
        ));
    }
    out.push_str("```\n");
    out
}

/// One line of bars, `|` before the 5-minute steps that hold 09:35 and 10:22.
fn spark(values: &[f64], top: f64) -> String {
    const BARS: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let mut line = String::new();
    for (i, v) in values.iter().enumerate() {
        let t = clock(9, 30) + i as f64 * 5.0 * MINUTE;
        if t == clock(9, 35) || t == clock(10, 20) {
            line.push('|');
        }
        let v = *v;
        let level = if v <= 0.0 { 0 } else { ((v / top * 8.0).ceil() as usize).clamp(1, 8) };
        line.push(BARS[level]);
    }
    line
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use super::*;

    /// The baseline and every case, at the documented seed, each on its own thread.
    fn figures() -> &'static (Outcome, Vec<(Case, Outcome)>) {
        static FIGURES: OnceLock<(Outcome, Vec<(Case, Outcome)>)> = OnceLock::new();
        FIGURES.get_or_init(|| {
            std::thread::scope(|s| {
                let baseline = s.spawn(|| simulate(BASELINE, SEED));
                let cases: Vec<_> = CASES.iter().map(|c| s.spawn(move || (*c, simulate(*c, SEED)))).collect();
                (baseline.join().unwrap(), cases.into_iter().map(|h| h.join().unwrap()).collect())
            })
        })
    }

    fn case(name: &str) -> &'static Outcome {
        &figures().1.iter().find(|(c, _)| c.name == name).expect("a case of that name").1
    }

    #[test]
    fn the_incident_replayed_meets_the_targets_of_issue_30() {
        let (baseline, cases) = figures();
        assert_eq!(baseline.error_desks, 0, "a morning without the bad release shows no error screen");
        for (c, o) in cases {
            assert_eq!(o.blank_minutes, 0.0, "{}: never a blank page", c.name);
            assert!(o.exposed > 5_000, "{}: {} desks booted during the incident", c.name, o.exposed);
        }
        // Today, every desk that boots during the incident shows the error
        // screen, and the agents' own clicks take most of an hour to clear it.
        let today = case("today: no rollout, no recheck");
        assert_eq!(today.error_desks, today.exposed);
        assert!(today.fix_to_99_ms.unwrap() > 20.0 * MINUTE);
        // A 10 % rollout keeps the error screen to 10 % of the desks, within
        // three standard deviations of a binomial draw over the exposed desks.
        for name in ["rollout 10 %", "rollout 10 % + recovery"] {
            let o = case(name);
            let n = o.exposed as f64;
            let margin = 3.0 * (0.1 * 0.9 / n).sqrt();
            let share = o.error_desks as f64 / n;
            assert!((0.1 - margin..=0.1 + margin).contains(&share), "{name}: {share} of {n}");
        }
        // Recovery: 99 % of the desks ready within 2 minutes of the fix, and
        // the origin's busiest minute under 3× the steady rate. Without it,
        // the rollout alone waits for the agents' clicks.
        let recovered = case("rollout 10 % + recovery");
        assert!(recovered.fix_to_99_ms.unwrap() <= 120_000.0, "{:?}", recovered.fix_to_99_ms);
        assert!(recovered.peak_rps <= 3.0 * baseline.mean_rps, "{} against {}", recovered.peak_rps, baseline.mean_rps);
        assert!(case("rollout 10 %").fix_to_99_ms.unwrap() > 120_000.0);
        // The bound chosen: 5 minutes between rechecks misses the 2 minutes.
        assert!(case("rollout 10 % + recovery, recheckMaxMs 5 min").fix_to_99_ms.unwrap() > 120_000.0);
    }

    #[test]
    fn docs_operations_md_shows_what_the_simulation_prints() {
        let (baseline, cases) = figures();
        let printed = render(baseline, cases);
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/operations.md");
        let doc = std::fs::read_to_string(path).unwrap();
        let (begin, end) = ("<!-- fleet: begin -->\n", "<!-- fleet: end -->");
        let from = doc.find(begin).expect("docs/operations.md has the fleet's figures") + begin.len();
        let to = from + doc[from..].find(end).expect("and their end");
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(path, format!("{}{printed}{}", &doc[..from], &doc[to..])).unwrap();
        } else {
            assert_eq!(doc[from..to], printed, "run `UPDATE_DOCS=1 cargo test --example fleet`");
        }
    }
}
