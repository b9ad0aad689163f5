//! The feed formats dealers export, read from the fixture site
//! `tests/fixtures/feeds/formats/`: one supplier per format (Meta's catalog as flattened
//! CSV, CSV with JSON columns, TSV, XML, RSS and a Graph API JSON object; Google's vehicle
//! ads as RSS 2.0, Atom and tab-delimited text, and its vehicle listings CSV), each with
//! the mistakes real exports make. The tests pin exactly which rows are published with
//! which facts, and every problem by severity, file, line and field.

mod common;

use common::Fixture;
use showroom::Severity;
use showroom::config::FeedsConfig;
use showroom::feeds::{self, Availability, ImageRef, Inventory, Listing, OrWritten, VehicleState};
use showroom::{Diagnostics, Problem};
use std::path::Path;

const SITE: &str = "tests/fixtures/feeds/formats";
const DATE: &str = "2026-02-01";

fn load() -> (Inventory, Diagnostics) {
    feeds::load(
        Path::new(SITE),
        &FeedsConfig::default(),
        DATE.parse().unwrap(),
    )
}

fn listing<'a>(inventory: &'a Inventory, supplier: &str, vehicle_id: &str) -> &'a Listing {
    inventory
        .listings
        .iter()
        .find(|l| l.supplier.as_str() == supplier && l.vehicle_id == vehicle_id)
        .unwrap_or_else(|| panic!("{supplier}/{vehicle_id} was not accepted"))
}

/// What a buyer reads of a car: id, make, model, price (minor units and currency),
/// mileage, photos, availability and state.
type Facts<'a> = (
    &'a str,
    &'a str,
    &'a str,
    (i64, &'a str),
    Option<(u64, &'static str)>,
    Vec<&'a str>,
    Availability,
    Option<VehicleState>,
);

fn facts(l: &Listing) -> Facts<'_> {
    (
        &l.vehicle_id,
        &l.make,
        &l.model,
        (l.price.minor, l.price.currency_code()),
        l.mileage.map(|m| (m.value, m.unit.as_str())),
        l.images
            .iter()
            .map(|i| match i {
                ImageRef::Remote(url) | ImageRef::Local(url) => url.as_str(),
            })
            .collect(),
        l.availability,
        l.state_of_vehicle,
    )
}

fn supplier_facts<'a>(inventory: &'a Inventory, supplier: &str) -> Vec<Facts<'a>> {
    inventory
        .listings
        .iter()
        .filter(|l| l.supplier.as_str() == supplier)
        .map(facts)
        .collect()
}

type Located = (Severity, String, Option<u32>, Option<String>);

fn located(p: &Problem) -> Located {
    (
        p.severity,
        p.file.clone().unwrap_or_default(),
        p.line,
        p.field.clone(),
    )
}

fn w(file: &str, line: u32, field: &str) -> Located {
    (
        Severity::Warning,
        format!("data/feeds/{file}"),
        Some(line),
        Some(field.to_string()),
    )
}

use Availability::{Available, NotAvailable, Pending};
use VehicleState::{Cpo, Used};

#[test]
fn publishes_exactly_these_rows_from_every_format() {
    let (inventory, _) = load();
    let accepted: Vec<(&str, &str)> = inventory
        .listings
        .iter()
        .map(|l| (l.supplier.as_str(), l.vehicle_id.as_str()))
        .collect();
    assert_eq!(
        accepted,
        [
            ("google-atom", "SB-1003"),
            ("google-atom", "SB-2001"),
            ("google-csv", "5YJ3E1EA8KF317003"),
            ("google-csv", "MV-1001"),
            ("google-rss", "WAP-1001"),
            ("google-rss", "WAP-1006"),
            ("google-tsv", "TC-1001"),
            ("google-tsv", "TC-1002"),
            ("google-tsv", "TC-1003"),
            ("meta-csv-flat", "SR-1001"),
            ("meta-csv-flat", "SR-1002"),
            ("meta-csv-flat", "SR-1007"),
            ("meta-csv-flat", "SR-2001"),
            ("meta-csv-json", "SR-1001"),
            ("meta-csv-json", "SR-1003"),
            ("meta-csv-json", "SR-3001"),
            ("meta-json-object", "GX-1"),
            ("meta-rss", "GG-1"),
            ("meta-rss", "GG-3"),
            ("meta-tsv", "NB-1"),
            ("meta-tsv", "NB-2"),
            ("meta-tsv", "NB-3"),
            ("meta-tsv", "NB-4"),
            ("meta-tsv", "NB-5"),
            ("meta-xml", "HM-2001"),
            ("meta-xml", "HM-2002"),
        ]
    );
}

