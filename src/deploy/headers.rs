//! The headers each object gets: `Content-Type` from the file's extension and
//! `Cache-Control` from the built `_headers` file, read back with the same rules a host
//! that honours it (Netlify, Cloudflare Pages) applies, so a bucket behind a CDN caches
//! exactly as those hosts would. Other headers in `_headers` (CSP, HSTS, …) are response
//! headers S3 cannot store on an object: the CDN in front of the bucket must add them.

use crate::output;
use serde::{Deserialize, Serialize};

/// The headers stored with one object. Compared with what the last deploy stored, so a
/// change of caching rules re-uploads the files it affects even when their bytes did not
/// change.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ObjectHeaders {
    pub content_type: String,
    pub cache_control: String,
}

impl ObjectHeaders {
    /// Whether the object's name carries its content hash (cached for a year, never
    /// changed in place).
    pub fn immutable(&self) -> bool {
        self.cache_control.contains("immutable")
    }
}

/// One block of `_headers`: a path pattern, the headers it detaches (`! Name`) and those
/// it sets.
#[derive(Debug)]
struct Rule {
    pattern: String,
    detach: Vec<String>,
    set: Vec<(String, String)>,
}

/// The rules of a `_headers` file, in order.
#[derive(Debug)]
pub struct HeaderRules {
    rules: Vec<Rule>,
}

/// A line of `_headers` that is neither a path, a header nor a detach.
#[derive(Debug, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct RulesError {
    pub line: usize,
    pub message: String,
}

impl HeaderRules {
    /// Reads the format `output::headers` writes: a path at the start of a line, then
    /// indented `Name: value` or `! Name` lines; `#` starts a comment.
    pub fn parse(text: &str) -> Result<HeaderRules, RulesError> {
        let mut rules: Vec<Rule> = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let error = |message: &str| RulesError {
                line: i + 1,
                message: message.to_string(),
            };
            if !raw.starts_with(char::is_whitespace) {
                if !line.starts_with('/') {
                    return Err(error("expected a path starting with `/`"));
                }
                rules.push(Rule {
                    pattern: line.to_string(),
                    detach: Vec::new(),
                    set: Vec::new(),
                });
                continue;
            }
            let Some(rule) = rules.last_mut() else {
                return Err(error("a header before any path"));
            };
            if let Some(name) = line.strip_prefix('!') {
                rule.detach.push(name.trim().to_ascii_lowercase());
            } else if let Some((name, value)) = line.split_once(':') {
                rule.set
                    .push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
            } else {
                return Err(error("expected `Name: value` or `! Name`"));
            }
        }
        Ok(HeaderRules { rules })
    }

    /// The `Cache-Control` a host applying these rules sends for the output file `path`
    /// (`cars/x/index.html`): every matching rule in order, a detach dropping what earlier
    /// rules set. Without any rule for it, pages are revalidated on every visit.
    pub fn cache_control(&self, path: &str) -> String {
        let url = format!("/{path}");
        let mut value: Option<&str> = None;
        for rule in self.rules.iter().filter(|r| matches(&r.pattern, &url)) {
            if rule.detach.iter().any(|n| n == "cache-control") {
                value = None;
            }
            for (name, v) in &rule.set {
                if name == "cache-control" {
                    value = Some(v);
                }
            }
        }
        value.unwrap_or(output::REVALIDATE).to_string()
    }

    /// Both headers of the output file `path`.
    pub fn for_path(&self, path: &str) -> ObjectHeaders {
        ObjectHeaders {
            content_type: output::content_type(path).to_string(),
            cache_control: self.cache_control(path),
        }
    }
}

/// Netlify's and Cloudflare's path patterns as `output::headers` writes them: an exact
/// path, or a prefix ending in `*`.
fn matches(pattern: &str, url: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => url.starts_with(prefix),
        None => pattern == url || url.strip_suffix("index.html") == Some(pattern),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_back_the_cache_rules_the_build_writes() {
        let text = output::headers(&["style.0123456789.css".to_string()], true);
        let rules = HeaderRules::parse(&text).unwrap();
        assert_eq!(
            rules.cache_control("style.0123456789.css"),
            output::IMMUTABLE
        );
        assert_eq!(
            rules.cache_control("photos/ab/cd-480.webp"),
            output::IMMUTABLE
        );
        assert_eq!(rules.cache_control("cars/x/index.html"), output::REVALIDATE);
        assert_eq!(rules.cache_control("style.css"), output::REVALIDATE);
        let page = rules.for_path("index.html");
        assert_eq!(page.content_type, "text/html; charset=utf-8");
        assert!(!page.immutable());
        assert!(rules.for_path("style.0123456789.css").immutable());
    }

    #[test]
    fn a_later_rule_replaces_cache_control_and_a_detach_drops_it() {
        let rules = HeaderRules::parse(
            "# comment\n/*\n  Cache-Control: no-cache\n/feeds/*\n  ! Cache-Control\n",
        )
        .unwrap();
        assert_eq!(rules.cache_control("a.html"), "no-cache");
        assert_eq!(rules.cache_control("feeds/a.xml"), output::REVALIDATE);
    }

    #[test]
    fn a_malformed_line_is_an_error_with_its_line() {
        let err = HeaderRules::parse("/*\n  X-Frame-Options: DENY\n  nonsense\n").unwrap_err();
        assert_eq!(err.line, 3);
        assert_eq!(HeaderRules::parse("  A: b\n").unwrap_err().line, 1);
        assert_eq!(HeaderRules::parse("cars\n").unwrap_err().line, 1);
    }
}
