//! Output a CDN can take as it is: minified, fingerprinted, described by a manifest,
//! with headers, byte-identical across builds and untouched when unchanged.

mod common;
use common::*;
use std::time::{Duration, SystemTime};

fn build_with_threads(site: &std::path::Path, out: &std::path::Path, threads: &str) {
    let result = std::process::Command::new(env!("CARGO_BIN_EXE_showroom"))
        .args([
            "build",
            "--root",
            site.to_str().unwrap(),
            "--date",
            "2026-11-23",
        ])
        .args(["--output", out.to_str().unwrap()])
        .env("RAYON_NUM_THREADS", threads)
        .output()
        .unwrap();
    assert!(result.status.success(), "{}", stderr(&result));
}

#[test]
fn builds_are_byte_identical_whatever_the_thread_count() {
    let site = fixture_site("basic");
    let (one, four) = (site.path().join("one"), site.path().join("four"));
    build_with_threads(site.path(), &one, "1");
    build_with_threads(site.path(), &four, "4");
    assert_eq!(snapshot(&one), snapshot(&four));
}

#[test]
fn html_css_and_js_are_minified_and_assets_fingerprinted() {
    let site = fixture_site("basic");
    assert!(build(site.path(), "2026-11-23", &[]).status.success());
    let public = site.path().join("public");
    let home = read(public.join("index.html"));
    assert!(!home.contains("\n  "), "HTML keeps indentation: {home}");
    let css_name = std::fs::read_dir(&public)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .find(|n| n.starts_with("style.") && n.ends_with(".css"))
        .expect("a fingerprinted stylesheet");
    let css = read(public.join(&css_name));
    let source = read(repo_root().join("themes/showroom/static/style.css"));
    assert!(
        css.len() < source.len() * 9 / 10,
        "{} vs {}",
        css.len(),
        source.len()
    );
    assert!(!css.contains('\n'), "{css}");
    assert!(!css.contains("/*"), "comments survive: {css}");
    assert!(css.contains("--accent:"), "{css}");
}

#[test]
fn the_manifest_lists_every_file_with_its_hash_and_headers_cache_hashed_assets() {
    let site = fixture_site("basic");
    assert!(build(site.path(), "2026-11-23", &[]).status.success());
    let public = site.path().join("public");
    let manifest: serde_json::Value =
        serde_json::from_str(&read(public.join("manifest.json"))).unwrap();
    let files = manifest["files"].as_object().unwrap();
    let on_disk: Vec<String> = snapshot(&public)
        .into_iter()
        .map(|(p, _)| p.to_string_lossy().into_owned())
        .filter(|p| p != "manifest.json")
        .collect();
    let mut on_disk = on_disk;
    on_disk.sort();
    assert_eq!(files.keys().cloned().collect::<Vec<_>>(), on_disk);
    for (path, entry) in files {
        let bytes = std::fs::read(public.join(path)).unwrap();
        assert_eq!(entry["size"], bytes.len(), "{path}");
        assert_eq!(
            entry["blake3"],
            blake3::hash(&bytes).to_hex().as_str(),
            "{path}"
        );
    }

    let headers = read(public.join("_headers"));
    assert!(
        headers.contains("Content-Security-Policy: default-src 'self'"),
        "{headers}"
    );
    assert!(
        headers.contains("X-Content-Type-Options: nosniff"),
        "{headers}"
    );
    assert!(headers.contains("Referrer-Policy:"), "{headers}");
    assert!(headers.contains("Permissions-Policy:"), "{headers}");
    let css = files.keys().find(|p| p.starts_with("style.")).unwrap();
    assert!(
        headers.contains(&format!(
            "/{css}\n  ! Cache-Control\n  Cache-Control: public, max-age=31536000, immutable"
        )),
        "{headers}"
    );
}

