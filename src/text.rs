//! Untrusted text made safe to publish, once, where it enters: normalised to NFC, free
//! of invisible characters that make one word look like two (or two like one), and of
//! characters that XML forbids, which would make the feeds and sitemaps unreadable.

use icu_normalizer::ComposingNormalizerBorrowed;
use std::borrow::Cow;

/// What a field is used for, which decides what may stay in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Make and model: they name brands and build page addresses, so every invisible
    /// formatting character goes, joiners included.
    Identity,
    /// Titles, descriptions and the rest: joiners stay (scripts and emoji need them).
    Text,
}

/// Cleaned text, and whether characters that XML forbids were taken out (worth a
/// warning: the supplier's export is damaged).
#[derive(Debug, PartialEq, Eq)]
pub struct Cleaned<'a> {
    pub text: Cow<'a, str>,
    pub had_xml_illegal: bool,
}

/// NFC, without XML-illegal characters, bidirectional controls and invisible spaces
/// (and, for [`Kind::Identity`], joiners and soft hyphens).
pub fn clean(text: &str, kind: Kind) -> Cleaned<'_> {
    let had_xml_illegal = if text.is_ascii() {
        text.bytes()
            .any(|b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
    } else {
        text.chars().any(|c| !is_xml_char(c))
    };
    let dropped = |c: char| !is_xml_char(c) || is_invisible(c, kind);
    let text: Cow<str> = if text.is_ascii() {
        if had_xml_illegal {
            Cow::Owned(text.chars().filter(|&c| !dropped(c)).collect())
        } else {
            Cow::Borrowed(text)
        }
    } else {
        let kept: Cow<str> = if text.chars().any(dropped) {
            Cow::Owned(text.chars().filter(|&c| !dropped(c)).collect())
        } else {
            Cow::Borrowed(text)
        };
        let nfc = ComposingNormalizerBorrowed::new_nfc();
        match nfc.normalize(&kept) {
            Cow::Borrowed(_) => kept,
            Cow::Owned(normalised) => Cow::Owned(normalised),
        }
    };
    Cleaned {
        text,
        had_xml_illegal,
    }
}

/// A character XML 1.0 allows in a document (its `Char` production), minus the
/// noncharacters, which are allowed but mean "not text".
pub fn is_xml_char(c: char) -> bool {
    let allowed = matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
        || c >= '\u{10000}';
    let noncharacter = matches!(c, '\u{FDD0}'..='\u{FDEF}') || (c as u32 & 0xFFFE) == 0xFFFE;
    allowed && !noncharacter
}

/// Characters that show nothing yet change what a text is: zero-width spaces, word
/// joiners, byte-order marks, bidirectional embeddings, overrides and isolates.
fn is_invisible(c: char, kind: Kind) -> bool {
    let always = matches!(
        c,
        '\u{200B}'
            | '\u{2060}'
            | '\u{FEFF}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{061C}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
    );
    always || (kind == Kind::Identity && matches!(c, '\u{200C}' | '\u{200D}' | '\u{00AD}'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_invisible_and_xml_illegal_characters_and_composes() {
        let bmw = clean("B\u{200B}M\u{202E}W", Kind::Identity);
        assert_eq!(bmw.text, "BMW");
        assert!(!bmw.had_xml_illegal);
        let citroen = clean("Citroe\u{308}n", Kind::Identity);
        assert_eq!(citroen.text, "Citro\u{EB}n");
        let broken = clean("Golf\u{FFFE} GTI\u{FFFF}\u{1}", Kind::Text);
        assert_eq!(broken.text, "Golf GTI");
        assert!(broken.had_xml_illegal);
        assert!(matches!(clean("plain", Kind::Text).text, Cow::Borrowed(_)));
        assert_eq!(clean("a\u{200D}b", Kind::Text).text, "a\u{200D}b");
        assert_eq!(clean("a\u{200D}b", Kind::Identity).text, "ab");
    }

    #[test]
    fn knows_which_characters_xml_allows() {
        for ok in [
            'a',
            '\t',
            '\n',
            '\u{D7FF}',
            '\u{E000}',
            '\u{FFFD}',
            '\u{1F697}',
        ] {
            assert!(is_xml_char(ok), "{ok:?}");
        }
        for bad in [
            '\0',
            '\u{1}',
            '\u{1F}',
            '\u{FFFE}',
            '\u{FFFF}',
            '\u{FDD0}',
            '\u{1FFFF}',
        ] {
            assert!(!is_xml_char(bad), "{bad:?}");
        }
    }
}
