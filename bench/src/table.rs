//! The figures as BENCHMARKS.md shows them: the table of a run (`render`),
//! what each module is made of (`weight`), both written into the file's
//! marked sections (`write_benchmarks_md`).

use std::fmt::Write as _;
use std::process::Command;

use crate::sizes::{self, PartSize, Sizes};
use crate::weight::Weight;

/// The table of a run, from its packages' sizes and its figures (`bench …`
/// lines), and each figure as JSON for `target/bench/results.json`.
pub fn render(figures: &[String], packages: &[Sizes], budget: u64) -> Result<(String, Vec<String>), String> {
    let mut table = String::new();
    let _ = writeln!(table, "| group | figure | value |\n|---|---|---|");
    for s in packages {
        let brotli = sizes::brotli_len(&s.out)?;
        let _ = writeln!(
            table,
            "| bytes ({}) | wasm + glue raw / gzip -9 / brotli -q 11 | {} / {} / {} B (budget {} B gzip) |",
            s.name,
            s.wasm + s.glue,
            s.gzip,
            brotli,
            budget
        );
    }
    let (mut raw, mut gz, mut br) = (0, 0, 0);
    for f in ["www/boot.js", "www/unavailable.js", "www/desk-loader.css"] {
        let path = crate::root().join(f);
        raw += std::fs::metadata(&path).map_err(|e| format!("{f}: {e}"))?.len();
        gz += sizes::gzip_len(&path)?;
        br += sizes::brotli_file_len(&path)?;
    }
    let _ = writeln!(
        table,
        "| bytes (page) | boot.js + unavailable.js + desk-loader.css raw / gzip -9 / brotli -q 11 | {raw} / {gz} / {br} B (outside the budget) |"
    );
    let mut json = Vec::new();
    for line in figures {
        let mut words = line.split_whitespace().skip(1);
        let (name, place) = (words.next().unwrap_or("?"), words.next().unwrap_or("?"));
        let pairs: Vec<(&str, &str)> = words.filter_map(|w| w.split_once('=')).collect();
        let get = |k: &str| pairs.iter().find(|(key, _)| *key == k).map_or("?", |(_, v)| v);
        if let Some((_, ratio)) = pairs.iter().find(|(k, _)| *k == "ratio") {
            let _ = writeln!(table, "| {name} | {place} | {ratio}× |");
            json.push(format!(r#"{{"name":"{name}","ratio":"{place}","value":{ratio}}}"#));
            continue;
        }
        if let Some((_, n)) = pairs.iter().find(|(k, _)| *k == "round_trips") {
            let _ = writeln!(
                table,
                "| {name} | {place}: (loader − plain at 100 ms) − (loader − plain at 0 ms), in 100 ms round trips | {n} |"
            );
            json.push(format!(r#"{{"name":"{name}","where":"{place}","round_trips":{n}}}"#));
            continue;
        }
        if let Some((_, ms)) = pairs.iter().find(|(k, _)| *k == "ms") {
            let _ = writeln!(table, "| {name} | {place} | {ms} ms |");
            json.push(format!(r#"{{"name":"{name}","where":"{place}","ms":{ms}}}"#));
            continue;
        }
        if let Some((_, b)) = pairs.iter().find(|(k, _)| *k == "bytes") {
            let _ = writeln!(table, "| {name} | {place} | {} |", kib(b));
            json.push(format!(r#"{{"name":"{name}","where":"{place}","bytes":{b}}}"#));
            continue;
        }
        if pairs.iter().any(|(k, _)| *k == "raw_bytes") {
            let (raw, gzip) = (get("raw_bytes"), get("gzip_bytes"));
            let _ = writeln!(table, "| {name} | {place} raw / gzip -9 | {raw} / {gzip} B |");
            json.push(format!(r#"{{"name":"{name}","where":"{place}","raw_bytes":{raw},"gzip_bytes":{gzip}}}"#));
            continue;
        }
        let ms = ["boot", "recovery", "report-endpoint", "heavy"].iter().any(|p| name.starts_with(p));
        if pairs.iter().any(|(k, _)| *k == "count") {
            let _ = writeln!(
                table,
                "| {name} | {place}: median (min–max), {} runs | {} ({}–{}) of {} |",
                get("runs"),
                get("count"),
                get("min"),
                get("max"),
                get("of")
            );
        } else if pairs.iter().any(|(k, _)| *k == "median_bytes") {
            let _ = writeln!(
                table,
                "| {name} | {place}: median (min–max), {} runs | {} ({}–{}) |",
                get("runs"),
                kib(get("median_bytes")),
                kib(get("min_bytes")),
                kib(get("max_bytes"))
            );
        } else if ms {
            let in_ms = |k: &str| get(k).parse::<f64>().map_or("?".to_owned(), |us| format!("{:.0}", us / 1000.0));
            let _ = writeln!(
                table,
                "| {name} | {place}: median (min–max), {} runs | {} ms ({}–{}) |",
                get("runs"),
                in_ms("median_us"),
                in_ms("min_us"),
                in_ms("max_us")
            );
        } else {
            let _ = writeln!(
                table,
                "| {name} | {place}: median (min–max), {} runs | {} µs ({}–{}) |",
                get("runs"),
                get("median_us"),
                get("min_us"),
                get("max_us")
            );
        }
        json.push(format!(
            r#"{{"name":"{name}","where":"{place}",{}}}"#,
            pairs.iter().map(|(k, v)| format!(r#""{k}":{v}"#)).collect::<Vec<_>>().join(",")
        ));
    }
    let median = |name: &str, place: &str| {
        figures.iter().find(|l| l.starts_with(&format!("bench {name} {place} "))).and_then(|l| {
            l.split_whitespace().find_map(|w| w.strip_prefix("median_us=")).and_then(|v| v.parse::<f64>().ok())
        })
    };
    for name in ["validate-50", "validate-500", "validate-5000"] {
        if let (Some(n), Some(c)) = (median(name, "native"), median(name, "chromium")) {
            let _ = writeln!(table, "| {name} | chromium / native ratio | {:.2}× |", c / n);
        }
    }
    Ok((table, json))
}

/// What package `name`'s module is made of, as BENCHMARKS.md's `weight`
/// section shows it: by part, by crate or module, the largest functions.
pub fn weight(name: &str, w: &Weight, parts: &[PartSize]) -> String {
    let mut weights = String::new();
    let _ = writeln!(
        weights,
        "\n### Package `{name}`: {} B of code, {} B of data (with names kept, before stripping)\n\n\
         By part, each compressed alone (parts compress a little better together):\n\n\
         | part | holds | raw | gzip -9 |\n|---|---|---:|---:|",
        w.code,
        w.data()
    );
    for (part, holds, raw, gz) in parts {
        let _ = writeln!(weights, "| {part} | {holds} | {raw} B | {gz} B |");
    }
    let _ = writeln!(weights, "\n| code bytes | share | crate or module |\n|---:|---:|---|");
    for (group, bytes) in w.groups.iter().filter(|(_, bytes)| *bytes * 50 >= w.code) {
        let _ = writeln!(weights, "| {bytes} | {:.1} % | `{group}` |", *bytes as f64 * 100.0 / w.code as f64);
    }
    let _ = writeln!(weights, "\nLargest functions:\n\n| code bytes | function |\n|---:|---|");
    for (f, bytes) in w.functions.iter().take(10) {
        let _ = writeln!(weights, "| {bytes} | `{}` |", f.replace('|', "\\|"));
    }
    weights
}

/// `123456` → `120.6 KB` (KiB, as the size budget).
fn kib(bytes: &str) -> String {
    bytes.parse::<f64>().map_or("?".to_owned(), |b| format!("{:.1} KB", b / 1024.0))
}

/// Fills BENCHMARKS.md's two marked sections, `<!-- bench: run -->` (when
/// and where, and the table of figures) and `<!-- bench: weight -->` (what
/// the module is made of); the prose around them, which says what each
/// figure measures, and the size history are written by hand.
pub fn write_benchmarks_md(table: &str, weights: &str, commit: &str, quick: bool) -> Result<(), String> {
    let date = Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines().find(|l| l.starts_with("model name")).map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let run = format!(
        "Written by `cargo xtask bench{}` on {date}, built from {commit}, on {cores} cores of {cpu}; Chromium, Firefox ESR and WebKitGTK from Debian. \
         Reproduce with `cargo xtask bench` (or `--quick`); raw figures are in `target/bench/results.json`.\n\n{}",
        if quick { " --quick" } else { "" },
        table.trim()
    );
    let path = crate::root().join("BENCHMARKS.md");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let text = fill(&text, "run", &run)?;
    let text = fill(&text, "weight", weights.trim())?;
    std::fs::write(path, text).map_err(|e| e.to_string())
}

/// `text` with what stands between `<!-- bench: NAME -->` and the next
/// `<!-- bench: end -->` replaced by `content`.
fn fill(text: &str, name: &str, content: &str) -> Result<String, String> {
    let start = format!("<!-- bench: {name} -->");
    let end = "<!-- bench: end -->";
    let a = text.find(&start).ok_or_else(|| format!("BENCHMARKS.md has no {start} marker"))? + start.len();
    let b = a + text[a..].find(end).ok_or_else(|| format!("BENCHMARKS.md: {start} has no {end} after it"))?;
    Ok(format!("{}\n{content}\n{}", &text[..a], &text[b..]))
}

#[cfg(test)]
mod tests {
    #[test]
    fn fill_replaces_only_the_marked_section() {
        let text = "prose\n<!-- bench: run -->\nold\n<!-- bench: end -->\nmore\n<!-- bench: weight -->\nw\n<!-- bench: end -->\n";
        let filled = super::fill(text, "run", "new").unwrap();
        assert_eq!(filled, "prose\n<!-- bench: run -->\nnew\n<!-- bench: end -->\nmore\n<!-- bench: weight -->\nw\n<!-- bench: end -->\n");
        assert!(super::fill("no markers", "run", "x").is_err());
    }
}
