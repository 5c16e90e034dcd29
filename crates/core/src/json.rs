//! JSON text to a [`Value`]: how the browser reads the manifest, the
//! configuration and the stored record.
//!
//! The shell once handed the text to `JSON.parse` and walked the result back
//! into the core, one call into JavaScript per key and per value: for a
//! release of 500 variables that walk took about 1.4 ms of the 1.9 ms a
//! check took in Chromium (BENCHMARKS.md, `validate-500`). Parsing the text
//! here costs no call at all. It is the CLI's reader too (`crates/cli/src/cli.rs`), so
//! a preflight reads a document as the desk does. Hand-written rather than
//! `serde_json`, which the tests use: linked into the module, `serde_json` added 14 KB gzip
//! (91,531 B to 105,495 B, measured with `cargo xtask build`), on the
//! critical path of every first visit; this parser is a few hundred lines of
//! code the fuzz target `json` holds to `serde_json`'s answers.
//!
//! It reads RFC 8259 JSON, as `JSON.parse` does, with these choices:
//! - a key given twice is kept twice, in order (`JSON.parse` keeps the last):
//!   the manifest and the configuration report it, as the CLI does;
//! - a `\u` escape of a lone surrogate, which a Rust string cannot hold,
//!   becomes U+FFFD;
//! - nesting deeper than [`MAX_DEPTH`] is refused, as everywhere in the core;
//! - a number beyond `f64`'s range is what `number` makes of it (the browser's
//!   `parseFloat`: ±Infinity, as `JSON.parse`), where `serde_json` refuses it.
//!
//! A leading byte order mark is skipped, as the CLI and `fetch`'s `text()` do.
//! Numbers are read by the caller's `number` function (the core has no float
//! parser of its own: `str::parse::<f64>` links large tables in wasm).

use super::value::{Str, Value, MAX_DEPTH};

/// What was wrong with a text, and where.
#[derive(Clone, Debug, PartialEq)]
pub struct Error {
    /// What was wrong, as `expected a value`.
    pub what: &'static str,
    /// The line, from 1.
    pub line: usize,
    /// The column, in characters from 1.
    pub column: usize,
}

impl std::fmt::Display for Error {
    /// `expected a value at line 3 column 14`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at line {} column {}", self.what, self.line, self.column)
    }
}

/// Parses `text`. `number` reads the text of a JSON number (its grammar
/// already checked) into an `f64`.
pub fn parse(text: &str, number: fn(&str) -> Option<f64>) -> Result<Value, Error> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut p = Parser { text, at: 0, number };
    let value = p.value(0).map_err(|what| p.error(what))?;
    p.skip_space();
    if p.at < text.len() {
        return Err(p.error("trailing characters"));
    }
    Ok(value)
}

struct Parser<'a> {
    text: &'a str,
    at: usize,
    number: fn(&str) -> Option<f64>,
}

