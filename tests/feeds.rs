//! Supplier feeds through the library API: the hostile fixture site under
//! `tests/fixtures/feeds/hostile/` has one supplier per format and every kind of bad input
//! beside good rows; these tests pin exactly what is accepted and what is reported where.

use showroom::Severity;
use showroom::config::FeedsConfig;
use showroom::content::markdown::{Trust, render};
use showroom::feeds::{self, ImageRef, Inventory, Listing, UpdatedFrom};
use showroom::{Diagnostics, Problem};
use std::path::Path;

const HOSTILE: &str = "tests/fixtures/feeds/hostile";

fn today() -> jiff::civil::Date {
    jiff::civil::date(2025, 6, 1)
}

/// Small limits so the fixture can show an oversized field and file without being large.
fn small_limits() -> FeedsConfig {
    FeedsConfig {
        max_file_bytes: 8192,
        max_field_bytes: 512,
        ..FeedsConfig::default()
    }
}

fn hostile() -> (Inventory, Diagnostics) {
    feeds::load(Path::new(HOSTILE), &small_limits(), today())
}

fn listing<'a>(inventory: &'a Inventory, vehicle_id: &str) -> &'a Listing {
    inventory
        .listings
        .iter()
        .find(|l| l.vehicle_id == vehicle_id)
        .unwrap_or_else(|| panic!("{vehicle_id} was not accepted"))
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

fn w(file: &str, line: Option<u32>, field: Option<&str>) -> Located {
    (
        Severity::Warning,
        file.into(),
        line,
        field.map(str::to_string),
    )
}

fn e(file: &str, line: Option<u32>) -> Located {
    (Severity::Error, file.into(), line, None)
}

#[test]
fn accepts_exactly_the_valid_rows_of_every_format_in_a_stable_order() {
    let (inventory, _) = hostile();
    let accepted: Vec<(&str, &str)> = inventory
        .listings
        .iter()
        .map(|l| (l.supplier.as_str(), l.vehicle_id.as_str()))
        .collect();
    assert_eq!(
        accepted,
        [
            ("alpha", "A1"),
            ("alpha", "A11"),
            ("alpha", "A2"),
            ("alpha", "A5"),
            ("alpha", "A7"),
            ("alpha", "A9"),
            ("bravo", "B1"),
            ("bravo", "B4"),
            ("charlie", "C1"),
            ("charlie", "C2"),
            ("charlie", "C4"),
            ("charlie", "C5"),
            ("delta", "D5"),
            ("delta", "D7"),
        ]
    );
}

#[test]
fn reports_every_problem_at_its_file_line_and_field() {
    let (_, diagnostics) = hostile();
    let mut found: Vec<Located> = diagnostics.iter().map(located).collect();
    found.sort();
    let csv = "data/feeds/alpha/cars.csv";
    let xml = "data/feeds/bravo/stock.xml";
    let json = "data/feeds/charlie/cars.json";
    let jsonl = "data/feeds/charlie/more.jsonl";
    let mut expected = vec![
        // Folders: an unregistered one, a stray file, a registered supplier with none.
        w("data/feeds/loose.csv", None, None),
        w("data/feeds/stranger", None, None),
        w("data/suppliers.toml", None, Some("id")),
        // CSV with BOM, CRLF and a quoted newline on lines 2-3.
        w(csv, Some(4), Some("url")),
        w(csv, Some(4), Some("image[0].url")),
        w(csv, Some(5), Some("price")),
        w(csv, Some(6), Some("vehicle_id")),
        w(csv, Some(8), Some("vin")),
        w(csv, Some(10), Some("description")),
        // An unknown body style: the car is kept, the word shown as written.
        w(csv, Some(11), Some("body_style")),
        w(csv, Some(12), None),
        w(csv, Some(13), Some("image[0].url")),
        // XML: the line of each <listing>.
        w(xml, Some(19), Some("description")),
        w(xml, Some(24), Some("title")),
        w(xml, Some(29), Some("image[1].url")),
        w(xml, Some(46), Some("price")),
        // JSON array and JSON Lines.
        w(json, Some(3), Some("url")),
        w(json, Some(3), Some("image[0].url")),
        w(json, Some(4), Some("price")),
        w(json, Some(5), None),
        w(jsonl, Some(1), Some("colour")),
        w(jsonl, Some(2), None),
        w(jsonl, Some(3), Some("mileage.unit")),
        w(jsonl, Some(4), Some("vehicle_id")),
        // Files that cannot be read at all, each with a note that no earlier copy of it
        // stands in.
        e("data/feeds/delta/bad-utf8.csv", Some(3)),
        e("data/feeds/delta/huge.csv", None),
        e("data/feeds/delta/truncated.json", Some(2)),
        e("data/feeds/delta/truncated.xml", Some(4)),
        w("data/feeds/delta/bad-utf8.csv", None, None),
        w("data/feeds/delta/huge.csv", None, None),
        w("data/feeds/delta/truncated.json", None, None),
        w("data/feeds/delta/truncated.xml", None, None),
    ];
    expected.sort();
    assert_eq!(found, expected);
    assert_eq!(diagnostics.errors(), 4);
}

