//! The marketplace pages a buyer browses, built from a small fixture marketplace: two
//! suppliers, a sold car, a reserved car, a stale car and a VIN offered twice.

mod common;
use common::*;
use scraper::{Html, Selector};
use std::collections::BTreeSet;
use std::path::Path;

const DATE: &str = "2026-11-23";

fn built() -> tempfile::TempDir {
    let site = fixture_site("market");
    let out = build(site.path(), DATE, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    site
}

fn doc(site: &Path, rel: &str) -> Html {
    Html::parse_document(&read(site.join("public").join(rel)))
}

fn select<'a>(html: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    html.select(&Selector::parse(css).unwrap()).collect()
}

fn text(el: &scraper::ElementRef) -> String {
    el.text().collect::<String>()
}

/// The car links of a list page, in order.
fn listed_cars(html: &Html) -> Vec<String> {
    select(html, ".car-grid .car-card h3 a")
        .iter()
        .map(|a| a.value().attr("href").unwrap().to_string())
        .collect()
}

#[test]
fn every_accepted_car_has_one_page_with_its_facts_and_valid_json_ld() {
    let site = built();
    let pages = car_pages(site.path());
    // Nine rows, one of them the second offer of a VIN: eight cars, the sold one included.
    assert_eq!(pages.len(), 8, "{pages:?}");
    assert!(pages.contains("bmw-3-series-2018-north-n2"), "{pages:?}");
    assert!(!pages.iter().any(|p| p.ends_with("south-s3")), "{pages:?}");

    let page = doc(site.path(), "cars/bmw-3-series-2019-north-n1/index.html");
    let body = page.root_element().html();
    for fact in [
        "BMW 320d Sport",
        "€21,500",
        "61,000 km",
        "Diesel",
        "Automatic",
        "Sedan",
        "Leeds",
        "North Cars &amp; Co",
        "November 20, 2026",
        "north/N1",
    ] {
        assert!(body.contains(fact), "missing {fact:?}");
    }
    let vin = select(&page, ".vin");
    assert_eq!(text(&vin[0]).len(), 17);
    // The theme's accuracy disclaimer, and the supplier's own line where it has one.
    assert!(
        select(&page, "[data-disclaimer]")[0]
            .html()
            .contains("does not guarantee")
    );
    let south = read(
        site.path()
            .join("public/cars/renault-clio-2020-south-s2/index.html"),
    );
    assert!(south.contains("South Autos checks every car"), "{south}");
    assert!(south.contains("does not guarantee"), "{south}");
    // An enquiry carries the car's reference.
    let mail = select(&page, "a[href^='mailto:']")[0]
        .value()
        .attr("href")
        .unwrap()
        .to_string();
    assert!(
        mail.starts_with("mailto:sales@north.example?subject="),
        "{mail}"
    );
    assert!(mail.contains("north%2FN1"), "{mail}");
    assert!(!select(&page, "a[href^='tel:+442079460000']").is_empty());
    // Feed text is escaped, and its links only http(s).
    assert!(!body.contains("<script>alert"), "{body}");
    assert!(body.contains("&lt;script&gt;"), "{body}");
    assert!(!body.contains("javascript:"), "{body}");

    let json = select(&page, "script[type='application/ld+json']");
    assert_eq!(json.len(), 1);
    let ld: serde_json::Value = serde_json::from_str(&text(&json[0])).expect("valid JSON-LD");
    let car = &ld["@graph"][0];
    assert_eq!(car["@type"], "Car");
    assert_eq!(car["brand"]["name"], "BMW");
    assert_eq!(car["model"], "3 Series");
    assert_eq!(car["vehicleModelDate"], "2019");
    assert_eq!(car["vehicleIdentificationNumber"], text(&vin[0]));
    assert_eq!(car["mileageFromOdometer"]["unitCode"], "KMT");
    assert_eq!(car["mileageFromOdometer"]["value"], 61000);
    assert_eq!(car["offers"]["@type"], "Offer");
    assert_eq!(car["offers"]["price"], "21500.00");
    assert_eq!(car["offers"]["priceCurrency"], "EUR");
    assert_eq!(car["offers"]["availability"], "https://schema.org/InStock");
    assert_eq!(car["offers"]["seller"]["name"], "North Cars & Co");
    assert_eq!(ld["@graph"][1]["@type"], "BreadcrumbList");
    // Canonical, Open Graph and Twitter tags.
    let canonical = select(&page, "link[rel=canonical]")[0]
        .value()
        .attr("href")
        .unwrap()
        .to_string();
    assert_eq!(
        canonical,
        "https://market.example/cars/bmw-3-series-2019-north-n1/"
    );
    assert!(!select(&page, "meta[property='og:title']").is_empty());
    assert!(!select(&page, "meta[name='twitter:card']").is_empty());
}

#[test]
fn reserved_stale_and_sold_cars_say_so_and_sold_ones_are_in_no_list() {
    let site = built();
    let reserved = read(
        site.path()
            .join("public/cars/bmw-5-series-2020-north-n3/index.html"),
    );
    assert!(reserved.contains("Reserved"), "{reserved}");
    let stale = read(
        site.path()
            .join("public/cars/volkswagen-golf-2019-north-n5/index.html"),
    );
    assert!(
        stale.contains("This listing may be out of date."),
        "{stale}"
    );
    let sold = read(
        site.path()
            .join("public/cars/volkswagen-golf-2017-north-n4/index.html"),
    );
    assert!(
        sold.contains("<meta content=noindex name=robots>"),
        "{sold}"
    );
    assert!(sold.contains("Sold"), "{sold}");

    let sold_path = "/cars/volkswagen-golf-2017-north-n4/";
    for entry in walkdir::WalkDir::new(site.path().join("public")) {
        let entry = entry.unwrap();
        let name = entry.path().to_string_lossy().into_owned();
        if entry.file_type().is_file() && !name.contains("volkswagen-golf-2017-north-n4") {
            let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
            assert!(!text.contains(sold_path), "{name} links the sold car");
        }
    }
}

