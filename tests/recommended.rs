//! Recommended Cars on every car page, the home page, the 404 page and policy pages.

mod common;
use common::*;
use scraper::{Html, Selector};

fn recommended(html: &str) -> Vec<String> {
    let doc = Html::parse_document(html);
    let heading = Selector::parse("#recommended-heading").unwrap();
    let headings: Vec<String> = doc.select(&heading).map(|h| h.text().collect()).collect();
    assert_eq!(headings, vec!["Recommended Cars".to_string()], "{html}");
    let links = Selector::parse(".recommended .car-card h3 a").unwrap();
    doc.select(&links)
        .map(|a| a.value().attr("href").unwrap().to_string())
        .collect()
}

#[test]
fn every_car_page_recommends_k_other_available_cars_and_pins_lead_elsewhere() {
    let site = fixture_site("market");
    let out = build(site.path(), "2026-11-23", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let public = site.path().join("public");
    let sold = "/cars/volkswagen-golf-2017-north-n4/";

    let mut pages = 0;
    for slug in car_pages(site.path()) {
        let path = format!("/cars/{slug}/");
        let file = public.join("cars").join(&slug).join("index.html");
        pages += 1;
        let picks = recommended(&read(&file));
        assert_eq!(picks.len(), 3, "{path}: {picks:?}"); // [recommend] count = 3
        for pick in &picks {
            assert_ne!(pick, &path, "{path} recommends itself");
            assert_ne!(pick, sold, "{path} recommends a sold car");
            assert!(
                public
                    .join(pick.trim_start_matches('/'))
                    .join("index.html")
                    .is_file()
            );
        }
        let unique: std::collections::BTreeSet<_> = picks.iter().collect();
        assert_eq!(unique.len(), picks.len(), "{path}: {picks:?}");
    }
    assert_eq!(pages, 8);

    // Same model first: the 2019 320d's section opens with the other 3 Series.
    let bmw = recommended(&read(
        public.join("cars/bmw-3-series-2019-north-n1/index.html"),
    ));
    assert_eq!(bmw[0], "/cars/bmw-3-series-2018-north-n2/");

    // The home, 404 and policy pages lead with the valid pin.
    for page in [
        "index.html",
        "404.html",
        "privacy/index.html",
        "cookies/index.html",
    ] {
        let picks = recommended(&read(public.join(page)));
        assert_eq!(picks[0], "/cars/renault-clio-2020-south-s2/", "{page}");
        assert!(!picks.contains(&sold.to_string()), "{page}");
    }

    // Pins that name no available car are warnings naming them.
    let err = stderr(&out);
    assert!(
        err.contains("warning: data/recommended.toml:1: field `pinned`: pin \"north/N4\" is sold"),
        "{err}"
    );
    assert!(err.contains("pin \"nobody/X1\" names no car"), "{err}");
}
