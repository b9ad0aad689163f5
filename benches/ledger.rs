//! `cargo bench --bench ledger`: the inventory ledger over a generated year of daily
//! builds at 100 000 cars, with 2 % of the stock changing every day (price cuts, cars
//! sold, cars gone from the feed, new arrivals). Prints what the ledger adds to a build
//! (read, record today, write) as medians over the year's last weeks, when the ledger is
//! largest, beside reading the same feed on the same days, and the size of the file
//! after the year.
//!
//! A plain program rather than a timed test, so a slow CI machine never fails a build.

use showroom::config::{FeedsConfig, HistoryConfig};
use showroom::feeds::{self, Availability, Listing};
use showroom::history;
use showroom::state::ledger::{self, Ledger};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

/// The allocator the `showroom` program uses.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const CARS: usize = 100_000;
const DAYS: usize = 365;
/// The days at the end of the year whose times are reported.
const TIMED: usize = 21;

fn feed() -> String {
    let mut out = String::from(
        "vehicle_id,vin,make,model,year,price,mileage.value,mileage.unit,body_style,availability,\
         date_first_on_lot,updated_time\n",
    );
    for i in 0..CARS {
        writeln!(
            out,
            "V{i},,Volkswagen,Golf,{},{} EUR,{},KM,HATCHBACK,AVAILABLE,2025-0{}-01,2025-12-31",
            2010 + i % 15,
            5000 + i % 40_000,
            i * 7 % 200_000,
            1 + i % 9
        )
        .unwrap();
    }
    out
}

/// A small deterministic generator, so every run changes the same cars.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n
    }
}

/// One day's changes to 2 % of the stock: 1 % cheaper, 0.5 % sold (they leave the feed
/// the day after), 0.5 % gone from the feed, and as many new cars as left.
fn change(stock: &mut Vec<Listing>, rng: &mut Lcg, next_id: &mut usize, today: jiff::civil::Date) {
    stock.retain(|l| l.availability != Availability::NotAvailable);
    let each = CARS / 200;
    for _ in 0..2 * each {
        let i = rng.below(stock.len());
        stock[i].price.minor = stock[i].price.minor * 97 / 100;
        stock[i].updated = today;
    }
    for _ in 0..each {
        let i = rng.below(stock.len());
        stock[i].availability = Availability::NotAvailable;
        stock[i].updated = today;
    }
    for _ in 0..each {
        let i = rng.below(stock.len());
        stock.swap_remove(i);
    }
    let template = stock[0].clone();
    while stock.len() < CARS {
        let mut car = template.clone();
        car.vehicle_id = format!("V{next_id}");
        car.updated = today;
        *next_id += 1;
        stock.push(car);
    }
}

fn median(mut times: Vec<Duration>) -> f64 {
    times.sort();
    times[times.len() / 2].as_secs_f64() * 1000.0
}

fn main() {
    let root = tempfile::tempdir().expect("a temporary folder");
    let folder = root.path().join("data/feeds/bench");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("cars.csv"), feed()).unwrap();
    std::fs::write(
        root.path().join("data/suppliers.toml"),
        "[[suppliers]]\nid = \"bench\"\nname = \"Bench\"\n",
    )
    .unwrap();
    let start = jiff::civil::date(2026, 1, 1);
    let config = FeedsConfig {
        max_file_bytes: 1 << 30,
        ..FeedsConfig::default()
    };
    let (inventory, problems) = feeds::load(root.path(), &config, start);
    assert!(problems.is_empty(), "{problems:?}");
    let suppliers: Vec<_> = inventory.suppliers.iter().map(|s| s.id.clone()).collect();
    let mut stock = inventory.listings;
    assert_eq!(stock.len(), CARS);

    let history_config = HistoryConfig::default();
    let mut rng = Lcg(22);
    let mut next_id = CARS;
    let (mut read, mut record, mut write, mut total) = (vec![], vec![], vec![], vec![]);
    // The peer, measured on the same days: reading the same 100 000-row feed, which every
    // build does anyway, so the ratio holds however loaded the machine is.
    let mut feed = vec![];
    for day in 0..DAYS {
        let today = start
            .checked_add(jiff::Span::new().days(day as i64))
            .unwrap();
        if day > 0 {
            change(&mut stock, &mut rng, &mut next_id, today);
        }
        let mut listings = stock.clone();

        let t0 = Instant::now();
        let (loaded, problem) = Ledger::load(root.path());
        assert!(problem.is_none(), "{problem:?}");
        let t1 = Instant::now();
        let history = history::record(
            loaded,
            &mut listings,
            &suppliers,
            &[],
            today,
            &history_config,
        );
        let t2 = Instant::now();
        assert!(history::save(root.path(), history).is_none());
        let t3 = Instant::now();

        if day >= DAYS - TIMED {
            let t4 = Instant::now();
            std::hint::black_box(feeds::load(root.path(), &config, today));
            feed.push(t4.elapsed());
            read.push(t1 - t0);
            record.push(t2 - t1);
            write.push(t3 - t2);
            total.push(t3 - t0);
        }
    }
    let bytes = std::fs::metadata(ledger::path(root.path())).unwrap().len();
    let (loaded, _) = Ledger::load(root.path());
    let entries = loaded.ledger.cars.len();
    let points: usize = loaded.ledger.cars.values().map(|e| e.prices.len()).sum();
    println!(
        "ledger after {DAYS} daily builds at {CARS} cars, 2 % changing a day: {:.1} MB, \
         {entries} cars remembered, {points} prices",
        bytes as f64 / 1e6
    );
    println!(
        "per build, medians of the last {TIMED} days: read {:.0} ms, record {:.0} ms, \
         write {:.0} ms, total {:.0} ms",
        median(read),
        median(record),
        median(write),
        median(total.clone())
    );
    let (total, feed) = (median(total), median(feed));
    println!(
        "peer: reading the 100 000-row feed {feed:.0} ms on the same days; the ledger costs \
         {:.2} of that",
        total / feed
    );
}