#[test]
fn reports_every_problem_at_its_file_line_and_field() {
    let (_, diagnostics) = load();
    let mut found: Vec<Located> = diagnostics.iter().map(located).collect();
    found.sort();
    let mut expected = vec![
        // Meta CSV, flattened: an unknown column once (first used on line 4), a North
        // American VIN with a wrong check digit, a sale price equal to the price, a
        // price with a dollar sign.
        w("meta-csv-flat/inventory.csv", 4, "Colour"),
        w("meta-csv-flat/inventory.csv", 6, "vin"),
        w("meta-csv-flat/inventory.csv", 6, "sale_price"),
        w("meta-csv-flat/inventory.csv", 9, "price"),
        // Meta CSV with JSON columns: a Chinese VIN with a wrong check digit, a JSON
        // cell cut short.
        w("meta-csv-json/cars.csv", 4, "vin"),
        w("meta-csv-json/cars.csv", 5, "image"),
        // Meta TSV: words that are none of ours, once each though two rows use one.
        w("meta-tsv/stock.tsv", 4, "body_style"),
        w("meta-tsv/stock.tsv", 4, "transmission"),
        // Meta XML: an entity from the DOCTYPE, a mileage without a unit.
        w("meta-xml/listings.xml", 33, "make"),
        w("meta-xml/listings.xml", 37, "mileage.unit"),
        // Graph API JSON: a unit that is no unit.
        w("meta-json-object/vehicles.json", 13, "mileage.unit"),
        // Google RSS: a bare mileage, and Google's own example VIN, whose check digit is off.
        w("google-rss/vehicles.xml", 54, "mileage"),
        w("google-rss/vehicles.xml", 54, "vin"),
        // Google Atom: a body style that is none of ours.
        w("google-atom/feed.xml", 28, "body_style"),
        // Google text feed: a sale price above the price, a fuel that is none of ours, a
        // certified flag that is neither yes nor no.
        w("google-tsv/products.txt", 2, "sale_price"),
        w("google-tsv/products.txt", 4, "fuel_type"),
        w("google-tsv/products.txt", 5, "certified_pre_owned"),
        // Google vehicle listings CSV: a bare mileage.
        w("google-csv/listings.csv", 3, "mileage"),
    ];
    expected.sort();
    assert_eq!(found, expected);
}

#[test]
fn withheld_rows_are_neither_published_nor_rejected_nor_warned_about() {
    let (inventory, diagnostics) = load();
    for (supplier, id) in [
        ("meta-csv-flat", "SR-1010"),
        ("meta-rss", "GG-2"),
        ("meta-json-object", "GX-3"),
    ] {
        assert!(
            inventory
                .listings
                .iter()
                .all(|l| (l.supplier.as_str(), l.vehicle_id.as_str()) != (supplier, id)),
            "{supplier}/{id}"
        );
    }
    assert!(diagnostics.iter().all(|p| !matches!(
        (p.file.as_deref(), p.line),
        (Some("data/feeds/meta-csv-flat/inventory.csv"), Some(8))
            | (Some("data/feeds/meta-rss/feed.xml"), Some(18))
            | (Some("data/feeds/meta-json-object/vehicles.json"), Some(18))
    )));
    let counts: Vec<(&str, usize, usize)> = inventory
        .reports
        .iter()
        .map(|r| (r.id.as_str(), r.accepted, r.rejected))
        .collect();
    assert!(counts.contains(&("meta-csv-flat", 4, 1)), "{counts:?}");
    assert!(counts.contains(&("meta-rss", 2, 0)), "{counts:?}");
    assert!(counts.contains(&("meta-json-object", 1, 1)), "{counts:?}");
}

