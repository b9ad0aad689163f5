//! Recommended Cars, computed once per build. On a car page: the most similar available
//! cars (same model, then same brand and body, then similar price and year); elsewhere:
//! the marketing team's pins, then good-value recent arrivals. Cars are bucketed and
//! searched by price, so a build of 100 000 cars never compares all pairs.

use crate::catalog::{self, format};
use crate::diagnostics::{Diagnostics, Problem};
use crate::feeds::Availability;
use crate::site::{PINS_FILE, Site};
use rayon::prelude::*;
use std::collections::HashMap;
use std::hash::Hash;

/// "Similar price" for cars of another model: within this fraction of the car's price.
const PRICE_BAND: f64 = 0.25;
/// "Similar year" for cars of another model.
const YEAR_BAND: u16 = 3;
/// Arrivals this recent count as recent for the site-wide picks.
const RECENT_DAYS: i32 = 60;

/// What ranking needs to know of a car, taken from its listing.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub make: String,
    pub model: String,
    pub body: Option<String>,
    pub currency: [u8; 3],
    /// Whole units, the asking (or sale) price.
    pub price: i64,
    pub year: Option<u16>,
    pub supplier: String,
    pub vin: Option<String>,
    /// Days since 1970 the car arrived, for "recent".
    pub arrived: i32,
    /// Whether it may be recommended at all (sold cars may not).
    pub available: bool,
}

pub struct Recommendations {
    /// For each listing, the cars to show on its page.
    pub per_car: Vec<Vec<usize>>,
    /// For every other page: pins, then good-value recent cars.
    pub general: Vec<usize>,
}

impl Recommendations {
    pub fn for_car(&self, i: usize) -> &[usize] {
        &self.per_car[i]
    }
}

/// Ranks every car's recommendations and the site-wide picks.
pub fn recommend(site: &Site) -> (Recommendations, Diagnostics) {
    let listings = &site.inventory.listings;
    let candidates: Vec<Candidate> = listings
        .par_iter()
        .enumerate()
        .map(|(i, l)| Candidate {
            make: l.make.to_lowercase(),
            model: l.model.to_lowercase(),
            body: catalog::view::known_code(&l.body_style),
            currency: l.price.currency,
            price: format::major_units(l.sale_price.as_ref().unwrap_or(&l.price)),
            year: l.year.map(|y| y.get()),
            supplier: l.supplier.as_str().to_string(),
            vin: l.vin.as_ref().map(|v| v.as_str().to_string()),
            arrived: days(catalog::arrival(site, i)),
            available: l.availability != Availability::NotAvailable,
        })
        .collect();
    let mut problems = Diagnostics::default();
    let pins = resolve(site, &candidates, &mut problems);
    let ranked = rank(
        &candidates,
        site.config.recommend.count,
        &pins,
        days(site.date),
    );
    (ranked, problems)
}

/// Ranks `k` recommendations for every candidate, and the site-wide picks as of `today`
/// (days since 1970). Cars are ranked in parallel; each one's picks depend only on the
/// input, so the result is the same whatever the thread count.
pub fn rank(candidates: &[Candidate], k: usize, pins: &[usize], today: i32) -> Recommendations {
    let ranker = Ranker::new(candidates);
    // Enough site-wide picks that a car page can fill its section even when it is
    // itself one of them.
    let mut general = ranker.general(k + 1, pins, today);
    let per_car = (0..candidates.len())
        .into_par_iter()
        .map(|i| ranker.similar(i, k, &general))
        .collect();
    general.truncate(k);
    Recommendations { per_car, general }
}

fn days(date: jiff::civil::Date) -> i32 {
    date.since(jiff::civil::date(1970, 1, 1))
        .map(|span| span.get_days())
        .unwrap_or(0)
}

/// The pinned cars, each once; a pin that names no available car is a warning naming
/// it.
fn resolve(site: &Site, candidates: &[Candidate], problems: &mut Diagnostics) -> Vec<usize> {
    // A few pins among many cars: each is looked for, rather than every car indexed.
    let find = |pin: &str| {
        let (supplier, vehicle_id) = pin.split_once('/')?;
        site.inventory
            .listings
            .iter()
            .position(|l| l.supplier.as_str() == supplier && l.vehicle_id == vehicle_id)
    };
    let mut pins = Vec::new();
    for (pin, line) in site.pins.iter() {
        match find(pin) {
            Some(i) if candidates[i].available => {
                if !pins.contains(&i) {
                    pins.push(i);
                }
            }
            found => {
                let why = if found.is_some() {
                    "is sold"
                } else {
                    "names no car"
                };
                problems.push(
                    Problem::warning(format!(
                        "pin \"{pin}\" {why}; expected \"<supplier-id>/<vehicle_id>\" of an \
                         available car"
                    ))
                    .in_file(PINS_FILE)
                    .at_line(line)
                    .with_field("pinned"),
                );
            }
        }
    }
    pins
}