#[test]
fn unchanged_files_keep_their_modification_time() {
    let site = fixture_site("basic");
    assert!(build(site.path(), "2026-11-23", &[]).status.success());
    let public = site.path().join("public");
    let long_ago = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    for (rel, _) in snapshot(&public) {
        let file = std::fs::File::options()
            .write(true)
            .open(public.join(&rel))
            .unwrap();
        file.set_modified(long_ago).unwrap();
    }

    let about = site.path().join("content/about.md");
    std::fs::write(&about, read(&about) + "\nOne more line.\n").unwrap();
    assert!(build(site.path(), "2026-11-23", &[]).status.success());

    let mtime = |rel: &str| {
        std::fs::metadata(public.join(rel))
            .unwrap()
            .modified()
            .unwrap()
    };
    assert_eq!(mtime("index.html"), long_ago);
    assert_eq!(mtime("news/first/index.html"), long_ago);
    assert_ne!(mtime("about/index.html"), long_ago);
    assert!(read(public.join("about/index.html")).contains("One more line."));
    // The manifest changed with the page, so it is new too.
    assert_ne!(mtime("manifest.json"), long_ago);
}

#[test]
fn a_rebuild_with_nothing_changed_still_reports_the_warnings() {
    let site = fixture_site("market");
    let warnings = |out: &std::process::Output| -> Vec<String> {
        let text = stderr(out);
        text.lines()
            .filter(|l| l.starts_with("warning: "))
            .map(str::to_string)
            .collect()
    };
    let first = build(site.path(), "2026-11-23", &[]);
    assert!(first.status.success(), "{}", stderr(&first));
    let reported = warnings(&first);
    assert_eq!(reported.len(), 3, "{reported:#?}");
    assert!(
        reported[0].starts_with("warning: data/feeds/south/cars.csv:4: field `vin`"),
        "{reported:#?}"
    );

    let again = build(site.path(), "2026-11-23", &[]);
    assert!(
        stdout(&again).contains("Nothing changed"),
        "{}",
        stdout(&again)
    );
    assert_eq!(warnings(&again), reported);
}

#[test]
fn a_rebuild_with_nothing_changed_renders_nothing() {
    let site = fixture_site("basic");
    let first = build(site.path(), "2026-11-23", &[]);
    assert!(
        stdout(&first).contains("Built 17 pages"),
        "{}",
        stdout(&first)
    );
    let before = snapshot(&site.path().join("public"));

    let again = build(site.path(), "2026-11-23", &[]);
    assert!(
        stdout(&again).contains("Nothing changed"),
        "{}",
        stdout(&again)
    );
    assert_eq!(snapshot(&site.path().join("public")), before);

    // Another date is another site; so is any edited input, and a damaged output.
    let other_day = build(site.path(), "2026-11-24", &[]);
    assert!(
        stdout(&other_day).contains("Built 17 pages"),
        "{}",
        stdout(&other_day)
    );
    // Without its manifest, nothing says the output's files are Showroom's: the build
    // refuses to replace them until the folder is cleared.
    std::fs::write(site.path().join("public/manifest.json"), "{}").unwrap();
    let damaged = build(site.path(), "2026-11-24", &[]);
    assert_eq!(damaged.status.code(), Some(1));
    assert!(
        stderr(&damaged).contains("no readable manifest.json"),
        "{}",
        stderr(&damaged)
    );
    std::fs::remove_dir_all(site.path().join("public")).unwrap();
    let repaired = build(site.path(), "2026-11-24", &[]);
    assert!(
        stdout(&repaired).contains("Built 17 pages"),
        "{}",
        stdout(&repaired)
    );
    let page = site.path().join("content/news/first.md");
    std::fs::write(&page, read(&page).replace("Hello.", "Hello again.")).unwrap();
    let edited = build(site.path(), "2026-11-24", &[]);
    assert!(
        stdout(&edited).contains("Built 17 pages"),
        "{}",
        stdout(&edited)
    );
    assert!(read(site.path().join("public/news/first/index.html")).contains("Hello again."));
}
