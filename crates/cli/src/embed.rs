//! The recommended embed, generated: `desk-loader embed` writes the HTML that
//! boots a desk with no round trip beyond a plain `<script>` page
//! (`docs/embed.md`, "The fast embed"):
//!
//! - the manifest and the runtime configuration inline, as
//!   `<script type="application/json">`, so nothing is fetched after the
//!   module starts;
//! - preload hints for the module, its glue, and the files of the release
//!   the loader will start, with their integrity, so everything downloads in
//!   parallel with the HTML's first round trip;
//! - the loader's stylesheet inline, so the loading state paints as soon as
//!   the HTML is parsed, and its first layout is done while the files are
//!   still downloading ([`Css::Link`] keeps a `<link>` for a strict
//!   Content-Security-Policy).
//!
//! Pure: documents in, text out. Used by the CLI in a deploy pipeline (after
//! `desk-loader check`) and by the tests; never linked into the wasm module.

use desk_loader_core::boot::{Action, Attempt, Boot, Doc, Event, Options, Start};
use desk_loader_core::manifest::AssetKind;
use desk_loader_core::options::Source;
use desk_loader_core::problem::Problem;
use desk_loader_core::value::Value;

/// The page's origin the embed is written for: relative URLs are the page's,
/// absolute ones must be allowed by the options.
const PAGE: &str = desk_loader_core::origin::ANY_PAGE;
use desk_loader_core::{CONFIG_ELEMENT, MANIFEST_ELEMENT};

/// What the host page's options may not set: the embed sets them.
const SET_BY_EMBED: [&str; 2] = ["manifest", "config"];

/// `www/desk-loader.css`, the stylesheet of the loader this CLI was built
/// with (the loading state and the error screen).
/// The mount point's loading state, in the HTML itself: the first paint is
/// never blank. The spinner is an inline SVG of 36 by 36 pixels, not a CSS
/// shape: WebKit (Safari, iOS WKWebView) holds a page's first paint, while
/// the document is still parsing, until it has more than 200 characters of
/// text or more than 32 by 32 pixels of image (`LocalFrameView`'s
/// `visualCharacterThreshold` and `visualPixelThreshold`); "Loading the
/// desk…" alone is 17 characters, and the page stayed blank until its module
/// script had run (docs/embed.md, "The first paint in WebKit"). The shell
/// shows a copy of the page's own loading state again when it needs one.
pub const LOADING_STATE: &str = "<div class=\"desk-loader-loading\" role=\"status\"><svg class=\"desk-loader-spinner\" width=\"36\" height=\"36\" viewBox=\"0 0 36 36\" aria-hidden=\"true\" focusable=\"false\"><circle cx=\"18\" cy=\"18\" r=\"14\" fill=\"none\" stroke=\"#c5ccda\" stroke-width=\"4\"/><path d=\"M18 4a14 14 0 0 1 14 14\" fill=\"none\" stroke=\"#1f3b73\" stroke-width=\"4\"/></svg>Loading the desk…</div>";

const LOADER_CSS: &str = include_str!("../../../www/desk-loader.css");

// The stylesheet goes into a `<style>` element: nothing in it may close one.
const _: () = assert!(!closes_an_element(LOADER_CSS.as_bytes()), "www/desk-loader.css may not contain `</`");

const fn closes_an_element(s: &[u8]) -> bool {
    let mut i = 0;
    while i + 1 < s.len() {
        if s[i] == b'<' && s[i + 1] == b'/' {
            return true;
        }
        i += 1;
    }
    false
}

/// How the embed brings in the loader's stylesheet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Css {
    /// A `<style>` element: no request, and nothing render-blocking, before
    /// the loading state paints. Under a Content-Security-Policy it needs
    /// [`Embed::style`]'s hash in `style-src`.
    Inline,
    /// `<link rel="stylesheet" href="…desk-loader.css">`: one render-blocking
    /// request, for a policy that allows no inline style.
    Link,
}

/// The generated embed.
#[derive(Clone, Debug, PartialEq)]
pub struct Embed {
    /// Goes at the end of `<head>`: the loader's stylesheet and preload hints.
    pub head: String,
    /// Goes in `<body>`: the mount point, the inline documents, the options, `unavailable.js` and `boot.js`.
    pub body: String,
    /// The release whose files are preloaded: the one the loader will start
    /// on a device with no record (as `Boot` decides, from these documents).
    pub release: Option<String>,
    /// A release that would start only on some desks, when the options give
    /// no `deskId`: it is rolled out to a share of desks, so which release a
    /// desk starts is not known here, and no release file is preloaded.
    pub rolled_out: Option<String>,
    /// The exact text of the inline `<style>` element ([`Css::Inline`]), for
    /// a Content-Security-Policy hash; one line, so a page's indentation
    /// leaves it unchanged.
    pub style: Option<String>,
    /// The options' problems, as the loader will report them.
    pub problems: Vec<Problem>,
}

