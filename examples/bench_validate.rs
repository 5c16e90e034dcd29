//! `cargo xtask bench`'s native validation figures. Validation cost: a
//! release declaring 50, 500 and 5,000 variables, each checked against a
//! configuration that sets them all, so the figures show how the cost grows.
//! Prints the median and range in µs, and writes the documents to
//! `target/bench/` so the browser half of `cargo xtask bench` measures the
//! very same input.

use std::time::Instant;

use desk_loader_core::check::check;
use desk_loader_core::json;
use desk_loader_core::value::Value;

/// Sizes measured, in variables declared and set.
const SIZES: [usize; 3] = [50, 500, 5000];

/// The `n`-variable manifest and configuration, as JSON text.
fn documents(n: usize) -> (String, String) {
    let mut vars = Vec::new();
    let mut values = Vec::new();
    for i in 0..n {
        let (decl, value) = match i % 6 {
            0 => (
                r#"{"type": "url", "required": true, "schemes": ["https"]}"#.to_owned(),
                format!(r#""https://svc{i}.example/api""#),
            ),
            1 => (r#"{"type": "integer", "min": 0, "max": 100000}"#.to_owned(), format!(r#""{}""#, i * 10)),
            2 => (
                r#"{"type": "string", "nonEmpty": true, "maxLength": 64, "secret": true}"#.to_owned(),
                format!(r#""token-{i}""#),
            ),
            3 => (r#"{"type": "boolean", "default": false}"#.to_owned(), "true".to_owned()),
            4 => (r#"{"type": "enum", "values": ["a", "b", "c"]}"#.to_owned(), r#""b""#.to_owned()),
            _ => (format!(r#"{{"type": "number", "feature": "f{}"}}"#, i % 10), "1.5".to_owned()),
        };
        vars.push(format!(r#""VAR_{i}": {decl}"#));
        values.push(format!(r#""VAR_{i}": {value}"#));
    }
    let features: Vec<String> = (0..10).map(|f| format!(r#""f{f}": {{"default": {}}}"#, f % 2 == 0)).collect();
    let manifest = format!(
        r#"{{"format": 1, "releases": [{{"id": "bench", "assets": [{{"type": "script", "url": "b.js", "integrity": "sha384-{}"}}],
        "config": {{"variables": {{{}}}, "features": {{{}}}}}}}]}}"#,
        "A".repeat(64),
        vars.join(","),
        features.join(",")
    );
    (manifest, format!(r#"{{"values": {{{}}}}}"#, values.join(",")))
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    for n in SIZES {
        let (manifest_text, config_text) = documents(n);
        let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench");
        std::fs::create_dir_all(&out).expect("target/bench can be created");
        std::fs::write(out.join(format!("validate-{n}-manifest.json")), &manifest_text).expect("write");
        std::fs::write(out.join(format!("validate-{n}-config.json")), &config_text).expect("write");

        let manifest: Value = serde_json::from_str(&manifest_text).expect("valid");
        let config: Value = serde_json::from_str(&config_text).expect("valid");
        let outcome = check(manifest, config, None).expect("the bench release exists");
        assert!(outcome.bootable(), "{:?}", outcome.problems.first());
        assert!(outcome.problems.is_empty(), "{:?}", outcome.problems.first());

        let runs = if quick { 50 } else { 200 };
        // The browser's check() of the documents' text: read by the core's
        // JSON parser (as the boot reads a fetched document), then checked.
        let number = |t: &str| desk_loader_core::value::parse_decimal(t).or_else(|| t.parse().ok());
        let once = || {
            let m = json::parse(std::hint::black_box(&manifest_text), number).unwrap();
            let c = json::parse(std::hint::black_box(&config_text), number).unwrap();
            check(m, c, None).unwrap()
        };
        // Warmed first, as the browser half is: for a second and at least 20 checks.
        let from = Instant::now();
        for i in 0.. {
            if i >= 20 && from.elapsed().as_secs_f64() >= 1.0 {
                break;
            }
            drop(std::hint::black_box(once()));
        }
        let mut samples: Vec<f64> = (0..runs)
            .map(|_| {
                let t = Instant::now();
                let outcome = once();
                let elapsed = t.elapsed().as_secs_f64() * 1e6;
                drop(std::hint::black_box(outcome));
                elapsed
            })
            .collect();
        samples.sort_by(f64::total_cmp);
        println!(
            "bench validate-{n} native median_us={:.1} min_us={:.1} max_us={:.1} runs={runs}",
            samples[runs / 2],
            samples[0],
            samples[runs - 1]
        );
    }
}