#[test]
fn meta_csv_with_dealer_software_headers_and_flattened_columns() {
    let (inventory, _) = load();
    let wag = "https://img.wag.example";
    assert_eq!(
        supplier_facts(&inventory, "meta-csv-flat"),
        [
            (
                "SR-1001",
                "Ford",
                "Fusion",
                (1_299_500, "USD"),
                Some((48_210, "MI")),
                vec![
                    &*format!("{wag}/SR-1001/1.jpg"),
                    &*format!("{wag}/SR-1001/2.jpg")
                ],
                Available,
                Some(Used),
            ),
            (
                "SR-1002",
                "Mitsubishi",
                "Outlander Sport",
                (1_399_800, "USD"),
                Some((90_377, "MI")),
                vec![&*format!("{wag}/SR-1002/1.jpg")],
                Available,
                Some(Used),
            ),
            (
                "SR-1007",
                "Ford",
                "Fusion",
                (1_099_500, "USD"),
                Some((61_000, "MI")),
                vec![&*format!("{wag}/SR-1007/1.jpg")],
                Available,
                Some(Used),
            ),
            (
                "SR-2001",
                "Toyota",
                "Corolla",
                (1_649_500, "CAD"),
                Some((84_500, "KM")),
                vec![&*format!("{wag}/SR-2001/1.jpg")],
                Pending,
                Some(Cpo),
            ),
        ]
    );
    let sr1001 = listing(&inventory, "meta-csv-flat", "SR-1001");
    assert_eq!(sr1001.sale_price.map(|p| p.minor), Some(1_199_500));
    assert_eq!(sr1001.condition.as_deref(), Some("GOOD"));
    assert_eq!(sr1001.dealer.id.as_deref(), Some("WAP-01"));
    assert_eq!(
        sr1001.dealer.name.as_deref(),
        Some("Watsonville Auto Plaza")
    );
    assert_eq!(sr1001.dealer.phone.as_deref(), Some("+1 831-555-0142"));
    assert_eq!(
        sr1001.address.one_line().as_deref(),
        Some("550 Auto Center Dr, Watsonville, CA, 95076, US")
    );
    let sr1002 = listing(&inventory, "meta-csv-flat", "SR-1002");
    assert_eq!(sr1002.body_style.as_ref().unwrap().as_str(), "SUV");
    assert_eq!(sr1002.drivetrain.as_ref().unwrap().as_str(), "FOUR_WD");
    assert_eq!(
        listing(&inventory, "meta-csv-flat", "SR-1007").sale_price,
        None,
        "a sale price equal to the price is no discount"
    );
    let sr2001 = listing(&inventory, "meta-csv-flat", "SR-2001");
    assert_eq!(
        sr2001.vin.as_ref().unwrap().as_str(),
        "2T1BURHEXJC043821",
        "upper-cased"
    );
    assert_eq!(sr2001.drivetrain.as_ref().unwrap().as_str(), "4X2");
}

