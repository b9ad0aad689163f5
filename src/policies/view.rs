//! What policy templates see. Every date is formatted and every status decided here, so
//! templates only lay things out.

use super::{COOKIE_POLICY, Category, Cookie, Policies, Policy, PolicyVersion, long_date};
use jiff::civil::Date;
use serde::Serialize;
use tera::Context;

#[derive(Serialize)]
struct VersionView<'a> {
    title: &'a str,
    /// `2025-05-28`, for machines and URLs.
    effective: String,
    /// `May 28, 2025`, for people.
    effective_long: String,
    updated_long: String,
    summary: &'a str,
    path: String,
    /// `in_force`, `past` or `upcoming` on the build date.
    status: &'static str,
}

impl<'a> VersionView<'a> {
    fn new(policy: &Policy, index: usize) -> VersionView<'_> {
        let v = &policy.versions[index];
        VersionView {
            title: &v.title,
            effective: v.effective.to_string(),
            effective_long: long_date(v.effective),
            updated_long: long_date(v.updated),
            summary: &v.summary,
            path: policy.version_path(v),
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
}

/// Fills the context of one policy page: `policy`, `version`, and `cookies` on the cookie
/// policy when the site has an inventory.
pub fn insert_page(
    ctx: &mut Context,
    policies: &Policies,
    policy_index: usize,
    version_index: usize,
    archive: bool,
) {
    let policy = &policies.list[policy_index];
    let version: &PolicyVersion = &policy.versions[version_index];
    let page = PageView {
        version: VersionView::new(policy, version_index),
        content: &version.html,
        diff: version.diff.as_deref(),
        previous: version_index
            .checked_sub(1)
            .map(|i| VersionView::new(policy, i)),
        upcoming: (version_index == policy.in_force && !policy.upcoming().is_empty())
            .then(|| VersionView::new(policy, policy.in_force + 1)),
        archive,
    };
    let view = PolicyView {
        name: &policy.name,
        path: policy.path(),
        versions: (0..policy.versions.len())
            .rev()
            .map(|i| VersionView::new(policy, i))
            .collect(),
    };
    ctx.insert("policy", &view);
    ctx.insert("version", &page);
    let cookies: Option<&Vec<Cookie>> = policies
        .cookies
        .as_ref()
        .filter(|_| policy.name == COOKIE_POLICY);
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
    effective_long: String,
    summary: &'a str,
    path: String,
}

/// Adds what every page needs: `consent` for the banner and `policy_notices` for the
/// versions about to take effect.
pub fn insert_globals(ctx: &mut Context, policies: &Policies, date: Date) {
    let cookie_policy = policies.get(COOKIE_POLICY);
    let consent = ConsentView {
        version: cookie_policy
            .map(|p| p.current().effective.to_string())
            .unwrap_or_default(),
        policy_path: cookie_policy.map(Policy::path),
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
            p.announced(date).map(|v| NoticeView {
                id: format!("{}-{}", p.name, v.effective),
                title: &v.title,
                effective_long: long_date(v.effective),
                summary: &v.summary,
                path: p.version_path(v),
            })
        })
        .collect();
    ctx.insert("consent", &consent);
    ctx.insert("policy_notices", &notices);
}