/// Available cars bucketed three ways, each bucket sorted by price. Every car, available
/// or not (a sold car's page still shows its model's cars), knows its buckets, VIN and
/// supplier by number, so ranking 100 000 cars compares integers, not strings.
struct Ranker<'a> {
    cars: &'a [Candidate],
    keys: Vec<Keys>,
    by_model: Vec<Vec<Entry>>,
    by_brand_body: Vec<Vec<Entry>>,
    by_currency: Vec<Vec<Entry>>,
}

/// A car in a bucket, with what ranking reads of it: scanning a bucket then reads
/// memory in order instead of jumping between 100 000 cars.
#[derive(Clone, Copy)]
struct Entry {
    price: i64,
    year: Option<u16>,
    vin: Option<usize>,
    car: usize,
}

/// One car's buckets (indexes into the `by_…` lists; `None` when no available car shares
/// the key), its VIN and its supplier, each numbered in order of first appearance.
#[derive(Clone, Copy)]
struct Keys {
    model: Option<usize>,
    brand_body: Option<usize>,
    currency: Option<usize>,
    vin: Option<usize>,
    supplier: usize,
}

/// How well a candidate fits, smaller is better; compared as a tuple.
type Score = (u8, u64, u16);

/// The number of `key`, a new one if it has none yet.
fn number<K: Hash + Eq>(numbers: &mut HashMap<K, usize>, key: K) -> usize {
    let next = numbers.len();
    *numbers.entry(key).or_insert(next)
}

impl<'a> Ranker<'a> {
    fn new(cars: &'a [Candidate]) -> Self {
        let mut models = HashMap::new();
        let mut brand_bodies = HashMap::new();
        let mut currencies = HashMap::new();
        let (mut by_model, mut by_brand_body, mut by_currency) =
            (Vec::new(), Vec::new(), Vec::new());
        let mut vins = HashMap::new();
        let mut suppliers = HashMap::new();
        let numbered: Vec<(Option<usize>, usize)> = cars
            .iter()
            .map(|c| {
                let vin = c.vin.as_deref().map(|vin| number(&mut vins, vin));
                (vin, number(&mut suppliers, &*c.supplier))
            })
            .collect();
        let add = |buckets: &mut Vec<Vec<Entry>>, bucket: usize, entry: Entry| {
            if bucket == buckets.len() {
                buckets.push(Vec::new());
            }
            buckets[bucket].push(entry);
        };
        for (i, c) in cars.iter().enumerate().filter(|(_, c)| c.available) {
            let entry = Entry {
                price: c.price,
                year: c.year,
                vin: numbered[i].0,
                car: i,
            };
            add(
                &mut by_model,
                number(&mut models, (&*c.make, &*c.model)),
                entry,
            );
            if let Some(body) = &c.body {
                add(
                    &mut by_brand_body,
                    number(&mut brand_bodies, (&*c.make, &**body)),
                    entry,
                );
            }
            add(&mut by_currency, number(&mut currencies, c.currency), entry);
        }
        let keys = cars
            .iter()
            .zip(numbered)
            .map(|(c, (vin, supplier))| Keys {
                model: models.get(&(&*c.make, &*c.model)).copied(),
                brand_body: c
                    .body
                    .as_deref()
                    .and_then(|body| brand_bodies.get(&(&*c.make, body)).copied()),
                currency: currencies.get(&c.currency).copied(),
                vin,
                supplier,
            })
            .collect();
        let key = |e: &Entry| (e.price, e.car);
        for bucket in by_model
            .iter_mut()
            .chain(&mut by_brand_body)
            .chain(&mut by_currency)
        {
            bucket.sort_by_key(key);
        }
        Ranker {
            cars,
            keys,
            by_model,
            by_brand_body,
            by_currency,
        }
    }

