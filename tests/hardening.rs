//! Regression tests for the hostile- and careless-input review (issue 26): one test per
//! numbered case, named for the behaviour it protects.

mod common;
use common::*;

use showroom::{Problem, Report, Severity};
use std::path::Path;

const DATE: &str = "2026-11-23";
const HEADER: &str = "vehicle_id,vin,title,make,model,year,price,sale_price,mileage.value,mileage.unit,body_style,description,updated_time";

/// The market fixture with `north`'s feed replaced by these rows.
fn market_with_north(rows: &[&str]) -> Fixture {
    let site = Fixture::new("market");
    site.write(
        "data/feeds/north/cars.csv",
        &format!("{HEADER}\n{}\n", rows.join("\n")),
    );
    site
}

fn problems_in<'a>(report: &'a Report, file: &str) -> Vec<&'a Problem> {
    report
        .problems
        .iter()
        .filter(|p| p.file.as_deref() == Some(file))
        .collect()
}

fn find<'a>(report: &'a Report, file: &str, field: &str) -> &'a Problem {
    problems_in(report, file)
        .into_iter()
        .find(|p| p.field.as_deref() == Some(field))
        .unwrap_or_else(|| panic!("no problem in {file} field {field}: {:#?}", report.problems))
}

/// The built page of the only car whose slug starts with `prefix`.
fn car_page(site: &Fixture, prefix: &str) -> String {
    let cars = site.output().join("cars");
    let found: Vec<_> = std::fs::read_dir(&cars)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with(prefix))
        .collect();
    assert_eq!(found.len(), 1, "cars starting with {prefix}: {found:?}");
    read(cars.join(&found[0]).join("index.html"))
}

fn set_modified(path: &Path, date: &str) {
    let day: jiff::civil::Date = date.parse().unwrap();
    let time = day.to_zoned(jiff::tz::TimeZone::UTC).unwrap().timestamp();
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(std::time::SystemTime::from(time))
        .unwrap();
}

// 1 ─────────────────────────────────────────────────────────────────────────────────

#[test]
fn refuses_an_output_folder_that_is_or_holds_the_sites_sources() {
    let site = Fixture::new("market");
    let root = site.root().to_str().unwrap().to_string();
    let data = format!("{root}/data");
    let parent = site.root().parent().unwrap().to_str().unwrap().to_string();
    for output in [&root, &data, &format!("{root}/content/out"), &parent] {
        let out = showroom(&["build", "--root", &root, "--date", DATE, "--output", output]);
        assert_eq!(out.status.code(), Some(1), "{output}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("site's sources"),
            "{output}: {}",
            stderr(&out)
        );
    }
    assert!(site.root().join("config.toml").is_file());
    assert!(site.root().join("data/feeds/north/cars.csv").is_file());
    assert!(site.root().join("content/_index.md").is_file());
    assert!(!site.root().join("public").exists());
}

#[test]
fn refuses_an_output_folder_holding_files_it_did_not_write_and_keeps_them() {
    let site = Fixture::new("market");
    let elsewhere = tempfile::tempdir().unwrap();
    let output = elsewhere.path().join("www");
    std::fs::create_dir_all(output.join("notes")).unwrap();
    std::fs::write(output.join("notes/keep.txt"), "mine").unwrap();
    let args = |o: &Path| build(site.root(), DATE, &["--output", o.to_str().unwrap()]);
    let out = args(&output);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("notes/keep.txt"), "{}", stderr(&out));
    assert_eq!(read(output.join("notes/keep.txt")), "mine");

    // A folder Showroom made itself is replaced, again and again; an empty one is fine.
    let own = elsewhere.path().join("site");
    std::fs::create_dir(&own).unwrap();
    for _ in 0..2 {
        let out = args(&own);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    assert!(own.join("cars/index.html").is_file());
}

// 2 ─────────────────────────────────────────────────────────────────────────────────

