//! The boot state machine and the report, driven by arbitrary documents and
//! an arbitrary sequence of shell events: never a panic, always an end once
//! the events stop (only timers fire then), and every report under its size
//! bound.
#![no_main]

use desk_loader_core::boot::{Action, Boot, Diagnosis, Doc, Event, Options, Rendering, Start, State};
use desk_loader_core::problem::Code;
use desk_loader_core::report::MAX_REPORT_BYTES;
use desk_loader_core::value::Value;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // manifest \0 config \0 record \0 event bytes
    let mut parts = data.splitn(4, |b| *b == 0);
    let doc = |p: Option<&[u8]>| {
        p.and_then(|b| std::str::from_utf8(b).ok()).and_then(|t| serde_json::from_str::<Value>(t).ok()).unwrap_or(Value::Null)
    };
    let (manifest, config, record) = (doc(parts.next()), doc(parts.next()), doc(parts.next()));
    let events = parts.next().unwrap_or(&[]);
    let mut boot = Boot::new(Options::default());
    boot.start(Start { wall_ms: 1.8e12, ..Start::default() });
    boot.handle(Event::Loaded(Doc::Manifest, Ok(manifest)), 1.0);
    boot.handle(Event::Loaded(Doc::Config(0), Ok(config)), 2.0);
    boot.handle(Event::Loaded(Doc::Record, Ok(record)), 3.0);
    let mut now: f64 = 3.0;
    let mut attempt = 0;
    let mut bytes = events.iter().copied().chain(std::iter::repeat(7));
    // The input's own events (events for a removed attempt change nothing, so
    // they must not count against the boot), then at most 400 in which only
    // time passes and the page is shown: by then it must have ended.
    for _ in 0..events.len() + 400 {
        while let Some(a) = boot.next_action() {
            match a {
                Action::Inject(a) => attempt = a.id,
                Action::Report { report, .. } => assert!(report.to_json().len() <= MAX_REPORT_BYTES),
                _ => {}
            }
        }
        if matches!(boot.state(), State::Ready | State::Failed) {
            return;
        }
        now += 100.0;
        let b = bytes.next().unwrap_or(7);
        let e = match b % 8 {
            0 if b & 64 == 0 => Event::PanelReady { attempt },
            0 => Event::Looked { attempt, rendered: Rendering { mount_box: b & 8 == 0, text: b & 16 == 0, element_box: b & 32 == 0 } },
            1 => Event::PanelFailed { attempt, code: Code::PanelThrew, detail: "x".into() },
            2 if b & 128 == 0 => Event::AssetFailed { attempt, url: "u".into(), diagnosis: Diagnosis::Status(u16::from(b) * 3) },
            // A module's chunks looked at, or the cache's digests.
            2 if b & 64 == 0 => Event::ChunksLooked {
                attempt,
                module: "u".into(),
                found: vec![("c".into(), Diagnosis::Served(vec![b; 48]))],
            },
            2 => Event::CacheRead { attempt, digests: vec![(usize::from(b >> 4) % 3, vec![b; 48])] },
            3 if b & 8 == 0 => Event::AssetLoaded { attempt, index: usize::from(b >> 4) },
            3 => Event::PanelRegistered { attempt, registration: u32::from(b >> 6) },
            4 => Event::Visibility { hidden: b & 8 == 0 },
            5 if b & 16 == 0 => {
                Event::AssetFailed { attempt, url: "u".into(), diagnosis: Diagnosis::Network("n".into()) }
            }
            5 => Event::MountEmptied,
            6 => Event::Looked { attempt: attempt.wrapping_add(u32::from(b)), rendered: Rendering::PANEL },
            _ if boot.poll_timeout().is_some() => {
                now = now.max(boot.poll_timeout().unwrap_or(now));
                Event::Timeout
            }
            _ => Event::Visibility { hidden: false },
        };
        boot.handle(e, now);
    }
    panic!("the boot did not end within 400 events after its input");
});
