//! One page of each kind, as people see it, from the market fixture built unminified:
//! a change to any template, view or formatting shows here as a reviewed diff
//! (`INSTA_UPDATE=always cargo test --test snapshots`, then read `git diff`).

mod common;
use common::*;

/// The market fixture, unminified so that a diff reads line by line, built once.
fn site() -> &'static Fixture {
    static SITE: std::sync::OnceLock<Fixture> = std::sync::OnceLock::new();
    SITE.get_or_init(|| {
        let site = Fixture::new("market");
        let config = read(site.root().join("config.toml"));
        site.write("config.toml", &format!("minify = false\n{config}"));
        // A section with a page, so that every kind of content page is here.
        site.write(
            "content/guides/_index.md",
            "+++\ntitle = \"Guides\"\ndescription = \"How buying works.\"\n+++\n\nOur guides.\n",
        );
        site.write(
            "content/guides/inspection.md",
            "+++\ntitle = \"Inspecting a car\"\ndate = 2026-11-01\n+++\n\n## Before you go\n\nAsk for the papers.\n",
        );
        let report = site.build("2026-11-23");
        assert!(!report.has_errors(), "{:#?}", report.problems);
        site
    })
}

/// Asset names carry a content hash that changes with every edit of the theme's CSS and
/// JS, which these snapshots are not about.
fn page(rel: &str) -> String {
    let text = site().page(rel);
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(at) = rest.find(".css\"").or_else(|| rest.find(".js\"")) {
        let (head, tail) = rest.split_at(at);
        // `style.0123456789.css` → `style.HASH.css`
        match head.rfind('.') {
            Some(dot)
                if head[dot + 1..].len() == 10
                    && head[dot + 1..].bytes().all(|b| b.is_ascii_hexdigit()) =>
            {
                out.push_str(&head[..dot]);
                out.push_str(".HASH");
            }
            _ => out.push_str(head),
        }
        let end = tail.find('"').map_or(tail.len(), |q| q + 1);
        out.push_str(&tail[..end]);
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

macro_rules! snapshot {
    ($name:ident, $rel:expr) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(page($rel));
        }
    };
}

snapshot!(home_page, "index.html");
snapshot!(content_page, "about/index.html");
snapshot!(section_page, "guides/index.html");
snapshot!(page_in_a_section, "guides/inspection/index.html");
snapshot!(car_page, "cars/bmw-3-series-2019-north-n1/index.html");
snapshot!(
    sold_car_page,
    "cars/volkswagen-golf-2017-north-n4/index.html"
);
snapshot!(car_list, "cars/index.html");
snapshot!(brand_list, "cars/brand/bmw/index.html");
snapshot!(privacy_policy, "privacy/index.html");
snapshot!(policy_version, "cookies/versions/2025-05-28/index.html");
snapshot!(not_found_page, "404.html");
snapshot!(atom_feed, "cars/atom.xml");
snapshot!(sitemap, "sitemap-en-1.xml");
snapshot!(robots, "robots.txt");
snapshot!(headers, "_headers");
