//! The bench's realistic desk panel, generated into `target/bench/heavy/`
//! (served at `/__bench/heavy/`): about 1.5 MB of JavaScript (about 400 KB
//! gzip) that really runs at boot, and about 100 KB of CSS, beside the
//! demo's toy panel of a few KB. A real desk panel is hundreds of KB of
//! JavaScript: against the toy, the loader's share of a boot is overstated,
//! and what grows with the panel (integrity checks, the Cache Storage write
//! and its WebCrypto check, memory) is hidden.
//!
//! Written: `panel.js` and `panel.css` (the release `heavy`), `broken.js`
//! (the same bundle, whose boot throws: the release `heavy-broken`, for the
//! recovery figure), `manifest.json` (`heavy` only, with integrity),
//! `manifest-recovery.json` (`heavy-broken`, then `heavy`),
//! `manifest-no-integrity.json` (`heavy` without integrity, for the page
//! that opts out, to tell the browser's integrity check apart),
//! `config.json`, `desk.html` (the recommended embed, from `desk-loader
//! embed`), `desk-recovery.html`, `desk-no-integrity.html` and `plain.html` (the same files in
//! plain tags, no loader).

use std::fmt::Write as _;
use std::path::Path;

use desk_loader_core::sri::integrity;

/// Functions in the bundle: each builds a row of the desk's data at boot.
const FUNCTIONS: usize = 9_000;
/// CSS rules in the stylesheet.
const RULES: usize = 720;

/// A small deterministic generator (xorshift64*): the same files on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// `n` characters of base-36 text: what keeps the bundle from
    /// compressing better than a real one (minified code, strings, data).
    fn token(&mut self, n: usize) -> String {
        (0..n).map(|_| char::from_digit((self.next() % 36) as u32, 36).unwrap_or('x')).collect()
    }
}

const WORDS: [&str; 16] = [
    "conversation",
    "customer",
    "assignee",
    "priority",
    "macro",
    "channel",
    "sentiment",
    "escalation",
    "queue",
    "transcript",
    "satisfaction",
    "language",
    "deadline",
    "attachment",
    "summary",
    "handover",
];

/// The bundle: `FUNCTIONS` functions, each making one row from its own
/// constants, all called at boot; then 200 rows rendered into the mount
/// point and `ready()` (or, `broken`, a throw once the work is done).
fn bundle(broken: bool) -> String {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut js = String::with_capacity(1_600_000);
    js.push_str("(function () {\n\"use strict\";\nvar rows = [];\n");
    for i in 0..FUNCTIONS {
        let word = WORDS[i % WORDS.len()];
        let other = WORDS[(i * 7 + 3) % WORDS.len()];
        let _ = writeln!(
            js,
            "function r{i}(n){{var k=\"{}\";return {{id:{i},kind:\"{word}\",label:\"{other} \"+n+\" {}\",weight:(n*{}+{})%{},key:k.slice(0,{})}};}}rows.push(r{i});",
            rng.token(28),
            rng.token(6),
            rng.next() % 997 + 1,
            rng.next() % 89,
            rng.next() % 113 + 7,
            rng.next() % 20 + 4,
        );
    }
    let _ = write!(
        js,
        "function boot(ctx){{\n\
         var made=[],total=0;\n\
         for(var i=0;i<rows.length;i++){{var r=rows[i](i);made.push(r);total+=r.weight;}}\n\
         made.sort(function(a,b){{return b.weight-a.weight||a.id-b.id;}});\n\
         var list=document.createElement(\"ul\");list.className=\"heavy-list\";\n\
         for(var j=0;j<200;j++){{var li=document.createElement(\"li\");li.className=\"c\"+(j%{RULES});li.textContent=made[j].label+\" \"+made[j].key;list.appendChild(li);}}\n\
         var h=document.createElement(\"h1\");h.textContent=\"Conversations (\"+total+\")\";\n\
         ctx.mount.replaceChildren(h,list);\n\
         {}\n\
         }}\n\
         deskLoader.register(boot);\n\
         }})();\n",
        if broken { "throw new Error(\"heavy-broken: the panel throws at boot\");" } else { "ctx.ready();" }
    );
    js
}

/// The stylesheet: `RULES` rules of a few declarations each.
fn stylesheet() -> String {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut css = String::from(".heavy-list{list-style:none;margin:0;padding:8px;font:14px/1.4 sans-serif}\n");
    for i in 0..RULES {
        let _ = writeln!(
            css,
            ".c{i}{{color:#{:06x};background:#{:06x};margin:{}px {}px;padding:{}px;border-left:{}px solid #{:06x}}}\n.c{i}:hover{{outline:1px dotted #{:06x}}}",
            rng.next() & 0xff_ffff,
            rng.next() & 0xff_ffff,
            rng.next() % 6,
            rng.next() % 9,
            rng.next() % 5,
            rng.next() % 4 + 1,
            rng.next() & 0xff_ffff,
            rng.next() & 0xff_ffff,
        );
    }
    css
}

