//! Rebuilding into an existing output: the output the last build replaced is written
//! over by the next build instead of being deleted, and the result is always exactly
//! what a build from nothing gives.

mod common;
use common::*;

use std::path::Path;

const DATE: &str = "2026-11-23";
const NORTH: &str = "data/feeds/north/cars.csv";

/// Every folder and file under `dir`, with each file's bytes: equal trees are equal
/// sites, empty folders included.
fn tree(dir: &Path) -> Vec<(String, Option<Vec<u8>>)> {
    walkdir::WalkDir::new(dir)
        .min_depth(1)
        .sort_by_file_name()
        .into_iter()
        .map(|e| {
            let e = e.unwrap();
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let bytes = e
                .file_type()
                .is_file()
                .then(|| std::fs::read(e.path()).unwrap());
            (rel, bytes)
        })
        .collect()
}

/// The site's output as a build from nothing makes it: the site copied, with its state
/// but without its output or build cache, and built on `date`.
fn from_nothing(site: &Fixture, date: &str) -> Vec<(String, Option<Vec<u8>>)> {
    let copy = tempfile::tempdir().unwrap();
    copy_dir(site.root(), copy.path());
    for gone in ["public", ".public.staging", ".showroom/cache", "reports"] {
        let _ = std::fs::remove_dir_all(copy.path().join(gone));
    }
    let out = build(copy.path(), date, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    tree(&copy.path().join("public"))
}

/// One change to the site between two builds.
type Step = dyn Fn(&Fixture);

fn edit_north(site: &Fixture, from: &str, to: &str) {
    let feed = read(site.root().join(NORTH));
    assert!(feed.contains(from), "{from}");
    site.write(NORTH, &feed.replace(from, to));
}

#[test]
fn every_rebuild_into_the_output_equals_a_build_from_nothing() {
    let site = Fixture::new("market");
    let first = site.build(DATE);
    assert!(!first.has_errors(), "{:#?}", first.problems);
    let staging = site.root().join(".public.staging");
    let feed = read(site.root().join(NORTH));

    // A car's price cut, then a car gone (its page and folder go), then a new car,
    // then a page edited by hand in the output, then the feed as it was.
    let steps: Vec<Box<Step>> = vec![
        Box::new(|s| edit_north(s, "\"21,500 EUR\"", "\"19,900 EUR\"")),
        Box::new(|s| {
            let feed = read(s.root().join(NORTH));
            let without: Vec<&str> = feed.lines().filter(|l| !l.starts_with("N2,")).collect();
            s.write(NORTH, &(without.join("\n") + "\n"));
        }),
        Box::new(|s| {
            let feed = read(s.root().join(NORTH));
            let n9 = feed.lines().nth(1).unwrap().replacen("N1,", "N9,", 1);
            s.write(
                NORTH,
                &format!(
                    "{feed}{}\n",
                    n9.replace("WBA8E9G5XGNT10001", "WBA8E9G5XGNT10009")
                ),
            );
        }),
        Box::new(|s| {
            let page = s.output().join("about/index.html");
            std::fs::write(&page, read(&page) + "<!-- edited by hand -->").unwrap();
            edit_north(s, "\"19,900 EUR\"", "\"19,500 EUR\"");
        }),
        Box::new(move |s| {
            s.write(NORTH, &feed);
        }),
    ];
    for (i, step) in steps.iter().enumerate() {
        step(&site);
        let report = site.build(DATE);
        assert!(!report.has_errors(), "step {i}: {:#?}", report.problems);
        assert!(!report.unchanged, "step {i}");
        assert!(
            staging.is_dir(),
            "step {i}: the replaced output is kept for the next build"
        );
        assert!(
            tree(&site.output()) == from_nothing(&site, DATE),
            "step {i}: the output differs from a build from nothing"
        );
    }
    assert!(!site.page("about/index.html").contains("edited by hand"));
}

#[test]
fn an_output_edited_by_hand_is_never_written_over_as_if_intact() {
    let site = Fixture::new("market");
    site.build(DATE);
    edit_north(&site, "\"21,500 EUR\"", "\"19,900 EUR\"");
    site.build(DATE);
    // The output of the first build is now the staging folder. Edit the live output,
    // then build twice: the edited output becomes the staging folder of the second
    // build, which must not trust its manifest.
    let page = site.output().join("cars/index.html");
    std::fs::write(&page, read(&page) + "<!-- edited by hand -->").unwrap();
    std::fs::remove_file(site.output().join("about/index.html")).unwrap();
    edit_north(&site, "\"19,900 EUR\"", "\"19,500 EUR\"");
    site.build(DATE);
    edit_north(&site, "\"19,500 EUR\"", "\"19,000 EUR\"");
    site.build(DATE);
    assert!(!site.page("cars/index.html").contains("edited by hand"));
    assert!(site.has_page("about/index.html"));
    assert!(tree(&site.output()) == from_nothing(&site, DATE));
}