/// Renders the embed. `loader_base` is where `boot.js`, `unavailable.js`, `desk-loader.css` and
/// `pkg/` are served, relative to the page or absolute (`""` for the page's
/// directory). `options` is the host page's options object, without
/// `manifest` and `config`. Fails on options that are not an object or that
/// set `manifest` or `config`.
pub fn render(manifest: &Value, config: &Value, options: &Value, loader_base: &str, css: Css) -> Result<Embed, String> {
    let Value::Object(members) = options else {
        return Err(format!("the options must be a JSON object, not {}", options.kind()));
    };
    if let Some((k, _)) = members.iter().find(|(k, _)| SET_BY_EMBED.contains(&k.as_str())) {
        return Err(format!("the options may not set `{k}`: the embed inlines the manifest and configuration"));
    }
    // Read as the loader will read them: relative URLs are the page's, absolute ones must be allowed.
    let (host, problems) = desk_loader_core::options::parse(options, PAGE, "")?;
    let map = import_map(manifest);
    let mut release = chosen(manifest, config, &host, &map);
    // Without a deskId, a rolled-out release starts on some desks only: the
    // embed cannot know which, so it preloads none of the release files.
    let rolled_out =
        release.as_ref().filter(|_| host.desk_id.is_empty()).and_then(|a| rolled_out(manifest, &a.release_id));
    if rolled_out.is_some() {
        release = None;
    }
    let base = attr(loader_base);
    let style = (css == Css::Inline).then(|| one_line(LOADER_CSS));
    // The import map first: Firefox takes none after a module or a modulepreload has started.
    let mut head = import_map_tag(&map);
    head.push_str(&match &style {
        Some(text) => format!("<style id=\"desk-loader-css\">{text}</style>\n"),
        None => format!("<link rel=\"stylesheet\" href=\"{base}desk-loader.css\">\n"),
    });
    head.push_str(&format!(
        "<link rel=\"modulepreload\" href=\"{base}pkg/desk_loader.js\">\n\
         <link rel=\"preload\" href=\"{base}pkg/desk_loader_bg.wasm\" as=\"fetch\" type=\"application/wasm\" crossorigin>\n"
    ));
    for asset in release.iter().flat_map(|a| &a.assets) {
        let (rel, kind) = match asset.kind {
            AssetKind::Style => ("preload", " as=\"style\""),
            AssetKind::Script => ("preload", " as=\"script\""),
            AssetKind::Module => ("modulepreload", ""),
            // The browser fetches a chunk as the panel imports it, lazily or not.
            AssetKind::Chunk => continue,
        };
        let integrity = if asset.integrity.is_empty() {
            String::new()
        } else {
            format!(" integrity=\"{}\"", attr(&asset.integrity))
        };
        head.push_str(&format!("<link rel=\"{rel}\" href=\"{}\"{kind}{integrity} crossorigin>\n", attr(&asset.url)));
    }
    let mut all_options = vec![
        ("manifest".into(), Value::from(format!("#{MANIFEST_ELEMENT}"))),
        ("config".into(), Value::from(format!("#{CONFIG_ELEMENT}"))),
    ];
    all_options.extend(members.iter().cloned());
    // `to_json` writes `<` as `\u003c`: no document can close its `<script>`.
    let body = format!(
        "<main id=\"desk\" data-desk-state=\"loading\">\n  \
         {LOADING_STATE}\n\
         </main>\n\
         <script type=\"application/json\" id=\"{MANIFEST_ELEMENT}\">{}</script>\n\
         <script type=\"application/json\" id=\"{CONFIG_ELEMENT}\">{}</script>\n\
         <script type=\"application/json\" id=\"desk-loader-options\">{}</script>\n\
         <script nomodule src=\"{base}unavailable.js\"></script>\n\
         <script type=\"module\" src=\"{base}boot.js\"></script>\n",
        manifest.to_json(),
        config.to_json(),
        Value::Object(all_options).to_json()
    );
    Ok(Embed { head, body, release: release.map(|a| a.release_id), rolled_out, style, problems })
}

