//! Finding Tera's tags in a template's text, for the passes that rewrite a template
//! before Tera compiles it (minifying, inlining interface strings). Only the delimiters
//! are found here; Tera itself parses what is inside.

use std::ops::Range;

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