    /// The `k` cars most like car `i`; the site-wide picks fill the section when too
    /// few are alike.
    fn similar(&self, i: usize, k: usize, fill: &[usize]) -> Vec<usize> {
        let me = &self.cars[i];
        let mine = self.keys[i];
        // The car itself, or another offer of it (same VIN).
        let same_car =
            |j: usize, vin: Option<usize>| j == i || (mine.vin.is_some() && vin == mine.vin);
        let mut scored: Vec<(Score, usize)> = Vec::new();
        let mut consider = |bucket: Option<&Vec<Entry>>, tier: u8, band_only: bool| {
            let Some(bucket) = bucket else { return };
            for other in nearest_by_price(bucket, me.price, 4 * k + 4) {
                if same_car(other.car, other.vin) {
                    continue;
                }
                let price_gap = me.price.abs_diff(other.price);
                let year_gap = match (me.year, other.year) {
                    (Some(a), Some(b)) => a.abs_diff(b),
                    _ => YEAR_BAND,
                };
                if band_only
                    && (price_gap as f64 > me.price as f64 * PRICE_BAND || year_gap > YEAR_BAND)
                {
                    continue;
                }
                // Price gaps in steps of 5% of the price, so near-equal prices tie and
                // the year decides, then the supplier spread.
                let step = (me.price.max(1) as u64).div_ceil(20);
                scored.push(((tier, price_gap / step, year_gap), other.car));
            }
        };
        consider(mine.model.map(|b| &self.by_model[b]), 0, false);
        consider(mine.brand_body.map(|b| &self.by_brand_body[b]), 1, false);
        consider(mine.currency.map(|b| &self.by_currency[b]), 2, true);
        // A car found in several buckets keeps its best score.
        scored.sort_unstable_by_key(|&(score, j)| (j, score));
        scored.dedup_by_key(|&mut (_, j)| j);
        scored.sort_unstable();
        let mut picks = self.spread(scored, k);
        for &p in fill {
            if picks.len() >= k {
                break;
            }
            if !same_car(p, self.keys[p].vin) && !picks.contains(&p) {
                picks.push(p);
            }
        }
        picks
    }

    /// Takes `k` from candidates sorted by score; among equal scores, a supplier not
    /// yet shown goes first, so one supplier's stock does not fill the section.
    fn spread(&self, sorted: Vec<(Score, usize)>, k: usize) -> Vec<usize> {
        let mut picks: Vec<usize> = Vec::with_capacity(k);
        // Picks so far, by supplier number.
        let mut shown: HashMap<usize, usize> = HashMap::new();
        let mut rest = sorted.as_slice();
        while picks.len() < k && !rest.is_empty() {
            let score = rest[0].0;
            let tied = rest.iter().take_while(|(s, _)| *s == score).count();
            let mut group: Vec<usize> = rest[..tied].iter().map(|&(_, j)| j).collect();
            rest = &rest[tied..];
            while picks.len() < k && !group.is_empty() {
                let (pos, _) = group
                    .iter()
                    .enumerate()
                    .min_by_key(|&(_, &j)| {
                        (shown.get(&self.keys[j].supplier).copied().unwrap_or(0), j)
                    })
                    .expect("group is not empty");
                let j = group.remove(pos);
                *shown.entry(self.keys[j].supplier).or_default() += 1;
                picks.push(j);
            }
        }
        picks
    }

    /// Pins first, then recent arrivals priced lowest against their model's median.
    fn general(&self, k: usize, pins: &[usize], today: i32) -> Vec<usize> {
        let mut picks: Vec<usize> = pins.iter().copied().take(k).collect();
        if picks.len() >= k {
            return picks;
        }
        let medians: Vec<i64> = self
            .by_model
            .iter()
            .map(|bucket| bucket[bucket.len() / 2].price)
            .collect();
        let available = self.by_currency.iter().flatten().map(|e| e.car);
        let mut ranked: Vec<(Score, usize)> = available
            .filter(|j| !picks.contains(j))
            .map(|j| {
                let c = &self.cars[j];
                let model = self.keys[j]
                    .model
                    .expect("an available car has its model's bucket");
                let median = medians[model].max(1);
                let recent = today - c.arrived <= RECENT_DAYS;
                // Percent of the model's median price: 90 means 10% below.
                let value = (c.price.max(0) as u64 * 100) / median as u64;
                ((u8::from(!recent), value, 0), j)
            })
            .collect();
        ranked.sort();
        picks.extend(self.spread(ranked, k - picks.len()));
        picks
    }
}