#[test]
fn meta_csv_json_columns_flatten_and_lose_to_flattened_ones() {
    let (inventory, _) = load();
    let bay = "https://img.bay.example";
    assert_eq!(
        supplier_facts(&inventory, "meta-csv-json"),
        [
            (
                "SR-1001",
                "Ford",
                "Fusion",
                (1_299_500, "USD"),
                Some((48_210, "MI")),
                vec![
                    &*format!("{bay}/SR-1001/1.jpg"),
                    &*format!("{bay}/SR-1001/2.jpg")
                ],
                Available,
                None,
            ),
            (
                "SR-1003",
                "Tesla",
                "Model 3",
                (2_990_000, "USD"),
                Some((31_250, "MI")),
                vec![&*format!("{bay}/SR-1003/1.jpg")],
                Pending,
                None,
            ),
            (
                "SR-3001",
                "Volkswagen",
                "Sagitar",
                (6_800_000, "CNY"),
                Some((62_000, "KM")),
                vec![&*format!("{bay}/SR-3001/1.jpg")],
                Available,
                None,
            ),
        ]
    );
    assert_eq!(
        listing(&inventory, "meta-csv-json", "SR-1001")
            .address
            .city
            .as_deref(),
        Some("Watsonville")
    );
    // Meta's relaxed literal, `{addr1: '1 Tech Way', city: 'San Jose', ...}`, beside a
    // flattened `address.city` column, which wins.
    let sr1003 = &listing(&inventory, "meta-csv-json", "SR-1003").address;
    assert_eq!(sr1003.addr1.as_deref(), Some("1 Tech Way"));
    assert_eq!(sr1003.city.as_deref(), Some("Santa Clara"));
    assert_eq!(sr1003.postal_code.as_deref(), Some("95134"));
}

#[test]
fn meta_tsv_translates_the_suppliers_words_and_keeps_unknown_ones_as_written() {
    let (inventory, _) = load();
    let words: Vec<(&str, &str, &str, Option<&str>)> = inventory
        .listings
        .iter()
        .filter(|l| l.supplier.as_str() == "meta-tsv")
        .map(|l| {
            (
                l.vehicle_id.as_str(),
                l.body_style.as_ref().unwrap().as_str(),
                l.fuel_type.as_ref().unwrap().as_str(),
                l.transmission.as_ref().map(OrWritten::as_str),
            )
        })
        .collect();
    assert_eq!(
        words,
        [
            ("NB-1", "WAGON", "DIESEL", Some("MANUAL")),
            ("NB-2", "COUPE", "GASOLINE", Some("MANUAL")),
            ("NB-3", "Flakvogn", "DIESEL", Some("Manuell")),
            ("NB-4", "Flakvogn", "DIESEL", Some("MANUAL")),
            ("NB-5", "SEDAN", "ELECTRIC", Some("AUTOMATIC")),
        ]
    );
    let nb3 = listing(&inventory, "meta-tsv", "NB-3");
    assert_eq!(
        nb3.body_style,
        Some(OrWritten::Written("Flakvogn".into())),
        "kept as written, not a known value"
    );
    assert_eq!(
        listing(&inventory, "meta-tsv", "NB-1")
            .price
            .currency_code(),
        "NOK"
    );
    assert_eq!(
        listing(&inventory, "meta-tsv", "NB-5").availability,
        NotAvailable
    );
    // A European VIN carries no check digit: no warning (see the problems test).
    assert_eq!(
        listing(&inventory, "meta-tsv", "NB-2")
            .vin
            .as_ref()
            .unwrap()
            .as_str(),
        "WP0ZZZ99ZTS392124"
    );
}

#[test]
fn meta_xml_reads_components_dealers_and_the_listings_own_currency() {
    let (inventory, _) = load();
    assert_eq!(
        supplier_facts(&inventory, "meta-xml"),
        [
            (
                "HM-2001",
                "Toyota",
                "Corolla",
                (1_649_500, "CAD"),
                Some((84_500, "KM")),
                vec![
                    "https://img.harbour.example/hm-2001/1.jpg",
                    "https://img.harbour.example/hm-2001/2.jpg"
                ],
                Available,
                Some(Used),
            ),
            (
                "HM-2002",
                "Honda",
                "Civic",
                (2_100_000, "USD"),
                Some((12_000, "MI")),
                vec![],
                Available,
                None,
            ),
        ]
    );
    let hm2001 = listing(&inventory, "meta-xml", "HM-2001");
    assert_eq!(hm2001.condition.as_deref(), Some("VERY_GOOD"));
    assert_eq!(hm2001.drivetrain.as_ref().unwrap().as_str(), "TWO_WD");
    assert_eq!(hm2001.description, "Winter tires & \"all-weather\" mats.");
    assert_eq!(hm2001.address.postal_code.as_deref(), Some("M5V 2T6"));
    assert_eq!(
        hm2001.dealer.name.as_deref(),
        Some("Harbourfront Motors Downtown")
    );
    let hm2002 = listing(&inventory, "meta-xml", "HM-2002");
    assert_eq!(hm2002.fuel_type.as_ref().unwrap().as_str(), "PLUGIN_HYBRID");
}

