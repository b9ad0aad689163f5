//! `showroom init`: a new site that builds at once, and a folder in use left alone.

mod common;
use common::*;

#[test]
fn init_writes_a_site_that_builds_without_a_single_warning() {
    let parent = tempfile::tempdir().unwrap();
    let site = parent.path().join("new-market");
    let folder = site.to_str().unwrap();
    let out = showroom(&["init", folder, "--date", "2026-12-03"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("showroom build --root"),
        "{}",
        stdout(&out)
    );
    assert!(site.join("themes/showroom/templates/base.html").is_file());

    let built = build(&site, "2026-12-03", &[]);
    assert!(built.status.success(), "{}", stderr(&built));
    assert!(
        stdout(&built).contains("(0 errors, 0 warnings)"),
        "{}",
        stdout(&built)
    );
    assert!(!stderr(&built).contains("warning"), "{}", stderr(&built));
    let privacy = read(site.join("public/privacy/index.html"));
    assert!(privacy.contains("December 3, 2026"), "{privacy}");
    let cars = read(site.join("public/cars/index.html"));
    assert!(cars.contains("Ford Fusion"), "{cars}");
    assert!(site.join("public/cookies/index.html").is_file());
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
