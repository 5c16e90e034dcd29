//! Property tests of the boot state machine: whatever the documents and
//! whatever the shell reports, in any order, a boot ends in Ready or Failed
//! within a bounded number of steps, never starts a withdrawn, incompatible
//! or quarantined release, and never takes a stale ready() for success.
#![cfg(not(target_arch = "wasm32"))]

use desk_loader_core::boot::{Action, Boot, Diagnosis, Doc, Event, Options, Rendering, Start, State, MAX_ATTEMPTS};
use desk_loader_core::check::evaluate;
use desk_loader_core::config::RuntimeConfig;
use desk_loader_core::manifest::Manifest;
use desk_loader_core::options::Source;
use desk_loader_core::problem::Code;
use desk_loader_core::record::fingerprint;
use desk_loader_core::value::Value;
use proptest::prelude::*;

const WALL: f64 = 1_800_000_000_000.0;
const SHA: &str = "sha384-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

#[derive(Clone, Debug)]
struct World {
    releases: Vec<(Option<&'static str>, bool)>,
    withdrawn: Vec<bool>,
    pin: Option<usize>,
    api_set: bool,
    backend: Option<i64>,
    known_good: Option<usize>,
    quarantined: Vec<bool>,
    replies: Vec<u8>,
}

fn world() -> impl Strategy<Value = World> {
    (1usize..6).prop_flat_map(|n| {
        (
            prop::collection::vec(
                (prop::option::of(prop::sample::select(vec![">=42, <44", ">=44", "<43", "43"])), any::<bool>()),
                n,
            ),
            prop::collection::vec(prop::bool::weighted(0.2), n),
            prop::option::weighted(0.15, 0..n),
            any::<bool>(),
            prop::option::of(41i64..46),
            prop::option::of(0..n),
            prop::collection::vec(prop::bool::weighted(0.25), n),
            prop::collection::vec(any::<u8>(), 1..64),
        )
            .prop_map(|(releases, withdrawn, pin, api_set, backend, known_good, quarantined, replies)| World {
                releases,
                withdrawn,
                pin,
                api_set,
                backend,
                known_good,
                quarantined,
                replies,
            })
    })
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

fn release_json(i: usize, range: Option<&str>, needs_api: bool) -> String {
    let backend = range.map(|r| format!(r#", "backend": "{r}""#)).unwrap_or_default();
    let config =
        if needs_api { r#", "config": {"variables": {"API_URL": {"type": "url", "required": true}}}"# } else { "" };
    format!(
        r#"{{"id": "r{i}", "assets": [{{"type": "script", "url": "r{i}.js", "integrity": "{SHA}"}}]{backend}{config}}}"#
    )
}

struct Docs {
    manifest: String,
    config: String,
    record: String,
}

fn documents(w: &World) -> Docs {
    let releases: Vec<String> = w.releases.iter().enumerate().map(|(i, (r, api))| release_json(i, *r, *api)).collect();
    let withdrawn: Vec<String> =
        (0..w.releases.len()).filter(|i| w.withdrawn[*i]).map(|i| format!("\"r{i}\"")).collect();
    let pin = w.pin.map_or("null".to_owned(), |i| format!("\"r{i}\""));
    let manifest = format!(
        r#"{{"format": 1, "pin": {pin}, "withdrawn": [{}], "releases": [{}]}}"#,
        withdrawn.join(","),
        releases.join(",")
    );
    let values = if w.api_set { r#"{"API_URL": "https://api.example"}"# } else { "{}" };
    let backend = w.backend.map(|b| format!(r#", "backendSchema": {b}"#)).unwrap_or_default();
    let config = format!(r#"{{"values": {values}{backend}}}"#);

    // Quarantine entries with the real key of each release, so they apply.
    let (m, _) = Manifest::parse(json(&manifest));
    let (runtime, _) = RuntimeConfig::parse(json(&config));
    let mut quarantine = Vec::new();
    for (i, r) in m.releases.iter().enumerate() {
        if w.quarantined[i] {
            let fp = fingerprint(&evaluate(r, &runtime), |_| false);
            let b = w.backend.map_or("null".to_owned(), |b| b.to_string());
            quarantine.push(format!(r#"{{"release": "{}", "configFingerprint": "{fp}", "backendSchema": {b}, "until": {}, "code": "panel.threw"}}"#, r.id, WALL + 60_000.0));
        }
    }
    let known = w.known_good.map_or(String::new(), |i| {
        let (r, api) = w.releases[i];
        format!(r#""knownGood": {{"release": {}, "configFingerprint": "x", "at": 1}},"#, release_json(i, r, api))
    });
    let record = format!(r#"{{"format": 1, {known} "quarantine": [{}]}}"#, quarantine.join(","));
    Docs { manifest, config, record }
}

/// The releases that must never be started in this world.
fn forbidden(w: &World) -> Vec<String> {
    let mut out = Vec::new();
    for (i, (range, _)) in w.releases.iter().enumerate() {
        let id = format!("r{i}");
        let incompatible = match (range, w.backend) {
            (Some(r), Some(b)) => !desk_loader_core::manifest::Range::parse(r).unwrap().contains(b),
            _ => false,
        };
        let pinned_out = w.pin.is_some_and(|p| p != i);
        if w.withdrawn[i] || incompatible || w.quarantined[i] || pinned_out {
            out.push(id);
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn every_boot_ends_and_never_starts_a_forbidden_release(w in world()) {
        let docs = documents(&w);
        // In some worlds the manifest is at a URL that never answers: its deadline ends the wait,
        // and a withdrawal or a pin the manifest would have said is unknown.
        let silent = w.replies.first().is_some_and(|r| r % 7 == 0);
        let forbidden = if silent { forbidden(&World { withdrawn: vec![false; w.releases.len()], pin: None, ..w.clone() }) } else { forbidden(&w) };
        let manifest = if silent { Source::Url("/silent.json".into()) } else { Options::default().manifest };
        let mut boot = Boot::new(Options { manifest, ..Options::default() });
        boot.start(Start { now_ms: 0.0, wall_ms: WALL, hidden: false, ..Start::default() });
        let mut now = 0.0;
        let mut current: Option<u32> = None;
        let mut injects = 0u32;
        let mut replies = w.replies.iter().cycle();
        let mut pending = vec![
            if silent { Event::Visibility { hidden: false } } else { Event::Loaded(Doc::Manifest, Ok(json(&docs.manifest))) },
            Event::Loaded(Doc::Config(0), Ok(json(&docs.config))),
            Event::Loaded(Doc::Record, Ok(json(&docs.record))),
        ];
        let mut steps = 0;
        let mut hides = 0;
        loop {
            steps += 1;
            prop_assert!(steps < 500, "no end after 500 steps");
            while let Some(a) = boot.next_action() {
                if let Action::Inject(att) = a {
                    injects += 1;
                    prop_assert!(!forbidden.contains(&att.release_id), "started {} in {:?}", att.release_id, w);
                    current = Some(att.id);
                }
            }
            if matches!(boot.state(), State::Ready | State::Failed) {
                break;
            }
            // The shell answers every action in time: its timer fires too, whatever else happens.
            let event = if let Some(e) = pending.pop() {
                e
            } else if let Some(at) = boot.poll_timeout().filter(|_| steps % 4 == 0) {
                now = at.max(now);
                Event::Timeout
            } else if steps % 4 == 0 {
                // A hidden page is shown again sooner or later.
                Event::Visibility { hidden: false }
            } else {
                let r = *replies.next().unwrap();
                let attempt = current.unwrap_or(0);
                match r % 10 {
                    9 => Event::AssetLoaded { attempt, index: usize::from(r / 10) % 3 },
                    8 if r % 3 == 0 => Event::PanelRegistered { attempt, registration: u32::from(r % 2) },
                    0 => Event::PanelReady { attempt },
                    1 => Event::Looked { attempt, rendered: if r % 20 == 1 { Rendering::PANEL } else { Rendering::NOTHING } },
                    2 => Event::PanelFailed { attempt, code: Code::PanelThrew, detail: "x".into() },
                    3 => Event::AssetFailed { attempt, url: "x.js".into(), diagnosis: Diagnosis::Network("down".into()) },
                    4 => Event::AssetFailed { attempt, url: "x.js".into(), diagnosis: Diagnosis::Status(404) },
                    // Served intact, but a chunk it imports is not.
                    5 if r % 4 == 1 => Event::AssetFailed { attempt, url: "x.js".into(), diagnosis: Diagnosis::Served(Vec::new()) },
                    // What the core may have asked for: the chunks of a module served intact.
                    5 => Event::ChunksLooked { attempt, module: "x.js".into(), found: vec![("c.js".into(), Diagnosis::Status(404))] },
                    // The page is hidden a few times at most: an agent comes back to the tab.
                    6 if hides < 3 => {
                        hides += 1;
                        Event::Visibility { hidden: r % 2 == 0 }
                    }
                    6 => Event::Visibility { hidden: false },
                    7 => {
                        // A stale ready: for an attempt that is not the current one.
                        let before = boot.state();
                        for stale in [attempt + 1 + u32::from(r), attempt.saturating_sub(1)] {
                            boot.handle(Event::PanelReady { attempt: stale }, now);
                            boot.handle(Event::Looked { attempt: stale, rendered: Rendering::PANEL }, now);
                            if stale > attempt { prop_assert_eq!(boot.state(), before, "a stale ready changed the state"); }
                        }
                        if attempt > 1 { prop_assert_ne!(boot.state(), State::Ready); }
                        continue;
                    }
                    _ => {
                        // Let the timer fire; if the page is hidden, show it.
                        match boot.poll_timeout() {
                            None => Event::Visibility { hidden: false },
                            Some(at) => {
                                now = at.max(now);
                                Event::Timeout
                            }
                        }
                    }
                }
            };
            boot.handle(event, now);
        }
        prop_assert!(injects <= MAX_ATTEMPTS);
    }
}

proptest! {
    /// Numbers given as text read exactly as Rust's (correctly rounded)
    /// parser reads them, whenever `parse_decimal` gives an answer, and it
    /// gives one for every text of at most 15 significant digits and a
    /// power of ten within 10^±22; numbers written by `to_json` read back.
    #[test]
    fn decimals_in_text_read_exactly(
        mantissa in 0u64..1_000_000_000_000_000,
        point in 0usize..16,
        exponent in -22i32..=22,
        negative in any::<bool>(),
        form in 0u8..2,
    ) {
        // `digits × 10^exponent`, written with `point` digits after the point.
        let digits = mantissa.to_string();
        let point = point.min(digits.len());
        let mut text = if negative { "-".to_owned() } else { String::new() };
        let whole = &digits[..digits.len() - point];
        text.push_str(if whole.is_empty() { "0" } else { whole });
        if point > 0 {
            text.push('.');
            text.push_str(&digits[digits.len() - point..]);
        }
        let written_exponent = exponent + point as i32;
        match form {
            0 => text.push_str(&format!("e{written_exponent}")),
            _ if written_exponent >= 0 => text.push_str(&format!("E+{written_exponent}")),
            _ => text.push_str(&format!("E{written_exponent}")),
        }
        let expected: f64 = text.parse().unwrap();
        prop_assert_eq!(desk_loader_core::value::parse_decimal(&text), Some(expected), "{}", text);
        let written = Value::Number(expected).to_json();
        prop_assert_eq!(written.parse::<f64>().unwrap(), expected, "{} written as {}", text, written);
    }

    /// The loader's byte-wise substring search agrees with `str::contains`,
    /// for any texts, including empty ones and needles cut from the haystack.
    #[test]
    fn substring_search_agrees_with_str_contains(haystack in "[ab/:é]{0,12}", needle in "[ab/:é]{0,4}", cut in any::<bool>()) {
        let needle = if cut && haystack.len() >= needle.len() {
            haystack.get(haystack.len() - needle.len()..).unwrap_or(&needle).to_owned()
        } else {
            needle
        };
        prop_assert_eq!(desk_loader_core::value::contains(&haystack, &needle), haystack.contains(needle.as_str()));
    }
}
