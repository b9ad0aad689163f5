//! What happened to each car (issue 22): sequences of builds on successive dates, with
//! feeds that change between them, and what buyers see of it.

mod common;
use common::*;

use showroom::Severity;

const HEADER: &str = "vehicle_id,vin,title,make,model,year,price,mileage.value,mileage.unit,body_style,availability,date_first_on_lot,updated_time";

/// One of north's cars: id, price in euros, availability.
type Car<'a> = (&'a str, u32, &'a str);

/// The market fixture with north's feed replaced by these cars, dated by their supplier
/// long before the first build, so that only cars added later are new.
fn write_north(site: &Fixture, cars: &[Car]) {
    let rows: Vec<String> = cars
        .iter()
        .map(|(id, price, availability)| {
            let n: u32 = id[1..].parse().unwrap();
            format!(
                "{id},,BMW 320d {id},BMW,3 Series,{},{price},{},KM,SEDAN,{availability},2026-01-01,2026-11-01",
                2015 + n,
                40_000 + n * 1000
            )
        })
        .collect();
    site.write(
        "data/feeds/north/cars.csv",
        &format!("{HEADER}\n{}\n", rows.join("\n")),
    );
}

fn market(cars: &[Car]) -> Fixture {
    let site = Fixture::new("market");
    // Recommended Cars pins name north's cars; these tests change north's stock.
    site.write("data/recommended.toml", "pinned = []\n");
    // In Chinese too, to see the history's words and dates translated.
    let config = read(site.root().join("config.toml"));
    site.write(
        "config.toml",
        &format!("{config}\n[languages.zh]\ntitle = \"市场\"\n"),
    );
    write_north(&site, cars);
    site
}

fn build_on(site: &Fixture, date: &str) -> showroom::Report {
    let report = site.build(date);
    assert!(!report.has_errors(), "{date}: {:#?}", report.problems);
    report
}

/// The page of north's car `id` (its slug holds its year), if it is published.
fn car(site: &Fixture, id: &str) -> Option<String> {
    let n: u32 = id[1..].parse().unwrap();
    let rel = format!(
        "cars/bmw-3-series-{}-north-{}/index.html",
        2015 + n,
        id.to_lowercase()
    );
    site.has_page(&rel).then(|| site.page(&rel))
}

/// The paragraph under a car page's heading, where its badges are.
fn lead(page: &str) -> &str {
    let start = page.find("<p class=lead>").expect("a lead paragraph");
    let end = start + page[start..].find("</p>").unwrap();
    &page[start..end]
}

fn sitemap_lastmod(site: &Fixture, id: &str) -> Option<String> {
    let sitemap = site.page("sitemap-en-1.xml");
    let needle = format!("north-{}/</loc>", id.to_lowercase());
    let at = sitemap.find(&needle)?;
    let rest = &sitemap[at..];
    let entry = &rest[..rest.find("</url>")?];
    let start = entry.find("<lastmod>")? + "<lastmod>".len();
    Some(entry[start..entry.find("</lastmod>")?].to_string())
}