#[test]
fn each_supplier_report_counts_files_accepted_and_rejected_rows() {
    let (inventory, _) = hostile();
    let summary: Vec<(&str, usize, usize, usize, usize)> = inventory
        .reports
        .iter()
        .map(|r| {
            (
                r.id.as_str(),
                r.files.len(),
                r.accepted,
                r.rejected,
                r.problems.len(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            // A3, duplicate A1, A6 (lost its VIN), A8, A10.
            ("alpha", 1, 6, 5, 9),
            // B2, B3, B5; plus the note about A6's VIN, which Bravo's offer won.
            ("bravo", 1, 2, 3, 5),
            ("charlie", 2, 4, 5, 8),
            ("delta", 5, 2, 0, 8),
            ("echo", 0, 0, 0, 1),
        ]
    );
    let alpha = &inventory.reports[0];
    assert_eq!(alpha.files, ["data/feeds/alpha/cars.csv"]);
    assert!(
        alpha
            .problems
            .iter()
            .all(|p| p.file.as_deref() == Some("data/feeds/alpha/cars.csv"))
    );
}

#[test]
fn csv_with_bom_crlf_and_a_quoted_newline_keeps_real_line_numbers() {
    let (inventory, _) = hostile();
    let a1 = listing(&inventory, "A1");
    assert_eq!(a1.source_line, 2);
    assert_eq!(a1.description, "Quoted, with a comma\nand a newline");
    assert_eq!(a1.make, "Volkswagen");
    assert_eq!(listing(&inventory, "A2").source_line, 4);
    assert_eq!(listing(&inventory, "A11").source_line, 13);
}

#[test]
fn rejected_row_message_quotes_the_value_and_says_what_was_expected() {
    let (_, diagnostics) = hostile();
    let price = diagnostics
        .iter()
        .find(|p| p.line == Some(5) && p.field.as_deref() == Some("price"))
        .unwrap();
    assert_eq!(
        price.message,
        "\"18k EUR\" is not a price; expected a number with an optional ISO currency, like \"18,000 EUR\""
    );
}

#[test]
fn hostile_urls_and_paths_never_reach_a_listing() {
    let (inventory, _) = hostile();
    for l in &inventory.listings {
        for url in l.url.iter() {
            assert!(url.starts_with("https://"), "{url}");
        }
        for image in &l.images {
            match image {
                ImageRef::Remote(url) => assert!(url.starts_with("https://"), "{url}"),
                ImageRef::Local(path) => {
                    assert!(path.starts_with(&format!("data/feeds/{}/", l.supplier.as_str())));
                    assert!(!path.contains(".."), "{path}");
                }
            }
        }
    }
    let a2 = listing(&inventory, "A2");
    assert_eq!(a2.url, None);
    assert_eq!(
        a2.images,
        [ImageRef::Local("data/feeds/alpha/photos/a2.jpg".into())]
    );
    assert_eq!(
        listing(&inventory, "A11").images,
        [ImageRef::Remote("https://img.alpha.example/a11.jpg".into())]
    );
    assert_eq!(
        listing(&inventory, "C2").images,
        [ImageRef::Remote(
            "https://img.charlie.example/c2.jpg".into()
        )]
    );
}

#[test]
fn descriptions_stay_plain_text_and_render_with_html_escaped() {
    let (inventory, _) = hostile();
    for id in ["A2", "B4"] {
        let description = &listing(&inventory, id).description;
        assert!(
            description.contains("<script>"),
            "kept as the supplier wrote it"
        );
        let html = render(description, Trust::Untrusted);
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }
}

#[test]
fn xml_entities_from_the_doctype_are_never_expanded() {
    let (inventory, diagnostics) = hostile();
    assert!(
        inventory
            .listings
            .iter()
            .all(|l| l.vehicle_id != "B2" && l.vehicle_id != "B3")
    );
    let everything = serde_json::to_string(&inventory.listings).unwrap();
    assert!(!everything.contains("root:"));
    assert!(!everything.contains("lollol"));
    let b4 = listing(&inventory, "B4");
    assert_eq!(b4.title, "Jaguar F-Pace R-Dynamic & tow bar \u{2713}");
    assert_eq!(b4.address.city.as_deref(), Some("Reading"));
    assert_eq!(b4.address.country.as_deref(), Some("GB"));
    assert_eq!(b4.price.to_string(), "31,995 GBP");
    let xxe = diagnostics.iter().find(|p| p.line == Some(19)).unwrap();
    assert!(xxe.message.contains("&xxe;"), "{}", xxe.message);
}

#[test]
fn same_vin_from_two_suppliers_is_one_car_and_the_warning_names_both() {
    let (inventory, diagnostics) = hostile();
    let with_vin: Vec<&Listing> = inventory
        .listings
        .iter()
        .filter(|l| {
            l.vin
                .as_ref()
                .is_some_and(|v| v.as_str() == "SALGA2BE5LA000003")
        })
        .collect();
    assert_eq!(with_vin.len(), 1);
    assert_eq!(
        with_vin[0].vehicle_id, "B1",
        "the more recently updated offer wins"
    );
    let warning = diagnostics
        .iter()
        .find(|p| p.message.contains("SALGA2BE5LA000003"))
        .unwrap();
    assert!(warning.message.contains("`alpha`") && warning.message.contains("`bravo`"));
    assert_eq!(warning.file.as_deref(), Some("data/feeds/alpha/cars.csv"));
    assert_eq!(warning.line, Some(8));
    for report in &inventory.reports[..2] {
        assert!(report.problems.contains(warning), "{} report", report.id);
    }
}

#[test]
fn a_european_vin_with_another_ninth_character_is_kept_without_a_warning() {
    let (inventory, diagnostics) = hostile();
    assert_eq!(
        listing(&inventory, "A5").vin.as_ref().unwrap().as_str(),
        "WBA8E9C510K000002"
    );
    assert!(
        diagnostics
            .iter()
            .all(|p| p.line != Some(7) || p.file.as_deref() != Some("data/feeds/alpha/cars.csv"))
    );
}

#[test]
fn sold_and_stale_cars_are_kept_and_flagged() {
    let (inventory, _) = hostile();
    let a7 = listing(&inventory, "A7");
    assert!(a7.is_sold());
    assert!(a7.stale, "updated 2025-01-02, alpha allows 30 days");
    let c4 = listing(&inventory, "C4");
    assert!(!c4.is_sold());
    assert!(c4.stale, "updated 2025-03-01, charlie allows 60 days");
    assert!(!listing(&inventory, "A1").stale);
    assert!(
        !listing(&inventory, "B4").stale,
        "bravo sets no max_age_days"
    );
}

#[test]
fn updated_date_comes_from_the_feed_else_from_the_file() {
    let (inventory, _) = hostile();
    let a1 = listing(&inventory, "A1");
    assert_eq!(
        (a1.updated, a1.updated_from),
        (jiff::civil::date(2025, 5, 25), UpdatedFrom::Feed)
    );
    // A timestamp with an offset counts on the supplier's own calendar day...
    assert_eq!(
        listing(&inventory, "C1").updated,
        jiff::civil::date(2025, 5, 28)
    );
    // ...and one in UTC on the UTC day.
    assert_eq!(
        listing(&inventory, "B4").updated,
        jiff::civil::date(2025, 5, 30)
    );
    assert_eq!(
        listing(&inventory, "A11").updated_from,
        UpdatedFrom::FileModified
    );
}

#[test]
fn parses_nested_fields_of_each_format_into_typed_values() {
    let (inventory, _) = hostile();
    let b1 = listing(&inventory, "B1");
    let mileage = b1.mileage.unwrap();
    assert_eq!((mileage.value, mileage.unit.as_str()), (21_000, "MI"));
    assert_eq!(b1.year.unwrap().get(), 2021);
    let c1 = listing(&inventory, "C1");
    assert_eq!(
        c1.price.to_string(),
        "189,000 CNY",
        "bare number takes the default currency"
    );
    assert_eq!(
        c1.mileage.unwrap().unit.as_str(),
        "KM",
        "enums are case-insensitive"
    );
    assert_eq!(c1.address.city.as_deref(), Some("Guangzhou"));
    let a2 = listing(&inventory, "A2");
    assert_eq!(a2.body_style.as_ref().unwrap().as_str(), "SEDAN");
    assert_eq!(
        a2.title, "2018 BMW 320d",
        "a missing title is made from year, make and model"
    );
    assert_eq!(listing(&inventory, "A11").availability.as_str(), "PENDING");
}

#[test]
fn unreadable_files_are_errors_and_publish_nothing() {
    let (inventory, diagnostics) = hostile();
    assert!(
        inventory
            .listings
            .iter()
            .all(|l| !["D1", "D2", "D3", "D4", "D6"].contains(&l.vehicle_id.as_str()))
    );
    assert!(
        inventory
            .listings
            .iter()
            .all(|l| !l.vehicle_id.starts_with('H'))
    );
    assert!(diagnostics.has_errors());
    let huge = diagnostics
        .iter()
        .find(|p| p.file.as_deref() == Some("data/feeds/delta/huge.csv"))
        .unwrap();
    assert!(huge.message.contains("8192"), "{}", huge.message);
}

#[test]
fn unregistered_folders_are_not_published() {
    let (inventory, diagnostics) = hostile();
    assert!(inventory.listings.iter().all(|l| l.vehicle_id != "S1"));
    assert!(inventory.reports.iter().all(|r| r.id != "stranger"));
    let warning = diagnostics
        .iter()
        .find(|p| p.file.as_deref() == Some("data/feeds/stranger"))
        .unwrap();
    assert!(warning.message.contains("not published"));
}

#[test]
fn same_input_gives_the_same_bytes() {
    let (first, first_problems) = hostile();
    for _ in 0..3 {
        let (again, again_problems) = hostile();
        assert_eq!(
            serde_json::to_string(&again.listings).unwrap(),
            serde_json::to_string(&first.listings).unwrap()
        );
        assert_eq!(
            serde_json::to_string(&again.reports).unwrap(),
            serde_json::to_string(&first.reports).unwrap()
        );
        assert_eq!(
            serde_json::to_string(&again_problems).unwrap(),
            serde_json::to_string(&first_problems).unwrap()
        );
    }
}

/// A throwaway site with the given files.
fn site(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, bytes) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    dir
}

const ONE_SUPPLIER: &[u8] =
    b"[[suppliers]]\nid = \"acme\"\nname = \"Acme\"\ndefault_currency = \"EUR\"\n";

#[test]
fn csv_with_lf_and_blank_lines_reports_physical_lines() {
    let dir = site(&[
        ("data/suppliers.toml", ONE_SUPPLIER),
        (
            "data/feeds/acme/cars.csv",
            b"vehicle_id,make,model,price\n\nX1,Kia,Ceed,9000\n\nX2,Kia,Rio,nine\n",
        ),
    ]);
    let (inventory, diagnostics) = feeds::load(dir.path(), &FeedsConfig::default(), today());
    assert_eq!(inventory.listings.len(), 1);
    assert_eq!(inventory.listings[0].source_line, 3);
    let found: Vec<Located> = diagnostics.iter().map(located).collect();
    assert_eq!(
        found,
        [w("data/feeds/acme/cars.csv", Some(5), Some("price"))]
    );
}

#[test]
fn invalid_registry_is_an_error_with_its_line_and_loads_no_cars() {
    let cases: &[(&[u8], u32, Option<&str>)] = &[
        (b"[[suppliers]]\nid = \"acme\"\nname = \"Acme\"\ncolour = \"red\"\n", 4, None),
        (b"[[suppliers]]\nid = \"acme\"\nname = \"Acme\"\n\n[[suppliers]]\nid = \"Bad Id\"\nname = \"X\"\n", 5, Some("id")),
        (b"[[suppliers]]\nid = \"acme\"\nname = \"Acme\"\n[[suppliers]]\nid = \"acme\"\nname = \"Again\"\n", 4, Some("id")),
        (b"[[suppliers]]\nid = \"acme\"\nname = \"Acme\"\nwebsite = \"javascript:alert(1)\"\n", 1, Some("website")),
        (b"[[suppliers]]\nid = \"acme\"\n", 1, None),
    ];
    for (registry, line, field) in cases {
        let dir = site(&[
            ("data/suppliers.toml", registry),
            (
                "data/feeds/acme/cars.csv",
                b"vehicle_id,make,model,price\nX1,Kia,Ceed,9000 EUR\n",
            ),
        ]);
        let (inventory, diagnostics) = feeds::load(dir.path(), &FeedsConfig::default(), today());
        let text = String::from_utf8_lossy(registry);
        assert!(inventory.listings.is_empty(), "{text}");
        let found: Vec<Located> = diagnostics.iter().map(located).collect();
        assert_eq!(
            found,
            [(
                Severity::Error,
                "data/suppliers.toml".into(),
                Some(*line),
                field.map(str::to_string)
            )],
            "{text}"
        );
    }
}

#[test]
fn a_site_without_registry_or_feeds_has_no_cars_and_no_problems() {
    let dir = site(&[]);
    let (inventory, diagnostics) = feeds::load(dir.path(), &FeedsConfig::default(), today());
    assert!(inventory.listings.is_empty() && inventory.suppliers.is_empty());
    assert!(diagnostics.is_empty());
}

#[test]
fn jsonl_and_json_arrays_flatten_to_the_csv_column_names() {
    let dir = site(&[
        ("data/suppliers.toml", ONE_SUPPLIER),
        (
            "data/feeds/acme/a.json",
            br#"[{"vehicle_id": "J1", "make": "Kia", "model": "Niro", "price": "21,500.50",
                "mileage": {"value": 1200, "unit": "mi"}, "image": ["https://x.example/1.jpg"],
                "address": {"city": "Lyon"}, "fuel_type": "plugin_hybrid", "drivetrain": "4x4"}]"#,
        ),
        (
            "data/feeds/acme/b.jsonl",
            b"{\"vehicle_id\": \"J2\", \"make\": \"Kia\", \"model\": \"EV6\", \"price\": 40000, \"year\": 2023}\n",
        ),
    ]);
    let (inventory, diagnostics) = feeds::load(dir.path(), &FeedsConfig::default(), today());
    assert!(diagnostics.is_empty(), "{:?}", diagnostics);
    let j1 = &inventory.listings[0];
    assert_eq!(j1.price.minor, 2_150_050);
    assert_eq!(j1.price.to_string(), "21,500.50 EUR");
    assert_eq!(
        serde_json::to_value(j1.price).unwrap(),
        serde_json::json!({"minor": 2150050, "currency": "EUR", "amount": "21,500.50", "decimal": "21500.50"})
    );
    assert_eq!(j1.mileage.unwrap().value, 1200);
    assert_eq!(
        j1.images,
        [ImageRef::Remote("https://x.example/1.jpg".into())]
    );
    assert_eq!(j1.fuel_type.as_ref().unwrap().as_str(), "PLUGIN_HYBRID");
    assert_eq!(j1.drivetrain.as_ref().unwrap().as_str(), "4X4");
    assert_eq!(inventory.listings[1].vehicle_id, "J2");
}
#[test]
fn the_example_site_loads_without_a_single_problem() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (inventory, diagnostics) = feeds::load(
        root,
        &FeedsConfig::default(),
        jiff::civil::date(2026, 11, 23),
    );
    assert!(diagnostics.is_empty(), "{:#?}", diagnostics);
    assert!(inventory.suppliers.len() >= 3);
    assert!(
        inventory.listings.len() >= 40,
        "{}",
        inventory.listings.len()
    );
    let formats: std::collections::BTreeSet<&str> = inventory
        .listings
        .iter()
        .filter_map(|l| l.source_file.rsplit('.').next())
        .collect();
    assert!(formats.len() >= 2, "{formats:?}");
    assert!(
        inventory
            .listings
            .iter()
            .all(|l| l.updated_from == UpdatedFrom::Feed),
        "reproducible dates"
    );
}

