//! One policy version: a file `content/legal/<policy>/<YYYY-MM-DD>.md`, read and checked
//! once, so later stages hold dates rather than strings.

use crate::content::front_matter::{self, FrontDate};
use crate::content::markdown::{self, Trust};
use crate::diagnostics::Problem;
use jiff::civil::Date;
use serde::Deserialize;

/// The front matter as written; every key is optional here so that a missing one is
/// reported with its name instead of a parser message.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RawFront {
    title: Option<String>,
    effective: Option<FrontDate>,
    updated: Option<FrontDate>,
    summary: Option<String>,
    notice_days: Option<u32>,
}

#[derive(Debug, Clone)]
pub struct PolicyVersion {
    /// Source file, relative to the site root.
    pub file: String,
    pub title: String,
    /// The day this text starts to apply; also its file name and archive URL.
    pub effective: Date,
    /// The day the text was last changed.
    pub updated: Date,
    /// What changed, in a sentence or two; shown in the version list and notices.
    pub summary: String,
    /// Days before `effective` that every page announces this version.
    pub notice_days: u32,
    /// The Markdown body with line endings normalised, for the diff.
    pub source: String,
    /// The rendered body.
    pub html: String,
    /// Redline against the previous version; `None` for the first one or no change.
    pub diff: Option<String>,
}

impl PolicyVersion {
    /// Reads one version as of `build_date`, the day the site is built. Every problem
    /// found is returned, not only the first. That `effective` matches the file name is
    /// checked by the caller, which sees all versions of the policy.
    pub fn parse(
        file: &str,
        text: &str,
        build_date: Date,
        default_notice_days: u32,
    ) -> Result<PolicyVersion, Vec<Problem>> {
        let parsed = front_matter::parse::<RawFront>(file, text).map_err(|p| {
            let field = p.line.and_then(|line| key_on_line(text, line));
            vec![match field {
                Some(f) => p.with_field(f),
                None => p,
            }]
        })?;
        let front = parsed.front;
        let mut problems = Vec::new();
        let at_key = |key: &str, message: String| {
            Problem::error(message)
                .in_file(file)
                .at_line(line_of_key(text, key).unwrap_or(1))
                .with_field(key)
        };
        let mut required = |key: &str, present: bool| {
            if !present {
                problems.push(at_key(key, format!("expected `{key}` in the front matter")));
            }
        };
        let non_empty = |s: &Option<String>| s.as_ref().is_some_and(|s| !s.trim().is_empty());
        required("title", non_empty(&front.title));
        required("effective", front.effective.is_some());
        required("updated", front.updated.is_some());
        required("summary", non_empty(&front.summary));
        if let Some(FrontDate(updated)) = front.updated
            && updated > build_date
        {
            problems.push(at_key(
                "updated",
                format!("`updated` is {updated}, after the build date {build_date}"),
            ));
        }
        match (front.title, front.effective, front.updated, front.summary) {
            (Some(title), Some(FrontDate(effective)), Some(FrontDate(updated)), Some(summary))
                if problems.is_empty() =>
            {
                let source = parsed.body.replace("\r\n", "\n");
                Ok(PolicyVersion {
                    file: file.to_string(),
                    title: title.trim().to_string(),
                    effective,
                    updated,
                    summary: summary.trim().to_string(),
                    notice_days: front.notice_days.unwrap_or(default_notice_days),
                    html: markdown::render(&source, Trust::Content),
                    source,
                    diff: None,
                })
            }
            _ => Err(problems),
        }
    }
}

/// The 1-based line of `key = …` in the front matter.
pub fn line_of_key(text: &str, key: &str) -> Option<u32> {
    text.lines()
        .skip(1)
        .take_while(|l| l.trim_end() != "+++")
        .position(|l| key_of(l) == Some(key))
        .map(|i| i as u32 + 2)
}

/// The key written on a 1-based line, to name the field a parser error is about.
fn key_on_line(text: &str, line: u32) -> Option<String> {
    let l = text.lines().nth(line.checked_sub(1)? as usize)?;
    key_of(l).map(str::to_string)
}

fn key_of(line: &str) -> Option<&str> {
    let (key, _) = line.split_once('=')?;
    let key = key.trim();
    (!key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')).then_some(key)
}
