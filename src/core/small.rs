//! [`Str`]: the string of a JSON `Value`, which holds a
//! short text inline, without an allocation.
//!
//! Nearly every string in a manifest or a configuration is short: the keys
//! (`type`, `required`, a variable's name), the type names, most values. As
//! a `String`, each was an allocation when parsed and a free when dropped:
//! a native check of a release of 500 variables took 3.38 G instructions
//! with `String`s and takes 2.38 G with `Str` (callgrind; BENCHMARKS.md,
//! `validate-500`). Hand-written because the crates that do this weigh more
//! in the wasm module than the time they save is worth: `compact_str` added
//! 7.4 KB gzip and `smol_str` 9.5 KB (`cargo xtask build`, 2026-12-03), where
//! this one adds 1.5 KB (BENCHMARKS.md, "Size, change by change").

use std::fmt;
use std::ops::Deref;

/// Texts of up to this many bytes are held inline: a `Str` is then 16
/// bytes on wasm32, where a `String` is 12 and a heap allocation more.
const INLINE: usize = 14;

/// An immutable string, inline up to [`INLINE`] bytes, else a `String`.
#[derive(Clone)]
pub struct Str(Repr);

#[derive(Clone)]
enum Repr {
    /// The first `len` bytes of `bytes`: a whole `&str`'s bytes, copied.
    Inline {
        len: u8,
        bytes: [u8; INLINE],
    },
    Heap(String),
}

impl Str {
    /// The text.
    #[inline]
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Inline { len, bytes } => {
                let bytes = bytes.get(..usize::from(*len)).unwrap_or_default();
                // SAFETY: `Repr` is private, and `From<&str>` alone makes an
                // `Inline`: its first `len` bytes are a whole `&str`'s,
                // copied, so valid UTF-8. Checking them again here was 17 %
                // of a native check of validate-500 (callgrind).
                #[allow(unsafe_code)]
                unsafe {
                    std::str::from_utf8_unchecked(bytes)
                }
            }
            Repr::Heap(s) => s,
        }
    }
}

impl Default for Str {
    fn default() -> Str {
        Str(Repr::Inline { len: 0, bytes: [0; INLINE] })
    }
}

impl From<&str> for Str {
    #[inline(never)]
    fn from(s: &str) -> Str {
        if s.len() <= INLINE {
            let mut bytes = [0; INLINE];
            bytes[..s.len()].copy_from_slice(s.as_bytes());
            Str(Repr::Inline { len: s.len() as u8, bytes })
        } else {
            Str(Repr::Heap(s.to_owned()))
        }
    }
}

impl From<String> for Str {
    fn from(s: String) -> Str {
        if s.len() <= INLINE {
            Str::from(s.as_str())
        } else {
            Str(Repr::Heap(s))
        }
    }
}

impl From<Str> for String {
    fn from(s: Str) -> String {
        match s.0 {
            Repr::Heap(s) => s,
            Repr::Inline { .. } => s.as_str().to_owned(),
        }
    }
}

impl Deref for Str {
    type Target = str;
    #[inline]
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Str {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Str {
    fn eq(&self, other: &Str) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialEq<str> for Str {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Str {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Debug for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Str {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_texts_read_back_alike() {
        for text in [
            "",
            "type",
            "VAR_123",
            "fourteen bytes",
            "fifteen bytes!!",
            "é",
            "ééééééé",
            "éééééééé",
            "https://svc0.example/api",
        ] {
            assert_eq!(Str::from(text).as_str(), text);
            assert_eq!(Str::from(text.to_owned()).as_str(), text);
            assert_eq!(Str::from(text), Str::from(text.to_owned()));
        }
    }

    #[test]
    fn up_to_fourteen_bytes_are_held_inline() {
        assert!(matches!(Str::from("fourteen bytes").0, Repr::Inline { len: 14, .. }));
        assert!(matches!(Str::from("fifteen bytes!!").0, Repr::Heap(_)));
        // Characters are not split: seven two-byte characters fit, eight do not.
        assert!(matches!(Str::from("ééééééé").0, Repr::Inline { .. }));
        assert!(matches!(Str::from("éééééééé").0, Repr::Heap(_)));
    }
}