impl Parser<'_> {
    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    #[inline(always)]
    fn skip_space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    /// Skips spaces and takes `byte`, or fails with `what`.
    fn expect(&mut self, byte: u8, what: &'static str) -> Result<(), &'static str> {
        self.skip_space();
        if self.peek() != Some(byte) {
            return Err(what);
        }
        self.at += 1;
        Ok(())
    }

    #[cold]
    #[inline(never)]
    fn error(&self, what: &'static str) -> Error {
        let before = self.text.as_bytes().get(..self.at).unwrap_or_default();
        let line_start = before.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        // Characters, not bytes: a UTF-8 continuation byte starts none.
        let column = before[line_start..].iter().filter(|b| (**b & 0xc0) != 0x80).count() + 1;
        let what = if self.at >= self.text.len() && what != "trailing characters" { "unexpected end" } else { what };
        Error { what, line, column }
    }

    fn value(&mut self, depth: usize) -> Result<Value, &'static str> {
        self.skip_space();
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string().map(Value::String),
            Some(b't') => self.word("true", Value::Bool(true)),
            Some(b'f') => self.word("false", Value::Bool(false)),
            Some(b'n') => self.word("null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err("expected a value"),
        }
    }

    fn word(&mut self, word: &str, value: Value) -> Result<Value, &'static str> {
        let rest = self.text.get(self.at..).unwrap_or_default();
        if !rest.starts_with(word) {
            return Err("expected a value");
        }
        self.at += word.len();
        Ok(value)
    }

    fn object(&mut self, depth: usize) -> Result<Value, &'static str> {
        if depth >= MAX_DEPTH {
            return Err("nesting deeper than 32 levels");
        }
        self.at += 1;
        let mut members = Vec::new();
        self.skip_space();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_space();
            if self.peek() != Some(b'"') {
                return Err("expected a key in double quotes");
            }
            let key = self.string()?;
            self.expect(b':', "expected `:`")?;
            members.push((key, self.value(depth + 1)?));
            self.skip_space();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b'}') => {
                    self.at += 1;
                    return Ok(Value::Object(members));
                }
                _ => return Err("expected `,` or `}`"),
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, &'static str> {
        if depth >= MAX_DEPTH {
            return Err("nesting deeper than 32 levels");
        }
        self.at += 1;
        let mut items = Vec::new();
        self.skip_space();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.skip_space();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b']') => {
                    self.at += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err("expected `,` or `]`"),
            }
        }
    }

    /// A string, from its opening quote.
    fn string(&mut self) -> Result<Str, &'static str> {
        self.at += 1;
        let bytes = self.text.as_bytes();
        let mut out = String::new();
        // Runs without escapes are copied whole: they start and end at an
        // ASCII byte, so at character boundaries.
        let mut run = self.at;
        loop {
            // To the next byte that is not plain text, in a local index:
            // one step per byte of every string in the document.
            let mut at = self.at;
            while bytes.get(at).is_some_and(|b| *b >= 0x20 && !matches!(b, b'"' | b'\\')) {
                at += 1;
            }
            self.at = at;
            match bytes.get(self.at) {
                None => return Err("unterminated string"),
                Some(b'"') => {
                    let tail = self.text.get(run..self.at).unwrap_or_default();
                    self.at += 1;
                    // Most strings have no escape: taken whole (`Str`: no allocation up to 14 bytes).
                    if out.is_empty() {
                        return Ok(Str::from(tail));
                    }
                    out.push_str(tail);
                    return Ok(Str::from(out));
                }
                Some(b'\\') => {
                    out.push_str(self.text.get(run..self.at).unwrap_or_default());
                    self.at += 1;
                    let c = match bytes.get(self.at) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => self.unicode_escape()?,
                        _ => return Err("invalid escape"),
                    };
                    out.push(c);
                    self.at += 1;
                    run = self.at;
                }
                // The scan above stops only at a quote, a backslash or a control character.
                Some(_) => return Err("control character in a string"),
            }
        }
    }

    /// `\uXXXX` (with `at` on the `u`), and its low surrogate if it is a
    /// high one; leaves `at` on the last hex digit.
    fn unicode_escape(&mut self) -> Result<char, &'static str> {
        let first = self.hex4(self.at + 1)?;
        self.at += 4;
        if (0xd800..0xdc00).contains(&first) && self.text.as_bytes().get(self.at + 1..self.at + 3) == Some(b"\\u") {
            if let Ok(second @ 0xdc00..=0xdfff) = self.hex4(self.at + 3) {
                self.at += 6;
                return Ok(char::from_u32(0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00)).unwrap_or('\u{fffd}'));
            }
        }
        Ok(char::from_u32(first).unwrap_or('\u{fffd}'))
    }

    fn hex4(&self, from: usize) -> Result<u32, &'static str> {
        let digits = self.text.as_bytes().get(from..from + 4).ok_or("invalid \\u escape")?;
        digits.iter().try_fold(0, |n, d| match (*d as char).to_digit(16) {
            Some(d) => Ok(n * 16 + d),
            None => Err("invalid \\u escape"),
        })
    }

    fn number(&mut self) -> Result<Value, &'static str> {
        let start = self.at;
        let bytes = self.text.as_bytes();
        let digits = |at: &mut usize| {
            let from = *at;
            while let Some(b'0'..=b'9') = bytes.get(*at) {
                *at += 1;
            }
            *at > from
        };
        let mut at = self.at;
        if bytes.get(at) == Some(&b'-') {
            at += 1;
        }
        if bytes.get(at) == Some(&b'0') {
            at += 1;
        } else if !digits(&mut at) {
            return Err("invalid number");
        }
        if bytes.get(at) == Some(&b'.') {
            at += 1;
            if !digits(&mut at) {
                return Err("invalid number");
            }
        }
        if let Some(b'e' | b'E') = bytes.get(at) {
            at += 1;
            if let Some(b'+' | b'-') = bytes.get(at) {
                at += 1;
            }
            if !digits(&mut at) {
                return Err("invalid number");
            }
        }
        self.at = at;
        let text = self.text.get(start..at).unwrap_or_default();
        (self.number)(text).map(Value::Number).ok_or("invalid number")
    }
}