/// Up to `limit` cars of a price-sorted bucket, nearest to `price` first.
fn nearest_by_price(bucket: &[Entry], price: i64, limit: usize) -> Vec<Entry> {
    let start = bucket.partition_point(|e| e.price < price);
    let (mut lo, mut hi) = (start, start);
    let mut out = Vec::with_capacity(limit.min(bucket.len()));
    while out.len() < limit && (lo > 0 || hi < bucket.len()) {
        let below = (lo > 0).then(|| price - bucket[lo - 1].price);
        let above = (hi < bucket.len()).then(|| bucket[hi].price - price);
        match (below, above) {
            (Some(b), Some(a)) if b < a => {
                lo -= 1;
                out.push(bucket[lo]);
            }
            (_, Some(_)) => {
                out.push(bucket[hi]);
                hi += 1;
            }
            (Some(_), None) => {
                lo -= 1;
                out.push(bucket[lo]);
            }
            (None, None) => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn car(
        make: &str,
        model: &str,
        body: &str,
        price: i64,
        year: u16,
        supplier: &str,
    ) -> Candidate {
        Candidate {
            make: make.into(),
            model: model.into(),
            body: Some(body.into()),
            currency: *b"EUR",
            price,
            year: Some(year),
            supplier: supplier.into(),
            vin: None,
            arrived: 20_000,
            available: true,
        }
    }

    #[test]
    fn same_model_beats_same_brand_beats_similar_price() {
        let cars = vec![
            car("bmw", "3 series", "sedan", 20_000, 2019, "a"),
            car("audi", "a4", "sedan", 20_000, 2019, "a"), // similar price only
            car("bmw", "5 series", "sedan", 30_000, 2019, "a"), // same brand and body
            car("bmw", "3 series", "sedan", 35_000, 2021, "a"), // same model, far price
        ];
        let r = Ranker::new(&cars);
        assert_eq!(r.similar(0, 3, &[]), vec![3, 2, 1]);
    }

    #[test]
    fn the_price_band_is_respected_for_other_models() {
        let cars = vec![
            car("bmw", "3 series", "sedan", 20_000, 2019, "a"),
            car("audi", "a4", "sedan", 24_000, 2019, "a"), // within 25%
            car("skoda", "octavia", "wagon", 26_000, 2019, "a"), // 30% more: out of band
            car("ford", "focus", "hatchback", 19_000, 2012, "a"), // year too far
        ];
        let r = Ranker::new(&cars);
        assert_eq!(r.similar(0, 4, &[]), vec![1]);
    }

    #[test]
    fn sold_cars_self_and_the_same_vin_are_never_recommended() {
        let mut cars = vec![
            car("bmw", "3 series", "sedan", 20_000, 2019, "a"),
            car("bmw", "3 series", "sedan", 20_500, 2019, "b"),
            car("bmw", "3 series", "sedan", 21_000, 2019, "c"),
            car("bmw", "3 series", "sedan", 21_500, 2019, "d"),
        ];
        cars[1].available = false;
        cars[0].vin = Some("WBA8E9G50GNT12345".into());
        cars[2].vin = Some("WBA8E9G50GNT12345".into());
        let r = Ranker::new(&cars);
        assert_eq!(r.similar(0, 4, &[]), vec![3]);
        // Site-wide picks fill a short section, but never with the car itself.
        assert_eq!(r.similar(0, 4, &[0, 3]), vec![3]);
    }

    #[test]
    fn ties_are_spread_across_suppliers() {
        let cars = vec![
            car("vw", "golf", "hatchback", 15_000, 2018, "z"),
            car("vw", "golf", "hatchback", 15_000, 2018, "a"),
            car("vw", "golf", "hatchback", 15_000, 2018, "a"),
            car("vw", "golf", "hatchback", 15_000, 2018, "b"),
            car("vw", "golf", "hatchback", 15_000, 2018, "c"),
        ];
        let r = Ranker::new(&cars);
        let picks = r.similar(0, 3, &[]);
        let suppliers: Vec<&str> = picks.iter().map(|&j| cars[j].supplier.as_str()).collect();
        assert_eq!(suppliers, vec!["a", "b", "c"]);
        // Deterministic: the same input gives the same picks.
        assert_eq!(r.similar(0, 3, &[]), picks);
    }

    #[test]
    fn general_picks_start_with_pins_then_good_value_recent_cars() {
        let mut cars = vec![
            car("vw", "golf", "hatchback", 15_000, 2018, "a"),
            car("vw", "golf", "hatchback", 12_000, 2018, "b"), // cheapest vs median
            car("vw", "golf", "hatchback", 18_000, 2018, "c"),
            car("kia", "ceed", "hatchback", 14_000, 2018, "d"),
        ];
        cars[1].arrived = 19_000; // not recent
        let r = Ranker::new(&cars);
        let picks = r.general(3, &[2], 20_010);
        assert_eq!(picks[0], 2);
        assert_eq!(picks.len(), 3);
        assert!(
            !picks[1..].contains(&1),
            "recent cars come first: {picks:?}"
        );
    }
}
