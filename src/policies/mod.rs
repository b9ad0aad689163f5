//! Versioned policies under `content/legal/<policy>/<YYYY-MM-DD>.md`: every version is
//! kept and published, the one in force on the build date is chosen here, and upcoming
//! versions are announced ahead of time. Dates decide everything, so they are checked
//! hard: a policy with a wrong date is worse than no page at all.
//!
//! A version may be translated: `<YYYY-MM-DD>.<lang>.md` beside it, for a language of
//! `[languages]`, holds the same version's text in that language (its own title, summary
//! and body; the same `effective` date). A language without one shows the default text.
//!
//! Checks, each an error naming the file (and the line and field where there is one):
//! a file name that is not `<YYYY-MM-DD>.md` or `<YYYY-MM-DD>.<lang>.md`; a translation
//! without the version it translates; a policy folder name that is not a URL
//! slug; unreadable or malformed front matter; a missing `title`, `effective`, `updated`
//! or `summary`; a date that is not a plain date; `effective` that differs from the
//! file's name; `updated` after the build date; two versions with one `effective` date;
//! and a policy with no version in force on the build date (named by its folder).
//! Warnings: a site without a `privacy` or `cookies` policy (the footer links to both),
//! a cookie policy without `data/cookies.toml`, a stray file beside the policy folders,
//! and a later version announced less than its `notice_days` before it takes effect.

pub mod cookies;
pub mod diff;
mod version;
pub mod view;

pub use cookies::{Category, Cookie};
pub use version::PolicyVersion;

use crate::config::PoliciesConfig;
use crate::content;
use crate::diagnostics::{Diagnostics, Problem};
use jiff::civil::Date;
use std::collections::BTreeMap;
use std::path::Path;

/// Policies every marketplace site is expected to publish.
pub const EXPECTED: [&str; 2] = ["privacy", "cookies"];
/// The policy whose version in force is stored with a visitor's consent.
pub const COOKIE_POLICY: &str = "cookies";

/// One policy and all its versions, oldest first.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Folder name, which is also the URL segment: `privacy` publishes `/privacy/`.
    pub name: String,
    /// `content/legal/<name>`, to name the policy in problems.
    pub dir: String,
    pub versions: Vec<PolicyVersion>,
    /// Translations by language, one list for every language but the default, each as
    /// long as `versions` (same index): `None` where that version has no translation.
    pub translations: BTreeMap<String, Vec<Option<PolicyVersion>>>,
    /// Index of the version in force on the build date.
    pub in_force: usize,
}

impl Policy {
    pub fn path(&self) -> String {
        format!("/{}/", self.name)
    }

    pub fn version_path(&self, version: &PolicyVersion) -> String {
        format!("/{}/versions/{}/", self.name, version.effective)
    }

    /// Version `index` in `lang`: its translation when there is one, else the default
    /// text; the flag says whether it is translated (always true for the default language).
    pub fn text(&self, index: usize, lang: &str) -> (&PolicyVersion, bool) {
        match self.translations.get(lang) {
            Some(list) => match &list[index] {
                Some(v) => (v, true),
                None => (&self.versions[index], false),
            },
            None => (&self.versions[index], true),
        }
    }

    pub fn current(&self) -> &PolicyVersion {
        &self.versions[self.in_force]
    }

    /// Versions that take effect after the build date, soonest first.
    pub fn upcoming(&self) -> &[PolicyVersion] {
        &self.versions[self.in_force + 1..]
    }

    /// The next version, when the build date falls within its notice period.
    pub fn announced(&self, date: Date) -> Option<&PolicyVersion> {
        self.upcoming()
            .first()
            .filter(|v| days_between(date, v.effective) <= i64::from(v.notice_days))
    }
}

#[derive(Debug, Clone, Default)]
pub struct Policies {
    /// Every policy with a version in force, by folder name.
    pub list: Vec<Policy>,
    /// The cookie inventory, when `data/cookies.toml` exists.
    pub cookies: Option<Vec<Cookie>>,
}

impl Policies {
    pub fn get(&self, name: &str) -> Option<&Policy> {
        self.list.iter().find(|p| p.name == name)
    }

    /// The consent categories the banner offers: necessary first, then each category the
    /// inventory uses, in a fixed order.
    pub fn consent_categories(&self) -> Vec<Category> {
        Category::ALL
            .into_iter()
            .filter(|c| {
                *c == Category::Necessary
                    || self
                        .cookies
                        .iter()
                        .flatten()
                        .any(|cookie| cookie.category == *c)
            })
            .collect()
    }
}