#[test]
fn meta_rss_and_a_graph_api_json_object() {
    let (inventory, _) = load();
    assert_eq!(
        supplier_facts(&inventory, "meta-rss"),
        [
            (
                "GG-1",
                "Ford",
                "Fusion",
                (1_299_500, "USD"),
                Some((48_210, "MI")),
                vec!["https://img.goldengate.example/gg-1.jpg"],
                Available,
                None,
            ),
            (
                "GG-3",
                "Toyota",
                "Corolla",
                (1_649_500, "CAD"),
                None,
                vec![],
                Pending,
                Some(Cpo),
            ),
        ]
    );
    let gg1 = listing(&inventory, "meta-rss", "GG-1");
    assert_eq!(gg1.title, "2013 Ford Fusion SE");
    assert_eq!(
        gg1.url.as_deref(),
        Some("https://goldengate.example/vdp/GG-1")
    );
    assert_eq!(
        supplier_facts(&inventory, "meta-json-object"),
        [(
            "GX-1",
            "BMW",
            "320d",
            (1_850_000, "EUR"),
            Some((45_000, "KM")),
            vec![
                "https://img.graph.example/gx-1-a.jpg",
                "https://img.graph.example/gx-1-b.jpg"
            ],
            Available,
            None,
        )]
    );
    let gx1 = listing(&inventory, "meta-json-object", "GX-1");
    assert_eq!(gx1.address.addr1.as_deref(), Some("Ringstrasse 1"));
    assert_eq!(gx1.address.city.as_deref(), Some("Wien"));
}