#[test]
fn supplier_markdown_gets_no_heading_attributes_or_ids() {
    let site = market_with_north(&[
        "N1,,BMW 320d,BMW,3 Series,2019,21500,,61000,KM,SEDAN,\"## Hi {#x onmouseover=alert(document.domain) style=position:fixed;inset:0}\n\n## Consent\n\ntext\",2026-11-20",
    ]);
    site.build(DATE);
    let page = car_page(&site, "bmw-3-series-2019-north-n1");
    let html = scraper::Html::parse_document(&page);
    let all = scraper::Selector::parse("*").unwrap();
    let mut consent_ids = 0;
    for element in html.select(&all) {
        let element = element.value();
        assert!(element.attr("onmouseover").is_none(), "{page}");
        assert_ne!(element.attr("id"), Some("x"), "{page}");
        consent_ids += usize::from(element.attr("id") == Some("consent"));
    }
    // Exactly one element, the banner's own, has the id `consent`.
    assert_eq!(consent_ids, 1, "{page}");
    // The supplier's words are still there, as text.
    assert!(page.contains("<h2>Consent</h2>"), "{page}");
}

// 3 ─────────────────────────────────────────────────────────────────────────────────

#[test]
fn future_dates_are_clamped_to_the_build_date_and_impossible_ones_rejected() {
    let site = market_with_north(&[
        "N1,,BMW 320d,BMW,3 Series,2019,21500,,61000,KM,SEDAN,ok,9999-12-31",
        "N2,,BMW 318i,BMW,3 Series,2018,16900,,74000,KM,SEDAN,ok,-0001-01-01",
        "N3,,BMW 520d,BMW,5 Series,2020,29900,,52000,KM,SEDAN,ok,2026-11-24",
    ]);
    let report = site.build(DATE);
    let file = "data/feeds/north/cars.csv";
    let future = find(&report, file, "updated_time");
    assert_eq!((future.severity, future.line), (Severity::Warning, Some(2)));
    assert!(future.message.contains("9999-12-31"), "{future:?}");
    let page = car_page(&site, "bmw-3-series-2019-north-n1");
    assert!(page.contains("November 23, 2026"), "{page}");
    assert!(!page.contains("9999"), "{page}");
    let atom = site.page("cars/atom.xml");
    assert!(!atom.contains("9999"), "{atom}");
    // A negative year is no date at all: that car is refused.
    let impossible: Vec<_> = problems_in(&report, file)
        .into_iter()
        .filter(|p| p.line == Some(3))
        .collect();
    assert_eq!(impossible.len(), 1, "{impossible:#?}");
    assert!(
        !site
            .output()
            .join("cars/bmw-3-series-2018-north-n2")
            .exists()
    );
    // One day of clock skew is no warning.
    assert!(problems_in(&report, file).iter().all(|p| p.line != Some(4)));
}

// 4 ─────────────────────────────────────────────────────────────────────────────────

#[test]
fn a_sale_price_at_or_above_the_price_is_no_discount() {
    let site = market_with_north(&[
        "N1,,BMW 320d,BMW,3 Series,2019,\"10,000\",\"50,000\",61000,KM,SEDAN,ok,2026-11-20",
    ]);
    let report = site.build(DATE);
    let warning = find(&report, "data/feeds/north/cars.csv", "sale_price");
    assert_eq!(warning.line, Some(2));
    let page = car_page(&site, "bmw-3-series-2019-north-n1");
    assert!(page.contains("10,000"), "{page}");
    assert!(!page.contains("50,000"), "{page}");
    assert!(!page.contains("<s>") && !page.contains("<del>"), "{page}");
}

// 5 ─────────────────────────────────────────────────────────────────────────────────

#[test]
fn a_csv_cut_inside_a_quoted_field_and_an_empty_feed_are_located_errors() {
    let site = Fixture::new("market");
    site.write(
        "data/feeds/north/cars.csv",
        &format!(
            "{HEADER}\nN1,,BMW 320d,BMW,3 Series,2019,21500,,61000,KM,SEDAN,ok,2026-11-20\nN2,,BMW 318i,BMW,3 Series,2018,16900,,74000,KM,SEDAN,\"Good runner,\nfull hist"
        ),
    );
    site.write("data/feeds/south/more.csv", "");
    let report = showroom::check(&load(site.root()));
    let cut = problems_in(&report, "data/feeds/north/cars.csv");
    assert!(
        cut.iter().any(|p| p.is_error() && p.line == Some(3)),
        "{cut:#?}"
    );
    let empty = problems_in(&report, "data/feeds/south/more.csv");
    assert!(empty.iter().any(|p| p.is_error()), "{empty:#?}");
    assert!(empty[0].message.contains("empty"), "{empty:#?}");
}

