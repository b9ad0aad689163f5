//! A bilingual site, built from `tests/fixtures/i18n/`: English by default at `/`,
//! Simplified Chinese at `/zh/`. `about` and the privacy policy are translated; `faq` and
//! the cookie policy are not. Two suppliers (EUR and CNY) list three cars in CSV.

mod common;

use common::{Fixture, repo_root};
use std::collections::{BTreeMap, BTreeSet};

const SITE: &str = "i18n";
const DATE: &str = "2026-11-23";

fn built() -> Fixture {
    let site = Fixture::new(SITE);
    site.build_clean(DATE);
    site
}

/// `hreflang` to absolute URL, from a page's `<link rel="alternate" hreflang>` tags.
fn alternates(html: &str) -> BTreeMap<String, String> {
    html.lines()
        .filter_map(|l| {
            let rest = l
                .trim()
                .strip_prefix(r#"<link rel="alternate" hreflang=""#)?;
            let (lang, rest) = rest.split_once('"')?;
            let href = rest.split_once(r#"href=""#)?.1.split_once('"')?.0;
            Some((lang.to_string(), href.to_string()))
        })
        .collect()
}

fn output_file(url: &str) -> String {
    let path = url.strip_prefix("https://fixture.example/").unwrap();
    format!("{path}index.html")
}

#[test]
fn every_theme_language_file_has_the_same_keys() {
    let keys = |lang: &str| -> BTreeSet<String> {
        let text = common::read(repo_root().join(format!("themes/showroom/i18n/{lang}.toml")));
        toml::from_str::<BTreeMap<String, String>>(&text)
            .unwrap()
            .into_keys()
            .collect()
    };
    let (en, zh) = (keys("en"), keys("zh"));
    assert_eq!(
        en.symmetric_difference(&zh).collect::<Vec<_>>(),
        Vec::<&String>::new()
    );
}

#[test]
fn both_languages_publish_every_page_with_its_html_lang_and_strings() {
    let site = built();
    for (en, zh) in [
        ("index.html", "zh/index.html"),
        ("about/index.html", "zh/about/index.html"),
        ("faq/index.html", "zh/faq/index.html"),
        ("cars/index.html", "zh/cars/index.html"),
        ("cars/page/2/index.html", "zh/cars/page/2/index.html"),
        ("cars/brand/bmw/index.html", "zh/cars/brand/bmw/index.html"),
        (
            "cars/supplier/bravo/index.html",
            "zh/cars/supplier/bravo/index.html",
        ),
        (
            "cars/byd-han-2022-bravo-b-1/index.html",
            "zh/cars/byd-han-2022-bravo-b-1/index.html",
        ),
        ("privacy/index.html", "zh/privacy/index.html"),
        (
            "cookies/versions/2025-05-28/index.html",
            "zh/cookies/versions/2025-05-28/index.html",
        ),
        ("404.html", "zh/404.html"),
    ] {
        assert!(site.page(en).contains(r#"<html lang="en""#), "{en}");
        let page = site.page(zh);
        assert!(page.contains(r#"<html lang="zh-Hans""#), "{zh}");
        assert!(page.contains("全部车辆"), "{zh}: the menu is in Chinese");
        assert!(page.contains("测试车行"), "{zh}: the Chinese site title");
    }
    assert!(
        site.page("zh/about/index.html")
            .contains("中文的关于页面。")
    );
    assert!(site.has_page("zh/cars/atom.xml"));
    assert!(
        site.page("zh/cars/atom.xml")
            .contains("https://fixture.example/zh/cars/byd-han-2022-bravo-b-1/")
    );
}

#[test]
fn cars_in_chinese_have_translated_labels_local_dates_and_the_suppliers_own_text() {
    let site = built();
    let zh = site.page("zh/cars/byd-han-2022-bravo-b-1/index.html");
    assert!(zh.contains("车辆参数"), "specifications heading");
    assert!(zh.contains("纯电动"), "fuel label");
    assert!(zh.contains(r#"<time datetime="2026-11-20">2026年11月20日</time>"#));
    assert!(zh.contains("CN¥128,000"));
    assert!(zh.contains("一手车，电池健康。"), "feed text as written");
    assert!(
        zh.contains(r#""url":"https://fixture.example/zh/cars/byd-han-2022-bravo-b-1/""#),
        "structured data names the Chinese page"
    );
    let en = site.page("cars/bmw-3-series-2019-alpha-a-1/index.html");
    assert!(en.contains(r#"<time datetime="2026-11-10">November 10, 2026</time>"#));
    let zh = site.page("zh/cars/bmw-3-series-2019-alpha-a-1/index.html");
    assert!(zh.contains("Supplier text stays as written"));
    assert!(
        zh.contains(r#"href="/zh/cars/brand/bmw/""#),
        "breadcrumbs stay in Chinese"
    );
}

#[test]
fn an_untranslated_page_or_policy_falls_back_to_english_with_a_note() {
    let site = built();
    let note = "本页尚未翻译，以下为原文内容。";
    let faq = site.page("zh/faq/index.html");
    assert!(faq.contains(note) && faq.contains("This page has no translation."));
    let cookies = site.page("zh/cookies/index.html");
    assert!(cookies.contains(note) && cookies.contains("Only the cookies listed below."));
    for translated in [
        "zh/about/index.html",
        "zh/privacy/index.html",
        "zh/index.html",
    ] {
        assert!(!site.page(translated).contains(note), "{translated}");
    }
    assert!(!site.page("faq/index.html").contains("translation-note"));
}

#[test]
fn the_chinese_policy_header_uses_chinese_words_and_dates() {
    let site = built();
    let privacy = site.page("zh/privacy/index.html");
    assert!(
        privacy.contains("生效日期：2025年5月28日 | 更新日期：2025年5月28日"),
        "{privacy}"
    );
    assert!(privacy.contains("咨询信息保留 12 个月。"));
    assert!(
        site.page("privacy/index.html")
            .contains("Effective date: May 28, 2025 | Update date: May 28, 2025")
    );
}

#[test]
fn hreflang_alternates_pair_every_page_with_its_other_language() {
    let site = built();
    for page in [
        "about/index.html",
        "faq/index.html",
        "cars/byd-han-2022-bravo-b-1/index.html",
        "cars/brand/bmw/index.html",
        "cars/page/2/index.html",
        "privacy/index.html",
        "cookies/versions/2025-05-28/index.html",
    ] {
        let en = alternates(&site.page(page));
        let zh_file = output_file(&en["zh-Hans"]);
        assert_eq!(zh_file, format!("zh/{page}"));
        let zh = alternates(&site.page(&zh_file));
        assert_eq!(en, zh, "{page}: both languages list the same alternates");
        assert_eq!(output_file(&en["en"]), page);
        assert_eq!(en["x-default"], en["en"]);
    }
    // The switcher links to the same page in the other language.
    let zh = site.page("zh/cars/byd-han-2022-bravo-b-1/index.html");
    assert!(zh.contains(r#"<a href="/cars/byd-han-2022-bravo-b-1/" hreflang="en""#));
}

#[test]
fn each_language_has_its_own_sitemap_listed_in_the_index() {
    let site = built();
    let index = site.page("sitemap.xml");
    assert!(index.contains("https://fixture.example/sitemap-en-1.xml"));
    assert!(index.contains("https://fixture.example/sitemap-zh-1.xml"));
    let zh = site.page("sitemap-zh-1.xml");
    for url in [
        "/zh/",
        "/zh/about/",
        "/zh/faq/",
        "/zh/cars/byd-han-2022-bravo-b-1/",
        "/zh/privacy/",
    ] {
        assert!(
            zh.contains(&format!("<loc>https://fixture.example{url}</loc>")),
            "{url}"
        );
    }
    let en = site.page("sitemap-en-1.xml");
    assert!(!en.contains("/zh/") && en.contains("<loc>https://fixture.example/about/</loc>"));
}

#[test]
fn a_missing_chinese_key_warns_with_key_and_language_and_shows_english() {
    let site = Fixture::new(SITE);
    let file = "themes/showroom/i18n/zh.toml";
    let zh = common::read(site.root().join(file));
    let without: String = zh
        .lines()
        .filter(|l| !l.starts_with("specifications ="))
        .map(|l| format!("{l}\n"))
        .collect();
    site.write(file, &without);
    let report = site.build(DATE);
    let warnings: Vec<String> = report.problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    assert!(warnings[0].contains(file), "{}", warnings[0]);
    assert!(
        warnings[0].contains("`specifications`") && warnings[0].contains("`zh`"),
        "{}",
        warnings[0]
    );
    assert!(
        site.page("zh/cars/byd-han-2022-bravo-b-1/index.html")
            .contains("<h2>Specifications</h2>")
    );
}

#[test]
fn a_policy_translation_of_a_version_that_does_not_exist_is_an_error() {
    let site = Fixture::new(SITE);
    site.write(
        "content/legal/privacy/2024-01-01.zh.md",
        "+++\ntitle = \"隐私政策\"\neffective = 2024-01-01\nupdated = 2024-01-01\nsummary = \"无\"\n+++\n\n文字。\n",
    );
    let report = site.build(DATE);
    let errors: Vec<String> = report
        .problems
        .iter()
        .filter(|p| p.is_error())
        .map(|p| p.to_string())
        .collect();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(errors[0].contains("content/legal/privacy/2024-01-01.zh.md"));
}

#[test]
fn the_cookie_table_uses_each_cookies_translation_where_there_is_one() {
    let site = built();
    let zh = site.page("zh/cookies/index.html");
    assert!(
        zh.contains("<td>记住您选择的语言。</td><td>12 个月</td>"),
        "{zh}"
    );
    assert!(
        zh.contains("<td>Remembers your cookie choice.</td>"),
        "untranslated stays"
    );
    let en = site.page("cookies/index.html");
    assert!(en.contains("<td>Remembers the language you chose.</td><td>12 months</td>"));
}
