//! What happened to each car across builds, as buyers see it: new arrivals, price
//! reductions, how long a car has been listed, and what became of cars that were sold or
//! left their supplier's feed. Made from the last build's ledger and today's inventory,
//! as of the build date; the updated ledger is kept by a build that published.

use crate::config::HistoryConfig;
use crate::feeds::{
    Address, Availability, Dealer, Listing, ModelYear, Price, SupplierId, UpdatedFrom, Vin,
};
use crate::state::ledger::{self, Day, Entry, Facts, Ledger, Loaded, PricePoint, Status};
use jiff::civil::Date;
use std::collections::HashSet;

/// Keeps the ledger of a build that published; a failure is a warning, since the site
/// itself is fine (the next build records from the last ledger kept).
pub fn save(root: &std::path::Path, history: History) -> Option<crate::Problem> {
    let e = history.ledger.save(root, history.damaged).err()?;
    Some(crate::Problem::warning(format!(
        "cannot keep the inventory ledger in {}: {e}; the next build counts from the last one kept",
        ledger::path(root).display()
    )))
}

/// One published car's history, for its page, its card and the lists.
#[derive(Debug, Clone, PartialEq)]
pub struct CarHistory {
    /// The day this marketplace first listed it.
    pub first_seen: Date,
    /// First seen within `new_days` of the build date.
    pub new: bool,
    /// Its last price change, when that was a reduction within `reduced_days`.
    pub reduced: Option<Reduction>,
    /// Every asking price it had, oldest first, when there was more than one.
    pub prices: Vec<(Date, Price)>,
    /// The day its facts last changed: first seen, a new price or a new status.
    pub changed: Date,
    /// It is sold, or gone from its supplier's feed: its page says so, and it is listed
    /// nowhere.
    pub gone: bool,
}

/// A price cut: from, to, on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reduction {
    pub from: Price,
    pub to: Price,
    pub on: Date,
}

/// The site's history as of the build date.
#[derive(Debug, Default)]
pub struct History {
    /// Same index as the inventory's listings.
    pub cars: Vec<CarHistory>,
    /// The ledger to keep if the build publishes.
    pub ledger: Ledger,
    /// The ledger that was read could not be: set it aside when saving.
    pub damaged: bool,
    /// Cars whose page is no longer published (sold or gone for longer than
    /// `sold_page_days`), as `(supplier, vehicle_id, facts)`, so their address can be
    /// listed as gone.
    pub removed: Vec<(String, String, Facts)>,
}

