//! Versioned policies, built from fixture sites under `tests/fixtures/policies/`.
//! `basic` has three privacy versions (past, in force on 2026-12-01, upcoming on
//! 2026-12-10), two cookie policy versions (the second from 2027-01-01, 7 days' notice),
//! a terms policy and a cookie inventory. `minimal` has one privacy and one cookie
//! version; error tests add a broken file to it.

mod common;

use common::Fixture;
use showroom::{Problem, Report};

const BASIC: &str = "policies/basic";
const MINIMAL: &str = "policies/minimal";

/// The only error of a report, printed whole when there is not exactly one.
fn only_error(report: &Report) -> &Problem {
    let errors: Vec<&Problem> = report.problems.iter().filter(|p| p.is_error()).collect();
    assert_eq!(errors.len(), 1, "expected one error: {errors:#?}");
    errors[0]
}

fn version_file(date: &str, front: &str) -> String {
    format!("+++\n{front}\n+++\n\nText of {date}.\n")
}

// --- selection and routes --------------------------------------------------------------

#[test]
fn policy_path_shows_the_version_in_force_with_the_header_line() {
    let site = Fixture::new(BASIC);
    site.build_clean("2026-12-01");
    let privacy = site.page("privacy/index.html");
    assert!(
        privacy.contains("Effective date: March 2, 2026 | Update date: February 10, 2026"),
        "{privacy}"
    );
    assert!(privacy.contains("<p>We keep enquiries for 24 months.</p>"));
    let cookies = site.page("cookies/index.html");
    assert!(cookies.contains("Effective date: May 28, 2025 | Update date: May 28, 2025"));
    assert!(
        site.page("terms/index.html")
            .contains("Listings come from suppliers.")
    );
}

#[test]
fn a_version_takes_over_on_its_effective_date_and_not_before() {
    let site = Fixture::new(BASIC);
    site.build_clean("2026-12-09");
    assert!(
        site.page("privacy/index.html")
            .contains("data-effective=\"2026-03-02\"")
    );
    site.build_clean("2026-12-10");
    let privacy = site.page("privacy/index.html");
    assert!(privacy.contains("data-effective=\"2026-12-10\""));
    assert!(privacy.contains("Suppliers handle direct contacts"));
    assert!(
        !privacy.contains("policy-upcoming"),
        "nothing is upcoming any more"
    );
}

#[test]
fn every_version_stays_readable_in_the_archive() {
    let site = Fixture::new(BASIC);
    site.build_clean("2026-12-01");
    for page in [
        "privacy/versions/2025-05-28/index.html",
        "privacy/versions/2026-03-02/index.html",
        "privacy/versions/2026-12-10/index.html",
        "cookies/versions/2025-05-28/index.html",
        "cookies/versions/2027-01-01/index.html",
        "terms/versions/2025-06-01/index.html",
    ] {
        assert!(site.has_page(page), "missing {page}");
    }
    let old = site.page("privacy/versions/2025-05-28/index.html");
    assert!(old.contains("Effective date: May 28, 2025 | Update date: May 28, 2025"));
    assert!(old.contains("no longer applies"), "a past version says so");
    let upcoming = site.page("privacy/versions/2026-12-10/index.html");
    assert!(upcoming.contains("not in force yet. It takes effect on December 10, 2026"));
}

#[test]
fn the_policy_page_lists_all_versions_with_dates_and_summaries() {
    let site = Fixture::new(BASIC);
    site.build_clean("2026-12-01");
    let privacy = site.page("privacy/index.html");
    let list = &privacy[privacy.find("class=\"version-list\"").unwrap()..];
    let newest = list.find("/privacy/versions/2026-12-10/").unwrap();
    let middle = list.find("/privacy/versions/2026-03-02/").unwrap();
    let oldest = list.find("/privacy/versions/2025-05-28/").unwrap();
    assert!(newest < middle && middle < oldest, "newest first");
    assert!(list.contains("Effective date: March 2, 2026"));
    assert!(list.contains("Update date: February 10, 2026"));
    assert!(list.contains("Enquiries are kept for 24 months."));
    assert!(list.contains("First version."));
}

// --- notices ---------------------------------------------------------------------------

