//! One supplier never blocks another (issue 20): an unreadable feed is that supplier's
//! error, its last good feed stands in while it is young enough, the build publishes
//! everyone else and exits 0 (1 with `--strict`), and each supplier gets a report.

mod common;
use common::*;

use proptest::prelude::*;
use showroom::{BuildOptions, LoadOptions, Report, Silent};
use std::path::Path;

const DAY_ONE: &str = "2026-11-23";
const NORTH: &str = "data/feeds/north/cars.csv";

fn options(root: &Path, date: &str, strict: bool) -> BuildOptions {
    BuildOptions {
        load: LoadOptions {
            root: root.to_path_buf(),
            base_url: None,
            date: date.parse().unwrap(),
        },
        output: Some(root.join("public")),
        strict,
    }
}

fn build_as(site: &Fixture, date: &str, strict: bool) -> Report {
    showroom::build(&options(site.root(), date, strict), &Silent)
}

/// Every file of the output but those naming `supplier`'s cars.
fn pages_without(site: &Fixture, supplier: &str) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    snapshot(&site.output())
        .into_iter()
        .filter(|(path, _)| !path.to_string_lossy().contains(&format!("-{supplier}-")))
        .collect()
}

/// The market fixture built once on day one, so that every supplier has a last good feed.
fn built_market() -> Fixture {
    let site = Fixture::new("market");
    let first = build_as(&site, DAY_ONE, false);
    assert!(!first.has_errors(), "{:#?}", first.problems);
    site
}