#[test]
fn a_price_cut_a_rise_and_a_new_car_show_as_buyers_expect() {
    let site = market(&[("N1", 21_500, "AVAILABLE"), ("N2", 16_900, "AVAILABLE")]);
    build_on(&site, "2026-11-02");
    let n1 = car(&site, "N1").unwrap();
    assert!(
        !lead(&n1).contains("badge new") && !lead(&n1).contains("badge reduced"),
        "{n1}"
    );
    assert!(n1.contains("Listed for "), "{n1}");

    // Four days later: N1 cut, N2 dearer, N3 arrives.
    write_north(
        &site,
        &[
            ("N1", 19_900, "AVAILABLE"),
            ("N2", 17_500, "AVAILABLE"),
            ("N3", 30_000, "AVAILABLE"),
        ],
    );
    build_on(&site, "2026-11-06");
    let n1 = car(&site, "N1").unwrap();
    assert!(
        lead(&n1).contains(r#"<span class="badge reduced">Price reduced</span>"#),
        "{n1}"
    );
    assert!(
        n1.contains("Price reduced from <del>€21,500</del> to €19,900"),
        "{n1}"
    );
    assert!(n1.contains("November 6, 2026"), "{n1}");
    assert!(n1.contains("<h2>Price history</h2>"), "{n1}");
    assert!(n1.contains("<polyline points="), "{n1}");
    let n2 = car(&site, "N2").unwrap();
    assert!(
        !lead(&n2).contains("badge reduced"),
        "a rise is no reduction: {n2}"
    );
    assert!(n2.contains("<h2>Price history</h2>"), "{n2}");
    let n3 = car(&site, "N3").unwrap();
    assert!(
        lead(&n3).contains(r#"<span class="badge new">New</span>"#),
        "{n3}"
    );
    assert!(n3.contains("Listed today"), "{n3}");

    // The lists: the reduced list has N1 only; the newest car is first everywhere.
    let reduced = site.page("cars/reduced/index.html");
    assert!(
        reduced.contains("north-n1/") && !reduced.contains("north-n2/"),
        "{reduced}"
    );
    let all = site.page("cars/index.html");
    assert!(
        all.contains(r#"<span class="badge new">New</span>"#),
        "{all}"
    );
    let feed = site.page("cars/reduced/atom.xml");
    assert!(
        feed.contains("north-n1/") && feed.contains("2026-11-06T00:00:00Z"),
        "{feed}"
    );
    assert!(site.page("index.html").contains("/cars/reduced/"));
    let zh = site.page("zh/cars/bmw-3-series-2016-north-n1/index.html");
    assert!(
        zh.contains("已降价") && zh.contains("价格历史") && zh.contains("2026年11月6日"),
        "{zh}"
    );

    // The sitemap dates each car by the day its facts last changed.
    assert_eq!(sitemap_lastmod(&site, "N1").as_deref(), Some("2026-11-06"));
    assert_eq!(sitemap_lastmod(&site, "N2").as_deref(), Some("2026-11-06"));
    assert_eq!(sitemap_lastmod(&site, "N3").as_deref(), Some("2026-11-06"));

    // A week on, nothing changed: N3 is no longer new, N1 still reduced.
    build_on(&site, "2026-11-13");
    assert!(!lead(&car(&site, "N3").unwrap()).contains("badge new"));
    assert!(lead(&car(&site, "N1").unwrap()).contains("badge reduced"));
    assert!(car(&site, "N3").unwrap().contains("Listed for 7 days"));
    assert_eq!(sitemap_lastmod(&site, "N1").as_deref(), Some("2026-11-06"));
}

#[test]
fn sold_and_gone_cars_keep_a_sold_page_then_are_listed_as_gone_and_keep_their_history() {
    let site = market(&[
        ("N1", 21_500, "AVAILABLE"),
        ("N2", 16_900, "AVAILABLE"),
        ("N3", 12_000, "AVAILABLE"),
    ]);
    build_on(&site, "2026-11-02");
    // N1 sold; N2 gone from the feed.
    write_north(
        &site,
        &[("N1", 21_500, "NOT_AVAILABLE"), ("N3", 12_000, "AVAILABLE")],
    );
    build_on(&site, "2026-11-05");
    for id in ["N1", "N2"] {
        let page = car(&site, id).unwrap_or_else(|| panic!("{id} keeps its page"));
        assert!(page.contains("<meta content=noindex name=robots>"), "{id}");
        assert!(page.contains("https://schema.org/SoldOut"), "{id}");
        assert!(
            page.contains(r#"<span class="badge sold">Sold</span>"#),
            "{id}"
        );
        // Recommended Cars come right after the heading, before the details.
        let recommended = page.find("recommended-heading").unwrap();
        assert!(recommended < page.find("car-detail").unwrap(), "{id}");
        assert!(
            sitemap_lastmod(&site, id).is_none(),
            "{id} is in no sitemap"
        );
        assert!(
            !site
                .page("cars/index.html")
                .contains(&format!("north-{}/", id.to_lowercase()))
        );
    }
    assert!(site.page("gone.json").contains("\"gone\": []"));

    // Thirty days after they left, still there; a day more, and they are gone.
    build_on(&site, "2026-12-05");
    assert!(car(&site, "N1").is_some() && car(&site, "N2").is_some());
    build_on(&site, "2026-12-06");
    assert!(car(&site, "N1").is_none() && car(&site, "N2").is_none());
    let gone = site.page("gone.json");
    for path in [
        "/cars/bmw-3-series-2016-north-n1/",
        "/cars/bmw-3-series-2017-north-n2/",
        "/zh/cars/bmw-3-series-2016-north-n1/",
    ] {
        assert!(gone.contains(path), "{path}: {gone}");
    }

    // N2 comes back, cheaper: the same car, with its history and first day (its
    // supplier's 2026-01-01, which the first ledger took).
    write_north(
        &site,
        &[("N2", 15_900, "AVAILABLE"), ("N3", 12_000, "AVAILABLE")],
    );
    build_on(&site, "2026-12-10");
    let n2 = car(&site, "N2").unwrap();
    assert!(
        !lead(&n2).contains("badge sold") && !lead(&n2).contains("badge new"),
        "{n2}"
    );
    assert!(
        n2.contains("Price reduced from <del>€16,900</del> to €15,900"),
        "{n2}"
    );
    assert!(n2.contains("Listed for 343 days"), "{n2}");
    assert!(!site.page("gone.json").contains("north-n2"));
}

#[test]
fn the_same_day_twice_records_nothing_and_gives_the_same_bytes() {
    let site = market(&[("N1", 21_500, "AVAILABLE")]);
    build_on(&site, "2026-11-02");
    write_north(&site, &[("N1", 19_000, "AVAILABLE")]);
    build_on(&site, "2026-11-04");
    let ledger = site.root().join(".showroom/state/ledger.bin");
    let kept = std::fs::read(&ledger).unwrap();
    let pages = snapshot(&site.output());
    // Touching the feed makes the build run again; the ledger and the pages stay.
    let feed = site.root().join("data/feeds/north/cars.csv");
    std::fs::write(&feed, std::fs::read(&feed).unwrap()).unwrap();
    let again = build_on(&site, "2026-11-04");
    assert!(!again.unchanged);
    assert_eq!(std::fs::read(&ledger).unwrap(), kept);
    assert_eq!(snapshot(&site.output()), pages);
}

#[test]
fn a_damaged_ledger_is_set_aside_with_a_warning_and_a_fresh_one_started() {
    let site = market(&[("N1", 21_500, "AVAILABLE")]);
    build_on(&site, "2026-11-02");
    let ledger = site.root().join(".showroom/state/ledger.bin");
    std::fs::write(&ledger, b"showroom ledger 1\n\xff\xff\xff not postcard").unwrap();
    write_north(&site, &[("N1", 19_000, "AVAILABLE")]);
    let report = build_on(&site, "2026-11-04");
    let warning = report
        .problems
        .iter()
        .find(|p| p.message.contains("inventory ledger cannot be read"))
        .unwrap_or_else(|| panic!("{:#?}", report.problems));
    assert_eq!(warning.severity, Severity::Warning);
    assert!(
        site.root()
            .join(".showroom/state/ledger.bin.damaged")
            .is_file()
    );
    // A fresh ledger knows no earlier price: no reduction to show.
    assert!(!car(&site, "N1").unwrap().contains("badge reduced"));
    // Neither check nor a failed build writes the ledger.
    let kept = std::fs::read(&ledger).unwrap();
    write_north(&site, &[("N1", 18_000, "AVAILABLE")]);
    let checked = showroom::check(&showroom::LoadOptions {
        root: site.root().to_path_buf(),
        base_url: None,
        date: "2026-11-05".parse().unwrap(),
    });
    assert!(!checked.has_errors());
    site.write("templates/page.html", "{% broken");
    assert!(site.build("2026-11-05").has_errors());
    assert_eq!(std::fs::read(&ledger).unwrap(), kept);
}

#[test]
fn a_supplier_whose_feed_cannot_be_read_loses_no_history_and_gets_no_sold_pages() {
    let site = market(&[("N1", 21_500, "AVAILABLE"), ("N2", 16_900, "AVAILABLE")]);
    build_on(&site, "2026-11-02");
    // North's feed breaks, and no last good copy is left to stand in.
    site.remove(".showroom/state/feeds.json");
    site.remove(".showroom/state/feeds");
    site.write(
        "data/feeds/north/cars.csv",
        "<html>Service unavailable</html>\n",
    );
    let report = site.build("2026-11-05");
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.is_error() && p.file.as_deref() == Some("data/feeds/north/cars.csv")),
        "{:#?}",
        report.problems
    );
    // Its cars are not published, but not called sold either, nor listed as gone.
    assert!(car(&site, "N1").is_none() && car(&site, "N2").is_none());
    assert!(site.page("gone.json").contains("\"gone\": []"));
    // South's cars are untouched.
    assert!(site.has_page("cars/volkswagen-golf-2018-south-s1/index.html"));

    // The feed is fixed: the same cars, as they were, with their first day.
    write_north(
        &site,
        &[("N1", 21_500, "AVAILABLE"), ("N2", 16_900, "AVAILABLE")],
    );
    build_on(&site, "2026-11-08");
    let n1 = car(&site, "N1").unwrap();
    assert!(!lead(&n1).contains("badge"), "{n1}");
    assert!(n1.contains("Listed for 311 days"), "{n1}");
    assert!(!n1.contains("Price history"), "{n1}");
}
