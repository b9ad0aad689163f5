//! Markdown to HTML. Marketing content may carry raw HTML; supplier text never does.

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};
use std::collections::HashSet;

/// Who wrote the text, which decides what it may contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trust {
    /// The marketing team's pages: raw HTML allowed.
    Content,
    /// Feed descriptions: raw HTML is shown as text, links only to http(s), no images.
    Untrusted,
}

fn options(trust: Trust) -> Options {
    let common = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    match trust {
        Trust::Content => common | Options::ENABLE_HEADING_ATTRIBUTES | Options::ENABLE_FOOTNOTES,
        // `{#id attr=value}` would put the supplier's attributes on the page, and a
        // footnote `[^name]` its own id.
        Trust::Untrusted => common,
    }
}

/// Renders Markdown. In content, headings without an explicit `{#id}` get a unique
/// anchor id made from their text, so every heading can be linked to; supplier text gets
/// no ids at all, which could collide with the page's own (the consent banner's).
pub fn render(text: &str, trust: Trust) -> String {
    let mut events: Vec<Event> = Vec::new();
    let mut used_ids = HashSet::new();
    let mut heading: Option<(HeadingLevel, Vec<Event>, String)> = None;
    let mut filter = UntrustedFilter::default();

    for event in Parser::new_ext(text, options(trust)) {
        let event = match trust {
            Trust::Content => event,
            Trust::Untrusted => match filter.apply(event) {
                Some(e) => e,
                None => continue,
            },
        };
        if trust == Trust::Untrusted {
            events.push(event);
            continue;
        }
        match event {
            Event::Start(Tag::Heading {
                level, id: None, ..
            }) => heading = Some((level, Vec::new(), String::new())),
            Event::End(TagEnd::Heading(_)) if heading.is_some() => {
                let (level, inner, plain) = heading.take().expect("checked above");
                let id = unique_id(&plain, &mut used_ids);
                events.push(Event::Start(Tag::Heading {
                    level,
                    id: Some(CowStr::from(id.clone())),
                    classes: Vec::new(),
                    attrs: Vec::new(),
                }));
                events.extend(inner);
                events.push(Event::InlineHtml(CowStr::from(format!(
                    r##"<a class="heading-anchor" href="#{id}" aria-hidden="true">#</a>"##
                ))));
                events.push(Event::End(TagEnd::Heading(level)));
            }
            Event::Start(Tag::Heading {
                id: Some(ref id), ..
            }) => {
                used_ids.insert(id.to_string());
                events.push(event);
            }
            other => match heading.as_mut() {
                Some((_, inner, plain)) => {
                    if let Event::Text(t) | Event::Code(t) = &other {
                        plain.push_str(t);
                    }
                    inner.push(other);
                }
                None => events.push(other),
            },
        }
    }
    let mut out = String::with_capacity(text.len() * 3 / 2);
    html::push_html(&mut out, events.into_iter());
    out
}

/// Neutralises what untrusted text may not do: raw HTML becomes text, images become
/// their alt text, and links to anything but http(s) become plain text.
#[derive(Default)]
struct UntrustedFilter {
    /// For each open link, whether it was kept.
    links: Vec<bool>,
}

impl UntrustedFilter {
    fn apply<'a>(&mut self, event: Event<'a>) -> Option<Event<'a>> {
        match event {
            Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
            Event::Start(Tag::Image { .. }) | Event::End(TagEnd::Image) => None,
            Event::Start(Tag::Link { ref dest_url, .. }) => {
                let keep = crate::text::is_http_url(dest_url);
                self.links.push(keep);
                keep.then_some(event)
            }
            Event::End(TagEnd::Link) => self.links.pop().unwrap_or(false).then_some(event),
            other => Some(other),
        }
    }
}

/// Whether rendered HTML has a `<script>` element without a `src`: one that a
/// Content-Security-Policy without `'unsafe-inline'` blocks.
pub fn has_inline_script(html: &str) -> bool {
    let lower = html.to_ascii_lowercase();
    lower.match_indices("<script").any(|(at, _)| {
        let rest = &lower[at + "<script".len()..];
        let attributes = &rest[..rest.find('>').unwrap_or(rest.len())];
        let is_script = attributes.is_empty() || attributes.starts_with(char::is_whitespace);
        is_script && !attributes.replace(char::is_whitespace, "").contains("src=")
    })
}

fn unique_id(text: &str, used: &mut HashSet<String>) -> String {
    let base = match slug::slugify(text) {
        s if s.is_empty() => "section".to_string(),
        s => s,
    };
    let mut id = base.clone();
    let mut n = 1;
    while !used.insert(id.clone()) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_get_unique_linkable_ids() {
        let html = render("## Price\n\n## Price\n\n## Own {#mine}\n", Trust::Content);
        assert!(html.contains(r##"<h2 id="price">Price<a class="heading-anchor" href="#price""##));
        assert!(html.contains(r#"<h2 id="price-1">"#), "{html}");
        assert!(html.contains(r#"<h2 id="mine">Own</h2>"#), "{html}");
    }

    #[test]
    fn content_supports_tables_footnotes_strikethrough_and_raw_html() {
        let text = "| a | b |\n|---|---|\n| 1 | 2 |\n\nNote[^1] ~~old~~ <span class=\"x\">hi</span>\n\n[^1]: The note.\n";
        let html = render(text, Trust::Content);
        assert!(html.contains("<table>"), "{html}");
        assert!(html.contains("<del>old</del>"), "{html}");
        assert!(html.contains("footnote-definition"), "{html}");
        assert!(html.contains(r#"<span class="x">hi</span>"#), "{html}");
    }

    #[test]
    fn untrusted_text_cannot_inject_markup_scripts_or_links() {
        let text = "<script>alert(1)</script>\n\nSee [site](javascript:alert(1)) and \
                    [dealer](https://dealer.example/) ![x](https://evil.example/p.png) <b onclick=x>b</b>";
        let html = render(text, Trust::Untrusted);
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(
            html.contains(r#"<a href="https://dealer.example/">dealer</a>"#),
            "{html}"
        );
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("<b "), "{html}");
    }

    #[test]
    fn finds_script_elements_without_a_source() {
        assert!(has_inline_script("<p>x</p><script>track()</script>"));
        assert!(has_inline_script(
            r#"<SCRIPT type="text/plain" data-consent="analytics">t()</SCRIPT>"#
        ));
        assert!(!has_inline_script(
            r#"<script src="/a.js"></script><script defer src = "/b.js">"#
        ));
        assert!(!has_inline_script(
            "<scripts>not one</scripts> <p>script</p>"
        ));
    }

    #[test]
    fn untrusted_headings_carry_no_attributes_or_ids() {
        let html = render(
            "## Hi {#x onmouseover=alert(1) .big}\n\n## Consent\n\nA[^consent]\n\n[^consent]: note\n",
            Trust::Untrusted,
        );
        assert!(!html.contains("id="), "{html}");
        assert!(!html.contains("onmouseover=\""), "{html}");
        assert!(!html.contains("class="), "{html}");
        assert!(html.contains("<h2>Consent</h2>"), "{html}");
    }
}
