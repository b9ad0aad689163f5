//! Supplier photos (issue 7): resized variants under hashed names, no metadata in any
//! output, warnings for photos that cannot be used, and a cache that makes a rebuild
//! encode nothing. The fixture's photos are generated here, before each build.

mod common;

use common::Fixture;
use image::{ImageDecoder, ImageReader, RgbImage};
use std::io::Cursor;
use std::path::Path;

const DATE: &str = "2025-06-01";
const PHOTOS: &str = "data/feeds/lot-one/photos";

/// A colourful gradient, encoded at high quality so it is a realistic large source.
fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let pixels = RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([
            (x * 255 / width) as u8,
            (y * 255 / height) as u8,
            ((x ^ y) & 0xff) as u8,
        ])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 98)
        .encode(&pixels, width, height, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

/// A TIFF (little-endian) whose IFD0 points at a GPS IFD holding 51° 30' N.
fn exif_with_gps() -> Vec<u8> {
    let mut t: Vec<u8> = b"II\x2a\x00".to_vec();
    t.extend(8u32.to_le_bytes()); // IFD0 at 8
    t.extend(1u16.to_le_bytes());
    t.extend(0x8825u16.to_le_bytes()); // GPSInfo
    t.extend(4u16.to_le_bytes()); // LONG
    t.extend(1u32.to_le_bytes());
    t.extend(26u32.to_le_bytes()); // GPS IFD at 26
    t.extend(0u32.to_le_bytes());
    t.extend(2u16.to_le_bytes());
    t.extend(0x0001u16.to_le_bytes()); // GPSLatitudeRef
    t.extend(2u16.to_le_bytes()); // ASCII
    t.extend(2u32.to_le_bytes());
    t.extend(b"N\0\0\0");
    t.extend(0x0002u16.to_le_bytes()); // GPSLatitude
    t.extend(5u16.to_le_bytes()); // RATIONAL
    t.extend(3u32.to_le_bytes());
    t.extend(56u32.to_le_bytes());
    t.extend(0u32.to_le_bytes());
    assert_eq!(t.len(), 56);
    for (num, den) in [(51u32, 1u32), (30, 1), (0, 1)] {
        t.extend(num.to_le_bytes());
        t.extend(den.to_le_bytes());
    }
    t
}

/// `jpeg` with an Exif APP1 segment (GPS position) and an XMP one inserted after SOI.
fn jpeg_with_gps(width: u32, height: u32) -> Vec<u8> {
    let plain = jpeg(width, height);
    let segment = |payload: Vec<u8>| {
        let mut s = vec![0xff, 0xe1];
        s.extend(((payload.len() + 2) as u16).to_be_bytes());
        s.extend(payload);
        s
    };
    let exif = segment([b"Exif\0\0".as_slice(), &exif_with_gps()].concat());
    let xmp = segment(
        [
            b"http://ns.adobe.com/xap/1.0/\0".as_slice(),
            br#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><exif:GPSLatitude>51,30N</exif:GPSLatitude></x:xmpmeta>"#,
        ]
        .concat(),
    );
    [&plain[..2], &exif, &xmp, &plain[2..]].concat()
}

/// The fixture with its photos written: two good ones (one carrying GPS), a narrow
/// one, a corrupt one and one over `max_pixels`; `missing.jpg` is never written.
fn site() -> Fixture {
    let site = Fixture::new("photos");
    let dir = site.root().join(PHOTOS);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("gps.jpg"), jpeg_with_gps(800, 600)).unwrap();
    std::fs::write(dir.join("plain.jpg"), jpeg(640, 480)).unwrap();
    std::fs::write(dir.join("narrow.jpg"), jpeg(150, 100)).unwrap();
    std::fs::write(dir.join("huge.jpg"), jpeg(1200, 1000)).unwrap();
    let mut corrupt = jpeg(400, 300);
    corrupt.truncate(600);
    corrupt[200..400].fill(0x55);
    std::fs::write(dir.join("corrupt.jpg"), corrupt).unwrap();
    site
}

/// The built page of the car whose slug starts with `prefix`.
fn car_page(site: &Fixture, prefix: &str) -> String {
    let cars = site.output().join("cars");
    let dir = std::fs::read_dir(&cars)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .find(|name| name.starts_with(prefix))
        .unwrap_or_else(|| panic!("no car page starting {prefix}"));
    site.page(&format!("cars/{dir}/index.html"))
}