#[test]
fn google_rss_and_atom_read_g_attributes() {
    let (inventory, _) = load();
    let wap = "https://img.wap.example";
    assert_eq!(
        supplier_facts(&inventory, "google-rss"),
        [
            (
                "WAP-1001",
                "Ford",
                "Fusion",
                (1_299_500, "USD"),
                Some((48_210, "MI")),
                vec![
                    &*format!("{wap}/1001/1.jpg"),
                    &*format!("{wap}/1001/2.jpg"),
                    &*format!("{wap}/1001/3.jpg")
                ],
                Available,
                Some(Used),
            ),
            (
                "WAP-1006",
                "Volkswagen",
                "Jetta",
                (1_145_000, "USD"),
                Some((41_020, "MI")),
                vec![&*format!("{wap}/1006/1.jpg")],
                Available,
                Some(Cpo),
            ),
        ]
    );
    let wap1001 = listing(&inventory, "google-rss", "WAP-1001");
    assert_eq!(wap1001.sale_price.map(|p| p.minor), Some(1_199_500));
    assert_eq!(wap1001.exterior_color.as_deref(), Some("White"));
    assert_eq!(wap1001.trim.as_deref(), Some("SE"));
    assert_eq!(wap1001.dealer.id.as_deref(), Some("WAP01"));
    assert_eq!(
        wap1001.url.as_deref(),
        Some("https://wap.example/vdp/WAP-1001")
    );
    let wap1006 = listing(&inventory, "google-rss", "WAP-1006");
    assert_eq!(wap1006.body_style.as_ref().unwrap().as_str(), "WAGON");
    assert_eq!(
        wap1006.fuel_type.as_ref().unwrap().as_str(),
        "PLUGIN_HYBRID"
    );

    assert_eq!(
        supplier_facts(&inventory, "google-atom"),
        [
            (
                "SB-1003",
                "Tesla",
                "Model 3",
                (2_990_000, "USD"),
                Some((31_250, "MI")),
                vec!["https://img.sbev.example/1003/1.jpg"],
                Available,
                Some(Used),
            ),
            (
                "SB-2001",
                "Toyota",
                "Corolla",
                (1_649_500, "CAD"),
                Some((84_500, "KM")),
                vec!["https://img.sbev.example/2001/1.jpg"],
                Available,
                Some(Used),
            ),
        ]
    );
    // Atom's own elements: `<id>` only where there is no `<g:id>`, `<link href>`,
    // `<summary>`, `<updated>`.
    let sb1003 = listing(&inventory, "google-atom", "SB-1003");
    assert_eq!(sb1003.title, "2019 Tesla Model 3 Standard Range Plus");
    assert_eq!(sb1003.description, "Autopilot, glass roof, one owner.");
    assert_eq!(
        sb1003.url.as_deref(),
        Some("https://sbev.example/vdp/SB-1003")
    );
    assert_eq!(sb1003.updated, jiff::civil::date(2026, 1, 14));
    assert_eq!(
        sb1003.dealer.name.as_deref(),
        Some("South Bay EV Center San Jose")
    );
    assert_eq!(
        sb1003.address.one_line().as_deref(),
        Some("1 Tech Way, San Jose, CA 95134, US")
    );
    assert_eq!(
        listing(&inventory, "google-atom", "SB-2001").body_style,
        Some(OrWritten::Written("hovercraft".into()))
    );
}

#[test]
fn google_text_and_listings_csv_feeds() {
    let (inventory, _) = load();
    let res = "https://res.tc.example/w_600,h_400";
    assert_eq!(
        supplier_facts(&inventory, "google-tsv"),
        [
            (
                "TC-1001",
                "Ford",
                "Fusion",
                (1_299_500, "USD"),
                Some((24_985, "KM")),
                vec![
                    "https://img.tc.example/1001/1.jpg",
                    "https://img.tc.example/1001/2.jpg",
                    "https://img.tc.example/1001/3.jpg"
                ],
                Available,
                Some(Used),
            ),
            (
                "TC-1002",
                "Mitsubishi",
                "Outlander Sport",
                (1_399_800, "USD"),
                Some((90_377, "MI")),
                // Commas inside a URL stay; a comma before the next address splits.
                vec![
                    &*format!("{res}/1002-1.jpg"),
                    &*format!("{res}/1002-2.jpg"),
                    &*format!("{res}/1002-3.jpg")
                ],
                Available,
                Some(Used),
            ),
            (
                "TC-1003",
                "Toyota",
                "Mirai",
                (3_900_000, "USD"),
                Some((100, "MI")),
                vec!["https://img.tc.example/1003/1.jpg"],
                Pending,
                Some(Used),
            ),
        ]
    );
    assert_eq!(
        listing(&inventory, "google-tsv", "TC-1001").sale_price,
        None,
        "a sale price above the price is no discount"
    );
    assert_eq!(
        listing(&inventory, "google-tsv", "TC-1003").fuel_type,
        Some(OrWritten::Written("hydrogen".into()))
    );
    let report = inventory
        .reports
        .iter()
        .find(|r| r.id == "google-tsv")
        .unwrap();
    assert!(
        report
            .problems
            .iter()
            .all(|p| p.file.as_deref() == Some("data/feeds/google-tsv/products.txt")),
        "a README.txt beside the feed is no feed"
    );

    assert_eq!(
        supplier_facts(&inventory, "google-csv"),
        [
            (
                "5YJ3E1EA8KF317003",
                "Tesla",
                "Model 3",
                (2_990_000, "USD"),
                Some((31_250, "MI")),
                vec!["https://img.mv.example/tesla/1.jpg"],
                Available,
                Some(Cpo),
            ),
            (
                "MV-1001",
                "Ford",
                "Fusion",
                (1_299_500, "USD"),
                Some((48_210, "MI")),
                vec![
                    "https://img.mv.example/1001/1.jpg",
                    "https://img.mv.example/1001/2.jpg",
                    "https://img.mv.example/1001/3.jpg"
                ],
                Available,
                Some(Used),
            ),
        ]
    );
    let mv1001 = listing(&inventory, "google-csv", "MV-1001");
    assert_eq!(mv1001.dealer.name.as_deref(), Some("Mountain View Ford"));
    assert_eq!(mv1001.dealer.id.as_deref(), Some("MV01"));
    assert_eq!(
        mv1001.address.line.as_deref(),
        Some("1800 Amphibious Blvd., Mountain View, CA 94045, US")
    );
    assert_eq!(
        mv1001.date_first_on_lot,
        Some(jiff::civil::date(2025, 12, 1))
    );
    assert_eq!(mv1001.exterior_color.as_deref(), Some("White"));
}

