//! `cargo bench --bench feeds`: how long `feeds::load` takes on a 100 000-row feed in each
//! format, validation included. A plain program rather than a timed test, so a slow CI
//! machine never fails a build; it prints the median of several runs.

use showroom::config::FeedsConfig;
use showroom::feeds;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

/// The allocator the `showroom` program uses.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const ROWS: usize = 100_000;
const RUNS: usize = 7;

const MAKES: &[(&str, &str)] = &[
    ("Volkswagen", "Golf"),
    ("BMW", "320d"),
    ("Toyota", "Corolla"),
    ("BYD", "Han"),
    ("Ford", "Focus"),
];

fn csv() -> String {
    let mut out = String::from(
        "vehicle_id,make,model,year,price,mileage.value,mileage.unit,body_style,fuel_type,\
         availability,updated_time,image[0].url,description\n",
    );
    for i in 0..ROWS {
        let (make, model) = MAKES[i % MAKES.len()];
        writeln!(
            out,
            "V{i},{make},{model},{},\"{},{:03} EUR\",{},KM,HATCHBACK,PETROL,AVAILABLE,2025-05-{:02},\
             https://img.example/{i}.jpg,\"One owner, full history.\nTwo keys.\"",
            2010 + i % 15,
            5 + i % 40,
            i % 1000,
            i * 7 % 200_000,
            1 + i % 28
        )
        .unwrap();
    }
    out
}

/// Meta's CSV with nested values as JSON in one column each, the way Meta's own example
/// writes them (the address as a relaxed literal), and headers as dealer software writes
/// them.
fn csv_json() -> String {
    let mut out = String::from(
        "Vehicle Id,Make,Model,Year,Price,Mileage,Body Style,Image,Address,Updated Time\n",
    );
    for i in 0..ROWS {
        let (make, model) = MAKES[i % MAKES.len()];
        writeln!(
            out,
            "V{i},{make},{model},{},{} EUR,\"{{\"\"value\"\": {}, \"\"unit\"\": \"\"KM\"\"}}\",HATCHBACK,\
             \"[{{\"\"url\"\": \"\"https://img.example/{i}.jpg\"\"}}]\",\
             \"{{addr1: '{i} Main St', city: 'Springfield', country: 'US'}}\",2025-05-{:02}",
            2010 + i % 15,
            5000 + i % 40_000,
            i * 7 % 200_000,
            1 + i % 28
        )
        .unwrap();
    }
    out
}

/// Google's tab-delimited attributes.
fn tsv() -> String {
    let mut out = String::from(
        "id\tbrand\tmodel\tyear\tprice\tmileage\tbody_style\tengine\tavailability\timage_link\t\
         additional_image_link\tlink_template\n",
    );
    for i in 0..ROWS {
        let (make, model) = MAKES[i % MAKES.len()];
        writeln!(
            out,
            "V{i}\t{make}\t{model}\t{}\t{}.00 EUR\t{} km\tcompact_suv\tgasoline\tin_stock\t\
             https://img.example/{i}.jpg\thttps://img.example/{i}-2.jpg,https://img.example/{i}-3.jpg\t\
             https://dealer.example/{i}?store={{store_code}}",
            2010 + i % 15,
            5000 + i % 40_000,
            i * 7 % 200_000,
        )
        .unwrap();
    }
    out
}

/// One Google item's `g:` attributes, for RSS 2.0 and Atom alike.
fn google_item(out: &mut String, i: usize) {
    let (make, model) = MAKES[i % MAKES.len()];
    write!(
        out,
        "<g:id>V{i}</g:id><g:brand>{make}</g:brand><g:model>{model}</g:model>\
         <g:year>{}</g:year><g:price>{}.00 EUR</g:price><g:mileage>{} km</g:mileage>\
         <g:condition>used</g:condition><g:body_style>station_wagon</g:body_style>\
         <g:image_link>https://img.example/{i}.jpg</g:image_link>\
         <g:store_code>S1</g:store_code>",
        2010 + i % 15,
        5000 + i % 40_000,
        i * 7 % 200_000,
    )
    .unwrap();
}

fn rss() -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\"?>\n<rss version=\"2.0\" xmlns:g=\"http://base.google.com/ns/1.0\">\
         <channel><title>Bench</title>\n",
    );
    for i in 0..ROWS {
        out.push_str("<item><title>A car</title>");
        google_item(&mut out, i);
        out.push_str("</item>\n");
    }
    out.push_str("</channel></rss>\n");
    out
}

