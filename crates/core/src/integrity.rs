//! Subresource Integrity metadata, read as the SRI specification's "parse
//! metadata" and "get the strongest metadata" read it, and refused where any
//! engine would read it otherwise.
//!
//! The shell hands a manifest's `integrity` unchanged to the `integrity`
//! attribute, so the browser enforces it; the loader's reading must agree
//! with every engine's, or a file runs unchecked in one of them. Firefox
//! drops a hash that is not the base64 of a digest of the right length, and
//! a value with no valid hash left is no check at all; it splits on spaces,
//! tabs and line breaks but not on form feeds; Chromium also knows `sha-256`.
//! So a value is accepted only when:
//! - it is printable ASCII with hashes separated by spaces;
//! - every `sha256-`, `sha384-` or `sha512-` hash (the name in lower case:
//!   Chromium 156 and Firefox 153 read `SHA384-` as an unknown algorithm and
//!   run a file whose bytes match nothing, WebKit enforces it, as
//!   `tests/e2e/security.spec.js` shows; the SRI specification lower-cases
//!   the name) is
//!   the base64 or base64url (one alphabet per hash, padded exactly or not
//!   at all, no stray bits) of a digest of that algorithm's length, with any
//!   `?options` after it ignored;
//! - at least one is there: other algorithms are ignored, as browsers ignore
//!   them, but a value with none is refused (`sha-256`-style names too).
//!
//! Browsers then use only the hashes of the strongest algorithm listed:
//! [`Metadata`] keeps those, and the cache check (`src/web/store.rs`) hashes
//! the bytes with that algorithm alone and asks [`Metadata::matches`].
//! `tests/integrity.rs` runs web-platform-tests' metadata strings through it,
//! and `tests/e2e/security.spec.js` shows, in each engine, that a file whose
//! bytes match no digest never runs for every form accepted here.

/// A hash algorithm SRI knows, weakest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Alg {
    /// `sha256`
    Sha256,
    /// `sha384`
    Sha384,
    /// `sha512`
    Sha512,
}

impl Alg {
    /// Its name for WebCrypto's `digest`.
    pub fn webcrypto_name(self) -> &'static str {
        match self {
            Alg::Sha256 => "SHA-256",
            Alg::Sha384 => "SHA-384",
            Alg::Sha512 => "SHA-512",
        }
    }

    /// The length of its digest, in bytes.
    pub fn digest_len(self) -> usize {
        match self {
            Alg::Sha256 => 32,
            Alg::Sha384 => 48,
            Alg::Sha512 => 64,
        }
    }

    fn named(name: &str) -> Option<Alg> {
        [("sha256", Alg::Sha256), ("sha384", Alg::Sha384), ("sha512", Alg::Sha512)]
            .into_iter()
            .find_map(|(n, alg)| (name == n).then_some(alg))
    }
}

/// The hashes browsers compare a file with: those of the strongest
/// algorithm listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Metadata {
    /// The strongest algorithm listed.
    pub alg: Alg,
    /// Its digests, decoded.
    pub digests: Vec<Vec<u8>>,
}

impl Metadata {
    /// Whether a file whose `alg` digest is `digest` passes, as browsers judge it.
    pub fn matches(&self, digest: &[u8]) -> bool {
        self.digests.iter().any(|d| d == digest)
    }
}

/// Reads an `integrity` value, or says why it is refused.
pub fn parse(text: &str) -> Result<Metadata, &'static str> {
    if !text.bytes().all(|b| (0x20..=0x7e).contains(&b)) {
        return Err("it holds a tab, line break, form feed or non-ASCII character; separate hashes with spaces only");
    }
    let mut strongest: Option<Metadata> = None;
    for token in text.split(' ').filter(|t| !t.is_empty()) {
        let expression = token.split_once('?').map_or(token, |(e, _)| e);
        let Some((name, value)) = expression.split_once('-') else { continue };
        let Some(alg) = Alg::named(name) else {
            // Names some engine reads as a known algorithm and another
            // ignores: ignored alone, they would be no check at all.
            let near = ["sha256-", "sha384-", "sha512-", "sha-256-", "sha-384-", "sha-512-"]
                .iter()
                .any(|d| expression.get(..d.len()).is_some_and(|p| p.eq_ignore_ascii_case(d)));
            if near {
                return Err(
                    "write sha256, sha384 or sha512 in lower case: engines ignore SHA384 and differ on sha-384",
                );
            }
            continue;
        };
        let digest = decode(value, alg.digest_len()).ok_or(match alg {
            Alg::Sha256 => "a sha256 hash is not the base64 of 32 bytes",
            Alg::Sha384 => "a sha384 hash is not the base64 of 48 bytes",
            Alg::Sha512 => "a sha512 hash is not the base64 of 64 bytes",
        })?;
        match &mut strongest {
            Some(m) if m.alg == alg => m.digests.push(digest),
            Some(m) if m.alg > alg => {}
            _ => strongest = Some(Metadata { alg, digests: vec![digest] }),
        }
    }
    strongest.ok_or("no sha256, sha384 or sha512 hash")
}

/// The `len` bytes `text` is the base64 (or base64url) of, written as an
/// encoder writes them: one alphabet, padded exactly or not at all, the
/// unused bits of the last character zero. Hand-written: the `base64` crate
/// weighed 3.2 KB gzip in the module (ARCHITECTURE.md).
fn decode(text: &str, len: usize) -> Option<Vec<u8>> {
    let unpadded = text.trim_end_matches('=');
    let chars = (len * 4).div_ceil(3);
    let padding = (4 - chars % 4) % 4;
    if unpadded.len() != chars || !(text.len() == chars || text.len() == chars + padding) {
        return None;
    }
    let url = unpadded.bytes().any(|b| matches!(b, b'-' | b'_'));
    let mut out = Vec::with_capacity(len + 2);
    let (mut bits, mut n) = (0u32, 0u32);
    for b in unpadded.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' if !url => 62,
            b'/' if !url => 63,
            b'-' if url => 62,
            b'_' if url => 63,
            _ => return None,
        };
        bits = bits << 6 | u32::from(v);
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
            bits &= (1 << n) - 1;
        }
    }
    (out.len() == len && bits == 0).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA256: &str = "Bu681KMnQ15RYHFvsYdWumweeFAw0hJDTFt9seErghA=";

    #[test]
    fn decodes_both_alphabets_padded_or_not() {
        let d = decode(SHA256, 32).unwrap();
        assert_eq!(decode(SHA256.trim_end_matches('='), 32).as_ref(), Some(&d));
        assert!(decode("Bu681KMnQ15RYHFvsYdWumweeFAw0hJDTFt9seErghA==", 32).is_none(), "one pad too many");
        assert!(decode("Bu681KMnQ15RYHFvsYdWumweeFAw0hJDTFt9seErghB=", 32).is_none(), "stray bits");
        assert!(decode("Bu681KMnQ15RYHFvsYdWumweeFAw0hJDTFt9seErgh=A", 32).is_none(), "= inside");
        let url = parse("sha384-cINXh-nCzEHPWzXS7eoT-vYMBpyqczOybRLNU3XAButFWCRhHT5hLByIbPRqIm2f").unwrap();
        let std = parse("sha384-cINXh+nCzEHPWzXS7eoT+vYMBpyqczOybRLNU3XAButFWCRhHT5hLByIbPRqIm2f").unwrap();
        assert_eq!(url, std);
        assert!(parse("sha384-cINXh-nCzEHPWzXS7eoT+vYMBpyqczOybRLNU3XAButFWCRhHT5hLByIbPRqIm2f").is_err(), "mixed");
    }
}