#[test]
fn the_page_in_force_announces_the_upcoming_version_with_date_summary_and_link() {
    let site = Fixture::new(BASIC);
    site.build_clean("2026-11-25");
    let privacy = site.page("privacy/index.html");
    let notice = &privacy[privacy.find("policy-upcoming").expect("a notice")..];
    assert!(notice.contains("This policy changes on December 10, 2026."));
    assert!(
        notice.contains("We add a section on &lt;supplier&gt; contacts &amp; photos."),
        "the summary is escaped: {notice}"
    );
    assert!(notice.contains("href=\"/privacy/versions/2026-12-10/\""));
}

#[test]
fn every_page_shows_a_notice_only_within_notice_days() {
    let site = Fixture::new(BASIC);
    // 15 days ahead: the policy page says so, other pages not yet.
    site.build_clean("2026-11-25");
    assert!(!site.page("index.html").contains("data-notice="));
    // 9 days ahead, within the default 14.
    site.build_clean("2026-12-01");
    for page in ["index.html", "terms/index.html", "404.html"] {
        let html = site.page(page);
        assert!(
            html.contains("data-notice=\"privacy-2026-12-10\""),
            "{page} has the notice"
        );
    }
    assert!(
        site.page("index.html")
            .contains("href=\"/privacy/versions/2026-12-10/\"")
    );
    assert!(
        !site.page("index.html").contains("data-notice=\"cookies-"),
        "the cookie policy asks for 7 days only"
    );
    // 7 days before the cookie policy changes; the privacy change is in force.
    site.build_clean("2026-12-25");
    let home = site.page("index.html");
    assert!(home.contains("data-notice=\"cookies-2027-01-01\""));
    assert!(!home.contains("data-notice=\"privacy-"));
}

#[test]
fn policy_notice_days_in_config_change_the_default() {
    let site = Fixture::new(BASIC);
    let config = std::fs::read_to_string(site.root().join("config.toml")).unwrap();
    site.write(
        "config.toml",
        &format!("{config}\n[policies]\nnotice_days = 30\n"),
    );
    let report = site.build("2026-11-25");
    assert!(!report.has_errors(), "{:#?}", report.problems);
    assert!(
        site.page("index.html")
            .contains("data-notice=\"privacy-2026-12-10\"")
    );
}

// --- diff ------------------------------------------------------------------------------

#[test]
fn each_version_page_shows_what_changed_since_the_previous_one() {
    let site = Fixture::new(BASIC);
    site.build_clean("2026-12-01");
    let second = site.page("privacy/versions/2026-03-02/index.html");
    assert!(
        second.contains("<p>We keep enquiries for <del>12</del><ins>24</ins> months.</p>"),
        "{second}"
    );
    assert!(second.contains("href=\"/privacy/versions/2025-05-28/\">May 28, 2025</a>"));
    let third = site.page("privacy/versions/2026-12-10/index.html");
    assert!(third.contains(
        "<p class=\"diff-added\"><ins>Suppliers handle direct contacts under their own policies.</ins></p>"
    ));
    let first = site.page("privacy/versions/2025-05-28/index.html");
    assert!(first.contains("This is the first version of this policy."));
    assert!(!first.contains("<ins>"));
}

#[test]
fn diff_escapes_markup_from_the_policy_source() {
    let site = Fixture::new(MINIMAL);
    site.write(
        "content/legal/privacy/2025-07-01.md",
        &version_file(
            "2025-07-01",
            "title = \"Privacy\"\neffective = 2025-07-01\nupdated = 2025-06-01\nsummary = \"s\"",
        )
        .replace(
            "Text of 2025-07-01.",
            "We keep enquiries for 12 months. <img src=x onerror=alert(1)>",
        ),
    );
    site.build_clean("2025-08-01");
    let page = site.page("privacy/versions/2025-07-01/index.html");
    let diff = &page[page.find("class=\"policy-diff\"").unwrap()..];
    assert!(
        diff.contains(
            "<ins>We keep enquiries for 12 months. &lt;img src=x onerror=alert(1)&gt;</ins>"
        ),
        "{diff}"
    );
}

// --- cookies and banner ----------------------------------------------------------------

#[test]
fn cookie_policy_renders_the_inventory_as_an_escaped_table() {
    let site = Fixture::new(BASIC);
    site.build_clean("2026-12-01");
    let cookies = site.page("cookies/index.html");
    assert!(cookies.contains("<table class=\"cookie-table\">"));
    assert!(cookies.contains("<td><code>_fixture_a</code></td>"));
    assert!(cookies.contains("<td>Counts &lt;visits&gt;.</td>"));
    assert!(cookies.contains("<td>13 months</td>"));
    assert!(!site.page("privacy/index.html").contains("cookie-table"));
}