impl Embed {
    /// A whole page around the embed, as `www/desk-fast.html`.
    pub fn page(&self, title: &str) -> String {
        let indent = |block: &str| block.lines().map(|l| format!("  {l}\n")).collect::<String>();
        format!(
            "<!doctype html>\n<html lang=\"en\">\n<head>\n  <meta charset=\"utf-8\">\n  \
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n  <title>{}</title>\n  \
             <!-- desk-loader embed, head: generated by `desk-loader embed` -->\n{}</head>\n<body>\n  \
             <!-- desk-loader embed, body -->\n{}</body>\n</html>\n",
            attr(title),
            indent(&self.head),
            indent(&self.body)
        )
    }
}

/// The first attempt the loader itself would make on a device with no record:
/// the boot state machine, fed these documents, decides (pin, withdrawn,
/// trust rules, configuration, backend range), so the embed can never preload
/// another release than the one that starts.
fn chosen(manifest: &Value, config: &Value, host: &Options, map: &[(String, String)]) -> Option<Attempt> {
    let import_map_integrity = Some(map.iter().map(|(_, sri)| sri.clone()).collect());
    // One configuration, the one given; no backend answer: what the page knows when it boots.
    let mut boot =
        Boot::new(Options { config: vec![Source::Object], backend_url: None, import_map_integrity, ..host.clone() });
    boot.start(Start::default());
    boot.handle(Event::Loaded(Doc::Manifest, Ok(manifest.clone())), 0.0);
    boot.handle(Event::Loaded(Doc::Config(0), Ok(config.clone())), 0.0);
    boot.handle(Event::Loaded(Doc::Record, Ok(Value::Null)), 0.0);
    std::iter::from_fn(|| boot.next_action()).find_map(|a| match a {
        Action::Inject(attempt) => Some(attempt),
        _ => None,
    })
}

/// The import map's `integrity` members, when a release of the manifest has
/// chunks: every `module` and `chunk` file of every release, by its URL as
/// the manifest writes it (the browser reads a relative key against the
/// page, as the loader reads the manifest's URLs), so that whichever release
/// a desk starts, or falls back to, the browser checks each module of its
/// graph (`docs/manifest.md`, "Module graphs"). Empty otherwise.
pub fn import_map(manifest: &Value) -> Vec<(String, String)> {
    let (m, _) = desk_loader_core::manifest::Manifest::parse(manifest.clone());
    let assets = || m.releases.iter().flat_map(|r| &r.assets);
    if !assets().any(|a| a.kind == AssetKind::Chunk) {
        return Vec::new();
    }
    let mut map: Vec<(String, String)> = Vec::new();
    for a in assets().filter(|a| matches!(a.kind, AssetKind::Module | AssetKind::Chunk) && !a.integrity.is_empty()) {
        if !map.iter().any(|(url, _)| *url == a.url) {
            map.push((a.url.clone(), a.integrity.clone()));
        }
    }
    map
}

/// The `<script type="importmap">` element of [`import_map`]'s members, on
/// one line; empty when there are none. Its JSON is `Value::to_json`'s, so
/// no URL can close the element.
pub fn import_map_tag(map: &[(String, String)]) -> String {
    if map.is_empty() {
        return String::new();
    }
    let integrity = map.iter().map(|(url, sri)| (url.as_str().into(), Value::from(sri.as_str()))).collect();
    let text = Value::Object(vec![("integrity".into(), Value::Object(integrity))]).to_json();
    format!("<script type=\"importmap\">{text}</script>\n")
}

/// A release, `chosen` or one listed before it, that the manifest rolls out
/// to a share of desks: a desk with another id could start it instead (a
/// pinned release is for every desk).
fn rolled_out(manifest: &Value, chosen: &str) -> Option<String> {
    let (m, _) = desk_loader_core::manifest::Manifest::parse(manifest.clone());
    if m.pin.is_some() {
        return None;
    }
    let upto = m.releases.iter().position(|r| r.id == chosen).map_or(m.releases.len(), |i| i + 1);
    m.releases.iter().take(upto).find(|r| r.rollout.is_some_and(|share| share < 100.0)).map(|r| r.id.clone())
}

/// A stylesheet without its comments, on one line.
fn one_line(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        rest = rest[start + 2..].split_once("*/").map_or("", |(_, after)| after);
    }
    out.push_str(rest);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Text for a double-quoted HTML attribute.
fn attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}