/// Suppliers `acme` and `bolt` (both in euros), with these CSV rows after a header of
/// vehicle_id, vin, make, model, price and updated_time.
fn acme_and_bolt(acme: &str, bolt: &str) -> tempfile::TempDir {
    let header = "vehicle_id,vin,make,model,price,updated_time\n";
    site(&[
        (
            "data/suppliers.toml",
            b"[[suppliers]]\nid = \"acme\"\nname = \"Acme\"\ndefault_currency = \"EUR\"\n\n\
              [[suppliers]]\nid = \"bolt\"\nname = \"Bolt\"\ndefault_currency = \"EUR\"\n",
        ),
        (
            "data/feeds/acme/cars.csv",
            format!("{header}{acme}").as_bytes(),
        ),
        (
            "data/feeds/bolt/cars.csv",
            format!("{header}{bolt}").as_bytes(),
        ),
    ])
}

/// Two suppliers offering the same car (one VIN), so a load has something to merge.
fn two_suppliers_one_vin() -> tempfile::TempDir {
    acme_and_bolt(
        "A1,WVWZZZ1K38W100006,Volkswagen,Golf,9000,2025-05-01\n",
        "B1,WVWZZZ1K38W100006,Volkswagen,Golf,9500,2025-05-01\n\
         B2,VF1RFB00656000007,Renault,Clio,7000,2025-05-01\n",
    )
}

