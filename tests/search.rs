//! The search index as files (src/search/): what a build writes under
//! `/cars/search/<version>/`, checked against the generated cars themselves. The
//! script that reads it is tested in a browser in tests/browser.rs.

mod common;

use common::Fixture;
use common::generated::{self, Car};
use serde_json::Value;
use showroom::search::codec::decode;
use std::collections::BTreeMap;
use std::path::PathBuf;

const DATE: &str = "2026-11-23";
/// Enough cars for count files (a smaller catalog has none).
const CARS: usize = 1_200;

/// A built index: its folder and its metadata.
struct Index {
    dir: PathBuf,
    meta: Value,
}

impl Index {
    fn of(site: &Fixture) -> Index {
        let html = site.page("cars/index.html");
        let at = html
            .find("data-index=\"")
            .expect("the filter form names the index")
            + 12;
        let url = &html[at..at + html[at..].find('"').unwrap()];
        let rel = url.trim_start_matches('/');
        let dir = site.output().join(rel).parent().unwrap().to_path_buf();
        let meta = serde_json::from_str(&std::fs::read_to_string(site.output().join(rel)).unwrap())
            .unwrap();
        Index { dir, meta }
    }

    fn file(&self, name: &str) -> Value {
        let path = self.dir.join(name);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        serde_json::from_str(&text).unwrap()
    }

    /// A categorical value's code.
    fn code(&self, facet: &str, key: &str) -> usize {
        let keys = self.meta["values"][facet][0].as_array().unwrap();
        keys.iter()
            .position(|k| k == key)
            .unwrap_or_else(|| panic!("{facet} {key}"))
            + 1
    }

    fn make_code(&self, slug: &str) -> usize {
        let makes = self.meta["makes"].as_array().unwrap();
        makes.iter().position(|m| m[0] == slug).unwrap() + 1
    }

    /// The price code of "up to `amount`" in `currency`, a boundary of its ladder.
    fn price_up_to(&self, currency: &str, amount: i64) -> usize {
        let prices = self.meta["prices"].as_array().unwrap();
        let p = prices.iter().find(|p| p[0] == currency).unwrap();
        let bounds = p[2].as_array().unwrap();
        let i = bounds.iter().position(|b| b == amount).unwrap();
        p[1].as_u64().unwrap() as usize + 2 * i + 2
    }

    /// The cars of a text file's word.
    fn word(&self, word: &str) -> Vec<u32> {
        let keys = self.meta["text"].as_array().unwrap();
        let shard = keys
            .iter()
            .enumerate()
            .filter(|(_, k)| word.starts_with(k.as_str().unwrap()))
            .max_by_key(|(_, k)| k.as_str().unwrap().len())
            .unwrap()
            .0;
        let words = self.file(&format!("t/{shard}.json"));
        words[word].as_str().map(decode::set).unwrap_or_default()
    }

    /// Car number to its make's slug.
    fn make_of(&self, car: u32) -> &str {
        self.meta["makes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| {
                let start = m[2].as_u64().unwrap() as u32;
                (start..start + m[3].as_u64().unwrap() as u32).contains(&car)
            })
            .map_or("", |m| m[0].as_str().unwrap())
    }
}

/// How many cars of `cars` have each value of `by`, as a count file lists them by code.
fn tally(cars: &[&Car], by: impl Fn(&Car) -> String) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for car in cars {
        *out.entry(by(car)).or_default() += 1;
    }
    out
}

/// A count file's counts of `facet` by key, for a categorical facet.
fn counts_by_key(index: &Index, file: &Value, facet: &str) -> BTreeMap<String, i64> {
    let keys = index.meta["values"][facet][0].as_array().unwrap();
    file[facet]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .skip(1)
        .filter(|(_, n)| n.as_i64().unwrap() > 0)
        .map(|(code, n)| {
            (
                keys[code - 1].as_str().unwrap().to_string(),
                n.as_i64().unwrap(),
            )
        })
        .collect()
}

fn built(n: usize) -> (Fixture, Vec<Car>) {
    let (site, cars) = generated::site(n);
    site.build_clean(DATE);
    (site, cars)
}

