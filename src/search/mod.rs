//! The search index the filter script reads, sharded for static hosting: a query fetches
//! only the few files it needs, never the whole catalog. Built once per build from the
//! catalog; every file lands under `/cars/search/<version>/`, where the version is a hash
//! of all of them, so they can be cached forever and a page never mixes two builds.
//!
//! | file | what | read when |
//! |---|---|---|
//! | `meta.json` | every facet's values and totals, makes and models as runs of car numbers, price ladders, text shard keys | the form is used |
//! | `c/<facet>-<code>.json`, `p/<facet>-<code>-<facet>-<code>.json` | counts by every value for one filter, or two ([`counts`]) | a filter has no make, model or text to narrow it |
//! | `b/<make>.json` | the codes of every facet for a make's cars, and the order its models' cars arrived in | a make, model or text narrows the filter |
//! | `kr/`, `kp/`, `km/<make>.json` | newest-first rank, price, mileage of a make's cars | sorting them |
//! | `o/<sort>-<n>.json` | 512 cars at a time in each sort order, with their codes | results across makes |
//! | `g/<facet>.json` | one facet's code for every car | the rare filter nothing smaller answers |
//! | `t/<prefix>.json` | words starting with a prefix and their cars | text search |
//! | `r/<n>.json` | eight cars' cards, by car number | showing results |
//!
//! See `cars.rs` for how cars are numbered and coded, `codec.rs` for the encodings and
//! `words.rs` for how text is split into words.

pub mod aliases;
pub mod cars;
pub mod codec;
pub mod counts;
pub mod words;

use crate::catalog::{Catalog, view};
use crate::diagnostics::Problem;
use crate::site::Site;
use aliases::Aliases;
use cars::{Cars, FACETS, Facet};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Where the index is published, under the site's root.
pub const FOLDER: &str = "cars/search";
/// Cars per file of cards.
pub const ROW_SHARD: usize = 8;
/// Cars per file of a sort order.
pub const CHUNK: usize = 512;
/// A file of words is split by longer prefixes once larger than this.
const TEXT_SHARD_BYTES: usize = 12_000;
/// The sort orders `cars.js` offers, as named in the URL.
const SORTS: [&str; 4] = ["newest", "price", "mileage", "year"];

/// The index's files, ready to write.
pub struct SearchIndex {
    /// `/cars/search/<version>/meta.json`: what the filter form points the script at.
    pub meta_url: String,
    /// Output path and bytes, sorted by path.
    pub files: Vec<(String, Vec<u8>)>,
}

/// Builds the index of the listed cars; a broken `data/make_aliases.toml` is a problem,
/// and the built-in aliases are used alone.
pub fn build(site: &Site, catalog: &Catalog) -> (SearchIndex, Vec<Problem>) {
    let (aliases, problem) = Aliases::load(&site.root);
    let cars = Cars::new(site, catalog);
    let ((rows, (blocks, orders)), ((counts, text), columns)) = rayon::join(
        || {
            rayon::join(
                || rows(site, catalog, &cars),
                || rayon::join(|| blocks(&cars), || orders(&cars)),
            )
        },
        || {
            rayon::join(
                || rayon::join(|| counts::count(&cars), || text(site, &cars, &aliases)),
                || columns(&cars),
            )
        },
    );
    let mut files: Vec<(String, String)> = Vec::new();
    let mut block_sizes = vec![0; cars.makes.len() + 1];
    for (name, text) in &blocks {
        let code = name
            .strip_prefix("b/")
            .and_then(|n| n.strip_suffix(".json"));
        if let Some(code) = code.and_then(|c| c.parse::<usize>().ok()) {
            block_sizes[code] = text.len();
        }
    }
    let column_sizes: BTreeMap<&str, usize> = FACETS
        .iter()
        .zip(&columns)
        .map(|(f, (_, text))| (f.name(), text.len()))
        .collect();
    let meta = meta(site, &cars, &counts, &text.1, &block_sizes, &column_sizes);
    files.push(("meta.json".into(), meta));
    files.extend(rows);
    files.extend(blocks);
    files.extend(orders);
    files.extend(counts.files);
    files.extend(text.0);
    files.extend(columns);
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let mut hasher = blake3::Hasher::new();
    for (name, text) in &files {
        hasher.update(name.as_bytes());
        hasher.update(&[0]);
        hasher.update(text.as_bytes());
        hasher.update(&[0]);
    }
    let version = &hasher.finalize().to_hex()[..10];
    let folder = format!("{FOLDER}/{version}");
    let index = SearchIndex {
        meta_url: format!("/{folder}/meta.json"),
        files: files
            .into_iter()
            .map(|(name, text)| (format!("{folder}/{name}"), text.into_bytes()))
            .collect(),
    };
    (index, problem.into_iter().collect())
}