#[test]
fn a_loader_rereads_only_the_changed_supplier_and_matches_a_fresh_load() {
    let dir = two_suppliers_one_vin();
    let config = FeedsConfig::default();
    let mut loader = feeds::Loader::default();
    let fresh = || format!("{:?}", feeds::load(dir.path(), &config, today()));
    // What a load gave (as text, to compare), the Golf offer kept, and who was read.
    let mut load = |date| {
        let (inventory, diagnostics, reread) = loader.load(dir.path(), &config, date);
        let golf: Vec<String> = inventory
            .listings
            .iter()
            .filter(|l| l.make == "Volkswagen")
            .map(|l| l.vehicle_id.clone())
            .collect();
        let reread: Vec<String> = reread.iter().map(|id| id.as_str().to_string()).collect();
        (format!("{:?}", (inventory, diagnostics)), golf, reread)
    };

    let (first, golf, reread) = load(today());
    assert_eq!(reread, ["acme", "bolt"]);
    assert_eq!(first, fresh());
    assert_eq!(golf, ["A1"], "equal offers: the first supplier's is kept");
    let (again, _, reread) = load(today());
    assert!(reread.is_empty(), "{reread:?}");
    assert_eq!(again, first);

    // Bolt's offer becomes the newer one, so it now wins the shared VIN over Acme's,
    // which was not read again.
    let bolt = dir.path().join("data/feeds/bolt/cars.csv");
    let text = std::fs::read_to_string(&bolt).unwrap();
    std::fs::write(
        &bolt,
        text.replacen("9500,2025-05-01", "9400,2025-05-20", 1),
    )
    .unwrap();
    let (edited, golf, reread) = load(today());
    assert_eq!(reread, ["bolt"]);
    assert_eq!(golf, ["B1"]);
    assert_eq!(edited, fresh());

    // Another date reads everything again.
    let (_, _, reread) = load(jiff::civil::date(2025, 6, 2));
    assert_eq!(reread, ["acme", "bolt"]);
}