/// The car's own photos: its page's gallery, without the Recommended Cars cards.
fn gallery(page: &str) -> &str {
    let start = page.find("<div class=\"gallery\"").expect("a gallery");
    let rest = &page[start..];
    &rest[..rest.find("</div>").unwrap()]
}

/// `(url, width)` of every `srcset` entry with the given extension in `html`.
fn srcset_entries(html: &str, ext: &str) -> Vec<(String, u32)> {
    let mut found = Vec::new();
    for set in html.split("srcset=\"").skip(1) {
        let set = &set[..set.find('"').unwrap()];
        for entry in set.split(", ") {
            let (url, w) = entry.split_once(' ').unwrap();
            if url.ends_with(ext) {
                found.push((url.to_string(), w.trim_end_matches('w').parse().unwrap()));
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

fn dimensions(path: &Path) -> (u32, u32) {
    image::image_dimensions(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn variants_exist_at_the_configured_widths_never_upscaled_and_smaller_than_the_source() {
    let site = site();
    site.build(DATE);
    let page = car_page(&site, "skoda-octavia");
    let page = gallery(&page);
    let gps_source = std::fs::metadata(site.root().join(PHOTOS).join("gps.jpg")).unwrap();
    for ext in [".jpg", ".webp"] {
        let entries = srcset_entries(page, ext);
        let mut widths: Vec<u32> = entries.iter().map(|(_, w)| *w).collect();
        widths.sort();
        // gps.jpg (800 wide) and plain.jpg (640): 200 and 400 each; 1200 is never made.
        assert_eq!(widths, [200, 200, 400, 400], "{ext}: {entries:?}");
        for (url, width) in entries {
            assert!(url.starts_with("/photos/"), "{url}");
            let name = url.trim_start_matches("/photos/");
            let (hash, _) = name.split_once('-').unwrap();
            assert!(hash.len() == 10 && hash.chars().all(|c| c.is_ascii_hexdigit()));
            let file = site.output().join(url.trim_start_matches('/'));
            let (w, h) = dimensions(&file);
            assert_eq!(w, width, "{url}");
            assert_eq!(h * 4, w * 3, "{url} keeps the 4:3 aspect ratio");
            assert!(
                std::fs::metadata(&file).unwrap().len() < gps_source.len(),
                "{url}"
            );
        }
    }
    assert!(
        page.contains("<picture><source type=\"image/webp\""),
        "{page}"
    );
    assert!(page.contains("alt=\"Skoda Octavia 2020 (1)\""));
    assert!(
        page.contains("loading=\"eager\""),
        "first gallery photo is eager"
    );
    assert!(
        page.contains("loading=\"lazy\""),
        "later gallery photos are lazy"
    );

    // A source narrower than every width is published at its own width only.
    let mazda = car_page(&site, "mazda-mx-5");
    let widths: Vec<u32> = srcset_entries(gallery(&mazda), ".jpg")
        .iter()
        .map(|e| e.1)
        .collect();
    assert_eq!(widths, [150]);

    // The originals are never published, and the photos are immutable.
    let published: Vec<String> = walkdir::WalkDir::new(site.output().join("photos"))
        .into_iter()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !published
            .iter()
            .any(|n| n.contains("gps") || n.contains("plain"))
    );
    assert!(
        site.page("_headers")
            .contains("/photos/*\n  ! Cache-Control")
    );
}

#[test]
fn no_exif_gps_or_xmp_reaches_any_output_image() {
    let site = site();
    // The source really carries its metadata, as a decoder sees it.
    let source = std::fs::read(site.root().join(PHOTOS).join("gps.jpg")).unwrap();
    let mut decoder = ImageReader::new(Cursor::new(&source))
        .with_guessed_format()
        .unwrap()
        .into_decoder()
        .unwrap();
    assert!(decoder.exif_metadata().unwrap().is_some());

    site.build(DATE);
    let mut checked = 0;
    for entry in walkdir::WalkDir::new(site.output().join("photos")) {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        let bytes = std::fs::read(entry.path()).unwrap();
        let name = entry.path().display().to_string();
        let window = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
        assert!(!window(b"Exif\0\0"), "{name} has an Exif segment");
        assert!(!window(b"ns.adobe.com/xap"), "{name} has XMP");
        assert!(!window(b"GPSLatitude"), "{name} has GPS");
        if name.ends_with(".webp") {
            assert!(
                !window(b"EXIF") && !window(b"XMP "),
                "{name} has a metadata chunk"
            );
        }
        let mut decoder = ImageReader::new(Cursor::new(&bytes))
            .with_guessed_format()
            .unwrap()
            .into_decoder()
            .unwrap();
        assert_eq!(decoder.exif_metadata().unwrap(), None, "{name}");
        checked += 1;
    }
    // gps + plain at 200 and 400, narrow at 150: five variants, two formats each.
    assert_eq!(checked, 10);
}

#[test]
fn corrupt_oversized_and_missing_photos_warn_naming_file_and_car_and_the_cars_are_published() {
    let site = site();
    let report = site.build(DATE);
    assert!(!report.has_errors(), "{:#?}", report.problems);
    let warnings: Vec<String> = report.problems.iter().map(|p| p.to_string()).collect();
    let has = |file: &str, words: &[&str]| {
        warnings
            .iter()
            .any(|w| w.contains(file) && words.iter().all(|word| w.contains(word)))
    };
    assert!(
        has("photos/corrupt.jpg", &["lot-one/PH-2", "decoded"]),
        "{warnings:#?}"
    );
    assert!(
        has("photos/huge.jpg", &["lot-one/PH-3", "max_pixels"]),
        "{warnings:#?}"
    );
    assert!(has("photos/missing.jpg", &[]), "{warnings:#?}");

    // The Mazda keeps its good photo; the Fiat has none left and shows the placeholder.
    let mazda = car_page(&site, "mazda-mx-5");
    assert_eq!(gallery(&mazda).matches("<picture>").count(), 1);
    let fiat = car_page(&site, "fiat-panda");
    assert!(gallery(&fiat).contains("class=\"no-photo\""), "{fiat}");
    // A remote photo passes through as it is, as a plain image.
    let opel = car_page(&site, "opel-corsa");
    assert!(
        opel.contains("<img src=\"https://cdn.lot-one.example/ph-4.jpg\""),
        "{opel}"
    );
    assert!(!gallery(&opel).contains("<picture>"), "{opel}");
}

#[test]
fn a_second_build_takes_every_photo_from_the_cache() {
    let site = site();
    let first = site.build(DATE);
    assert_eq!((first.photos.encoded, first.photos.cached), (3, 0));
    assert!(showroom::images::cache_dir(site.root()).is_dir());
    let before = common::snapshot(&site.output().join("photos"));

    // Something unrelated changes, so the site is rebuilt rather than skipped whole.
    site.write(
        "content/_index.md",
        "+++\ntitle = \"Changed\"\n+++\n\nNew text.\n",
    );
    let second = site.build(DATE);
    assert!(!second.unchanged);
    assert_eq!((second.photos.encoded, second.photos.cached), (0, 3));
    assert_eq!(common::snapshot(&site.output().join("photos")), before);

    // A changed photo is encoded again, under a new name; the others stay cached.
    std::fs::write(site.root().join(PHOTOS).join("plain.jpg"), jpeg(660, 495)).unwrap();
    // Entries made in the last ten minutes are never pruned (another build may be
    // using them): these were made an hour ago.
    let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for entry in std::fs::read_dir(showroom::images::cache_dir(site.root())).unwrap() {
        let folder = std::fs::File::open(entry.unwrap().path()).unwrap();
        folder.set_modified(an_hour_ago).unwrap();
    }
    let third = site.build(DATE);
    assert_eq!((third.photos.encoded, third.photos.cached), (1, 2));
    // The old version's entry is used by nothing now: the cache keeps one per photo.
    assert_eq!(third.photos.pruned, 1);
    let entries = std::fs::read_dir(showroom::images::cache_dir(site.root())).unwrap();
    assert_eq!(entries.count(), 3);
}

#[test]
fn every_broken_photo_is_in_its_suppliers_report_however_many() {
    let site = site();
    let mut feed = common::read(site.root().join("data/feeds/lot-one/inventory.csv"));
    for i in 0..30 {
        std::fs::write(
            site.root().join(PHOTOS).join(format!("gone-{i}.jpg")),
            format!("not a photo {i}"),
        )
        .unwrap();
        feed.push_str(&format!(
            "BAD-{i},Skoda,Fabia,2019,\"9,900 EUR\",80000,KM,2025-05-20,photos/gone-{i}.jpg,\n"
        ));
    }
    site.write("data/feeds/lot-one/inventory.csv", &feed);
    let report = site.build(DATE);
    assert!(!report.has_errors(), "{:#?}", report.problems);
    let lot_one = &report.suppliers[0];
    let gone = lot_one
        .problems
        .iter()
        .filter(|p| {
            p.message.contains("left out") && p.file.as_deref().is_some_and(|f| f.contains("gone-"))
        })
        .count();
    assert_eq!(gone, 30, "{:#?}", lot_one.problems);
}
