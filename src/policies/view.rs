//! What policy templates see. Every status and every translation is decided here, so
//! templates only lay things out; dates go out as ISO days and the theme writes them in
//! the page's language (`human_date`, the `date_format` key).

use super::{COOKIE_POLICY, Category, Cookie, Policies, Policy};
use jiff::civil::Date;
use serde::Serialize;
use tera::Context;

#[derive(Serialize)]
struct VersionView<'a> {
    title: &'a str,
    /// `2025-05-28`; the theme formats it per language.
    effective: String,
    updated: String,
    summary: &'a str,
    path: String,
    /// `in_force`, `past` or `upcoming` on the build date.
    status: &'static str,
}

impl<'a> VersionView<'a> {
    /// Version `index` in `lang`, with paths under the language's `prefix` (`/zh`).
    fn new(policy: &'a Policy, index: usize, lang: &str, prefix: &str) -> VersionView<'a> {
        let (v, _) = policy.text(index, lang);
        VersionView {
            title: &v.title,
            effective: v.effective.to_string(),
            updated: v.updated.to_string(),
            summary: &v.summary,
            path: format!("{prefix}{}", policy.version_path(v)),
            status: match index.cmp(&policy.in_force) {
                std::cmp::Ordering::Less => "past",
                std::cmp::Ordering::Equal => "in_force",
                std::cmp::Ordering::Greater => "upcoming",
            },
        }
    }
}

#[derive(Serialize)]
struct PolicyView<'a> {
    name: &'a str,
    /// `/privacy/`: always the version in force.
    path: String,
    /// Every version, newest first.
    versions: Vec<VersionView<'a>>,
}

/// The page of one version, either at the policy's own path or in the archive.
#[derive(Serialize)]
struct PageView<'a> {
    #[serde(flatten)]
    version: VersionView<'a>,
    content: &'a str,
    /// Redline against `previous`, already escaped HTML.
    diff: Option<&'a str>,
    previous: Option<VersionView<'a>>,
    /// The next version, on the page of the version in force.
    upcoming: Option<VersionView<'a>>,
    /// Whether this is an archive URL (`/privacy/versions/<date>/`).
    archive: bool,
    /// No translation into the page's language: the default language's text is shown.
    fallback: bool,
}

/// Fills the context of one policy page: `policy`, `version`, and `cookies` on the cookie
/// policy when the site has an inventory.
pub fn insert_page(
    ctx: &mut Context,
    policies: &Policies,
    policy_index: usize,
    version_index: usize,
    archive: bool,
    lang: &str,
    prefix: &str,
) {
    let policy = &policies.list[policy_index];
    let (version, translated) = policy.text(version_index, lang);
    // A translation's redline is against the previous translation; without one, the
    // default language's redline is the honest comparison.
    let previous_translated = version_index
        .checked_sub(1)
        .is_some_and(|i| policy.text(i, lang).1);
    let diff = if translated && previous_translated {
        version.diff.as_deref()
    } else {
        policy.versions[version_index].diff.as_deref()
    };
    let page = PageView {
        version: VersionView::new(policy, version_index, lang, prefix),
        content: &version.html,
        diff,
        previous: version_index
            .checked_sub(1)
            .map(|i| VersionView::new(policy, i, lang, prefix)),
        upcoming: (version_index == policy.in_force && !policy.upcoming().is_empty())
            .then(|| VersionView::new(policy, policy.in_force + 1, lang, prefix)),
        archive,
        fallback: !translated,
    };
    let view = PolicyView {
        name: &policy.name,
        path: format!("{prefix}{}", policy.path()),
        versions: (0..policy.versions.len())
            .rev()
            .map(|i| VersionView::new(policy, i, lang, prefix))
            .collect(),
    };
    ctx.insert("policy", &view);
    ctx.insert("version", &page);
    let cookies: Option<Vec<Cookie>> = policies
        .cookies
        .as_ref()
        .filter(|_| policy.name == COOKIE_POLICY)
        .map(|list| list.iter().map(|c| c.in_language(lang)).collect());
    ctx.insert("cookies", &cookies);
}

#[derive(Serialize)]
struct ConsentView {
    /// Effective date of the cookie policy in force; a stored choice made under another
    /// version is asked again.
    version: String,
    policy_path: Option<String>,
    categories: Vec<CategoryView>,
}

#[derive(Serialize)]
struct CategoryView {
    id: &'static str,
    necessary: bool,
}

#[derive(Serialize)]
struct NoticeView<'a> {
    /// Stable per announced version, so a dismissal hides only this announcement.
    id: String,
    title: &'a str,
    effective: String,
    summary: &'a str,
    path: String,
}

/// Adds what every page of `lang` needs: `consent` for the banner and `policy_notices`
/// for the versions about to take effect, linking under the language's `prefix`.
pub fn insert_globals(
    ctx: &mut Context,
    policies: &Policies,
    date: Date,
    lang: &str,
    prefix: &str,
) {
    let cookie_policy = policies.get(COOKIE_POLICY);
    let consent = ConsentView {
        version: cookie_policy
            .map(|p| p.current().effective.to_string())
            .unwrap_or_default(),
        policy_path: cookie_policy.map(|p| format!("{prefix}{}", p.path())),
        categories: policies
            .consent_categories()
            .into_iter()
            .map(|c| CategoryView {
                id: c.id(),
                necessary: c == Category::Necessary,
            })
            .collect(),
    };
    let notices: Vec<NoticeView> = policies
        .list
        .iter()
        .filter_map(|p| {
            p.announced(date).map(|v| {
                let index = p.in_force + 1;
                let (text, _) = p.text(index, lang);
                NoticeView {
                    id: format!("{}-{}", p.name, v.effective),
                    title: &text.title,
                    effective: v.effective.to_string(),
                    summary: &text.summary,
                    path: format!("{prefix}{}", p.version_path(v)),
                }
            })
        })
        .collect();
    ctx.insert("consent", &consent);
    ctx.insert("policy_notices", &notices);
}
