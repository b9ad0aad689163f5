//! Property test: whatever bytes a supplier drops, loading never panics; every problem
//! points at the file, and every accepted car is valid by construction.

use proptest::prelude::*;
use showroom::config::FeedsConfig;
use showroom::feeds;

const REGISTRY: &str = "[[suppliers]]\nid = \"p\"\nname = \"P\"\ndefault_currency = \"EUR\"\n";

/// A valid sample per extension, for mutations that stay close to real input.
fn sample(ext: &str) -> &'static str {
    match ext {
        "csv" => {
            "vehicle_id,make,model,price,mileage.value,mileage.unit,image[0].url\nA1,Kia,Rio,\"9,000 EUR\",12000,KM,https://x.example/a.jpg\n"
        }
        "tsv" => "vehicle_id\tmake\tmodel\tprice\nA1\tKia\tRio\t9000\n",
        "json" => {
            r#"[{"vehicle_id": "A1", "make": "Kia", "model": "Rio", "price": 9000, "mileage": {"value": 1, "unit": "KM"}, "image": [{"url": "https://x.example/a.jpg"}]}]"#
        }
        "jsonl" => {
            "{\"vehicle_id\": \"A1\", \"make\": \"Kia\", \"model\": \"Rio\", \"price\": 9000}\n"
        }
        _ => {
            "<?xml version=\"1.0\"?>\n<listings><listing><vehicle_id>A1</vehicle_id><make>Kia</make><model>Rio</model><price>9000</price><mileage><value>1</value><unit>KM</unit></mileage><image><url>https://x.example/a.jpg</url></image></listing></listings>\n"
        }
    }
}

fn load(ext: &str, bytes: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("data/feeds/p")).unwrap();
    std::fs::write(dir.path().join("data/suppliers.toml"), REGISTRY).unwrap();
    let file = format!("data/feeds/p/feed.{ext}");
    std::fs::write(dir.path().join(&file), bytes).unwrap();
    let config = FeedsConfig {
        max_file_bytes: 1 << 20,
        max_field_bytes: 64,
        ..FeedsConfig::default()
    };
    let (inventory, diagnostics) = feeds::load(dir.path(), &config, jiff::civil::date(2025, 6, 1));
    for problem in diagnostics.iter() {
        assert_eq!(problem.file.as_deref(), Some(file.as_str()), "{problem}");
    }
    let report = &inventory.reports[0];
    assert_eq!(report.accepted, inventory.listings.len());
    for listing in &inventory.listings {
        assert!(!listing.vehicle_id.is_empty() && listing.price.minor > 0);
        assert!(listing.source_line >= 1);
    }
}

const EXTS: &[&str] = &["csv", "tsv", "json", "jsonl", "xml"];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn random_bytes_never_panic(ext in prop::sample::select(EXTS), bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        load(ext, &bytes);
    }

    #[test]
    fn mutated_valid_feeds_never_panic(
        ext in prop::sample::select(EXTS),
        cut in any::<prop::sample::Index>(),
        insert in prop::collection::vec(prop::sample::select(b"<>&;\"',\n\r\t[]{}:/.\\x\xff\xfe#0-".to_vec()), 0..12),
        truncate in any::<bool>(),
    ) {
        let mut bytes = sample(ext).as_bytes().to_vec();
        let at = cut.index(bytes.len() + 1);
        if truncate {
            bytes.truncate(at);
        }
        let at = at.min(bytes.len());
        bytes.splice(at..at, insert);
        load(ext, &bytes);
    }
}
