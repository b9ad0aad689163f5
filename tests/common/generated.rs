//! A generated marketplace for the search tests: the `i18n` fixture (English and
//! Chinese) with its feeds replaced by `n` cars from a fixed pseudo-random sequence, and
//! the cars themselves, so that tests can count what the catalog holds without the
//! index they are checking.

use super::Fixture;

/// One generated car, as its feed gives it.
#[derive(Debug, Clone)]
pub struct Car {
    pub supplier: &'static str,
    pub id: String,
    pub make: &'static str,
    pub model: &'static str,
    pub trim: &'static str,
    pub title: String,
    pub year: u16,
    /// Whole units of `currency`.
    pub price: i64,
    pub currency: &'static str,
    pub km: u64,
    /// Lower-case codes, as the index and the URL write them.
    pub body: &'static str,
    pub fuel: &'static str,
    pub gearbox: &'static str,
    pub city: &'static str,
    pub arrived: String,
}

impl Car {
    /// The make's slug, as URLs write it.
    pub fn make_slug(&self) -> String {
        slug(self.make)
    }

    pub fn model_slug(&self) -> String {
        slug(self.model)
    }
}

pub fn slug(text: &str) -> String {
    slug::slugify(text)
}

/// (make, model, trims, Chinese title prefix for some of its cars)
const MODELS: &[(&str, &str, &[&str], Option<&str>)] = &[
    (
        "BMW",
        "3 Series",
        &["320d", "330i", "320Li"],
        Some("宝马3系"),
    ),
    ("BMW", "X5", &["xDrive40i", "xDrive30d"], Some("宝马X5")),
    ("BMW", "1 Series", &["118i", "120d"], None),
    (
        "Volkswagen",
        "Golf",
        &["GTI", "1.5 TSI Life", "2.0 TDI"],
        None,
    ),
    (
        "Volkswagen",
        "Passat",
        &["Variant 2.0 TDI", "GTE"],
        Some("大众帕萨特"),
    ),
    ("Volkswagen", "Polo", &["1.0 TSI"], None),
    (
        "Mercedes-Benz",
        "C-Class",
        &["C 200", "C 220 d"],
        Some("奔驰C级"),
    ),
    ("Mercedes-Benz", "GLC", &["300 4MATIC"], None),
    ("Toyota", "Corolla", &["Hybrid 1.8"], None),
    ("Toyota", "RAV4", &["2.5 Hybrid AWD"], Some("丰田RAV4荣放")),
    ("BYD", "Han", &["EV Flagship"], Some("比亚迪汉")),
    ("BYD", "Atto 3", &["Extended Range"], None),
    ("Škoda", "Octavia", &["Combi 2.0 TDI", "RS"], None),
    ("Škoda", "Superb", &["L&K"], None),
    ("Alfa Romeo", "Giulia", &["Veloce"], None),
];
const BODIES: &[&str] = &["hatchback", "sedan", "suv", "wagon"];
const FUELS: &[&str] = &["petrol", "diesel", "hybrid", "electric"];
const GEARBOXES: &[&str] = &["automatic", "manual"];
const CITIES: &[&str] = &[
    "Köln",
    "Düsseldorf",
    "Berlin",
    "München",
    "广州",
    "上海",
    "Hamburg",
];
/// Supplier ids, currencies, and names; the third's name is markup that must show as
/// text.
pub const SUPPLIERS: &[(&str, &str, &str)] = &[
    ("alpha", "EUR", "Alpha Autos"),
    ("bravo", "CNY", "Bravo Cars"),
    (
        "charlie",
        "EUR",
        "Charlie <img src=x onerror=alert(1)> & \"Sons\"",
    ),
];

/// A fixed sequence of numbers (a 64-bit linear congruential generator).
struct Sequence(u64);

impl Sequence {
    fn next(&mut self, below: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % below
    }

    fn pick<T: Copy>(&mut self, from: &[T]) -> T {
        from[self.next(from.len() as u64) as usize]
    }
}

pub fn cars(n: usize) -> Vec<Car> {
    let mut seq = Sequence(23);
    (0..n)
        .map(|i| {
            let (make, model, trims, chinese) = seq.pick(MODELS);
            let trim = seq.pick(trims);
            let (supplier, currency, _) = seq.pick(SUPPLIERS);
            let year = 2012 + seq.next(13) as u16;
            // Some prices sit exactly on a boundary of the filter's ladder.
            let price = match (currency, seq.next(10)) {
                ("EUR", 0) => seq.pick(&[10_000, 15_000, 20_000, 25_000]),
                ("EUR", _) => 3_000 + seq.next(570) as i64 * 100 - 10,
                (_, _) => 30_000 + seq.next(370) as i64 * 1_000,
            };
            let title = match chinese {
                Some(prefix) if seq.next(2) == 0 => format!("{prefix} {trim} {year}款"),
                _ => format!("{make} {model} {trim}"),
            };
            let fuel = if make == "BYD" {
                "electric"
            } else {
                seq.pick(FUELS)
            };
            Car {
                supplier,
                id: format!("{}-{i}", supplier.to_uppercase()),
                make,
                model,
                trim,
                title,
                year,
                price,
                currency,
                km: 1_000 + seq.next(200) * 1_000,
                body: seq.pick(BODIES),
                fuel,
                gearbox: seq.pick(GEARBOXES),
                city: seq.pick(CITIES),
                // A different day for every car, so newest first is one order.
                arrived: (jiff::civil::date(2026, 11, 20) - jiff::Span::new().days(i as i64))
                    .to_string(),
            }
        })
        .collect()
}

/// The `i18n` fixture with `n` generated cars as its feeds, minified like a real build.
pub fn site(n: usize) -> (Fixture, Vec<Car>) {
    let site = Fixture::new("i18n");
    let cars = cars(n);
    let config = std::fs::read_to_string(site.root().join("config.toml")).unwrap();
    site.write(
        "config.toml",
        &config
            .replace("minify = false", "minify = true")
            .replace("paginate_by = 2", "paginate_by = 24"),
    );
    site.remove("data/feeds");
    let mut registry = String::new();
    for (id, currency, name) in SUPPLIERS {
        registry.push_str(&format!(
            "[[suppliers]]\nid = \"{id}\"\nname = {name:?}\nemail = \"sales@{id}.example\"\ndefault_currency = \"{currency}\"\n\n"
        ));
        let mut csv = String::from(
            "vehicle_id,title,make,model,trim,year,price,mileage.value,mileage.unit,body_style,fuel_type,transmission,availability,address.city,date_first_on_lot,updated_time\n",
        );
        for car in cars.iter().filter(|c| c.supplier == *id) {
            csv.push_str(&format!(
                "{},{},{},{},{},{},\"{} {}\",{},KM,{},{},{},AVAILABLE,{},{},{}\n",
                car.id,
                car.title,
                car.make,
                car.model,
                car.trim,
                car.year,
                car.price,
                car.currency,
                car.km,
                car.body.to_uppercase(),
                car.fuel.to_uppercase(),
                car.gearbox.to_uppercase(),
                car.city,
                car.arrived,
                car.arrived,
            ));
        }
        site.write(&format!("data/feeds/{id}/cars.csv"), &csv);
    }
    site.write("data/suppliers.toml", &registry);
    (site, cars)
}