/// Reads every policy folder and the cookie inventory, as of `date`.
pub fn load(
    root: &Path,
    config: &PoliciesConfig,
    languages: &[String],
    date: Date,
) -> (Policies, Diagnostics) {
    let mut problems = Diagnostics::default();
    let legal = format!("{}/{}", content::DIR, content::LEGAL_DIR);
    let mut policies = Policies::default();
    let entries = walkdir::WalkDir::new(root.join(&legal))
        .min_depth(1)
        .max_depth(1)
        .sort_by_file_name();
    for entry in entries {
        let entry = match entry {
            Ok(e) => e,
            Err(e) if e.depth() == 0 => break, // no legal folder: no policies
            Err(e) => {
                problems.push(Problem::error(format!("cannot read: {e}")).in_file(&legal));
                continue;
            }
        };
        let name = entry.file_name().to_string_lossy().to_string();
        let dir = format!("{legal}/{name}");
        if !entry.file_type().is_dir() {
            problems.push(
                Problem::warning("ignored: each policy is a folder of dated versions").in_file(dir),
            );
            continue;
        }
        if slug::slugify(&name) != name {
            problems.push(
                Problem::error(format!(
                    "a policy folder name is its URL: use lowercase letters, digits and \
                     dashes, e.g. `{}`",
                    slug::slugify(&name)
                ))
                .in_file(dir),
            );
            continue;
        }
        let found = load_policy(
            entry.path(),
            name,
            dir,
            config,
            languages,
            date,
            &mut problems,
        );
        if let Some(policy) = found {
            policies.list.push(policy);
        }
    }
    for expected in EXPECTED {
        if !root.join(&legal).join(expected).is_dir() {
            problems.push(
                Problem::warning(format!(
                    "the site has no {expected} policy; the footer links to /{expected}/"
                ))
                .in_file(format!("{legal}/{expected}")),
            );
        }
    }
    let (cookies, cookie_problems) = cookies::load(root);
    problems.extend(cookie_problems);
    if cookies.is_none()
        && policies.get(COOKIE_POLICY).is_some()
        && !root.join(cookies::FILE).exists()
    {
        problems.push(
            Problem::warning("no cookie inventory: the cookie policy shows no table of cookies")
                .in_file(cookies::FILE),
        );
    }
    policies.cookies = cookies;
    (policies, problems)
}