#[test]
fn placeholder_vins_never_merge_cars_of_two_suppliers() {
    let dir = acme_and_bolt(
        "A1,00000000000000000,Volkswagen,Golf,9000,2025-05-01\n",
        "B1,00000000000000000,Renault,Clio,7000,2025-05-01\n\
         ,11111111111111111,Fiat,Panda,5000,2025-05-01\n",
    );
    let (inventory, diagnostics) = feeds::load(dir.path(), &FeedsConfig::default(), today());
    let ids: Vec<&str> = inventory
        .listings
        .iter()
        .map(|l| l.vehicle_id.as_str())
        .collect();
    assert_eq!(ids, ["A1", "B1"], "{diagnostics:#?}");
    assert!(inventory.listings.iter().all(|l| l.vin.is_none()));
    let placeholder = |file: &str, line: u32| {
        diagnostics.iter().any(|p| {
            p.file.as_deref() == Some(file)
                && p.line == Some(line)
                && p.message.contains("is a placeholder")
        })
    };
    assert!(placeholder("data/feeds/acme/cars.csv", 2));
    assert!(placeholder("data/feeds/bolt/cars.csv", 2));
    // Without a vehicle_id, a placeholder cannot name the car: the row is refused.
    assert!(placeholder("data/feeds/bolt/cars.csv", 3));
    assert_eq!(inventory.reports[1].rejected, 1);
}