fn atom() -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" \
         xmlns:g=\"http://base.google.com/ns/1.0\"><title>Bench</title>\n",
    );
    for i in 0..ROWS {
        write!(
            out,
            "<entry><title>A car</title><id>tag:bench.example,2025:{i}</id>\
             <link href=\"https://dealer.example/{i}\"/><updated>2025-05-{:02}T08:00:00Z</updated>",
            1 + i % 28
        )
        .unwrap();
        google_item(&mut out, i);
        out.push_str("</entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

fn json() -> String {
    let mut out = String::from("[\n");
    for i in 0..ROWS {
        let (make, model) = MAKES[i % MAKES.len()];
        let comma = if i + 1 < ROWS { "," } else { "" };
        writeln!(
            out,
            r#"{{"vehicle_id": "V{i}", "make": "{make}", "model": "{model}", "year": {}, "price": {}, "mileage": {{"value": {}, "unit": "KM"}}, "body_style": "HATCHBACK", "image": [{{"url": "https://img.example/{i}.jpg"}}], "updated_time": "2025-05-{:02}"}}{comma}"#,
            2010 + i % 15,
            5000 + i % 40_000,
            i * 7 % 200_000,
            1 + i % 28
        )
        .unwrap();
    }
    out.push_str("]\n");
    out
}

/// The Graph API's answer: the list inside `{"data": [...]}`.
fn json_object() -> String {
    format!("{{\"data\": {}, \"paging\": {{}}}}", json())
}

fn xml() -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<listings>\n");
    for i in 0..ROWS {
        let (make, model) = MAKES[i % MAKES.len()];
        writeln!(
            out,
            "<listing><vehicle_id>V{i}</vehicle_id><make>{make}</make><model>{model}</model>\
             <year>{}</year><price>{} EUR</price><mileage><value>{}</value><unit>KM</unit></mileage>\
             <body_style>HATCHBACK</body_style><image><url>https://img.example/{i}.jpg</url></image>\
             <updated_time>2025-05-{:02}</updated_time></listing>",
            2010 + i % 15,
            5000 + i % 40_000,
            i * 7 % 200_000,
            1 + i % 28
        )
        .unwrap();
    }
    out.push_str("</listings>\n");
    out
}

fn main() {
    let config = FeedsConfig {
        max_file_bytes: 1 << 30,
        ..FeedsConfig::default()
    };
    let today = jiff::civil::date(2025, 6, 1);
    // (name, file extension, text)
    let feeds = [
        ("csv", "csv", csv()),
        ("csv+json", "csv", csv_json()),
        ("tsv", "txt", tsv()),
        ("json", "json", json()),
        ("json{}", "json", json_object()),
        ("xml", "xml", xml()),
        ("rss", "xml", rss()),
        ("atom", "xml", atom()),
    ];
    for (name, ext, text) in feeds {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("data/feeds/bench")).unwrap();
        std::fs::write(
            dir.path().join("data/suppliers.toml"),
            "[[suppliers]]\nid = \"bench\"\nname = \"Bench\"\ndefault_currency = \"EUR\"\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join(format!("data/feeds/bench/cars.{ext}")),
            &text,
        )
        .unwrap();
        // The peer, in the same runs: the same crate only reading the same text, no
        // validation, one thread; what a feed costs before we do anything with it.
        let (mut times, mut peer): (Vec<Duration>, Vec<Duration>) = (0..RUNS)
            .map(|_| {
                let start = Instant::now();
                let (inventory, problems) = feeds::load(dir.path(), &config, today);
                let elapsed = start.elapsed();
                assert_eq!(
                    inventory.listings.len(),
                    ROWS,
                    "{:?}",
                    problems.iter().next()
                );
                let start = Instant::now();
                parse_only(name, &text);
                (elapsed, start.elapsed())
            })
            .unzip();
        times.sort();
        peer.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        println!(
            "feeds::load {name:>8}: {ROWS} rows, {:.1} MB, median {:.0} ms of {RUNS} runs (min {:.0} ms); \
             parsing alone {:.0} ms, ratio {:.2}",
            text.len() as f64 / 1e6,
            ms(times[RUNS / 2]),
            ms(times[0]),
            ms(peer[RUNS / 2]),
            ms(times[RUNS / 2]) / ms(peer[RUNS / 2]),
        );
    }
}

/// Reads every record or event of `text` with the crate the reader uses, and nothing else.
fn parse_only(name: &str, text: &str) {
    match name {
        "csv" | "csv+json" | "tsv" => {
            let delimiter = if name == "tsv" { b'\t' } else { b',' };
            let mut reader = csv::ReaderBuilder::new()
                .delimiter(delimiter)
                .from_reader(text.as_bytes());
            let mut record = csv::StringRecord::new();
            let mut rows = 0;
            while reader.read_record(&mut record).unwrap() {
                rows += 1;
            }
            assert_eq!(rows, ROWS);
        }
        "json" => {
            let value: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(value.as_array().map(Vec::len), Some(ROWS));
        }
        "json{}" => {
            let value: serde_json::Value = serde_json::from_str(text).unwrap();
            assert_eq!(value["data"].as_array().map(Vec::len), Some(ROWS));
        }
        _ => {
            let mut reader = quick_xml::Reader::from_str(text);
            let mut events = 0usize;
            while !matches!(reader.read_event().unwrap(), quick_xml::events::Event::Eof) {
                events += 1;
            }
            assert!(events > ROWS);
        }
    }
}