/// A release of the heavy panel; `integrity` lists each file's hash.
fn release(id: &str, script: &str, files: &Path, with_integrity: bool) -> Result<String, String> {
    let sri = |name: &str| -> Result<String, String> {
        let bytes = std::fs::read(files.join(name)).map_err(|e| format!("{name}: {e}"))?;
        Ok(if with_integrity { format!(r#", "integrity": "{}""#, integrity(&bytes)) } else { String::new() })
    };
    Ok(format!(
        r#"{{"id": "{id}", "assets": [{{"type": "style", "url": "/__bench/heavy/panel.css"{}}}, {{"type": "script", "url": "/__bench/heavy/{script}"{}}}]}}"#,
        sri("panel.css")?,
        sri(script)?
    ))
}

/// Writes every file into `dir`; returns the bundle's and the stylesheet's
/// sizes, raw and gzip -9.
pub fn write(dir: &Path) -> Result<[(u64, u64); 2], String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let put = |name: &str, text: &str| std::fs::write(dir.join(name), text).map_err(|e| format!("{name}: {e}"));
    put("panel.js", &bundle(false))?;
    put("broken.js", &bundle(true))?;
    put("panel.css", &stylesheet())?;
    let manifest = |releases: &[String]| format!(r#"{{"format": 1, "releases": [{}]}}"#, releases.join(", "));
    let heavy = release("heavy", "panel.js", dir, true)?;
    put("manifest.json", &manifest(std::slice::from_ref(&heavy)))?;
    put("manifest-recovery.json", &manifest(&[release("heavy-broken", "broken.js", dir, true)?, heavy]))?;
    put("manifest-no-integrity.json", &manifest(&[release("heavy", "panel.js", dir, false)?]))?;
    put("config.json", r#"{"values": {}}"#)?;
    put(
        "plain.html",
        "<!doctype html>\n<html lang=\"en\" data-release=\"heavy\">\n<head>\n  <meta charset=\"utf-8\">\n  \
         <title>Agent desk without desk-loader (bench baseline, heavy panel)</title>\n  \
         <link rel=\"stylesheet\" href=\"panel.css\">\n</head>\n<body>\n  <main id=\"desk\"></main>\n  \
         <script src=\"/bench/plain-shim.js\"></script>\n  <script src=\"panel.js\"></script>\n</body>\n</html>\n",
    )?;
    // The recommended embed of the heavy release, written by the CLI.
    for (page, manifest, options) in [
        ("desk.html", "manifest.json", "{}"),
        ("desk-recovery.html", "manifest-recovery.json", "{}"),
        ("desk-no-integrity.html", "manifest-no-integrity.json", r#"{"allowSameOriginWithoutIntegrity": true}"#),
    ] {
        put(&format!("{page}.options.json"), options)?;
        let out = crate::output(
            crate::cargo()
                .args(["run", "--quiet", "-p", "desk-loader-cli", "--bin", "desk-loader", "--", "embed", "--manifest"])
                .arg(dir.join(manifest))
                .arg("--config")
                .arg(dir.join("config.json"))
                .arg("--options")
                .arg(dir.join(format!("{page}.options.json")))
                .args(["--loader-base", "/", "--page", "Agent desk (heavy panel)"]),
        )?;
        put(page, &out)?;
    }
    let size = |name: &str| -> Result<(u64, u64), String> {
        let path = dir.join(name);
        let raw = std::fs::metadata(&path).map_err(|e| format!("{name}: {e}"))?.len();
        Ok((raw, crate::sizes::gzip_len(&path)?))
    };
    Ok([size("panel.js")?, size("panel.css")?])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gzip(text: &str) -> u64 {
        let dir = std::env::temp_dir().join(format!("heavy-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("f");
        std::fs::write(&path, text).unwrap();
        let n = crate::sizes::gzip_len(&path).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        n
    }

    #[test]
    fn the_panel_weighs_what_a_real_desk_panel_does() {
        let js = bundle(false);
        assert!((1_350_000..1_650_000).contains(&js.len()), "panel.js: {} B", js.len());
        let packed = gzip(&js);
        assert!((330_000..470_000).contains(&packed), "panel.js: {packed} B gzip");
        let css = stylesheet();
        assert!((85_000..120_000).contains(&css.len()), "panel.css: {} B", css.len());
        assert!(bundle(true).contains("throw new Error") && !js.contains("throw new Error"));
        assert_eq!(js, bundle(false), "the same files on every run");
    }
}
