//! The `showroom` binary end to end: what a user sees after `build` and `check`.

mod common;
use common::*;

#[test]
fn builds_pages_sections_and_assets_from_a_fixture() {
    let site = fixture_site("basic");
    let out = build(site.path(), "2026-11-23", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Built 17 pages in"),
        "{}",
        stdout(&out)
    );

    let public = site.path().join("public");
    let home = read(public.join("index.html"));
    assert!(home.contains("<title>Fixture Motors</title>"), "{home}");
    // Raw HTML in content is the marketing team's to use.
    assert!(
        home.contains(r#"<em class="raw">the fixture</em>"#),
        "{home}"
    );
    // The menu lists pages marked `in_menu`; the footer links the policies.
    assert!(
        home.contains(r#"<a aria-current="false" href="/about/">About the fixture</a>"#),
        "{home}"
    );
    assert!(home.contains(r#"href="/privacy/""#), "{home}");
    assert!(home.contains(r#"href="/cookies/""#), "{home}");

    // A site template overrides the theme's.
    let about = read(public.join("about/index.html"));
    assert!(about.contains("<article class=fixture-page>"), "{about}");
    assert!(about.contains("<table>"), "{about}");
    assert!(about.contains(r#"<h2 id="who-we-are">"#), "{about}");
    assert!(
        about.contains(r#"<link href="https://fixture.example/about/" rel=canonical>"#),
        "{about}"
    );

    // A section lists its pages; drafts are not published.
    let news = read(public.join("news/index.html"));
    assert!(news.contains("First post"), "{news}");
    assert!(!news.contains("Not yet"), "{news}");
    assert!(!public.join("news/draft/index.html").exists());
    assert!(public.join("news/first/index.html").exists());
    assert!(public.join("404.html").exists());

    // Stylesheets get a content hash in their name so a CDN can cache them forever.
    let css: Vec<_> = std::fs::read_dir(&public)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("style.") && n.ends_with(".css"))
        .collect();
    assert_eq!(css.len(), 1, "{css:?}");
    assert!(home.contains(&format!("href=\"/{}\"", css[0])), "{home}");
}

#[test]
fn same_input_and_date_give_the_same_bytes() {
    let site = fixture_site("basic");
    let a = site.path().join("a");
    let b = site.path().join("b");
    for dir in [&a, &b] {
        let out = build(
            site.path(),
            "2026-11-23",
            &["--output", dir.to_str().unwrap()],
        );
        assert!(out.status.success(), "{}", stderr(&out));
    }
    assert_eq!(snapshot(&a), snapshot(&b));
    assert!(!snapshot(&a).is_empty());
}

#[test]
fn base_url_flag_overrides_the_config() {
    let site = fixture_site("basic");
    let out = build(
        site.path(),
        "2026-11-23",
        &["--base-url", "https://preview.example/"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let about = read(site.path().join("public/about/index.html"));
    assert!(about.contains("https://preview.example/about/"), "{about}");
}

#[test]
fn a_broken_template_fails_with_its_file_and_line_and_keeps_the_old_output() {
    let site = fixture_site("basic");
    assert!(build(site.path(), "2026-11-23", &[]).status.success());
    let before = snapshot(&site.path().join("public"));

    std::fs::write(
        site.path().join("templates/page.html"),
        "{% extends \"base.html\" %}\n{% block content %}\n<h1>{{ page.title }</h1>\n{% endblock content %}\n",
    )
    .unwrap();
    let out = build(site.path(), "2026-11-23", &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("templates/page.html:3"), "{err}");
    assert!(err.contains("previous output was kept"), "{err}");
    assert_eq!(snapshot(&site.path().join("public")), before);
}

#[test]
fn a_template_error_at_render_time_also_keeps_the_old_output() {
    let site = fixture_site("basic");
    assert!(build(site.path(), "2026-11-23", &[]).status.success());
    let before = snapshot(&site.path().join("public"));

    std::fs::write(
        site.path().join("templates/page.html"),
        "{% extends \"base.html\" %}\n{% block content %}\n{{ page.no_such_field }}\n{% endblock content %}\n",
    )
    .unwrap();
    let out = build(site.path(), "2026-11-23", &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("templates/page.html"),
        "{}",
        stderr(&out)
    );
    assert_eq!(snapshot(&site.path().join("public")), before);
}

#[test]
fn a_broken_config_fails_with_its_line_and_keeps_the_old_output() {
    let site = fixture_site("basic");
    assert!(build(site.path(), "2026-11-23", &[]).status.success());
    let before = snapshot(&site.path().join("public"));

    let config = site.path().join("config.toml");
    let text = read(&config) + "paginate_bye = 10\n";
    std::fs::write(&config, text).unwrap();
    let out = build(site.path(), "2026-11-23", &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("config.toml:4"), "{err}");
    assert!(err.contains("paginate_bye"), "{err}");
    assert_eq!(snapshot(&site.path().join("public")), before);

    std::fs::write(&config, "title = \"x\"\npaginate_by = 0\n").unwrap();
    let out = build(site.path(), "2026-11-23", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("config.toml:2"), "{}", stderr(&out));
}

#[test]
fn bad_front_matter_names_the_file_and_line() {
    let site = fixture_site("basic");
    std::fs::write(
        site.path().join("content/news/bad.md"),
        "+++\ntitle = \"Bad\"\ndate = \"yesterday\"\n+++\nBody\n",
    )
    .unwrap();
    let out = showroom(&[
        "check",
        "--root",
        site.path().to_str().unwrap(),
        "--date",
        "2026-11-23",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("content/news/bad.md:3"), "{text}");
    assert!(text.contains("1 error, 0 warnings"), "{text}");
}

#[test]
fn check_prints_the_documented_json() {
    let site = fixture_site("basic");
    let root = site.path().to_str().unwrap();
    let out = showroom(&[
        "check",
        "--root",
        root,
        "--date",
        "2026-11-23",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    assert_eq!(json["errors"], 0);
    assert_eq!(json["warnings"], 0);
    assert!(json["suppliers"].is_array());
    assert!(json["problems"].is_array());
    // `check` writes nothing.
    assert!(!site.path().join("public").exists());
}

#[test]
fn bad_usage_exits_2() {
    for args in [
        vec!["build", "--no-such-flag"],
        vec!["build", "--date", "23/11/2026"],
        vec!["check", "--format", "yaml"],
        vec!["launch"],
    ] {
        let out = showroom(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
}

#[test]
fn the_example_site_builds_without_warnings() {
    let out_dir = tempfile::tempdir().unwrap();
    let root = repo_root();
    let out = showroom(&[
        "build",
        "--root",
        root.to_str().unwrap(),
        "--date",
        "2026-11-23",
        "--output",
        out_dir.path().to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
    for page in [
        "index.html",
        "about/index.html",
        "guides/how-buying-works/index.html",
    ] {
        assert!(out_dir.path().join(page).exists(), "{page}");
    }
}

#[test]
fn a_sections_pages_are_ordered_by_weight_then_file_name() {
    let site = fixture_site("basic");
    let write = |name: &str, front: &str| {
        let path = site.path().join("content/news").join(name);
        std::fs::write(path, format!("+++\n{front}\n+++\n\nText.\n")).unwrap();
    };
    write("b-second.md", "title = \"Weighted first\"\nweight = -5");
    write("a-third.md", "title = \"Unweighted\"");
    let out = build(site.path(), "2026-11-23", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let news = read(site.path().join("public/news/index.html"));
    let at = |title: &str| {
        news.find(title)
            .unwrap_or_else(|| panic!("{title}: {news}"))
    };
    assert!(at("Weighted first") < at("Unweighted"), "{news}");
    assert!(at("Unweighted") < at("First post"), "{news}");
}