#[test]
fn pagination_adds_up_with_rel_prev_and_next() {
    let site = built();
    // Seven listed cars (eight minus the sold one), two per page.
    let mut seen = Vec::new();
    let lists = [
        "cars/index.html",
        "cars/page/2/index.html",
        "cars/page/3/index.html",
        "cars/page/4/index.html",
    ];
    for (n, rel) in lists.iter().enumerate() {
        let page = doc(site.path(), rel);
        let cars = listed_cars(&page);
        assert_eq!(cars.len(), if n == 3 { 1 } else { 2 }, "{rel}");
        seen.extend(cars);
        let prev = select(&page, "link[rel=prev]");
        let next = select(&page, "link[rel=next]");
        assert_eq!(prev.is_empty(), n == 0, "{rel}");
        assert_eq!(next.is_empty(), n == 3, "{rel}");
    }
    assert!(!site.path().join("public/cars/page/5").exists());
    let unique: BTreeSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), 7);
    // Newest first: the Clio arrived last.
    assert_eq!(seen[0], "/cars/renault-clio-2020-south-s2/");

    // Every other list's pages add up to its count.
    let brand = doc(site.path(), "cars/brand/bmw/index.html");
    let model = doc(site.path(), "cars/brand/bmw/3-series/index.html");
    let bmw_page2 = doc(site.path(), "cars/brand/bmw/page/2/index.html");
    assert_eq!(listed_cars(&brand).len() + listed_cars(&bmw_page2).len(), 3);
    assert_eq!(listed_cars(&model).len(), 2);
    for list in [
        "cars/supplier/south/index.html",
        "cars/body/hatchback/index.html",
        "cars/fuel/diesel/index.html",
        "cars/price/eur-20000-35000/index.html",
    ] {
        assert!(!listed_cars(&doc(site.path(), list)).is_empty(), "{list}");
    }
}

#[test]
fn the_sitemap_lists_every_indexable_page_with_lastmod() {
    let site = built();
    let public = site.path().join("public");
    let index = read(public.join("sitemap.xml"));
    assert!(index.contains("<sitemapindex"), "{index}");
    assert!(
        index.contains("<loc>https://market.example/sitemap-en-1.xml</loc>"),
        "{index}"
    );
    let chunk = read(public.join("sitemap-en-1.xml"));
    let locs: BTreeSet<String> = chunk
        .split("<loc>")
        .skip(1)
        .map(|s| s.split("</loc>").next().unwrap().to_string())
        .collect();
    let mut pages = BTreeSet::new();
    for entry in walkdir::WalkDir::new(&public) {
        let entry = entry.unwrap();
        let rel = entry
            .path()
            .strip_prefix(&public)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if rel.ends_with("index.html") && !rel.contains("volkswagen-golf-2017-north-n4") {
            pages.insert(format!(
                "https://market.example/{}",
                rel.trim_end_matches("index.html")
            ));
        }
    }
    assert_eq!(locs, pages);
    assert!(chunk.contains(
        "<loc>https://market.example/cars/bmw-3-series-2019-north-n1/</loc><lastmod>2026-11-20</lastmod>"
    ), "{chunk}");
    assert!(
        read(public.join("robots.txt")).contains("Sitemap: https://market.example/sitemap.xml")
    );
    let atom = read(public.join("cars/atom.xml"));
    assert!(
        atom.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\""),
        "{atom}"
    );
    assert_eq!(atom.matches("<entry>").count(), 7);
}

#[test]
fn every_page_is_valid_html() {
    let site = built();
    let public = site.path().join("public");
    for entry in walkdir::WalkDir::new(&public) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "html") {
            let html = Html::parse_document(&read(entry.path()));
            assert!(
                html.errors.is_empty(),
                "{}: {:?}",
                entry.path().display(),
                html.errors
            );
        }
    }
}

#[test]
fn the_filter_index_and_home_page_show_brands_and_newest_cars() {
    let site = built();
    let list = read(site.path().join("public/cars/index.html"));
    let at = list
        .find("data-index=\"/")
        .expect("the filter form names the index")
        + 13;
    let meta = &list[at..at + list[at..].find('"').unwrap()];
    let index: serde_json::Value =
        serde_json::from_str(&read(site.path().join("public").join(meta))).unwrap();
    assert_eq!(index["n"], 7, "every listed car is in the search index");
    let home = doc(site.path(), "index.html");
    let brands: Vec<String> = select(&home, ".brand-grid a").iter().map(text).collect();
    assert_eq!(brands.len(), 4, "{brands:?}");
    assert!(
        brands[0].starts_with("BMW") && brands[0].ends_with('3'),
        "{brands:?}"
    );
    assert_eq!(listed_cars(&home)[0], "/cars/renault-clio-2020-south-s2/");
    assert!(!select(&home, "form[action='/cars/']").is_empty());
}