#[test]
fn every_page_carries_the_banner_with_the_cookie_policy_version_and_categories() {
    let site = Fixture::new(BASIC);
    site.build_clean("2026-12-01");
    for page in ["index.html", "privacy/index.html", "404.html"] {
        let html = site.page(page);
        assert!(html.contains("role=\"dialog\""), "{page}");
        assert!(html.contains("data-version=\"2025-05-28\""), "{page}");
        assert!(html.contains("data-consent-open"), "{page}: footer link");
    }
    let home = site.page("index.html");
    assert!(home.contains("<input type=\"checkbox\" name=\"necessary\" checked disabled>"));
    assert!(home.contains("name=\"analytics\""));
    assert!(
        !home.contains("name=\"marketing\""),
        "no marketing cookie in the inventory"
    );
    assert!(
        home.contains("<script type=\"text/plain\" data-consent=\"analytics\" src=\"/analytics.")
    );
    assert!(home.contains(">Accept all</button>") && home.contains(">Reject all</button>"));
    site.build_clean("2027-01-05");
    assert!(
        site.page("index.html")
            .contains("data-version=\"2027-01-01\"")
    );
}

#[test]
fn banner_script_and_style_stay_under_six_kilobytes_gzipped() {
    use std::io::Write;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/showroom/static");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    for file in ["consent.js", "consent.css"] {
        gz.write_all(&std::fs::read(dir.join(file)).unwrap())
            .unwrap();
    }
    let size = gz.finish().unwrap().len();
    assert!(
        size < 6 * 1024,
        "consent.js + consent.css: {size} bytes gzipped"
    );
}

// --- errors and warnings ---------------------------------------------------------------

#[test]
fn missing_effective_is_an_error_naming_file_and_field() {
    let site = Fixture::new(MINIMAL);
    site.write(
        "content/legal/privacy/2025-07-01.md",
        &version_file(
            "2025-07-01",
            "title = \"Privacy\"\nupdated = 2025-06-01\nsummary = \"s\"",
        ),
    );
    let report = site.build("2025-08-01");
    let p = only_error(&report);
    assert_eq!(
        p.file.as_deref(),
        Some("content/legal/privacy/2025-07-01.md")
    );
    assert_eq!(p.field.as_deref(), Some("effective"));
}

#[test]
fn invalid_effective_is_an_error_with_line_and_field() {
    let site = Fixture::new(MINIMAL);
    site.write(
        "content/legal/privacy/2025-07-01.md",
        &version_file(
            "2025-07-01",
            "title = \"Privacy\"\neffective = \"July 1st\"\nupdated = 2025-06-01\nsummary = \"s\"",
        ),
    );
    let p = only_error(&site.build("2025-08-01")).clone();
    assert_eq!(
        p.file.as_deref(),
        Some("content/legal/privacy/2025-07-01.md")
    );
    assert_eq!((p.line, p.field.as_deref()), (Some(3), Some("effective")));
    assert!(
        p.message.contains("2025-05-28"),
        "shows the format: {}",
        p.message
    );
}

#[test]
fn missing_or_invalid_updated_is_an_error() {
    let site = Fixture::new(MINIMAL);
    site.write(
        "content/legal/privacy/2025-07-01.md",
        &version_file(
            "2025-07-01",
            "title = \"Privacy\"\neffective = 2025-07-01\nsummary = \"s\"",
        ),
    );
    assert_eq!(
        only_error(&site.build("2025-08-01")).field.as_deref(),
        Some("updated")
    );
    site.write(
        "content/legal/privacy/2025-07-01.md",
        &version_file(
            "2025-07-01",
            "title = \"Privacy\"\neffective = 2025-07-01\nupdated = 2025-06-01T10:00:00\nsummary = \"s\"",
        ),
    );
    let p = only_error(&site.build("2025-08-01")).clone();
    assert_eq!((p.line, p.field.as_deref()), (Some(4), Some("updated")));
}