#[test]
fn garbage_from_one_supplier_publishes_everyone_from_its_last_good_feed() {
    let site = built_market();
    let before = snapshot(&site.output());
    std::fs::write(
        site.root().join(NORTH),
        b"\xff\xfe garbage \x00\x01 not a feed",
    )
    .unwrap();

    let out = build(site.root(), DAY_ONE, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // North's cars came from its last good copy, so the site is what it was.
    assert_eq!(snapshot(&site.output()), before);
    let text = stderr(&out);
    assert!(
        text.contains("data/feeds/north/cars.csv:1: is not UTF-8"),
        "{text}"
    );
    assert!(
        text.contains("last good copy, read on 2026-11-23"),
        "{text}"
    );

    let report = read(site.root().join("reports/north.json"));
    let json: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert_eq!(json["errors"], 1, "{report}");
    assert_eq!(json["feeds"][0]["status"], "last_good", "{report}");
    assert_eq!(json["feeds"][0]["read_on"], "2026-11-23", "{report}");
    let page = read(site.root().join("reports/north.html"));
    assert!(page.contains("is not UTF-8 text"), "{page}");
    assert!(read(site.root().join("reports/south.json")).contains("\"errors\": 0"));

    // --strict stops on it (other garbage, so the build runs again), and keeps the
    // output as it was.
    std::fs::write(site.root().join(NORTH), b"\xff\xfe other garbage").unwrap();
    let strict = build(site.root(), DAY_ONE, &["--strict"]);
    assert_eq!(strict.status.code(), Some(1), "{}", stderr(&strict));
    assert!(stderr(&strict).contains("Build failed"));
    assert_eq!(snapshot(&site.output()), before);
    // Its reports say the site was not replaced; the published build's did not.
    assert!(!page.contains("was not published"));
    for report in ["north.html", "south.html", "index.html"] {
        let text = read(site.root().join("reports").join(report));
        assert!(text.contains("This build was not published"), "{report}");
    }
    assert!(read(site.root().join("reports/north.json")).contains("\"published\": false"));
    // So does check.
    let check = showroom(&[
        "check",
        "--root",
        site.root().to_str().unwrap(),
        "--date",
        DAY_ONE,
    ]);
    assert_eq!(check.status.code(), Some(1));
}

#[test]
fn a_last_good_feed_older_than_max_age_days_withdraws_the_cars_and_says_so() {
    let site = built_market();
    std::fs::write(site.root().join(NORTH), "not,a,feed\n1,2,3\n").unwrap();
    // north's max_age_days is 30: on day 30 its copy still stands in, on day 31 not.
    let day_30 = build_as(&site, "2026-12-23", false);
    let north = &day_30.suppliers[0];
    assert_eq!(north.id, "north");
    assert!(north.accepted > 0, "{north:#?}");
    assert!(
        site.output()
            .join("cars/supplier/north/index.html")
            .exists()
    );

    let day_31 = build_as(&site, "2026-12-24", false);
    assert!(!day_31.blocks(false), "{:#?}", day_31.problems);
    let north = &day_31.suppliers[0];
    assert_eq!(north.accepted, 0);
    assert!(north.withdrawn() > 0, "{north:#?}");
    assert!(
        north
            .problems
            .iter()
            .any(|p| p.message.contains("withdrawn")),
        "{:#?}",
        north.problems
    );
    assert!(
        !site
            .output()
            .join("cars/supplier/north/index.html")
            .exists()
    );
    assert!(
        site.output()
            .join("cars/supplier/south/index.html")
            .exists()
    );
}

#[test]
fn a_vanished_supplier_folder_is_an_error_and_its_last_good_feed_stands_in() {
    let site = built_market();
    let before = pages_without(&site, "north");
    site.remove("data/feeds/north");
    let report = build_as(&site, DAY_ONE, false);
    assert!(!report.blocks(false), "{:#?}", report.problems);
    let north = &report.suppliers[0];
    assert!(north.errors() > 0 && north.accepted > 0, "{north:#?}");
    assert_eq!(pages_without(&site, "north"), before);
}

/// North's problems whose message holds `text`.
fn north_says(report: &Report, text: &str) -> bool {
    report.suppliers[0]
        .problems
        .iter()
        .any(|p| p.message.contains(text))
}

#[test]
fn a_text_feed_that_turned_into_a_web_page_is_an_error_and_its_copy_stands_in() {
    let site = Fixture::new("market");
    let mut tsv = ::csv::WriterBuilder::new()
        .delimiter(b'\t')
        .from_writer(Vec::new());
    for row in ::csv::Reader::from_path(site.root().join(NORTH))
        .unwrap()
        .into_records()
    {
        tsv.write_record(&row.unwrap()).unwrap();
    }
    let header = "vehicle_id\tvin\ttitle\tmake\tmodel\tyear\tprice\tmileage.value\t\
                  mileage.unit\tbody_style\tfuel_type\ttransmission\tavailability\t\
                  description\taddress.city\tdate_first_on_lot\tupdated_time\n";
    let feed = header.to_string() + &String::from_utf8(tsv.into_inner().unwrap()).unwrap();
    site.remove(NORTH);
    site.write("data/feeds/north/cars.txt", &feed);
    // A README beside the feed is no feed, and no problem.
    site.write(
        "data/feeds/north/README.txt",
        "Exported nightly by the dealer system.\n",
    );
    let first = build_as(&site, DAY_ONE, false);
    assert!(!first.has_errors(), "{:#?}", first.problems);
    let cars = first.suppliers[0].accepted;
    assert!(cars > 0);
    assert_eq!(first.suppliers[0].files, ["data/feeds/north/cars.txt"]);

    site.write(
        "data/feeds/north/cars.txt",
        "<!DOCTYPE html>\n<html><body>Session expired</body></html>\n",
    );
    let second = build_as(&site, "2026-11-24", false);
    assert!(!second.blocks(false));
    assert!(second.blocks(true), "an error of north's");
    assert_eq!(second.suppliers[0].accepted, cars);
    assert!(
        north_says(&second, "first line now has no tab"),
        "{:#?}",
        second.suppliers[0]
    );
    // The copy is still the good feed a day later, not the web page.
    let third = build_as(&site, "2026-11-25", false);
    assert_eq!(third.suppliers[0].accepted, cars);
}

#[test]
fn a_folder_or_a_broken_link_named_like_the_feed_lets_its_copy_stand_in() {
    let site = built_market();
    let cars = build_as(&site, DAY_ONE, false).suppliers[0].accepted;
    site.remove(NORTH);
    std::fs::create_dir(site.root().join(NORTH)).unwrap();
    let folder = build_as(&site, "2026-11-24", false);
    assert_eq!(folder.suppliers[0].accepted, cars);
    assert!(
        north_says(&folder, "is a folder"),
        "{:#?}",
        folder.suppliers[0]
    );

    std::fs::remove_dir(site.root().join(NORTH)).unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("nowhere.csv", site.root().join(NORTH)).unwrap();
        let link = build_as(&site, "2026-11-24", false);
        assert_eq!(link.suppliers[0].accepted, cars);
        assert!(
            north_says(&link, "cannot be opened"),
            "{:#?}",
            link.suppliers[0]
        );
    }
}