/// One car's card as the script draws it: `[slug, title, price, price before the sale,
/// year, mileage, photo, supplier, city, fuel, gearbox, flags]`, flags 1 for reserved,
/// 2 for not recently confirmed, 4 for new and 8 for a price recently reduced. Fuel and gearbox are our codes, which the page
/// translates, or the supplier's own words.
#[derive(Serialize)]
struct Row<'a>(
    &'a str,
    &'a str,
    String,
    String,
    u16,
    String,
    String,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    u8,
);

fn rows(site: &Site, catalog: &Catalog, cars: &Cars) -> Vec<(String, String)> {
    cars.listing
        .par_chunks(ROW_SHARD)
        .enumerate()
        .map(|(shard, listings)| {
            let cards: Vec<view::CarCard> = listings
                .iter()
                .map(|&i| view::card(site, catalog, i))
                .collect();
            let rows: Vec<Row> = cards
                .iter()
                .zip(listings)
                .map(|(card, &i)| {
                    Row(
                        &catalog.cars[i].slug,
                        card.title,
                        card.price.clone(),
                        card.regular_price.clone().unwrap_or_default(),
                        card.year.unwrap_or(0),
                        card.mileage.clone().unwrap_or_default(),
                        card.image
                            .as_ref()
                            .map(|p| p.small.clone())
                            .unwrap_or_default(),
                        card.supplier,
                        card.city.unwrap_or(""),
                        card.fuel.as_ref().map_or("", view::Label::as_str),
                        card.transmission.as_ref().map_or("", view::Label::as_str),
                        u8::from(card.reserved)
                            | (u8::from(card.stale) << 1)
                            | (u8::from(card.new) << 2)
                            | (u8::from(card.reduced.is_some()) << 3),
                    )
                })
                .collect();
            let text = serde_json::to_string(&rows).expect("cards serialise");
            (format!("r/{shard}.json"), text)
        })
        .collect()
}

/// A JSON object of code columns, one per facet, for the cars `cars` yields.
fn code_columns(all: &Cars, cars: impl Iterator<Item = usize> + Clone) -> String {
    let mut out = String::from("{");
    for (i, facet) in FACETS.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let codes = &all.codes[facet.index()];
        let width = codec::width(all.max_code(*facet));
        let column = codec::column(cars.clone().map(|c| codes[c]), width);
        out.push_str(&format!("\"{}\":\"{column}\"", facet.name()));
    }
    out.push('}');
    out
}

/// Per make (0: cars whose make makes no slug): its cars' codes and, in `m`, the run of
/// each of its cars in newest-first order (0 for cars without a model, else the model's
/// place among the make's models, from 1), from which the script merges the models'
/// runs, each already newest first, into the make's newest-first order. Beside them the
/// make's sort keys.
fn blocks(cars: &Cars) -> Vec<(String, String)> {
    let mut runs: Vec<(usize, usize, usize)> = Vec::new(); // (make code, start, end)
    let first = cars.makes.first().map_or(cars.len(), |m| m.start as usize);
    if first > 0 {
        runs.push((0, 0, first));
    }
    for (i, make) in cars.makes.iter().enumerate() {
        let start = make.start as usize;
        runs.push((i + 1, start, start + make.len as usize));
    }
    runs.par_iter()
        .flat_map_iter(|&(make, start, end)| {
            let mut newest: Vec<usize> = (start..end).collect();
            newest.sort_by_key(|&c| cars.rank[c]);
            let first_model = if make == 0 {
                0
            } else {
                cars.model_start[make - 1] as u32
            };
            let run = |c: usize| match cars.model[c] {
                0 => 0,
                m => m - first_model,
            };
            let models = if make == 0 {
                0
            } else {
                (cars.model_start[make] - cars.model_start[make - 1]) as u32
            };
            let interleave = codec::column(newest.iter().map(|&c| run(c)), codec::width(models));
            let block = format!(
                "{{\"c\":{},\"m\":\"{interleave}\"}}",
                code_columns(cars, start..end)
            );
            let numbers = |values: Box<dyn Iterator<Item = u64> + '_>| {
                format!("{{\"v\":\"{}\"}}", codec::numbers(values))
            };
            [
                (format!("b/{make}.json"), block),
                (
                    format!("kr/{make}.json"),
                    numbers(Box::new((start..end).map(|c| u64::from(cars.rank[c])))),
                ),
                (
                    format!("kp/{make}.json"),
                    numbers(Box::new((start..end).map(|c| cars.price[c] as u64))),
                ),
                (
                    format!("km/{make}.json"),
                    numbers(Box::new(
                        (start..end).map(|c| cars.mileage[c].map_or(0, |m| m + 1)),
                    )),
                ),
            ]
        })
        .collect()
}

