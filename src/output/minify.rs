//! Minifiers for what the output holds: HTML templates through minify-html, stylesheets
//! through lightningcss and scripts through oxc. Anything they cannot parse is kept as
//! written.

use crate::text::next_tag;
use lightningcss::stylesheet::{MinifyOptions, ParserOptions, PrinterOptions, StyleSheet};

/// Minifies an HTML template once, when it is loaded, rather than every page it renders:
/// per page, minify-html cost as much as rendering did. `None` when the template's tags
/// could not be kept exactly in place (a `{% if %}` between an element's attributes,
/// which the minifier reorders); the caller then keeps the template as written.
pub fn html_template(template: &str) -> Option<String> {
    let (masked, tags) = mask_template_tags(template)?;
    let mut cfg = minify_html::Cfg::new();
    cfg.keep_closing_tags = true;
    cfg.keep_html_and_head_opening_tags = true;
    cfg.preserve_brace_template_syntax = true;
    let minified = String::from_utf8(minify_html::minify(masked.as_bytes(), &cfg)).ok()?;
    // The minifier reads both branches of an `{% if %}` as one document; where they open
    // the same element twice it may drop a tag it thinks is unmatched.
    if element_tags(&minified) != element_tags(&masked) {
        return None;
    }
    unmask_template_tags(&minified, &tags)
}

/// The names of the start and end tags in `html`, in order (`a`, `/a`), lower-cased.
fn element_tags(html: &str) -> Vec<String> {
    html.match_indices('<')
        .filter_map(|(at, _)| {
            let rest = &html[at + 1..];
            let (slash, name) = rest.strip_prefix('/').map_or(("", rest), |n| ("/", n));
            let len = name
                .find(|c: char| !c.is_ascii_alphanumeric() && c != '-')
                .unwrap_or(name.len());
            let starts_with_letter = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
            starts_with_letter.then(|| format!("{slash}{}", name[..len].to_ascii_lowercase()))
        })
        .collect()
}

/// The template with its n-th tag replaced by `{{ n }}` (or `{% n %}`, `{# n #}`), and
/// the tags. The spaces matter: an attribute value holding `{{x}}` could be left
/// unquoted by the minifier, and a value with a space rendered into it would then spill
/// into new attributes; `{{ 0 }}` always keeps its quotes.
fn mask_template_tags(template: &str) -> Option<(String, Vec<&str>)> {
    let mut masked = String::with_capacity(template.len());
    let mut tags = Vec::new();
    let mut rest = template;
    while let Some(tag) = next_tag(rest)? {
        let text = &rest[tag.clone()];
        masked.push_str(&rest[..tag.start]);
        masked.push_str(&format!(
            "{} {} {}",
            &text[..2],
            tags.len(),
            &text[text.len() - 2..]
        ));
        tags.push(text);
        rest = &rest[tag.end..];
    }
    masked.push_str(rest);
    Some((masked, tags))
}

/// Puts the tags back. `None` unless every placeholder is there once and whole, the
/// statements and comments in their order; expressions may only have moved among the
/// attributes of their element (the minifier reorders attributes), never across a
/// statement.
fn unmask_template_tags(minified: &str, tags: &[&str]) -> Option<String> {
    let is_expression = |tag: &str| tag.starts_with("{{");
    // For each tag, how many statements come before it in the template.
    let before: Vec<usize> = tags
        .iter()
        .scan(0, |statements, tag| {
            let count = *statements;
            *statements += usize::from(!is_expression(tag));
            Some(count)
        })
        .collect();
    let mut used = vec![false; tags.len()];
    let mut statements = 0;
    let mut out = String::with_capacity(minified.len() * 2);
    let mut rest = minified;
    while let Some(at) = next_tag(rest)? {
        let placeholder = &rest[at.clone()];
        let n: usize = placeholder[2..placeholder.len() - 2].trim().parse().ok()?;
        let tag = *tags.get(n)?;
        if used[n] || tag[..2] != placeholder[..2] || before[n] != statements {
            return None;
        }
        used[n] = true;
        statements += usize::from(!is_expression(tag));
        out.push_str(&rest[..at.start]);
        out.push_str(tag);
        rest = &rest[at.end..];
    }
    out.push_str(rest);
    used.iter().all(|&u| u).then_some(out)
}

pub fn css(text: &str) -> Option<String> {
    let mut sheet = StyleSheet::parse(text, ParserOptions::default()).ok()?;
    sheet.minify(MinifyOptions::default()).ok()?;
    let printed = sheet
        .to_css(PrinterOptions {
            minify: true,
            ..PrinterOptions::default()
        })
        .ok()?;
    Some(printed.code)
}

pub fn js(text: &str) -> Option<String> {
    use oxc_allocator::Allocator;
    use oxc_codegen::{Codegen, CodegenOptions};
    use oxc_minifier::{CompressOptions, MangleOptions, Minifier, MinifierOptions};
    let allocator = Allocator::default();
    let parsed = oxc_parser::Parser::new(&allocator, text, oxc_span::SourceType::cjs()).parse();
    if !parsed.errors.is_empty() || parsed.panicked {
        return None;
    }
    let mut program = parsed.program;
    let minified = Minifier::new(MinifierOptions {
        mangle: Some(MangleOptions::default()),
        compress: Some(CompressOptions::safest()),
    })
    .minify(&allocator, &mut program);
    let code = Codegen::new()
        .with_options(CodegenOptions {
            minify: true,
            ..CodegenOptions::default()
        })
        .with_scoping(minified.scoping)
        .build(&program)
        .code;
    Some(code)
}

#[cfg(test)]
mod tests {
    #[test]
    fn stylesheets_and_scripts_shrink_and_keep_their_meaning() {
        let css = super::css("a  {\n  color : #ff0000 ;\n}\n/* note */\n").unwrap();
        assert_eq!(css, "a{color:red}");
        let js =
            super::js("(function () {\n  var answer = 40 + 2;\n  console.log(answer);\n})();\n")
                .unwrap();
        assert!(js.len() < 40, "{js}");
        assert!(js.contains("console.log"), "{js}");
        assert!(super::js("function (").is_none());
    }

    #[test]
    fn templates_lose_their_whitespace_and_keep_their_tags() {
        let template = "<ul>\n  {% for c in cars %}\n    <li class=\"{{c}}\">{{ c }} · {{ d }}</li>\n  {% endfor %}\n</ul>\n{# note #}";
        let minified = super::html_template(template).unwrap();
        assert_eq!(
            minified,
            "<ul>{% for c in cars %} <li class=\"{{c}}\">{{ c }} · {{ d }}</li>{% endfor %}</ul>{# note #}"
        );
    }

    #[test]
    fn a_tag_between_attributes_keeps_the_template_as_it_was() {
        let template = "<input type=\"checkbox\"{% if on %} checked{% endif %} name=\"x\">";
        assert_eq!(super::html_template(template), None);
        assert_eq!(super::html_template("<p>{{ unclosed</p>"), None);
        let both_open = "<li>{% if on %}<a class=\"on\">{% else %}<a>{% endif %}x</a></li>";
        assert_eq!(super::html_template(both_open), None);
    }
}