fn load(root: &Path) -> showroom::LoadOptions {
    showroom::LoadOptions {
        root: root.to_path_buf(),
        base_url: None,
        date: DATE.parse().unwrap(),
    }
}

// 6 ─────────────────────────────────────────────────────────────────────────────────

/// Characters XML 1.0 does not allow anywhere in a document.
fn xml_illegal(c: char) -> bool {
    !matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

#[test]
fn xml_illegal_characters_in_feeds_are_stripped_with_a_warning() {
    let site = market_with_north(&[
        "N1,,BMW\u{FFFE} 320d \u{FFFF}Sport\u{1},BMW,3 Series,2019,21500,,61000,KM,SEDAN,ok\u{FFFE},2026-11-20",
    ]);
    let report = site.build(DATE);
    assert!(!report.has_errors(), "{:#?}", report.problems);
    let warning = find(&report, "data/feeds/north/cars.csv", "title");
    assert_eq!(warning.line, Some(2));
    for file in ["cars/atom.xml", "sitemap-en-1.xml"] {
        let xml = site.page(file);
        assert!(!xml.chars().any(xml_illegal), "{file}: {xml}");
    }
    assert!(site.page("cars/atom.xml").contains("BMW 320d Sport"));
}

// 7 ─────────────────────────────────────────────────────────────────────────────────

#[test]
fn invisible_characters_and_unnormalised_text_do_not_make_a_second_brand() {
    let site = market_with_north(&[
        "N1,,,B\u{200B}MW,3 Series,2019,21500,,61000,KM,SEDAN,ok,2026-11-20",
        "N2,,,\u{202E}BMW\u{202C},3 Series,2018,16900,,74000,KM,SEDAN,ok,2026-11-20",
        "N3,,,Citroe\u{308}n,C3,2018,9900,,74000,KM,SEDAN,ok,2026-11-20",
        "N4,,,Citro\u{EB}n,C3,2019,10900,,74000,KM,SEDAN,ok,2026-11-20",
    ]);
    site.build(DATE);
    assert!(site.has_page("cars/brand/bmw/index.html"));
    let brands: Vec<_> = std::fs::read_dir(site.output().join("cars/brand"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(
        !brands
            .iter()
            .any(|b| b.starts_with("b-") || b.contains("citroe-n")),
        "{brands:?}"
    );
    let bmw = site.page("cars/brand/bmw/index.html");
    assert!(
        bmw.contains("north-n1") && bmw.contains("north-n2"),
        "{bmw}"
    );
    let page = car_page(&site, "bmw-3-series-2019-north-n1");
    assert!(!page.contains('\u{200B}') && !page.contains('\u{202E}'));
}

// 8 ─────────────────────────────────────────────────────────────────────────────────

#[test]
fn a_symlinked_supplier_folder_is_read_and_its_edits_rebuild() {
    let site = Fixture::new("market");
    let elsewhere = tempfile::tempdir().unwrap();
    let drop_folder = elsewhere.path().join("north-sftp");
    std::fs::create_dir(&drop_folder).unwrap();
    let feed = |price: &str| {
        format!(
            "{HEADER}\nN1,,BMW 320d,BMW,3 Series,2019,\"{price}\",,61000,KM,SEDAN,ok,2026-11-20\n"
        )
    };
    std::fs::write(drop_folder.join("cars.csv"), feed("21,500")).unwrap();
    site.remove("data/feeds/north");
    std::os::unix::fs::symlink(&drop_folder, site.root().join("data/feeds/north")).unwrap();
    let first = site.build(DATE);
    assert!(
        first
            .problems
            .iter()
            .all(|p| !p.message.contains("not read")),
        "{:#?}",
        first.problems
    );
    assert!(car_page(&site, "bmw-3-series-2019-north-n1").contains("21,500"));
    std::fs::write(drop_folder.join("cars.csv"), feed("19,900")).unwrap();
    let second = site.build(DATE);
    assert!(!second.unchanged);
    assert!(car_page(&site, "bmw-3-series-2019-north-n1").contains("19,900"));
}

// 9 ─────────────────────────────────────────────────────────────────────────────────

#[test]
fn touching_a_feed_that_dates_its_cars_by_file_time_rebuilds() {
    let site = market_with_north(&["N1,,BMW 320d,BMW,3 Series,2019,21500,,61000,KM,SEDAN,ok,"]);
    let feed = site.root().join("data/feeds/north/cars.csv");
    set_modified(&feed, "2026-11-01");
    site.build(DATE);
    assert!(car_page(&site, "bmw-3-series-2019-north-n1").contains("November 1, 2026"));
    set_modified(&feed, "2026-11-20");
    let again = site.build(DATE);
    assert!(!again.unchanged);
    let page = car_page(&site, "bmw-3-series-2019-north-n1");
    assert!(page.contains("November 20, 2026"), "{page}");
}

// 10 ────────────────────────────────────────────────────────────────────────────────

#[test]
fn a_damaged_output_is_rebuilt_not_taken_as_unchanged() {
    let site = Fixture::new("market");
    site.build(DATE);
    assert!(site.build(DATE).unchanged, "nothing changed yet");
    std::fs::remove_file(site.output().join("about/index.html")).unwrap();
    let after_delete = site.build(DATE);
    assert!(!after_delete.unchanged);
    assert!(site.has_page("about/index.html"));

    let page = site.output().join("cars/index.html");
    let mut text = read(&page);
    text.push_str("<!-- edited by hand -->");
    std::fs::write(&page, &text).unwrap();
    let after_edit = site.build(DATE);
    assert!(!after_edit.unchanged);
    assert!(!site.page("cars/index.html").contains("edited by hand"));

    // Reports deleted since come back, without a build.
    let reports = site.root().join("reports");
    let before = read(reports.join("north.json"));
    std::fs::remove_dir_all(&reports).unwrap();
    assert!(site.build(DATE).unchanged);
    assert_eq!(read(reports.join("north.json")), before);
    assert!(reports.join("index.html").is_file());
}

// 11 ────────────────────────────────────────────────────────────────────────────────

fn jpeg(width: u32, height: u32, seed: u8) -> Vec<u8> {
    let pixels = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x as u8).wrapping_add(seed), y as u8, seed])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .encode(&pixels, width, height, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

#[test]
fn two_runs_filling_one_cold_photo_cache_both_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let sources: Vec<(String, std::path::PathBuf)> = (0..6)
        .map(|i| {
            let path = dir.path().join(format!("p{i}.jpg"));
            std::fs::write(&path, jpeg(700, 500, i)).unwrap();
            (format!("p{i}"), path)
        })
        .collect();
    let config = showroom::config::ImagesConfig::default();
    for round in 0..4 {
        let cache = dir.path().join(format!("cache-{round}"));
        let run = || {
            let sources: Vec<(&str, std::path::PathBuf)> = sources
                .iter()
                .map(|(k, p)| (k.as_str(), p.clone()))
                .collect();
            showroom::images::process_files(&sources, &config, &cache)
        };
        let (a, b) = std::thread::scope(|s| {
            let a = s.spawn(run);
            let b = s.spawn(run);
            (a.join().unwrap(), b.join().unwrap())
        });
        assert!(a.1.is_empty() && b.1.is_empty(), "{:?} {:?}", a.1, b.1);
        assert_eq!(a.0.by_source.len(), 6);
        assert_eq!(b.0.by_source.len(), 6);
    }
}

#[test]
fn an_incomplete_photo_cache_entry_is_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.jpg");
    std::fs::write(&path, jpeg(700, 500, 9)).unwrap();
    let config = showroom::config::ImagesConfig::default();
    let cache = dir.path().join("cache");
    let sources = [("p", path.clone())];
    let (first, problems) = showroom::images::process_files(&sources, &config, &cache);
    assert!(problems.is_empty());
    // One variant lost (by hand, or by an older Showroom interrupted mid-entry).
    let entry = std::fs::read_dir(&cache)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::remove_file(entry.join("480.webp")).unwrap();
    let (again, problems) = showroom::images::process_files(&sources, &config, &cache);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(again.stats.encoded, 1);
    assert!(entry.join("480.webp").is_file());
    assert_eq!(again.files(), first.files());
}

