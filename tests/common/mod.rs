//! Helpers shared by the integration tests: fixture sites copied into a temporary folder
//! next to the repository's default theme, and the `showroom` binary run on them.
#![allow(dead_code)]

pub mod generated;

use showroom::{BuildOptions, LoadOptions, Report, Silent};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use tempfile::TempDir;

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copies `tests/fixtures/<name>` into a fresh temporary folder. The default theme is
/// copied in too, unless the fixture brings its own `themes/`, so fixtures stay small
/// and always test the theme that ships.
pub fn fixture_site(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&repo_root().join("tests/fixtures").join(name), dir.path());
    if !dir.path().join("themes").exists() {
        copy_dir(&repo_root().join("themes"), &dir.path().join("themes"));
    }
    dir
}

pub fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk fixture");
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Runs `showroom <args>` and returns its output.
pub fn showroom(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_showroom"))
        .args(args)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .expect("run showroom")
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `showroom build --root <site> --date <date>` with extra arguments.
pub fn build(site: &Path, date: &str, extra: &[&str]) -> Output {
    let root = site.to_str().unwrap();
    let mut args = vec!["build", "--root", root, "--date", date];
    args.extend_from_slice(extra);
    showroom(&args)
}

pub fn read(path: impl AsRef<Path>) -> String {
    let path = path.as_ref();
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every file under `dir` with its bytes, to show a folder did not change at all.
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<_> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_path_buf();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// A fixture copied with the repository's themes, built through the library.
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

    /// A copy of the example marketplace at the repository root.
    pub fn example() -> Fixture {
        let repo = repo_root();
        let dir = tempfile::tempdir().expect("a temporary folder");
        // Exactly what a build reads, so the copy builds as the original does.
        for part in showroom::site::INPUTS {
            let from = repo.join(part);
            if from.is_dir() {
                copy_dir(&from, &dir.path().join(part));
            } else if from.is_file() {
                std::fs::copy(&from, dir.path().join(part)).unwrap();
            }
        }
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
            strict: false,
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

/// Every car page folder under `<site>/public/cars/`, by slug: the folders that are not
/// lists.
pub fn car_pages(site: &Path) -> std::collections::BTreeSet<String> {
    let cars = site.join("public/cars");
    let lists = [
        "brand", "body", "fuel", "price", "supplier", "page", "reduced",
    ];
    std::fs::read_dir(&cars)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| !lists.contains(&n.as_str()) && cars.join(n).join("index.html").is_file())
        .collect()
}