#[test]
fn the_index_replaces_the_single_file_and_list_pages_point_at_it() {
    let (site, cars) = built(CARS);
    assert!(
        !site.has_page("cars/index.json"),
        "no catalog-sized file any more"
    );
    let index = Index::of(&site);
    assert_eq!(index.meta["n"], cars.len());
    let zh = site.page("zh/cars/brand/bmw/index.html");
    assert!(zh.contains(&format!(
        "data-index=\"/{}",
        index.dir.strip_prefix(site.output()).unwrap().display()
    )));
    assert!(
        zh.contains("data-make=\"bmw\""),
        "a brand page starts on its brand"
    );
    let car_page = site.page(&format!(
        "cars/{}/index.html",
        std::fs::read_dir(site.output().join("cars"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .find(|n| n.starts_with("bmw-"))
            .unwrap()
    ));
    assert!(
        !car_page.contains("cars."),
        "a page without the form loads no search script"
    );
    let headers = site.page("_headers");
    assert!(headers.contains(
        "/cars/search/*\n  ! Cache-Control\n  Cache-Control: public, max-age=31536000, immutable"
    ));
}

#[test]
fn every_make_and_model_is_one_run_of_car_numbers() {
    let (site, cars) = built(CARS);
    let index = Index::of(&site);
    let per_make = tally(&cars.iter().collect::<Vec<_>>(), Car::make_slug);
    let mut next = 0;
    for m in index.meta["makes"].as_array().unwrap() {
        assert_eq!(m[2], next, "makes follow each other");
        assert_eq!(m[3], per_make[m[0].as_str().unwrap()], "{m}");
        next += m[3].as_u64().unwrap();
    }
    assert_eq!(next as usize, cars.len());
    let skoda = &index.meta["makes"][index.make_code("skoda") - 1];
    assert_eq!(skoda[1], "Škoda", "labelled as written");
}

#[test]
fn count_files_hold_the_catalogs_counts_for_one_and_two_filters() {
    let (site, cars) = built(CARS);
    let index = Index::of(&site);
    let all: Vec<&Car> = cars.iter().collect();

    let suv = index.code("body", "suv");
    let file = index.file(&format!("c/body-{suv}.json"));
    let suvs: Vec<&Car> = all.iter().copied().filter(|c| c.body == "suv").collect();
    assert_eq!(file["t"], suvs.len());
    assert_eq!(
        counts_by_key(&index, &file, "fuel"),
        tally(&suvs, |c| c.fuel.into())
    );
    assert!(
        file.get("body").is_none(),
        "a file leaves out its own facet"
    );
    let makes = file["make"].as_array().unwrap();
    for (slug, n) in tally(&suvs, Car::make_slug) {
        assert_eq!(makes[index.make_code(&slug)], n, "{slug}");
    }

    let diesel = index.code("fuel", "diesel");
    let pair = index.file(&format!("p/body-{suv}-fuel-{diesel}.json"));
    let both: Vec<&Car> = suvs
        .iter()
        .copied()
        .filter(|c| c.fuel == "diesel")
        .collect();
    assert_eq!(pair["t"], both.len());
    assert_eq!(
        counts_by_key(&index, &pair, "gearbox"),
        tally(&both, |c| c.gearbox.into())
    );
    assert_eq!(
        counts_by_key(&index, &pair, "location"),
        tally(&both, |c| slug::slugify(c.city))
    );

    // Ranges include their boundary: prices of exactly 20 000 are "up to 20 000".
    let up_to = index.price_up_to("EUR", 20_000);
    let cheap: Vec<&Car> = all
        .iter()
        .copied()
        .filter(|c| c.currency == "EUR" && c.price <= 20_000)
        .collect();
    assert!(
        cheap.iter().any(|c| c.price == 20_000),
        "the generator puts cars on boundaries"
    );
    let file = index.file(&format!("c/price-{up_to}.json"));
    assert_eq!(file["t"], cheap.len());
    assert_eq!(
        counts_by_key(&index, &file, "body"),
        tally(&cheap, |c| c.body.into())
    );
}

#[test]
fn words_are_found_in_any_case_and_script_and_makes_by_their_other_names() {
    let (site, cars) = built(CARS);
    let index = Index::of(&site);
    let makes_of = |word: &str| {
        let mut makes: Vec<&str> = index.word(word).iter().map(|&c| index.make_of(c)).collect();
        makes.dedup();
        makes
    };
    assert_eq!(makes_of("宝马"), ["bmw"], "BMW's Chinese name");
    assert_eq!(makes_of("bmw").len(), 1);
    assert_eq!(
        index.word("宝马").len(),
        index.word("bmw").len(),
        "every BMW, by either name"
    );
    assert_eq!(makes_of("大众"), ["volkswagen"]);
    assert_eq!(makes_of("vw"), ["volkswagen"]);
    assert_eq!(makes_of("skoda"), ["skoda"], "accents ignored");
    let golf = cars.iter().filter(|c| c.model == "Golf").count();
    assert_eq!(index.word("golf").len(), golf);
    let gti = cars.iter().filter(|c| c.trim == "GTI").count();
    assert_eq!(index.word("gti").len(), gti);
    // Chinese titles are split into pairs of characters.
    let han = cars.iter().filter(|c| c.title.contains("帕萨特")).count();
    assert!(han > 0);
    assert_eq!(index.word("萨特").len(), han);
    let mercedes = cars.iter().filter(|c| c.make == "Mercedes-Benz").count();
    assert_eq!(
        index.word("mercedesbenz").len(),
        mercedes,
        "hyphenated words joined"
    );
    assert_eq!(index.word("奔驰").len(), mercedes);
}

#[test]
fn cards_hold_supplier_text_as_data_for_the_script_to_set_as_text() {
    let (site, cars) = built(CARS);
    let index = Index::of(&site);
    let charlie = generated::SUPPLIERS[2].2;
    let shards = index.meta["n"]
        .as_u64()
        .unwrap()
        .div_ceil(index.meta["rows"].as_u64().unwrap());
    let found = (0..shards).any(|n| {
        let rows = index.file(&format!("r/{n}.json"));
        rows.as_array().unwrap().iter().any(|r| r[7] == charlie)
    });
    assert!(
        found,
        "the name as written, markup and all, to be set as text"
    );
    assert!(cars.iter().any(|c| c.supplier == "charlie"));
}

#[test]
fn the_same_cars_give_the_same_index_byte_for_byte() {
    let (site, _) = built(CARS);
    let first = common::snapshot(&site.output().join("cars/search"));
    site.remove("public");
    site.build_clean(DATE);
    assert_eq!(first, common::snapshot(&site.output().join("cars/search")));
}

#[test]
fn a_small_catalog_has_no_count_files_and_one_file_of_words() {
    let (site, _) = built(60);
    let index = Index::of(&site);
    assert_eq!(index.meta["counted"], false);
    assert!(!index.dir.join("c").exists() && !index.dir.join("p").exists());
    assert_eq!(index.meta["text"], serde_json::json!([""]));
}

#[test]
fn a_site_adds_make_names_and_a_broken_list_fails_the_build_at_its_line() {
    let (site, _) = generated::site(60);
    site.write("data/make_aliases.toml", "# ours\nToyota = [\"トヨタ\"]\n");
    site.build_clean(DATE);
    let index = Index::of(&site);
    assert!(
        !index.word("トヨ").is_empty(),
        "Katakana is paired like Han"
    );
    assert_eq!(
        index.word("トヨ"),
        index.word("丰田"),
        "added to the built-in names"
    );

    site.write(
        "data/make_aliases.toml",
        "BMW = [\"宝马\"]\nAudi = \"奥迪\"\n",
    );
    let report = site.build(DATE);
    let problem = report
        .problems
        .iter()
        .find(|p| p.file.as_deref() == Some("data/make_aliases.toml"))
        .expect("a problem in the file");
    assert!(problem.is_error());
    assert_eq!(problem.line, Some(2));
}
