//! Words as the text search compares them. `cars.js` splits a visitor's query the same
//! way, so the two must change together.
//!
//! - Case and accents are ignored: text is decomposed (NFKD, which also turns full-width
//!   letters and digits into ordinary ones), marks are dropped and the rest lower-cased:
//!   `Škoda` and `SKODA` are both `skoda`.
//! - A word is a run of letters and digits; `C-HR` gives `c` and `hr` and, joined, `chr`,
//!   so a buyer who types it either way finds it.
//! - Chinese and Japanese write without spaces: a run of Han, Hiragana or Katakana gives
//!   its overlapping pairs of characters (`宝马三系` gives `宝马`, `马三`, `三系`), or the
//!   character itself when it stands alone. A query is split the same way, so `宝马` finds
//!   every title that contains it, whatever surrounds it.

use icu_normalizer::DecomposingNormalizerBorrowed;
use icu_properties::CodePointMapData;
use icu_properties::props::{GeneralCategory, GeneralCategoryGroup, Script};

/// `text` decomposed, without marks, lower-cased.
pub fn fold(text: &str) -> String {
    let decomposed = DecomposingNormalizerBorrowed::new_nfkd().normalize(text);
    let categories = CodePointMapData::<GeneralCategory>::new();
    let unmarked: String = decomposed
        .chars()
        .filter(|&c| !GeneralCategoryGroup::Mark.contains(categories.get(c)))
        .collect();
    unmarked.to_lowercase()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Han, Hiragana or Katakana: paired.
    Paired,
    /// Other letters and digits: whole words.
    Word,
    /// A hyphen, which joins the words beside it into one more word.
    Hyphen,
    Other,
}

fn class(c: char) -> Class {
    let script = CodePointMapData::<Script>::new().get(c);
    if matches!(script, Script::Han | Script::Hiragana | Script::Katakana) {
        return Class::Paired;
    }
    let category = CodePointMapData::<GeneralCategory>::new().get(c);
    if GeneralCategoryGroup::Letter.contains(category)
        || GeneralCategoryGroup::Number.contains(category)
    {
        Class::Word
    } else if c == '-' {
        Class::Hyphen
    } else {
        Class::Other
    }
}

/// The words of `text` as the index stores them: each word and pair of characters in
/// order, and after a run of words joined by hyphens, the run joined. A query needs only
/// [`query_words`]: its parts match the parts.
pub fn words(text: &str) -> Vec<String> {
    let segments = segments(&fold(text));
    let mut out = Vec::new();
    let mut chain: Vec<&str> = Vec::new();
    for (i, (class, text)) in segments.iter().enumerate() {
        match class {
            Class::Paired => pairs(text, &mut out),
            Class::Word => {
                out.push(text.clone());
                chain.push(text);
                let joined_on = matches!(
                    (segments.get(i + 1), segments.get(i + 2)),
                    (Some((Class::Hyphen, _)), Some((Class::Word, _)))
                );
                if !joined_on {
                    if chain.len() > 1 {
                        out.push(chain.concat());
                    }
                    chain.clear();
                }
            }
            _ => {}
        }
    }
    out
}

/// The words of a visitor's query: [`words`] without the joined runs.
pub fn query_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (class, text) in segments(&fold(text)) {
        match class {
            Class::Paired => pairs(&text, &mut out),
            Class::Word => out.push(text),
            _ => {}
        }
    }
    out
}

/// Runs of characters of one class; every hyphen and every other character is a
/// segment of its own.
fn segments(folded: &str) -> Vec<(Class, String)> {
    let mut out: Vec<(Class, String)> = Vec::new();
    for c in folded.chars() {
        let class = class(c);
        match out.last_mut() {
            Some((last, text))
                if *last == class && matches!(class, Class::Word | Class::Paired) =>
            {
                text.push(c)
            }
            _ => out.push((class, c.to_string())),
        }
    }
    out
}

/// Overlapping pairs of a run of Han, Hiragana or Katakana; a lone character stands
/// for itself.
fn pairs(run: &str, out: &mut Vec<String>) {
    let chars: Vec<char> = run.chars().collect();
    if chars.len() == 1 {
        out.push(run.to_string());
    }
    out.extend(chars.windows(2).map(|w| w.iter().collect()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_and_accents_are_ignored() {
        assert_eq!(words("ŠKODA Octavia Combi"), ["skoda", "octavia", "combi"]);
        assert_eq!(words("Citroën C4"), ["citroen", "c4"]);
        assert_eq!(words("Ｇｏｌｆ ＧＴＩ ２０１９"), ["golf", "gti", "2019"]);
    }

    #[test]
    fn hyphenated_words_count_apart_and_joined() {
        assert_eq!(words("Toyota C-HR"), ["toyota", "c", "hr", "chr"]);
        assert_eq!(
            words("Mercedes-Benz A-Class"),
            ["mercedes", "benz", "mercedesbenz", "a", "class", "aclass"]
        );
        assert_eq!(words("1.5 TSI - Life"), ["1", "5", "tsi", "life"]);
    }

    #[test]
    fn chinese_is_split_into_overlapping_pairs() {
        assert_eq!(words("宝马3系 320Li"), ["宝马", "3", "系", "320li"]);
        assert_eq!(words("比亚迪汉EV"), ["比亚", "亚迪", "迪汉", "ev"]);
        assert_eq!(words("大众"), ["大众"]);
    }
}
