//! What the preview adds to served pages, and never to a build: the live-reload script
//! and, while the latest build has failed, an overlay listing its problems.

/// Where pages load the script from, and where it listens.
pub const SCRIPT_PATH: &str = "/__showroom/live.js";
pub const EVENTS_PATH: &str = "/__showroom/events";

const OVERLAY_TITLE: &str = "Build failed: the preview shows the last good build";
const OVERLAY_STYLE: &str = "position:fixed;inset:0;z-index:2147483647;overflow:auto;\
margin:0;padding:2rem;background:rgba(20,20,24,.94);color:#fff;\
font:14px/1.5 ui-monospace,monospace;white-space:pre-wrap";

/// The script served at [`SCRIPT_PATH`], with the overlay's look filled in so the
/// overlay drawn by the script and the one drawn by the server are the same.
pub fn script() -> String {
    include_str!("live.js")
        .replace("\"STYLE\"", &format!("{OVERLAY_STYLE:?}"))
        .replace("\"TITLE\"", &format!("{OVERLAY_TITLE:?}"))
}

/// Adds the script tag, and the overlay when `problems` is given, before `</body>` (or
/// at the end, as minified pages may omit the tag).
pub fn inject(html: &[u8], problems: Option<&[String]>) -> Vec<u8> {
    let mut extra = format!("<script src=\"{SCRIPT_PATH}\" defer></script>");
    if let Some(problems) = problems {
        extra.push_str(&overlay(problems));
    }
    let at = find_ascii_ci(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + extra.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(extra.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

/// The overlay as HTML; problem text comes from user files, so it is escaped.
pub fn overlay(problems: &[String]) -> String {
    let list: Vec<String> = problems.iter().map(|p| crate::render::escape(p)).collect();
    format!(
        "<div id=\"showroom-overlay\" style=\"{OVERLAY_STYLE}\"><h2>{OVERLAY_TITLE}</h2><pre>{}</pre></div>",
        list.join("\n")
    )
}

/// A whole page for when no build has succeeded yet, so there is nothing to show under
/// the overlay.
pub fn error_page(problems: &[String]) -> Vec<u8> {
    let html = "<!doctype html><html lang=en><meta charset=utf-8>\
<title>Build failed</title><body></body></html>";
    inject(html.as_bytes(), Some(problems))
}

/// The last match, so a `</body>` quoted inside a page's text does not win.
fn find_ascii_ci(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    (0..=haystack.len().checked_sub(needle.len())?)
        .rev()
        .find(|&i| haystack[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_goes_before_the_closing_body_tag() {
        let out = inject(b"<html><body><p>hi</p></BODY></html>", None);
        let out = String::from_utf8(out).unwrap();
        assert_eq!(
            out,
            format!(
                "<html><body><p>hi</p><script src=\"{SCRIPT_PATH}\" defer></script></BODY></html>"
            )
        );
    }

    #[test]
    fn script_is_appended_when_the_page_has_no_closing_body_tag() {
        let out = String::from_utf8(inject(b"<p>minified", None)).unwrap();
        assert!(out.starts_with("<p>minified<script"), "{out}");
    }

    #[test]
    fn overlay_escapes_problem_text() {
        let out = overlay(&["templates/page.html:3: unexpected `<script>` & \"quotes\"".into()]);
        assert!(
            out.contains("`&lt;script&gt;` &amp; &quot;quotes&quot;"),
            "{out}"
        );
        assert!(!out.contains("<script>"), "{out}");
    }

    #[test]
    fn script_has_the_overlay_look_filled_in() {
        let js = script();
        assert!(!js.contains("\"STYLE\"") && !js.contains("\"TITLE\""));
        assert!(js.contains(OVERLAY_TITLE));
        assert!(js.contains(EVENTS_PATH));
    }
}