/// Records today's inventory in the ledger and works out each car's history. Cars sold
/// or gone from their feed keep a page for `sold_page_days`: a car still in its feed as
/// sold is kept; one gone from its feed gets back a listing made from the ledger. After
/// that both are taken out of `listings`. Listings keep their order, with the cars that
/// came back from the ledger after them.
///
/// `suppliers` are those in the registry; `unread` those of them with a feed that could
/// not be read and had no copy to stand in. Their missing cars may not have left, so
/// their entries are left as they were, and get no page.
pub fn record(
    loaded: Loaded,
    listings: &mut Vec<Listing>,
    suppliers: &[SupplierId],
    unread: &[SupplierId],
    today: Date,
    config: &HistoryConfig,
) -> History {
    let d = ledger::day(today);
    let Loaded {
        mut ledger,
        fresh,
        damaged,
    } = loaded;
    let expired = |entry: &Entry| {
        matches!(entry.status(), Status::Sold | Status::Withdrawn)
            && d - entry.status_since() > days(config.sold_page_days)
    };
    // Each key made once, each entry looked up once: at 100 000 cars the lookups are
    // most of the cost.
    let keys: Vec<String> = listings
        .iter()
        .map(|l| key(l.supplier.as_str(), &l.vehicle_id))
        .collect();
    let mut cars = Vec::with_capacity(listings.len());
    let mut keep = Vec::with_capacity(listings.len());
    for (listing, key) in listings.iter().zip(&keys) {
        let price = asking(listing);
        let status = status(listing.availability);
        // A site's first ledger knows no history: a car counts from the days its supplier
        // gives, so that the whole stock is not "new" at once and the sitemap keeps the
        // supplier's dates. A car already sold counts as sold from today, to keep its
        // sold page for `sold_page_days`.
        let (first_seen, known_since) = if fresh {
            let updated = ledger::day(listing.updated).min(d);
            let first = listing
                .date_first_on_lot
                .map_or(updated, ledger::day)
                .min(updated);
            (first, updated)
        } else {
            (d, d)
        };
        let (entry, since) = match ledger.cars.get_mut(key) {
            Some(entry) => (entry, d),
            None => {
                let entry = ledger.cars.entry(key.clone()).or_insert(Entry {
                    first_seen,
                    last_seen: d,
                    prices: Vec::new(),
                    statuses: Vec::new(),
                    facts: Facts::default(),
                });
                (entry, known_since)
            }
        };
        entry.last_seen = entry.last_seen.max(d);
        let point = PricePoint {
            day: since,
            minor: price.minor,
            currency: price.currency,
        };
        if entry
            .prices
            .last()
            .is_none_or(|p| (p.minor, p.currency) != (point.minor, point.currency))
        {
            entry.prices.push(point);
        }
        if entry.statuses.last().is_none_or(|&(_, s)| s != status) {
            let on = if status == Status::Sold { d } else { since };
            entry.statuses.push((on, status));
        }
        update_facts(&mut entry.facts, listing);
        cars.push(car_history(entry, d, config));
        keep.push(!expired(entry));
    }
    let seen: HashSet<&str> = keys.iter().map(String::as_str).collect();
    let unread: HashSet<&str> = unread.iter().map(SupplierId::as_str).collect();
    let known: HashSet<&str> = suppliers
        .iter()
        .map(SupplierId::as_str)
        .filter(|id| !unread.contains(id))
        .collect();
    let mut came_back = Vec::new();
    let mut removed = Vec::new();
    ledger.cars.retain(|key, entry| {
        if seen.contains(key.as_str()) {
            return true;
        }
        let unread = key.split_once('/').is_some_and(|(s, _)| unread.contains(s));
        if !unread && !matches!(entry.status(), Status::Sold | Status::Withdrawn) {
            entry.statuses.push((d, Status::Withdrawn));
        }
        let gone_for = d - entry.status_since();
        let kept = unread || gone_for <= days(config.forget_days);
        // Past its sold page and not yet forgotten: gone for good, to be listed as such.
        if kept
            && expired(entry)
            && let Some((supplier, vehicle_id)) = key.split_once('/')
        {
            removed.push((
                supplier.to_string(),
                vehicle_id.to_string(),
                entry.facts.clone(),
            ));
        }
        if !unread
            && gone_for <= days(config.sold_page_days)
            && let Some(listing) = listing_of(key, entry, &known)
        {
            came_back.push((listing, car_history(entry, d, config)));
        }
        kept
    });
    let mut index = 0;
    listings.retain(|l| {
        let kept = keep[index];
        index += 1;
        if !kept {
            let facts = &ledger.cars[&keys[index - 1]].facts;
            removed.push((l.supplier.to_string(), l.vehicle_id.clone(), facts.clone()));
        }
        kept
    });
    let mut index = 0;
    cars.retain(|_| {
        index += 1;
        keep[index - 1]
    });
    for (listing, car) in came_back {
        listings.push(listing);
        cars.push(car);
    }
    removed.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    History {
        cars,
        ledger,
        damaged,
        removed,
    }
}