/// Every car in each sort order, 512 to a file, with their codes. Ties, and cars
/// without the value sorted on (last), go newest first.
fn orders(cars: &Cars) -> Vec<(String, String)> {
    SORTS
        .par_iter()
        .flat_map_iter(|&sort| {
            let mut order: Vec<usize> = (0..cars.len()).collect();
            let year = &cars.codes[Facet::Year.index()];
            match sort {
                "newest" => order.sort_by_key(|&c| cars.rank[c]),
                "price" => order.sort_by_key(|&c| (cars.price[c], cars.rank[c])),
                "mileage" => order
                    .sort_by_key(|&c| (cars.mileage[c].is_none(), cars.mileage[c], cars.rank[c])),
                _ => order.sort_by_key(|&c| (std::cmp::Reverse(year[c]), cars.rank[c])),
            }
            order
                .chunks(CHUNK)
                .enumerate()
                .map(|(n, chunk)| {
                    let numbers = codec::numbers(chunk.iter().map(|&c| c as u64));
                    let codes = code_columns(cars, chunk.iter().copied());
                    let text = format!("{{\"n\":\"{numbers}\",\"c\":{codes}}}");
                    (format!("o/{sort}-{n}.json"), text)
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Each facet's code for every car, for filters nothing smaller answers.
fn columns(cars: &Cars) -> Vec<(String, String)> {
    FACETS
        .par_iter()
        .map(|&facet| {
            let codes = &cars.codes[facet.index()];
            let width = codec::width(cars.max_code(facet));
            let column = codec::column(codes.iter().copied(), width);
            (
                format!("g/{}.json", facet.name()),
                format!("{{\"v\":\"{column}\"}}"),
            )
        })
        .collect()
}

/// The words of every car (make and its other names, model, trim, title) and the cars
/// with each, in files by prefix: all in one file while small enough, else split by
/// their first character, and further where a file would still be too large. Returns
/// the files and their prefixes.
fn text(site: &Site, cars: &Cars, aliases: &Aliases) -> (Vec<(String, String)>, Vec<String>) {
    let listings = &site.inventory.listings;
    let per_car: Vec<Vec<String>> = cars
        .listing
        .par_iter()
        .map(|&i| {
            let l = &listings[i];
            let mut words: Vec<String> = Vec::new();
            let names = aliases.names(&l.make);
            for text in [
                Some(&l.make),
                Some(&l.model),
                l.trim.as_ref(),
                Some(&l.title),
            ]
            .into_iter()
            .flatten()
            .chain(names)
            {
                words.extend(words::words(text));
            }
            words.sort_unstable();
            words.dedup();
            words
        })
        .collect();
    let mut postings: HashMap<&str, Vec<u32>> = HashMap::new();
    for (car, words) in per_car.iter().enumerate() {
        for word in words {
            postings.entry(word).or_default().push(car as u32);
        }
    }
    let mut words: Vec<(&str, String)> = postings
        .into_par_iter()
        .map(|(word, cars)| (word, codec::set(cars)))
        .collect();
    words.sort_unstable();
    let mut shards: Vec<(String, Vec<(&str, String)>)> = Vec::new();
    split_shards(&words, 0, &mut shards);
    let keys = shards.iter().map(|(key, _)| key.clone()).collect();
    let files = shards
        .into_iter()
        .enumerate()
        .map(|(n, (_, entries))| {
            let map: BTreeMap<&str, &str> = entries.iter().map(|(w, s)| (*w, s.as_str())).collect();
            (
                format!("t/{n}.json"),
                serde_json::to_string(&map).expect("words serialise"),
            )
        })
        .collect();
    (files, keys)
}

/// Groups sorted words by their first `depth` characters; a group too large is split by
/// one more character, its words no longer than the prefix staying in a file of their own.
fn split_shards<'w>(
    words: &[(&'w str, String)],
    depth: usize,
    out: &mut Vec<(String, Vec<(&'w str, String)>)>,
) {
    let prefix = |w: &str| w.chars().take(depth).collect::<String>();
    let mut start = 0;
    while start < words.len() {
        let key = prefix(words[start].0);
        let end = start
            + words[start..]
                .iter()
                .position(|(w, _)| prefix(w) != key)
                .unwrap_or(words.len() - start);
        let group = &words[start..end];
        let size: usize = group.iter().map(|(w, s)| w.len() + s.len() + 6).sum();
        let longer = group.iter().any(|(w, _)| w.chars().count() > depth);
        if size > TEXT_SHARD_BYTES && longer {
            let (short, long): (Vec<_>, Vec<_>) = group
                .iter()
                .cloned()
                .partition(|(w, _)| w.chars().count() <= depth);
            if !short.is_empty() {
                out.push((key, short));
            }
            split_shards(&long, depth + 1, out);
        } else {
            out.push((key, group.to_vec()));
        }
        start = end;
    }
}

#[derive(Serialize)]
struct Meta<'a> {
    /// Cars in the index.
    n: usize,
    page: usize,
    rows: usize,
    chunk: usize,
    /// `[slug, label, first car, cars, first model]` per make, code `i + 1`.
    makes: Vec<(&'a str, &'a str, u32, u32, usize)>,
    /// `[slug, label, first car, cars]` per model, code `i + 1`, make by make.
    models: Vec<(&'a str, &'a str, u32, u32)>,
    /// Per categorical facet: value keys and labels, code `i + 1`.
    values: BTreeMap<&'static str, (&'a [String], &'a [String])>,
    /// `[currency, first code - 1, boundaries, labels]`.
    prices: Vec<(&'a str, u32, &'a [i64], &'a [String])>,
    years: &'a [u16],
    mileage: (&'static str, &'a [i64], &'a [String]),
    /// Characters per code, per facet.
    widths: BTreeMap<&'static str, usize>,
    /// Cars per code, per facet and for makes: the counts with no filter.
    totals: BTreeMap<&'static str, Vec<u32>>,
    /// Whether there are count files at all.
    counted: bool,
    pair_floor: u32,
    pairs_skipped: Vec<(&'static str, &'static str)>,
    text: &'a [String],
    /// Sizes of each make's file and of each facet's column, to choose the cheaper.
    sizes: (&'a [usize], BTreeMap<&'a str, usize>),
}

fn meta(
    site: &Site,
    cars: &Cars,
    counts: &counts::Counts,
    text_keys: &[String],
    block_sizes: &[usize],
    column_sizes: &BTreeMap<&str, usize>,
) -> String {
    let mut totals: BTreeMap<&'static str, Vec<u32>> = BTreeMap::new();
    let mut makes = vec![0u32; cars.makes.len() + 1];
    for &m in &cars.make {
        makes[m as usize] += 1;
    }
    totals.insert("make", makes);
    for facet in FACETS {
        let mut counts = vec![0u32; cars.max_code(facet) as usize + 1];
        for &c in &cars.codes[facet.index()] {
            counts[c as usize] += 1;
        }
        totals.insert(facet.name(), counts);
    }
    let meta = Meta {
        n: cars.len(),
        page: site.config.paginate_by,
        rows: ROW_SHARD,
        chunk: CHUNK,
        makes: cars
            .makes
            .iter()
            .zip(&cars.model_start)
            .map(|(m, &first)| (m.key.as_str(), m.label.as_str(), m.start, m.len, first))
            .collect(),
        models: cars
            .models
            .iter()
            .map(|m| (m.key.as_str(), m.label.as_str(), m.start, m.len))
            .collect(),
        values: FACETS
            .iter()
            .filter(|f| !f.is_range())
            .map(|&f| {
                (
                    f.name(),
                    (&cars.keys[f.index()][..], &cars.labels[f.index()][..]),
                )
            })
            .collect(),
        prices: cars
            .currencies
            .iter()
            .map(|c| (c.code.as_str(), c.base, &c.bounds[..], &c.labels[..]))
            .collect(),
        years: &cars.years,
        mileage: (
            match cars.mileage_unit {
                crate::feeds::MileageUnit::Km => "km",
                crate::feeds::MileageUnit::Mi => "mi",
            },
            &cars.mileage_bounds,
            &cars.mileage_labels,
        ),
        widths: FACETS
            .iter()
            .map(|&f| (f.name(), codec::width(cars.max_code(f))))
            .chain([("model", codec::width(cars.models.len() as u32))])
            .collect(),
        totals,
        counted: cars.len() >= counts::COUNTED_FROM,
        pair_floor: counts.pair_floor,
        pairs_skipped: counts
            .skipped
            .iter()
            .map(|(a, b)| (a.name(), b.name()))
            .collect(),
        text: text_keys,
        sizes: (block_sizes, column_sizes.clone()),
    };
    serde_json::to_string(&meta).expect("the index's metadata serialises")
}