#[test]
fn a_renamed_feed_that_fails_has_the_old_files_copy_stand_in_and_a_dropped_file_is_told() {
    let site = built_market();
    let good = read(site.root().join(NORTH));
    let cars = build_as(&site, DAY_ONE, false).suppliers[0].accepted;
    site.remove(NORTH);
    site.write(
        "data/feeds/north/export-2026-11-24.csv",
        "<html>oops</html>\n",
    );
    let renamed = build_as(&site, "2026-11-24", false);
    assert_eq!(
        renamed.suppliers[0].accepted, cars,
        "{:#?}",
        renamed.suppliers[0]
    );
    assert!(north_says(&renamed, "last good copy"));

    // Read well under its new name, the old file's cars are the new file's.
    site.write("data/feeds/north/export-2026-11-24.csv", &good);
    let fixed = build_as(&site, "2026-11-24", false);
    assert_eq!(fixed.suppliers[0].accepted, cars);
    assert!(!fixed.has_errors(), "{:#?}", fixed.problems);
    assert!(
        north_says(&fixed, "is no longer in the folder"),
        "{:#?}",
        fixed.suppliers[0]
    );
    // Said once: the next build keeps no copy of the dropped file.
    let next = build_as(&site, "2026-11-25", false);
    assert!(!north_says(&next, "is no longer in the folder"));
}

#[test]
fn a_copy_lost_from_the_state_folder_is_named_as_the_reason() {
    let site = built_market();
    for entry in std::fs::read_dir(site.root().join(".showroom/state")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            std::fs::remove_dir_all(&path).unwrap();
        }
    }
    std::fs::write(site.root().join(NORTH), "").unwrap();
    let report = build_as(&site, "2026-11-24", false);
    assert_eq!(report.suppliers[0].accepted, 0);
    assert!(
        north_says(&report, "is missing from .showroom/state/"),
        "{:#?}",
        report.suppliers[0]
    );
}

#[test]
fn a_supplier_never_read_has_nothing_to_fall_back_on() {
    let site = Fixture::new("market");
    std::fs::write(site.root().join(NORTH), "").unwrap();
    let report = build_as(&site, DAY_ONE, false);
    assert!(!report.blocks(false));
    assert!(report.blocks(true));
    let north = &report.suppliers[0];
    assert_eq!(north.accepted, 0);
    assert!(
        north
            .problems
            .iter()
            .any(|p| p.message.contains("no earlier copy"))
    );
    assert!(
        site.output()
            .join("cars/supplier/south/index.html")
            .exists()
    );
}

#[test]
fn check_and_failed_builds_never_write_the_state() {
    let site = built_market();
    let index = site.root().join(".showroom/state/feeds.json");
    let saved = read(&index);
    std::fs::write(site.root().join(NORTH), "").unwrap();
    let check = showroom::check(&options(site.root(), "2026-11-24", false).load);
    assert!(check.has_errors());
    assert_eq!(read(&index), saved);
    site.write("config.toml", "title = 1\n");
    let failed = build_as(&site, "2026-11-24", false);
    assert!(failed.blocks(false));
    assert_eq!(read(&index), saved);
}

#[test]
fn a_damaged_state_is_a_warning_and_the_next_build_starts_afresh() {
    let site = built_market();
    let index = site.root().join(".showroom/state/feeds.json");
    std::fs::write(&index, "{ damaged").unwrap();
    let report = build_as(&site, "2026-11-24", false);
    assert!(!report.has_errors(), "{:#?}", report.problems);
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.file.as_deref() == Some(index.to_str().unwrap())),
        "{:#?}",
        report.problems
    );
    assert!(
        site.root()
            .join(".showroom/state/feeds.json.damaged")
            .exists()
    );
    assert!(read(&index).contains("\"north\""));
}

