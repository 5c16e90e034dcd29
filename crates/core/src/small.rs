//! [`Str`]: the string of a JSON `Value`, which holds a short text inline,
//! without an allocation.
//!
//! Nearly every string in a manifest or a configuration is short: the keys
//! (`type`, `required`, a variable's name), the type names, most values. As
//! a `String`, each was an allocation when parsed and a free when dropped.
//! Hand-written because the crates that do this weigh several times more in
//! the wasm module; the figures, for this type and for them, are in
//! BENCHMARKS.md ("Size, change by change").

use std::fmt;
use std::ops::Deref;

/// Texts of up to this many bytes are held inline: a `Str` is then 16
/// bytes on wasm32, where a `String` is 12 and a heap allocation more.
const INLINE: usize = 14;

#[cfg(target_pointer_width = "32")]
const _: () = assert!(std::mem::size_of::<Str>() == 16);

/// An immutable string, inline up to [`INLINE`] bytes, else a `String`.
///
/// Equal texts are held alike: inline exactly when at most [`INLINE`] bytes
/// long, with the bytes past `len` zero. So two `Str`s are compared as held,
/// the inline ones a few machine words at a time.
#[derive(Clone, PartialEq)]
pub struct Str(Repr);

#[derive(Clone, PartialEq)]
enum Repr {
    /// The first `len` bytes of `bytes`: a whole `&str`'s bytes, copied; the rest zero.
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
                debug_assert!(std::str::from_utf8(bytes).is_ok());
                // SAFETY: `Repr` is private, and only `From<&str>` makes an
                // `Inline` (`From<String>` goes through it): its first `len`
                // bytes are a whole `&str`'s, copied, so valid UTF-8, and
                // nothing changes them. Checking them again on every read
                // was a fifth of a native check (BENCHMARKS.md).
                #[allow(unsafe_code)]
                unsafe {
                    std::str::from_utf8_unchecked(bytes)
                }
            }
            Repr::Heap(s) => s,
        }
    }
}

impl From<&str> for Str {
    fn from(s: &str) -> Str {
        if s.len() <= INLINE {
            let mut bytes = [0; INLINE];
            // A loop, not `copy_from_slice`: at most `INLINE` bytes, and the
            // call to the module's out-of-line copy cost more than the copy.
            for (to, from) in bytes.iter_mut().zip(s.bytes()) {
                *to = from;
            }
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
        f.pad(self.as_str())
    }
}

/// Read straight into a `Str` (`serde_json` natively: an object's key in
/// `Value`'s `Deserialize`): a short text is held inline, with no `String`
/// allocated on the way.
impl<'de> serde::Deserialize<'de> for Str {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Str, D::Error> {
        struct Text;
        impl serde::de::Visitor<'_> for Text {
            type Value = Str;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E>(self, s: &str) -> Result<Str, E> {
                Ok(Str::from(s))
            }
            fn visit_string<E>(self, s: String) -> Result<Str, E> {
                Ok(Str::from(s))
            }
        }
        d.deserialize_str(Text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Texts at and around the inline limit, with characters of one to four
    /// bytes ending at byte 14 or straddling it.
    const TEXTS: [&str; 11] = [
        "",
        "type",
        "fourteen bytes",
        "fifteen bytes!!",
        "ééééééé",
        "éééééééé",
        "abcdefghijklmé",
        "abcdefghij😀",
        "abcdefghijk😀",
        "https://svc0.example/api",
        "<\u{0}\u{7f}\u{ffff}>",
    ];

    #[test]
    fn every_text_reads_back_as_it_was_given() {
        for text in TEXTS {
            assert_eq!(Str::from(text).as_str(), text);
            assert_eq!(Str::from(text.to_owned()).as_str(), text);
            assert_eq!(String::from(Str::from(text)), text);
            assert_eq!(String::from(Str::from(text.to_owned())), text);
            assert_eq!(Str::from(text), Str::from(text.to_owned()));
            assert_eq!(format!("{:?}", Str::from(text)), format!("{text:?}"));
            assert_eq!(format!("{:>30}", Str::from(text)), format!("{text:>30}"));
        }
    }

    #[test]
    fn up_to_fourteen_bytes_are_held_inline_and_characters_are_never_split() {
        let inline = |text: &str| matches!(Str::from(text).0, Repr::Inline { .. });
        assert!(inline("fourteen bytes"));
        assert!(!inline("fifteen bytes!!"));
        // 14 bytes of two-byte characters fit; a fifteenth byte does not.
        assert!(inline("ééééééé"));
        assert!(!inline("abcdefghijklmé"));
        // A four-byte character that ends at byte 14, then one that would end at 15.
        assert!(inline("abcdefghij😀"));
        assert!(!inline("abcdefghijk😀"));
    }

    #[test]
    fn escaped_json_strings_read_back_whole_around_the_limit() {
        // The text, not its escaped form, decides where a string is held.
        for (json, text) in [
            (r#""\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9""#, "ééééééé"),
            (r#""\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9""#, "éééééééé"),
            (r#""a\nb\tc\"d\\e/fghijk""#, "a\nb\tc\"d\\e/fghijk"),
            (r#""\ud83d\ude00abcdefghij""#, "😀abcdefghij"),
        ] {
            let parsed = crate::json::parse(json, |t| t.parse().ok()).unwrap();
            assert_eq!(parsed.as_str(), Some(text), "{json}");
        }
    }

    #[cfg(not(target_arch = "wasm32"))]
    proptest::proptest! {
        #[test]
        fn any_text_reads_back_as_it_was_given(text in "\\PC{0,40}") {
            let held = Str::from(text.as_str());
            proptest::prop_assert_eq!(held.as_str(), text.as_str());
            proptest::prop_assert_eq!(String::from(Str::from(text.clone())), text.clone());
            // Written by serde_json, which never goes through `Str`, then read by the core.
            let json = serde_json::to_string(&text).unwrap();
            let parsed = crate::json::parse(&json, |t| t.parse().ok()).unwrap();
            proptest::prop_assert_eq!(parsed.as_str(), Some(text.as_str()));
        }

        #[test]
        fn two_strs_are_equal_exactly_when_their_texts_are(a in "[aé😀]{0,16}", b in "[aé😀]{0,16}") {
            // Compared as held (the derived `PartialEq`): sound only if equal texts are held alike.
            let (held_a, held_b, owned_a) = (Str::from(a.as_str()), Str::from(b.clone()), Str::from(a.clone()));
            proptest::prop_assert_eq!(held_a == held_b, a == b);
            proptest::prop_assert!(owned_a == held_a);
        }
    }
}
