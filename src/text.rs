//! Small text helpers every stage may use, importing nothing of the others: untrusted
//! text made safe to publish, once, where it enters (normalised to NFC, free of
//! invisible characters that make one word look like two, or two like one, and of
//! characters that XML forbids, which would make the feeds and sitemaps unreadable);
//! whether a URL may be linked to; replacing bytes for escaping; and where Tera's tags
//! are in a template, for the passes that rewrite one before Tera compiles it
//! (minifying, inlining interface strings): only the delimiters are found here, Tera
//! itself parses what is inside.

use icu_normalizer::ComposingNormalizerBorrowed;
use icu_properties::CodePointSetData;
use icu_properties::props::DefaultIgnorableCodePoint;
use std::borrow::Cow;
use std::ops::Range;

/// What a field is used for, which decides what may stay in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Make, model and the supplier's id for a car: they name brands and build page
    /// addresses, so every invisible character goes, joiners included.
    Identity,
    /// Titles, descriptions and the rest: joiners and variation selectors stay.
    Text,
}

/// Cleaned text, and whether characters that XML forbids were taken out (worth a
/// warning: the supplier's export is damaged).
#[derive(Debug, PartialEq, Eq)]
pub struct Cleaned<'a> {
    pub text: Cow<'a, str>,
    pub had_xml_illegal: bool,
}

/// NFC, without XML-illegal characters and without the characters Unicode says to
/// show as nothing (Default_Ignorable_Code_Point: zero-width spaces, bidirectional
/// controls, soft hyphens, Mongolian vowel separators, tag characters, …), except, in
/// [`Kind::Text`], the joiners and variation selectors that scripts and emoji need.
pub fn clean(text: &str, kind: Kind) -> Cleaned<'_> {
    if text.is_ascii() {
        let illegal = |b: u8| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r');
        if !text.bytes().any(illegal) {
            return Cleaned {
                text: Cow::Borrowed(text),
                had_xml_illegal: false,
            };
        }
    }
    let ignorable = CodePointSetData::new::<DefaultIgnorableCodePoint>();
    let keep = |c: char| is_xml_char(c) && (kept_in(c, kind) || !ignorable.contains(c));
    let mut had_xml_illegal = false;
    let mut dropped = false;
    for c in text.chars() {
        had_xml_illegal |= !is_xml_char(c);
        dropped |= !keep(c);
    }
    let kept: Cow<str> = if dropped {
        text.chars().filter(|&c| keep(c)).collect::<String>().into()
    } else {
        Cow::Borrowed(text)
    };
    let text = match ComposingNormalizerBorrowed::new_nfc().normalize(&kept) {
        Cow::Borrowed(_) => kept,
        Cow::Owned(normalised) => Cow::Owned(normalised),
    };
    Cleaned {
        text,
        had_xml_illegal,
    }
}

/// A character XML 1.0 allows in a document (its `Char` production), minus the
/// noncharacters, which XML discourages and which mean "not text".
pub fn is_xml_char(c: char) -> bool {
    let allowed = matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
        || c >= '\u{10000}';
    let noncharacter = matches!(c, '\u{FDD0}'..='\u{FDEF}') || (c as u32 & 0xFFFE) == 0xFFFE;
    allowed && !noncharacter
}

/// Ignorable characters that running text needs: zero-width joiners (Persian, Indic
/// scripts, emoji sequences) and variation selectors (emoji presentation).
fn kept_in(c: char, kind: Kind) -> bool {
    kind == Kind::Text && matches!(c, '\u{200C}' | '\u{200D}' | '\u{FE00}'..='\u{FE0F}')
}

/// Whether a URL from untrusted text may be linked to.
pub fn is_http_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// Where the next `{{ }}`, `{% %}` or `{# #}` in `text` is; `None` inside when one is
/// never closed.
pub fn next_tag(text: &str) -> Option<Option<Range<usize>>> {
    let mut from = 0;
    while let Some(found) = text[from..].find('{') {
        let start = from + found;
        let close = match text.get(start..start + 2) {
            Some("{{") => "}}",
            Some("{%") => "%}",
            Some("{#") => "#}",
            _ => {
                from = start + 1;
                continue;
            }
        };
        let end = start + 2 + text[start + 2..].find(close)? + 2;
        return Some(Some(start..end));
    }
    Some(None)
}

/// `text` with each ASCII byte that `with` maps replaced, in one pass that copies the
/// runs in between whole: escaping runs on every value of every page.
pub fn replace_bytes(text: &str, with: impl Fn(u8) -> Option<&'static str>) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut copied = 0;
    for (at, byte) in text.bytes().enumerate() {
        if let Some(replacement) = with(byte) {
            out.push_str(&text[copied..at]);
            out.push_str(replacement);
            copied = at + 1;
        }
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_invisible_and_xml_illegal_characters_and_composes() {
        let bmw = clean("B\u{200B}M\u{202E}W", Kind::Identity);
        assert_eq!(bmw.text, "BMW");
        for hidden in ['\u{180E}', '\u{E0041}', '\u{17B4}', '\u{00AD}', '\u{2064}'] {
            assert_eq!(
                clean(&format!("B{hidden}MW"), Kind::Identity).text,
                "BMW",
                "{hidden:?}"
            );
        }
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
