//! What changed between two versions of a policy, as HTML a visitor can read: the
//! changed passages with a little unchanged text around them, removed words in `<del>`
//! and added words in `<ins>`. Computed once at build time; the page only shows it.

use similar::{ChangeTag, DiffTag, TextDiff};

/// Unchanged lines kept around each change, so a reader can tell where it is.
const CONTEXT_LINES: usize = 2;

/// Below this share of unchanged words, a rewritten passage is shown as the old text
/// struck through and the new text added, rather than a word salad of both.
const MIN_WORD_SIMILARITY: f32 = 0.5;

/// The redline from `old` to `new` (Markdown sources), or `None` when they are the same.
///
/// Lines decide which passages changed; inside a passage that was edited rather than
/// rewritten, words decide what is marked, so a one-word edit reads as one marked word.
pub fn redline(old: &str, new: &str) -> Option<String> {
    let lines = TextDiff::from_lines(old, new);
    let groups = lines.grouped_ops(CONTEXT_LINES);
    if groups.is_empty() {
        return None;
    }
    let old_lines: Vec<&str> = lines.iter_old_slices().collect();
    let new_lines: Vec<&str> = lines.iter_new_slices().collect();
    let mut out = String::new();
    for (i, group) in groups.iter().enumerate() {
        if i > 0 {
            out.push_str("<p class=\"diff-gap\">…</p>");
        }
        out.push_str("<div class=\"diff-hunk\">");
        for op in group {
            let old_text = old_lines[op.old_range()].concat();
            let new_text = new_lines[op.new_range()].concat();
            match op.tag() {
                DiffTag::Equal => whole(ChangeTag::Equal, &new_text, &mut out),
                DiffTag::Delete => whole(ChangeTag::Delete, &old_text, &mut out),
                DiffTag::Insert => whole(ChangeTag::Insert, &new_text, &mut out),
                // Lines edited one for one are compared word by word; anything else
                // (lines split, merged or rewritten) is shown as old, then new.
                DiffTag::Replace if op.old_range().len() == op.new_range().len() => {
                    for (o, n) in old_lines[op.old_range()]
                        .iter()
                        .zip(&new_lines[op.new_range()])
                    {
                        edited_line(o, n, &mut out);
                    }
                }
                DiffTag::Replace => {
                    whole(ChangeTag::Delete, &old_text, &mut out);
                    whole(ChangeTag::Insert, &new_text, &mut out);
                }
            }
        }
        out.push_str("</div>");
    }
    Some(out)
}

/// One line changed in place: marked word by word when enough of it stayed.
fn edited_line(old: &str, new: &str, out: &mut String) {
    let diff = TextDiff::from_words(old, new);
    if diff.ratio() >= MIN_WORD_SIMILARITY {
        paragraphs(diff.iter_all_changes().map(|c| (c.tag(), c.value())), out);
    } else {
        whole(ChangeTag::Delete, old, out);
        whole(ChangeTag::Insert, new, out);
    }
}

fn whole(tag: ChangeTag, text: &str, out: &mut String) {
    paragraphs(std::iter::once((tag, text)), out);
}

/// Renders tagged text as one `<p>` per source line, blank lines skipped.
fn paragraphs<'a>(changes: impl Iterator<Item = (ChangeTag, &'a str)>, out: &mut String) {
    let mut lines: Vec<Vec<(ChangeTag, &str)>> = vec![Vec::new()];
    for (tag, value) in changes {
        for (i, piece) in value.split('\n').enumerate() {
            if i > 0 {
                lines.push(Vec::new());
            }
            if !piece.is_empty() {
                lines
                    .last_mut()
                    .expect("starts non-empty")
                    .push((tag, piece));
            }
        }
    }
    for line in lines {
        if line.iter().all(|(_, text)| text.trim().is_empty()) {
            continue;
        }
        let only = |tag| {
            line.iter()
                .filter(|(_, text)| !text.trim().is_empty())
                .all(|(t, _)| *t == tag)
        };
        let class = if only(ChangeTag::Insert) {
            " class=\"diff-added\""
        } else if only(ChangeTag::Delete) {
            " class=\"diff-removed\""
        } else {
            ""
        };
        out.push_str(&format!("<p{class}>"));
        let mut i = 0;
        while i < line.len() {
            let tag = line[i].0;
            let mut text = String::new();
            while i < line.len() && line[i].0 == tag {
                text.push_str(line[i].1);
                i += 1;
            }
            let text = tera::escape_html(text.trim_end_matches('\r'));
            match tag {
                ChangeTag::Equal => out.push_str(&text),
                ChangeTag::Delete => out.push_str(&format!("<del>{text}</del>")),
                ChangeTag::Insert => out.push_str(&format!("<ins>{text}</ins>")),
            }
        }
        out.push_str("</p>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_texts_have_no_redline() {
        assert_eq!(redline("a\nb\n", "a\nb\n"), None);
    }

    #[test]
    fn a_changed_word_is_marked_inside_its_line() {
        let html = redline(
            "# Keeping data\n\nWe keep enquiries for 12 months.\n",
            "# Keeping data\n\nWe keep enquiries for 24 months.\n",
        )
        .unwrap();
        assert!(
            html.contains("<p>We keep enquiries for <del>12</del><ins>24</ins> months.</p>"),
            "{html}"
        );
    }

    #[test]
    fn added_and_removed_lines_are_marked_whole() {
        let html = redline("one\n\ntwo\n", "one\n\nthree new words\n").unwrap();
        assert!(
            html.contains("<p class=\"diff-removed\"><del>two</del></p><p class=\"diff-added\"><ins>three new words</ins></p>"),
            "a rewritten line is shown old then new: {html}"
        );
        let html = redline("one\n", "one\n\nadded line\n").unwrap();
        assert!(
            html.contains("<p class=\"diff-added\"><ins>added line</ins></p>"),
            "{html}"
        );
    }

    #[test]
    fn markup_in_the_source_is_escaped() {
        let html = redline("a <b>x</b>\n", "a <script>alert(1)</script>\n").unwrap();
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn distant_changes_are_separate_passages() {
        let old: String = (1..=20).map(|i| format!("line {i}\n")).collect();
        let new = old
            .replace("line 2\n", "line two\n")
            .replace("line 19\n", "line nineteen\n");
        let html = redline(&old, &new).unwrap();
        assert_eq!(html.matches("diff-hunk").count(), 2, "{html}");
        assert!(html.contains("diff-gap"));
        assert!(!html.contains("line 10"), "{html}");
    }
}
