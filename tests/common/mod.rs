//! Fixture sites for integration tests. A fixture is a folder under `tests/fixtures/`
//! holding a site without its theme; each test copies it into a temporary folder together
//! with the repository's `themes/`, so fixtures always test the theme that ships.

#![allow(dead_code)] // each test binary uses a different part of this module

use showroom::{BuildOptions, LoadOptions, Report, Silent};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

pub struct Fixture {
    pub dir: TempDir,
}

impl Fixture {
    /// Copies `tests/fixtures/<case>` and the repository's themes into a fresh folder.
    pub fn new(case: &str) -> Fixture {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        let dir = tempfile::tempdir().expect("a temporary folder");
        copy_dir(&repo.join("tests/fixtures").join(case), dir.path());
        copy_dir(&repo.join("themes"), &dir.path().join("themes"));
        Fixture { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn output(&self) -> PathBuf {
        self.root().join("public")
    }

    /// Writes (or replaces) a file of the site.
    pub fn write(&self, rel: &str, text: &str) -> &Self {
        let path = self.root().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    pub fn remove(&self, rel: &str) -> &Self {
        let path = self.root().join(rel);
        if path.is_dir() {
            std::fs::remove_dir_all(path).unwrap();
        } else {
            std::fs::remove_file(path).unwrap();
        }
        self
    }

    /// Builds the site as of `date` (`YYYY-MM-DD`) into `public/`.
    pub fn build(&self, date: &str) -> Report {
        let options = BuildOptions {
            load: LoadOptions {
                root: self.root().to_path_buf(),
                base_url: None,
                date: date.parse().expect("a valid test date"),
            },
            output: Some(self.output()),
        };
        showroom::build(&options, &Silent)
    }

    /// Builds and fails the test on any problem, warnings included.
    pub fn build_clean(&self, date: &str) -> &Self {
        let report = self.build(date);
        let problems: Vec<String> = report.problems.iter().map(|p| p.to_string()).collect();
        assert!(problems.is_empty(), "expected a clean build: {problems:#?}");
        self
    }

    /// A built page, by output path (`privacy/index.html`).
    pub fn page(&self, rel: &str) -> String {
        let path = self.output().join(rel);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    pub fn has_page(&self, rel: &str) -> bool {
        self.output().join(rel).is_file()
    }
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap_or_else(|e| panic!("{}: {e}", from.display()));
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