#[test]
fn missing_title_or_empty_summary_is_an_error() {
    let site = Fixture::new(MINIMAL);
    site.write(
        "content/legal/privacy/2025-07-01.md",
        &version_file(
            "2025-07-01",
            "effective = 2025-07-01\nupdated = 2025-06-01\nsummary = \"s\"",
        ),
    );
    assert_eq!(
        only_error(&site.build("2025-08-01")).field.as_deref(),
        Some("title")
    );
    site.write(
        "content/legal/privacy/2025-07-01.md",
        &version_file(
            "2025-07-01",
            "title = \"Privacy\"\neffective = 2025-07-01\nupdated = 2025-06-01\nsummary = \"  \"",
        ),
    );
    let p = only_error(&site.build("2025-08-01")).clone();
    assert_eq!((p.line, p.field.as_deref()), (Some(5), Some("summary")));
}

#[test]
fn unknown_front_matter_key_is_an_error_with_its_line() {
    let site = Fixture::new(MINIMAL);
    site.write(
        "content/legal/privacy/2025-07-01.md",
        &version_file(
            "2025-07-01",
            "title = \"Privacy\"\neffective = 2025-07-01\nupdated = 2025-06-01\nsummary = \"s\"\nnotice = 3",
        ),
    );
    let p = only_error(&site.build("2025-08-01")).clone();
    assert_eq!(p.line, Some(6));
    assert!(p.message.contains("notice"), "{}", p.message);
}

#[test]
fn effective_date_must_match_the_file_name() {
    let site = Fixture::new(MINIMAL);
    site.write(
        "content/legal/privacy/2025-07-01.md",
        &version_file(
            "2025-07-01",
            "title = \"Privacy\"\neffective = 2025-07-02\nupdated = 2025-06-01\nsummary = \"s\"",
        ),
    );
    let p = only_error(&site.build("2025-08-01")).clone();
    assert_eq!(
        p.file.as_deref(),
        Some("content/legal/privacy/2025-07-01.md")
    );
    assert_eq!((p.line, p.field.as_deref()), (Some(3), Some("effective")));
    assert!(p.message.contains("2025-07-01.md"), "{}", p.message);
}

#[test]
fn two_versions_with_one_effective_date_are_an_error_naming_both() {
    let site = Fixture::new(MINIMAL);
    site.write(
        "content/legal/privacy/2025-07-01.md",
        &version_file(
            "2025-07-01",
            "title = \"Privacy\"\neffective = 2025-05-28\nupdated = 2025-05-28\nsummary = \"s\"",
        ),
    );
    let report = site.build("2025-08-01");
    let twice = report
        .problems
        .iter()
        .find(|p| {
            p.message
                .starts_with("two versions take effect on 2025-05-28")
        })
        .expect("a duplicate error");
    assert!(twice.is_error());
    let files = format!("{:?} {}", twice.file, twice.message);
    assert!(files.contains("privacy/2025-05-28.md") && files.contains("privacy/2025-07-01.md"));
}

#[test]
fn updated_after_the_build_date_is_an_error() {
    let site = Fixture::new(MINIMAL);
    site.write(
        "content/legal/privacy/2025-07-01.md",
        &version_file(
            "2025-07-01",
            "title = \"Privacy\"\neffective = 2025-07-01\nupdated = 2025-09-01\nsummary = \"s\"",
        ),
    );
    let p = only_error(&site.build("2025-08-01")).clone();
    assert_eq!((p.line, p.field.as_deref()), (Some(4), Some("updated")));
    assert!(
        p.message.contains("after the build date 2025-08-01"),
        "{}",
        p.message
    );
}

#[test]
fn no_version_in_force_is_an_error_naming_the_policy() {
    let site = Fixture::new(MINIMAL);
    site.write(
        "content/legal/terms/2026-01-01.md",
        &version_file(
            "2026-01-01",
            "title = \"Terms\"\neffective = 2026-01-01\nupdated = 2025-06-01\nsummary = \"s\"",
        ),
    );
    let p = only_error(&site.build("2025-08-01")).clone();
    assert_eq!(p.file.as_deref(), Some("content/legal/terms"));
    assert!(
        p.message
            .contains("no version of the terms policy is in force on 2025-08-01"),
        "{}",
        p.message
    );
}

#[test]
fn a_file_not_named_after_a_date_is_an_error() {
    let site = Fixture::new(MINIMAL);
    site.write("content/legal/privacy/latest.md", "+++\n+++\n");
    let p = only_error(&site.build("2025-08-01")).clone();
    assert_eq!(p.file.as_deref(), Some("content/legal/privacy/latest.md"));
    assert!(p.message.contains("2025-05-28.md"), "{}", p.message);
}