fn car_history(entry: &Entry, d: Day, config: &HistoryConfig) -> CarHistory {
    let price = |p: &PricePoint| Price {
        minor: p.minor,
        currency: p.currency,
    };
    let reduced = match entry.prices.as_slice() {
        [.., before, last]
            if last.currency == before.currency
                && last.minor < before.minor
                && d - last.day <= days(config.reduced_days) =>
        {
            Some(Reduction {
                from: price(before),
                to: price(last),
                on: ledger::date(last.day),
            })
        }
        _ => None,
    };
    let prices = if entry.prices.len() > 1 {
        entry
            .prices
            .iter()
            .map(|p| (ledger::date(p.day), price(p)))
            .collect()
    } else {
        Vec::new()
    };
    let changed = [
        Some(entry.first_seen),
        entry.prices.last().map(|p| p.day),
        entry.statuses.last().map(|&(day, _)| day),
    ]
    .into_iter()
    .flatten()
    .max()
    .unwrap_or(d);
    CarHistory {
        first_seen: ledger::date(entry.first_seen),
        new: d - entry.first_seen < days(config.new_days),
        reduced,
        prices,
        changed: ledger::date(changed),
        gone: matches!(entry.status(), Status::Sold | Status::Withdrawn),
    }
}

/// `<supplier-id>/<vehicle_id>`: how a car is known across builds.
fn key(supplier: &str, vehicle_id: &str) -> String {
    format!("{supplier}/{vehicle_id}")
}

/// The price buyers are asked: the sale price when there is one.
fn asking(listing: &Listing) -> Price {
    listing.sale_price.unwrap_or(listing.price)
}

fn status(availability: Availability) -> Status {
    match availability {
        Availability::Available => Status::Available,
        Availability::Pending => Status::Reserved,
        Availability::NotAvailable => Status::Sold,
    }
}

fn days(n: u32) -> Day {
    Day::try_from(n).unwrap_or(Day::MAX)
}

/// Keeps what a gone car's page shows, allocating only for what changed: most cars'
/// facts are the same every day.
fn update_facts(facts: &mut Facts, listing: &Listing) {
    for (kept, now) in [
        (&mut facts.title, &listing.title),
        (&mut facts.make, &listing.make),
        (&mut facts.model, &listing.model),
    ] {
        if kept != now {
            kept.clone_from(now);
        }
    }
    facts.year = listing.year.map(ModelYear::get);
    let vin = listing.vin.as_ref().map(|v| v.as_str());
    if facts.vin.as_deref() != vin {
        facts.vin = vin.map(str::to_string);
    }
}

/// A car gone from its supplier's feed, as a sold listing made from what the ledger
/// knows of it; `None` when its supplier is no longer registered.
fn listing_of(key: &str, entry: &Entry, suppliers: &HashSet<&str>) -> Option<Listing> {
    let (supplier, vehicle_id) = key.split_once('/')?;
    if !suppliers.contains(supplier) {
        return None;
    }
    let last = entry.prices.last()?;
    let facts = &entry.facts;
    Some(Listing {
        supplier: SupplierId::parse(supplier)?,
        vehicle_id: vehicle_id.to_string(),
        vin: facts.vin.as_deref().and_then(|v| Vin::parse(v).ok()),
        make: facts.make.clone(),
        model: facts.model.clone(),
        year: facts.year.and_then(|y| ModelYear::new(y, u16::MAX)),
        title: facts.title.clone(),
        description: String::new(),
        url: None,
        images: Vec::new(),
        price: Price {
            minor: last.minor,
            currency: last.currency,
        },
        sale_price: None,
        mileage: None,
        body_style: None,
        fuel_type: None,
        transmission: None,
        drivetrain: None,
        exterior_color: None,
        interior_color: None,
        trim: None,
        state_of_vehicle: None,
        condition: None,
        availability: Availability::NotAvailable,
        date_first_on_lot: None,
        address: Address::default(),
        dealer: Dealer::default(),
        latitude: None,
        longitude: None,
        updated: ledger::date(entry.last_seen),
        updated_from: UpdatedFrom::Feed,
        stale: false,
        source_file: ledger::path(std::path::Path::new(""))
            .to_string_lossy()
            .into_owned(),
        source_line: 0,
    })
}
