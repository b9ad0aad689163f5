//! How long `showroom serve` takes to rebuild the example site (the repository root)
//! after one page is edited, and after one supplier's feed is: the time it prints as
//! `Rebuilt in N ms`. Not a test; run with `cargo bench --bench serve` and read the
//! medians. The watcher's 100 ms debounce comes on top.

use showroom::LoadOptions;
use showroom::serve::rebuild::Builder;
use showroom::serve::watch::Change;
use std::path::Path;
use std::time::Duration;

const ROUNDS: usize = 30;

fn main() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let site = tempfile::tempdir().expect("temp dir");
    for name in [
        "config.toml",
        "content",
        "data",
        "static",
        "templates",
        "themes",
    ] {
        copy(&repo.join(name), &site.path().join(name));
    }
    let mut builder = Builder::new(LoadOptions {
        root: site.path().to_path_buf(),
        base_url: Some("http://127.0.0.1:1111".into()),
        date: jiff::civil::date(2026, 11, 23),
    });
    let first = builder.build(&Change::default());
    assert!(!first.report.has_errors(), "{:?}", first.report.problems);
    println!(
        "first build: {} pages, {} files in {:.1} ms",
        first.report.pages,
        first.files.len(),
        ms(first.elapsed)
    );

    let page = site.path().join("content/about.md");
    let original = std::fs::read_to_string(&page).expect("content/about.md");
    let change = Change::from_paths(site.path(), [page.clone()]);
    let mut times = Vec::with_capacity(ROUNDS);
    let mut rendered = 0;
    for round in 0..ROUNDS {
        std::fs::write(&page, format!("{original}\nEdit number {round}.\n")).unwrap();
        let built = builder.build(&change);
        assert!(!built.report.has_errors());
        rendered = built.report.rendered;
        assert!(
            built.files["about/index.html"]
                .windows(11)
                .any(|w| w == b"Edit number")
        );
        times.push(built.elapsed);
    }
    report(
        &format!(
            "editing content/about.md ({rendered} of {} pages rendered)",
            first.report.pages
        ),
        times,
    );

    // A price in one supplier's feed: that supplier is read again, every page rendered.
    let feed = site.path().join("data/feeds/rhein-auto/bestand.csv");
    let original = std::fs::read_to_string(&feed).expect("the rhein-auto feed");
    let change = Change::from_paths(site.path(), [feed.clone()]);
    let mut times = Vec::with_capacity(ROUNDS);
    for round in 0..ROUNDS {
        let price = format!("\"{} EUR\"", 21_000 + round);
        std::fs::write(&feed, original.replacen("\"21,490 EUR\"", &price, 1)).unwrap();
        let built = builder.build(&change);
        assert!(!built.report.has_errors());
        assert_eq!(built.reread.len(), 1);
        times.push(built.elapsed);
    }
    report(
        "editing a price in data/feeds/rhein-auto/bestand.csv",
        times,
    );
}

fn report(what: &str, mut times: Vec<Duration>) {
    times.sort();
    println!(
        "rebuild after {what}, {ROUNDS} rounds: median {:.1} ms (min {:.1}, max {:.1})",
        ms(times[ROUNDS / 2]),
        ms(times[0]),
        ms(times[ROUNDS - 1]),
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn copy(from: &Path, to: &Path) {
    if from.is_file() {
        std::fs::copy(from, to).unwrap();
        return;
    }
    for entry in walkdir::WalkDir::new(from).into_iter().flatten() {
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