#[test]
fn a_policy_folder_that_is_not_a_slug_is_an_error() {
    let site = Fixture::new(MINIMAL);
    site.write(
        "content/legal/Terms Of Use/2025-06-01.md",
        &version_file(
            "2025-06-01",
            "title = \"T\"\neffective = 2025-06-01\nupdated = 2025-06-01\nsummary = \"s\"",
        ),
    );
    let p = only_error(&site.build("2025-08-01")).clone();
    assert_eq!(p.file.as_deref(), Some("content/legal/Terms Of Use"));
    assert!(p.message.contains("terms-of-use"), "{}", p.message);
}

#[test]
fn an_unknown_cookie_category_is_an_error_with_its_line() {
    let site = Fixture::new(MINIMAL);
    site.write(
        "data/cookies.toml",
        "[[cookies]]\nname = \"a\"\nprovider = \"p\"\ncategory = \"tracking\"\npurpose = \"x\"\nexpiry = \"1 day\"\n",
    );
    let p = only_error(&site.build("2025-08-01")).clone();
    assert_eq!(p.file.as_deref(), Some("data/cookies.toml"));
    assert_eq!(p.line, Some(4));
}

#[test]
fn a_site_without_privacy_or_cookie_policy_builds_with_warnings() {
    let site = Fixture::new(MINIMAL);
    site.remove("content/legal/cookies");
    let report = site.build("2025-08-01");
    assert!(!report.has_errors(), "{:#?}", report.problems);
    let warned: Vec<_> = report
        .problems
        .iter()
        .filter_map(|p| p.file.clone())
        .collect();
    assert!(
        warned.contains(&"content/legal/cookies".to_string()),
        "{warned:?}"
    );
    // The banner still works, with no policy version to compare against.
    assert!(site.page("index.html").contains("data-version=\"\""));
}

#[test]
fn a_version_announced_with_too_little_notice_is_a_warning() {
    let site = Fixture::new(MINIMAL);
    site.write(
        "content/legal/privacy/2025-07-01.md",
        &version_file(
            "2025-07-01",
            "title = \"Privacy\"\neffective = 2025-07-01\nupdated = 2025-06-25\nsummary = \"s\"",
        ),
    );
    let report = site.build("2025-08-01");
    assert!(!report.has_errors());
    let p = report.problems.iter().next().expect("a warning");
    assert_eq!(
        (p.file.as_deref(), p.field.as_deref()),
        (Some("content/legal/privacy/2025-07-01.md"), Some("updated"))
    );
    assert!(p.message.contains("6 days"), "{}", p.message);
}

#[test]
fn the_binary_exits_1_on_a_policy_error_and_keeps_the_previous_output() {
    let site = Fixture::new(MINIMAL);
    let run = |date: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_showroom"))
            .args(["build", "--root"])
            .arg(site.root())
            .args(["--date", date])
            .output()
            .unwrap()
    };
    let ok = run("2025-08-01");
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    site.write(
        "content/legal/privacy/2025-07-01.md",
        &version_file(
            "2025-07-01",
            "title = \"Privacy\"\neffective = 2025-07-01\nupdated = 2025-09-01\nsummary = \"s\"",
        ),
    );
    let failed = run("2025-08-01");
    assert_eq!(failed.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(
        stderr.contains("content/legal/privacy/2025-07-01.md:4: field `updated`"),
        "{stderr}"
    );
    assert!(site.page("privacy/index.html").contains("May 28, 2025"));
    assert!(!site.has_page("privacy/versions/2025-07-01/index.html"));
}

#[test]
fn an_empty_policy_folder_or_a_stray_file_in_legal_is_a_warning() {
    let site = Fixture::new(MINIMAL);
    std::fs::create_dir_all(site.root().join("content/legal/terms")).unwrap();
    site.write("content/legal/README.md", "notes\n");
    let report = site.build("2025-08-01");
    assert!(!report.has_errors(), "{:#?}", report.problems);
    let warned: Vec<_> = report
        .problems
        .iter()
        .map(|p| p.file.clone().unwrap_or_default())
        .collect();
    assert_eq!(
        warned,
        ["content/legal/README.md", "content/legal/terms"],
        "{:#?}",
        report.problems
    );
    assert!(!site.has_page("terms/index.html"));
}