/// Reads one policy folder; `None` when it has no usable version in force.
fn load_policy(
    path: &Path,
    name: String,
    dir: String,
    config: &PoliciesConfig,
    languages: &[String],
    date: Date,
    problems: &mut Diagnostics,
) -> Option<Policy> {
    let mut versions: Vec<PolicyVersion> = Vec::new();
    let mut translated: Vec<(String, PolicyVersion)> = Vec::new();
    let mut had_errors = false;
    for entry in walkdir::WalkDir::new(path)
        .min_depth(1)
        .sort_by_file_name()
        .into_iter()
        .flatten()
    {
        let file_name = entry.file_name().to_string_lossy().to_string();
        let inner = entry.path().strip_prefix(path).unwrap_or(entry.path());
        let file = format!("{dir}/{}", inner.to_string_lossy().replace('\\', "/"));
        let markdown = file_name
            .rsplit_once('.')
            .is_some_and(|(_, ext)| ext.eq_ignore_ascii_case("md"));
        if !entry.file_type().is_file() || !markdown {
            continue; // folders, images and other files beside the versions
        }
        if entry.depth() > 1 {
            problems.push(
                Problem::warning(format!(
                    "is not read: policy versions are read from {dir}/ itself, not from \
                     folders inside it; move it there to publish it"
                ))
                .in_file(file),
            );
            continue;
        }
        let Some(stem) = file_name.strip_suffix(".md") else {
            problems.push(content::not_markdown(&file));
            continue;
        };
        // `2025-05-28.zh.md`: the same version in another configured language.
        let (stem, lang) = match stem.split_once('.') {
            Some((date, code)) if languages.iter().skip(1).any(|l| l == code) => {
                (date, Some(code.to_string()))
            }
            _ => (stem, None),
        };
        let file_date = match stem.parse::<Date>() {
            Ok(d) if stem.len() == 10 => d,
            _ => {
                problems.push(
                    Problem::error(format!(
                        "a policy version is named after its effective date, e.g. \
                         2025-05-28.md (or 2025-05-28.<lang>.md for a translation into \
                         a configured language); found {file_name}"
                    ))
                    .in_file(file),
                );
                had_errors = true;
                continue;
            }
        };
        let text = match std::fs::read_to_string(entry.path()) {
            Ok(t) => t,
            Err(e) => {
                problems.push(Problem::error(format!("cannot read: {e}")).in_file(file));
                had_errors = true;
                continue;
            }
        };
        match PolicyVersion::parse(&file, &text, date, config.notice_days) {
            Ok(v) => {
                if content::markdown::has_inline_script(&v.html) {
                    problems.push(content::inline_script(&file));
                }
                if v.effective != file_date {
                    problems.push(
                        Problem::error(format!(
                            "`effective` is {} but the file is named {file_date}.md; the \
                             file name is the version's URL, so they must agree",
                            v.effective
                        ))
                        .in_file(&file)
                        .at_line(version::line_of_key(&text, "effective").unwrap_or(1))
                        .with_field("effective"),
                    );
                    had_errors = true;
                }
                match lang {
                    Some(lang) => translated.push((lang, v)),
                    None => versions.push(v),
                }
            }
            Err(found) => {
                problems.extend(found);
                had_errors = true;
            }
        }
    }
    versions.sort_by_key(|v| v.effective);
    for pair in versions.windows(2) {
        let (earlier, later) = (&pair[0], &pair[1]);
        if earlier.effective == later.effective {
            problems.push(
                Problem::error(format!(
                    "two versions take effect on {}: this one and {}",
                    later.effective, earlier.file
                ))
                .in_file(&later.file)
                .with_field("effective"),
            );
            had_errors = true;
        } else if later.updated <= later.effective
            && days_between(later.updated, later.effective) < i64::from(later.notice_days)
        {
            problems.push(
                Problem::warning(format!(
                    "this version takes effect {} days after it was last updated, less than \
                     its {} days of notice",
                    days_between(later.updated, later.effective),
                    later.notice_days
                ))
                .in_file(&later.file)
                .with_field("updated"),
            );
        }
    }
    if versions.is_empty() {
        if !had_errors {
            problems.push(
                Problem::warning(format!(
                    "the {name} policy has no versions; add a file like 2025-05-28.md"
                ))
                .in_file(dir),
            );
        }
        return None;
    }
    let Some(in_force) = versions.iter().rposition(|v| v.effective <= date) else {
        problems.push(
            Problem::error(format!(
                "no version of the {name} policy is in force on {date}: the first takes \
                 effect on {}",
                versions[0].effective
            ))
            .in_file(dir),
        );
        return None;
    };
    for i in 1..versions.len() {
        let diff = diff::redline(&versions[i - 1].source, &versions[i].source);
        versions[i].diff = diff;
    }
    // Every other language has a list, so a policy never translated still shows the note.
    let mut translations: BTreeMap<String, Vec<Option<PolicyVersion>>> = languages
        .iter()
        .skip(1)
        .map(|l| (l.clone(), vec![None; versions.len()]))
        .collect();
    for (lang, v) in translated {
        let Some(index) = versions.iter().position(|o| o.effective == v.effective) else {
            problems.push(
                Problem::error(format!(
                    "a translation of the {} version, which does not exist: add {}.md",
                    v.effective, v.effective
                ))
                .in_file(&v.file),
            );
            continue;
        };
        translations
            .entry(lang)
            .or_insert_with(|| vec![None; versions.len()])[index] = Some(v);
    }
    // A translated version's redline compares it with the previous translation, when
    // that one is translated too; otherwise the page shows the default language's diff.
    for list in translations.values_mut() {
        for i in 1..list.len() {
            if let (Some(prev), Some(cur)) = (&list[i - 1], &list[i]) {
                let diff = diff::redline(&prev.source, &cur.source);
                list[i].as_mut().expect("checked above").diff = diff;
            }
        }
    }
    Some(Policy {
        name,
        dir,
        versions,
        translations,
        in_force,
    })
}

/// Whole days from `from` to `to` (negative when `to` is earlier).
fn days_between(from: Date, to: Date) -> i64 {
    from.until(to).map_or(0, |span| i64::from(span.get_days()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_between_counts_calendar_days() {
        let d = jiff::civil::date;
        assert_eq!(days_between(d(2026, 2, 20), d(2026, 3, 6)), 14);
        assert_eq!(days_between(d(2026, 3, 6), d(2026, 2, 20)), -14);
    }
}
