//! `showroom init`: a new site that builds at once, and a folder in use left alone.

mod common;
use common::*;

/// `showroom init` into `site` on `date`, then a build on that date: no problem at all.
fn init_and_build(site: &std::path::Path, date: &str, written: &str) {
    let folder = site.to_str().unwrap();
    let out = showroom(&["init", folder, "--date", date]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("showroom build --root"),
        "{}",
        stdout(&out)
    );
    assert!(site.join("themes/showroom/templates/base.html").is_file());

    let built = build(site, date, &[]);
    assert!(built.status.success(), "{}", stderr(&built));
    assert!(
        stdout(&built).contains("(0 errors, 0 warnings)"),
        "{date}: {}",
        stdout(&built)
    );
    assert!(!stderr(&built).contains("warning"), "{}", stderr(&built));
    let privacy = read(site.join("public/privacy/index.html"));
    assert!(privacy.contains(written), "{privacy}");
    let cars = read(site.join("public/cars/index.html"));
    assert!(cars.contains("Ford Fusion"), "{cars}");
    assert!(site.join("public/cookies/index.html").is_file());
}

#[test]
fn init_writes_a_site_that_builds_without_a_single_warning() {
    let parent = tempfile::tempdir().unwrap();
    init_and_build(
        &parent.path().join("new-market"),
        "2026-12-03",
        "December 3, 2026",
    );
    // Into an empty folder that exists, on other dates, nothing left beside it.
    let empty = parent.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    init_and_build(&empty, "2017-01-01", "January 1, 2017");
    init_and_build(
        &parent.path().join("later"),
        "2031-02-28",
        "February 28, 2031",
    );
    let mut names: Vec<String> = std::fs::read_dir(parent.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["empty", "later", "new-market"]);
}

#[test]
fn init_refuses_a_file_in_the_way() {
    let parent = tempfile::tempdir().unwrap();
    let file = parent.path().join("market");
    std::fs::write(&file, "mine").unwrap();
    let out = showroom(&["init", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("is a file"), "{}", stderr(&out));
    assert_eq!(read(&file), "mine");
}

#[test]
fn init_refuses_a_folder_that_is_not_empty_and_leaves_it_alone() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::write(folder.path().join("notes.txt"), "mine").unwrap();
    let out = showroom(&["init", folder.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("is not empty"), "{}", stderr(&out));
    let entries: Vec<_> = std::fs::read_dir(folder.path()).unwrap().collect();
    assert_eq!(entries.len(), 1);
}