#[test]
fn a_value_map_target_that_is_not_ours_is_a_registry_error_with_its_line() {
    let text = "[[suppliers]]\nid = \"a\"\nname = \"A\"\n\n[suppliers.values.body_style]\n\
                Kombi = \"WAGON\"\nPritsche = \"FLATBED\"\n";
    let problems = feeds::registry::parse(text).unwrap_err();
    let found: Vec<(Severity, Option<u32>, Option<&str>)> = problems
        .iter()
        .map(|p| (p.severity, p.line, p.field.as_deref()))
        .collect();
    assert_eq!(
        found,
        [(Severity::Error, Some(7), Some("values.body_style"))]
    );
    let unknown =
        "[[suppliers]]\nid = \"a\"\nname = \"A\"\n[suppliers.values.colour]\nRot = \"RED\"\n";
    assert!(feeds::registry::parse(unknown).is_err());
}

/// The search index's card and sort key of the car whose path contains `slug_part`:
/// `(price in whole units, price as shown)` (see src/search/mod.rs for the files).
fn indexed_price(site: &Fixture, slug_part: &str) -> (i64, String) {
    let html = site.page("cars/index.html");
    let at = html
        .find("data-index=\"")
        .expect("the filter form names the index")
        + 12;
    let meta_path = html[at..at + html[at..].find('"').unwrap()].trim_start_matches('/');
    let dir = site
        .output()
        .join(meta_path)
        .parent()
        .unwrap()
        .to_path_buf();
    let json = |name: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap()
    };
    let meta = json("meta.json");
    let (n, per) = (meta["n"].as_u64().unwrap(), meta["rows"].as_u64().unwrap());
    let (car, text) = (0..n.div_ceil(per))
        .find_map(|shard| {
            let rows = json(&format!("r/{shard}.json"));
            rows.as_array()
                .unwrap()
                .iter()
                .enumerate()
                .find_map(|(j, row)| {
                    row[0]
                        .as_str()
                        .unwrap()
                        .contains(slug_part)
                        .then(|| (shard * per + j as u64, row[2].as_str().unwrap().to_string()))
                })
        })
        .unwrap_or_else(|| panic!("{slug_part} is not in the index"));
    let (code, start) = meta["makes"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .find_map(|(i, m)| {
            let (start, len) = (m[2].as_u64().unwrap(), m[3].as_u64().unwrap());
            (start..start + len)
                .contains(&car)
                .then_some((i + 1, start))
        })
        .unwrap_or((0, 0));
    let prices = json(&format!("kp/{code}.json"));
    let prices = showroom::search::codec::decode::numbers(prices["v"].as_str().unwrap());
    (prices[(car - start) as usize] as i64, text)
}