#[test]
fn a_build_that_could_not_write_the_photo_cache_is_not_remembered_as_good() {
    let site = Fixture::new("photos");
    let photos = site.root().join("data/feeds/lot-one/photos");
    std::fs::create_dir_all(&photos).unwrap();
    for name in [
        "gps.jpg",
        "plain.jpg",
        "narrow.jpg",
        "huge.jpg",
        "corrupt.jpg",
    ] {
        std::fs::write(photos.join(name), jpeg(500, 400, name.len() as u8)).unwrap();
    }
    let cache = showroom::images::cache_dir(site.root());
    std::fs::create_dir_all(cache.parent().unwrap()).unwrap();
    std::fs::write(&cache, "not a folder").unwrap();
    let broken = site.build("2025-06-01");
    assert!(broken.has_errors(), "{:#?}", broken.problems);
    std::fs::remove_file(&cache).unwrap();
    let fixed = site.build("2025-06-01");
    assert!(!fixed.unchanged);
    assert!(!fixed.has_errors(), "{:#?}", fixed.problems);
    assert!(fixed.photos.encoded > 0);
}

// 12 ────────────────────────────────────────────────────────────────────────────────

#[test]
fn a_second_build_into_the_same_output_says_another_build_is_running() {
    let site = Fixture::new("market");
    let output = site.output();
    let lock_path = showroom::output::lock_path(&output);
    std::fs::create_dir_all(lock_path.parent().unwrap()).unwrap();
    let lock = std::fs::File::create(&lock_path).unwrap();
    lock.lock().unwrap();
    let out = build(site.root(), DATE, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("another build"), "{}", stderr(&out));
    lock.unlock().unwrap();
    let out = build(site.root(), DATE, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn two_builds_at_once_never_break_the_output() {
    let site = Fixture::new("market");
    let root = site.root().to_str().unwrap();
    let spawn = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_showroom"))
            .args(["build", "--root", root, "--date", DATE])
            .stderr(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    for _ in 0..3 {
        let (a, b) = (spawn(), spawn());
        for out in [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()] {
            let text = stderr(&out);
            assert!(
                out.status.success() || text.contains("another build"),
                "{text}"
            );
        }
        assert!(site.has_page("cars/index.html"));
        assert!(site.has_page("manifest.json"));
    }
}

// 13 ────────────────────────────────────────────────────────────────────────────────

#[test]
fn slugs_that_slugify_to_nothing_are_errors_naming_the_file() {
    for (file, text) in [
        (
            "content/bang.md",
            "+++\ntitle = \"Bang\"\nslug = \"!!!\"\n+++\nx\n",
        ),
        (
            "content/dots.md",
            "+++\ntitle = \"Dots\"\nslug = \"..\"\n+++\nx\n",
        ),
        (
            "content/empty.md",
            "+++\ntitle = \"Empty\"\nslug = \"\"\n+++\nx\n",
        ),
        ("content/___.md", "+++\ntitle = \"Underscores\"\n+++\nx\n"),
    ] {
        let site = Fixture::new("market");
        site.write(file, text);
        let report = site.build(DATE);
        let found = problems_in(&report, file);
        assert!(
            found.iter().any(|p| p.is_error()),
            "{file}: {:#?}",
            report.problems
        );
        assert!(!site.output().exists(), "{file}: nothing is published");
    }
}

#[test]
fn a_supplier_id_without_letters_or_digits_is_refused() {
    let site = Fixture::new("market");
    site.write(
        "data/suppliers.toml",
        "[[suppliers]]\nid = \"-\"\nname = \"Dash\"\ndefault_currency = \"EUR\"\n",
    );
    site.write(
        "data/feeds/-/cars.csv",
        "vehicle_id,make,model,price\n!,!,!,100\n",
    );
    let report = site.build(DATE);
    let bad = find(&report, "data/suppliers.toml", "id");
    assert!(bad.is_error(), "{bad:?}");
}

#[test]
fn a_static_file_at_a_pages_address_is_an_error_naming_both() {
    let site = Fixture::new("market");
    site.write("static/cars/index.html", "<p>mine</p>");
    site.write("static/about/index.html", "<p>mine too</p>");
    let report = site.build(DATE);
    let cars = problems_in(&report, "static/cars/index.html");
    assert_eq!(cars.len(), 1, "{:#?}", report.problems);
    assert!(
        cars[0].is_error() && cars[0].message.contains("car catalog"),
        "{cars:#?}"
    );
    let about = problems_in(&report, "static/about/index.html");
    assert!(about[0].message.contains("content/about.md"), "{about:#?}");
    assert!(!site.output().exists());
}

#[test]
fn refuses_an_output_path_that_is_a_file_or_a_link() {
    let site = Fixture::new("market");
    let elsewhere = tempfile::tempdir().unwrap();
    let file = elsewhere.path().join("notes.txt");
    std::fs::write(&file, "mine").unwrap();
    let link = elsewhere.path().join("www");
    std::fs::create_dir(elsewhere.path().join("real")).unwrap();
    std::os::unix::fs::symlink(elsewhere.path().join("real"), &link).unwrap();
    for (output, says) in [(&file, "is a file"), (&link, "symbolic link")] {
        let out = build(site.root(), DATE, &["--output", output.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(stderr(&out).contains(says), "{}", stderr(&out));
    }
    assert_eq!(read(&file), "mine");
    assert!(link.is_symlink());
}

// 14 ────────────────────────────────────────────────────────────────────────────────

fn photo_site(photo: &[u8], config_extra: &str) -> Fixture {
    let site = Fixture::new("photos");
    let photos = site.root().join("data/feeds/lot-one/photos");
    std::fs::create_dir_all(&photos).unwrap();
    for name in [
        "gps.jpg",
        "plain.jpg",
        "narrow.jpg",
        "huge.jpg",
        "corrupt.jpg",
    ] {
        std::fs::write(photos.join(name), photo).unwrap();
    }
    let config = read(site.root().join("config.toml"));
    site.write("config.toml", &format!("{config}\n{config_extra}\n"));
    site
}

#[test]
fn a_photo_over_max_photo_bytes_is_left_out_unread() {
    let big = jpeg(800, 600, 1);
    let limit = big.len() - 1;
    let site = photo_site(&big, &format!("max_photo_bytes = {limit}"));
    let report = site.build("2025-06-01");
    let warning = report
        .problems
        .iter()
        .find(|p| p.message.contains("max_photo_bytes"))
        .unwrap_or_else(|| panic!("{:#?}", report.problems));
    assert_eq!(warning.severity, Severity::Warning);
    assert_eq!(report.photos.encoded, 0);
}

#[test]
fn a_jpeg_claiming_more_pixels_than_its_data_holds_is_a_warning() {
    // A 64×64 JPEG whose frame header says 6000×6000.
    let mut lying = jpeg(64, 64, 3);
    let sof = lying
        .windows(2)
        .position(|w| w == [0xFF, 0xC0])
        .expect("a baseline frame header");
    lying[sof + 5..sof + 7].copy_from_slice(&6000u16.to_be_bytes());
    lying[sof + 7..sof + 9].copy_from_slice(&6000u16.to_be_bytes());
    let site = photo_site(&lying, "");
    let config = read(site.root().join("config.toml"))
        .replace("max_pixels = 1000000", "max_pixels = 100000000");
    site.write("config.toml", &config);
    let report = site.build("2025-06-01");
    assert_eq!(report.photos.encoded, 0, "{:#?}", report.problems);
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.severity == Severity::Warning
                && p.message.contains("its header says 6000×6000")),
        "{:#?}",
        report.problems
    );
}

// 15 ────────────────────────────────────────────────────────────────────────────────

#[test]
fn photos_per_car_are_capped_with_a_warning() {
    let site = Fixture::new("market");
    let images: Vec<String> = (0..500)
        .map(|i| format!("{{\"url\": \"https://img.example/{i}.jpg\"}}"))
        .collect();
    site.remove("data/feeds/north/cars.csv");
    site.write(
        "data/feeds/north/cars.json",
        &format!(
            "[{{\"vehicle_id\": \"N1\", \"make\": \"BMW\", \"model\": \"3 Series\", \"year\": 2019, \"price\": \"21500\", \"image\": [{}]}}]",
            images.join(",")
        ),
    );
    let report = site.build(DATE);
    let warning = report
        .problems
        .iter()
        .find(|p| p.message.contains("max_photos"))
        .unwrap_or_else(|| panic!("{:#?}", report.problems));
    assert_eq!(warning.line, Some(1));
    let page = car_page(&site, "bmw-3-series-2019-north-n1");
    assert!(page.contains("https://img.example/39.jpg"));
    assert!(!page.contains("https://img.example/40.jpg"));
}

// 16 ────────────────────────────────────────────────────────────────────────────────

#[test]
fn many_unknown_columns_and_huge_names_give_a_few_short_messages() {
    let site = Fixture::new("market");
    let unknown: Vec<String> = (0..2000).map(|i| format!("extra_{i}")).collect();
    let huge = "x".repeat(200_000);
    site.write(
        "data/feeds/north/cars.csv",
        &format!(
            "vehicle_id,make,model,price,{},{huge}\nN1,BMW,3 Series,21500,{}y\n",
            unknown.join(","),
            "v,".repeat(2000)
        ),
    );
    let report = showroom::check(&load(site.root()));
    let about_north = problems_in(&report, "data/feeds/north/cars.csv");
    assert!(about_north.len() <= 25, "{} problems", about_north.len());
    assert!(
        about_north.iter().any(|p| p.message.contains("more")),
        "{about_north:#?}"
    );
    for p in &about_north {
        let shown = p.to_string();
        assert!(
            shown.len() < 1000,
            "{} bytes: {}",
            shown.len(),
            &shown[..200]
        );
    }
}

#[test]
fn repeated_problems_are_capped_with_a_count_of_the_rest() {
    let problems: Vec<Problem> = (0..5000)
        .map(|i| {
            Problem::error(format!(
                "cannot write page-{i}.html: No space left on device"
            ))
        })
        .collect();
    let capped = showroom::diagnostics::capped(problems, 10, "files could not be written");
    assert_eq!(capped.len(), 11);
    assert!(capped[10].message.contains("4990 more"), "{capped:#?}");
    assert!(capped[10].is_error());
}

// 17 ────────────────────────────────────────────────────────────────────────────────

#[test]
fn only_absolute_http_base_urls_are_accepted() {
    let site = Fixture::new("market");
    for bad in [
        "javascript:alert(1)//",
        "https://",
        "ftp://market.example",
        "https://a.example/\nSitemap: https://evil.example/s.xml",
    ] {
        let out = build(site.root(), DATE, &["--base-url", bad]);
        assert_ne!(out.status.code(), Some(0), "{bad:?}");
        assert!(
            stderr(&out).contains("base_url") || stderr(&out).contains("base-url"),
            "{}",
            stderr(&out)
        );
    }
    site.write(
        "config.toml",
        "title = \"M\"\nbase_url = \"https://market.example\\nSitemap: https://evil.example/s.xml\"\n",
    );
    let report = site.build(DATE);
    let bad = find(&report, "config.toml", "base_url");
    assert_eq!((bad.severity, bad.line), (Severity::Error, Some(2)));
    assert!(!site.output().join("robots.txt").exists());
}

// 18 ────────────────────────────────────────────────────────────────────────────────

#[test]
fn headers_carry_hsts_for_https_sites_and_no_obsolete_feature_names() {
    let site = Fixture::new("market");
    assert!(!site.build(DATE).has_errors());
    let headers = site.page("_headers");
    assert!(
        headers.contains("Strict-Transport-Security: max-age="),
        "{headers}"
    );
    assert!(!headers.contains("interest-cohort"), "{headers}");
    let http = Fixture::new("market");
    http.write(
        "config.toml",
        &read(http.root().join("config.toml")).replace("https://", "http://"),
    );
    assert!(!http.build(DATE).has_errors());
    assert!(!http.page("_headers").contains("Strict-Transport-Security"));
}

// 19 ────────────────────────────────────────────────────────────────────────────────

#[test]
fn inline_scripts_in_content_are_a_warning_naming_the_page() {
    let site = Fixture::new("market");
    site.write(
        "content/tracking.md",
        "+++\ntitle = \"Tracking\"\n+++\n\n<script type=\"text/plain\" data-consent=\"analytics\">track()</script>\n\n<script src=\"/ok.js\"></script>\n",
    );
    let report = site.build(DATE);
    let found = problems_in(&report, "content/tracking.md");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].severity, Severity::Warning);
    assert!(
        found[0].message.contains("Content-Security-Policy"),
        "{found:#?}"
    );
}

#[test]
fn the_policies_guide_shows_no_inline_script() {
    let guide = read(repo_root().join("docs/policies.md"));
    let examples: Vec<&str> = guide
        .split("```html")
        .skip(1)
        .map(|block| block.split("```").next().unwrap())
        .collect();
    assert!(examples.iter().any(|e| e.contains("data-consent")));
    for example in examples {
        for tag in example.match_indices("<script").map(|(i, _)| &example[i..]) {
            let open = &tag[..tag.find('>').unwrap()];
            assert!(open.contains("src=\"/"), "not a file of the site: {open}");
        }
    }
}

// 21 ────────────────────────────────────────────────────────────────────────────────

#[test]
fn policy_files_that_are_not_read_get_a_warning() {
    let site = Fixture::new("market");
    let text = read(site.root().join("content/legal/privacy/2025-05-28.md"));
    site.write("content/legal/privacy/2026-01-01.MD", &text);
    site.write("content/legal/privacy/old/2024-01-01.md", &text);
    let report = site.build(DATE);
    for file in [
        "content/legal/privacy/2026-01-01.MD",
        "content/legal/privacy/old/2024-01-01.md",
    ] {
        let found = problems_in(&report, file);
        assert_eq!(found.len(), 1, "{file}: {:#?}", report.problems);
        assert_eq!(found[0].severity, Severity::Warning);
    }
}

#[test]
fn a_feed_file_linking_inside_its_folder_is_read_and_one_linking_outside_is_not() {
    let site = Fixture::new("market");
    let exports = site.root().join("data/feeds/north/exports");
    std::fs::create_dir_all(&exports).unwrap();
    std::fs::write(
        exports.join("2026-11-20.csv"),
        format!("{HEADER}\nN9,,BMW X1,BMW,X1,2021,31500,,21000,KM,SUV,ok,2026-11-20\n"),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        exports.join("2026-11-20.csv"),
        site.root().join("data/feeds/north/current.csv"),
    )
    .unwrap();
    // Another supplier's feed, reached through a link: never read as north's.
    std::os::unix::fs::symlink(
        site.root().join("data/feeds/south/cars.csv"),
        site.root().join("data/feeds/north/theirs.csv"),
    )
    .unwrap();
    let report = site.build(DATE);
    assert!(car_page(&site, "bmw-x1-2021-north-n9").contains("31,500"));
    let refused = problems_in(&report, "data/feeds/north/theirs.csv");
    assert_eq!(refused.len(), 1, "{:#?}", report.problems);
    assert!(refused[0].message.contains("outside"), "{refused:#?}");
    assert!(
        !site
            .output()
            .join("cars/volkswagen-golf-2018-north-s1")
            .exists()
    );
}

#[test]
fn plain_http_photo_urls_are_left_out_with_a_warning() {
    let site = Fixture::new("market");
    site.remove("data/feeds/north/cars.csv");
    site.write(
        "data/feeds/north/cars.json",
        "[{\"vehicle_id\": \"N1\", \"make\": \"BMW\", \"model\": \"3 Series\", \"year\": 2019, \"price\": \"21500\", \"image\": [{\"url\": \"http://img.example/a.jpg\"}, {\"url\": \"https://img.example/b.jpg\"}]}]",
    );
    let report = site.build(DATE);
    let warning = find(&report, "data/feeds/north/cars.json", "image[0].url");
    assert_eq!(warning.severity, Severity::Warning);
    let page = car_page(&site, "bmw-3-series-2019-north-n1");
    assert!(!page.contains("http://img.example/a.jpg"));
    assert!(page.contains("https://img.example/b.jpg"));
}