#[test]
fn a_build_whose_every_row_warns_prints_a_screenful() {
    let site = Fixture::new("market");
    // Every row has a date in the future and a sale price above its price.
    let mut feed = String::from("vehicle_id,make,model,price,sale_price,updated_time,colour\n");
    for i in 0..3000 {
        feed.push_str(&format!(
            "N{i},BMW,3 Series,{},99999,2099-01-0{},blue\n",
            10_000 + i,
            1 + i % 9
        ));
    }
    std::fs::write(site.root().join(NORTH), feed).unwrap();
    let out = build(site.root(), DAY_ONE, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lines = stderr(&out).lines().count() + stdout(&out).lines().count();
    assert!(
        lines <= 30,
        "{lines} lines:\n{}{}",
        stderr(&out),
        stdout(&out)
    );
    assert!(
        stderr(&out).contains("more like this: see reports/north.html"),
        "{}",
        stderr(&out)
    );
    // The report has them all.
    let json: serde_json::Value =
        serde_json::from_str(&read(site.root().join("reports/north.json"))).unwrap();
    let counted: u64 = json["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["count"].as_u64().unwrap())
        .sum();
    assert_eq!(counted, 6001);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(6))]

    #[test]
    fn random_bytes_from_any_supplier_never_take_the_others_offline(
        north in any::<bool>(),
        bytes in prop::collection::vec(any::<u8>(), 0..2048),
    ) {
        let site = built_market();
        let (broken, other) = if north { ("north", "south") } else { ("south", "north") };
        let before = pages_without(&site, broken);
        let cars_before = snapshot(&site.output()).len();
        std::fs::write(site.root().join(format!("data/feeds/{broken}/cars.csv")), &bytes).unwrap();
        let report = build_as(&site, DAY_ONE, false);
        prop_assert!(!report.blocks(false), "{:#?}", report.problems);
        let broken_report = report.suppliers.iter().find(|s| s.id == broken).unwrap();
        let other_report = report.suppliers.iter().find(|s| s.id == other).unwrap();
        prop_assert_eq!(other_report.errors(), 0);
        // Random bytes are no feed: the broken supplier's last good cars stand in...
        if broken_report.errors() > 0 {
            prop_assert_eq!(snapshot(&site.output()).len(), cars_before);
        }
        // ...and in every case the other supplier's pages are exactly what they were.
        let after = pages_without(&site, broken);
        let theirs = |pages: &[(std::path::PathBuf, Vec<u8>)]| {
            pages
                .iter()
                .filter(|(p, _)| p.to_string_lossy().contains(&format!("-{other}-")))
                .cloned()
                .collect::<Vec<_>>()
        };
        prop_assert_eq!(theirs(&after), theirs(&before));
        let strict = build_as(&site, DAY_ONE, true);
        prop_assert_eq!(strict.blocks(true), broken_report.errors() > 0);
    }
}

#[test]
fn rows_marked_not_to_publish_are_counted_as_withheld_in_the_report() {
    let site = Fixture::new("market");
    let feed = read(site.root().join(NORTH));
    let mut lines: Vec<String> = feed.lines().map(str::to_string).collect();
    lines[0].push_str(",status");
    for (i, line) in lines.iter_mut().enumerate().skip(1) {
        line.push_str(if i == 1 { ",archived" } else { ",active" });
    }
    site.write(NORTH, &(lines.join("\n") + "\n"));
    let out = build(site.root(), DAY_ONE, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json: serde_json::Value =
        serde_json::from_str(&read(site.root().join("reports/north.json"))).unwrap();
    assert_eq!(json["withheld"], 1, "{json}");
    assert_eq!(json["rejected"], 0, "{json}");
    assert!(
        !site
            .output()
            .join("cars/bmw-3-series-2019-north-n1")
            .exists()
    );
}

#[test]
fn a_supplier_taken_out_of_the_registry_loses_its_report_and_nothing_else_goes() {
    let site = built_market();
    let reports = site.root().join("reports");
    assert!(reports.join("south.html").is_file());
    std::fs::write(reports.join("notes.json"), "{\"id\": \"elsewhere\"}").unwrap();
    let registry = read(site.root().join("data/suppliers.toml"));
    let north_only = &registry[..registry.find("\n[[suppliers]]\nid = \"south\"").unwrap()];
    site.write("data/suppliers.toml", north_only);
    let report = build_as(&site, "2026-11-24", false);
    assert!(!report.blocks(false), "{:#?}", report.problems);
    assert!(!reports.join("south.html").exists());
    assert!(!reports.join("south.json").exists());
    assert!(reports.join("north.html").is_file());
    assert_eq!(read(reports.join("notes.json")), "{\"id\": \"elsewhere\"}");
    assert!(!read(reports.join("index.html")).contains("South Autos"));
}