fn select(html: &scraper::Html, css: &str, attr: Option<&str>) -> Vec<String> {
    let selector = scraper::Selector::parse(css).unwrap();
    html.select(&selector)
        .map(|e| match attr {
            Some(a) => e.value().attr(a).unwrap_or_default().to_string(),
            None => e.text().collect(),
        })
        .collect()
}

fn built() -> Fixture {
    let site = Fixture::new("feeds/formats");
    let report = site.build(DATE);
    assert_eq!(report.errors, 0, "{:#?}", report.problems);
    site
}

#[test]
fn a_car_page_shows_the_branch_unknown_words_as_written_and_unambiguous_prices() {
    let site = built();
    let tesla = site.page("cars/tesla-model-3-2019-google-atom-sb-1003/index.html");
    assert!(tesla.contains("South Bay EV Center San Jose"), "{tesla}");
    assert!(tesla.contains("1 Tech Way, San Jose, CA 95134, US"));
    assert!(
        tesla.contains("US$29,900"),
        "a USD car on a site with CAD cars"
    );
    let corolla = site.page("cars/toyota-corolla-2018-google-atom-sb-2001/index.html");
    assert!(corolla.contains("CA$16,495"));
    for page in [
        "cars/toyota-corolla-2018-google-atom-sb-2001/index.html",
        "zh/cars/toyota-corolla-2018-google-atom-sb-2001/index.html",
    ] {
        let html = scraper::Html::parse_document(&site.page(page));
        assert!(
            select(&html, ".specs dd", None).contains(&"hovercraft".to_string()),
            "{page}"
        );
    }
    // The branch's phone, not the supplier's head office.
    let fusion = site.page("cars/ford-fusion-2013-meta-csv-flat-sr-1001/index.html");
    assert!(fusion.contains("tel:+18315550142"));
    assert!(!fusion.contains("tel:+18315550100"));
    assert!(fusion.contains("Watsonville Auto Plaza"));
    assert!(
        fusion.contains("Watsonville Auto Group"),
        "still the supplier responsible"
    );
}

#[test]
fn every_place_states_the_same_asking_price() {
    let site = built();
    // WAP-1001 has a real sale price; TC-1001's is above its price and so dropped.
    for (slug, asking, decimal, other) in [
        (
            "ford-fusion-2013-google-rss-wap-1001",
            "US$11,995",
            "11995.00",
            None,
        ),
        (
            "ford-fusion-2013-google-tsv-tc-1001",
            "US$12,995",
            "12995.00",
            Some("13,995"),
        ),
    ] {
        let text = site.page(&format!("cars/{slug}/index.html"));
        let html = scraper::Html::parse_document(&text);
        let stated = [
            select(&html, "title", None),
            select(&html, "meta[name=description]", Some("content")),
            select(&html, "meta[property='og:description']", Some("content")),
            select(&html, "meta[name='twitter:description']", Some("content")),
            select(&html, ".supplier .price", None),
        ];
        for found in stated {
            assert_eq!(found.len(), 1, "{slug}");
            assert!(found[0].contains(asking), "{slug}: {found:?}");
        }
        let jsonld: serde_json::Value =
            serde_json::from_str(&select(&html, "script[type='application/ld+json']", None)[0])
                .unwrap();
        assert_eq!(jsonld["@graph"][0]["offers"]["price"], decimal, "{slug}");
        let (price, price_text) = indexed_price(&site, slug);
        assert_eq!(price.to_string(), decimal.trim_end_matches(".00"), "{slug}");
        assert_eq!(price_text, asking, "{slug}");
        let list = site.page("cars/supplier/google-rss/index.html")
            + &site.page("cars/supplier/google-tsv/index.html");
        let cards = scraper::Html::parse_document(&list);
        assert!(
            select(&cards, ".car-card .price", None)
                .iter()
                .any(|p| p.starts_with(asking)),
            "{slug}"
        );
        if let Some(other) = other {
            assert!(!text.contains(other), "{slug} states {other}");
        }
    }
}
