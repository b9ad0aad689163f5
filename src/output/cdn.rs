//! What a CDN needs beside the pages: `_headers` (caching and security headers, in the
//! format Netlify and Cloudflare Pages read), `manifest.json` (every file with its size
//! and hash, so CI uploads only what changed), and unchanged files keeping their
//! modification time, so rsync-style tools see no change either.

use serde::Serialize;
use std::collections::BTreeMap;
use std::io;
use std::path::Path;

pub const MANIFEST: &str = "manifest.json";

/// Content-Security-Policy the theme's pages satisfy: no inline or third-party scripts,
/// photos from anywhere over https (suppliers' remote images).
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
img-src 'self' https: data:; connect-src 'self'; font-src 'self'; object-src 'none'; \
base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// Browsers remember for a year to reach the site over https only. Subdomains are left
/// out: a marketplace does not always own every host under its name.
const HSTS: &str = "max-age=31536000";

/// `Cache-Control` of everything but fingerprinted files: browsers and CDNs check back
/// on every visit, so a new build shows at once.
pub const REVALIDATE: &str = "public, max-age=0, must-revalidate";

/// `Cache-Control` of a file whose name carries its content hash: kept for a year.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The `Content-Type` a host should send with an output file, by its extension, with
/// `charset=utf-8` on every text type (the output is always UTF-8); anything else is
/// bytes. `serve` and `deploy` both use it.
pub fn content_type(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or(path);
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("json" | "map") => "application/json; charset=utf-8",
        Some("webmanifest") => "application/manifest+json; charset=utf-8",
        Some("xml") if name == "atom.xml" => "application/atom+xml; charset=utf-8",
        Some("xml") => "application/xml; charset=utf-8",
        Some("txt") => "text/plain; charset=utf-8",
        Some("csv") => "text/csv; charset=utf-8",
        Some("svg") => "image/svg+xml; charset=utf-8",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("webp") => "image/webp",
        Some("avif") => "image/avif",
        Some("gif") => "image/gif",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        Some("woff") => "font/woff",
        Some("ttf") => "font/ttf",
        Some("otf") => "font/otf",
        Some("pdf") => "application/pdf",
        Some("wasm") => "application/wasm",
        _ => "application/octet-stream",
    }
}

/// `immutable` lists the output paths whose names carry their content hash; every
/// photo under `/photos/` is immutable too, its name being a content hash, and so is the
/// search index under `/cars/search/`, in a folder named by the hash of its files.
/// `https`: the site is published over https, so browsers are told to keep to it.
pub fn headers(immutable: &[String], https: bool) -> String {
    let mut out = String::from("/*\n");
    let hsts = https.then_some(("Strict-Transport-Security", HSTS));
    for (name, value) in hsts.into_iter().chain([
        ("Content-Security-Policy", CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
        (
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=(), payment=(), browsing-topics=()",
        ),
        ("X-Frame-Options", "DENY"),
        ("Cache-Control", REVALIDATE),
    ]) {
        out.push_str(&format!("  {name}: {value}\n"));
    }
    // Every published photo's name is the hash of its source and settings; the search
    // index's folder is the hash of its files.
    let photos = ["photos/*".to_string(), "cars/search/*".to_string()];
    for path in immutable.iter().cloned().chain(photos) {
        out.push_str(&format!(
            "\n/{path}\n  ! Cache-Control\n  Cache-Control: {IMMUTABLE}\n"
        ));
    }
    out
}

#[derive(Serialize)]
struct ManifestEntry<'a> {
    blake3: &'a str,
    size: u64,
}

#[derive(Serialize)]
struct Manifest<'a> {
    #[serde(serialize_with = "entries")]
    files: &'a BTreeMap<String, (u64, String)>,
}

fn entries<S: serde::Serializer>(
    files: &&BTreeMap<String, (u64, String)>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_map(files.iter().map(|(path, (size, hash))| {
        let entry = ManifestEntry {
            size: *size,
            blake3: hash,
        };
        (path, entry)
    }))
}

/// Sorted by path, so the same site gives the same manifest. Written straight from the
/// map of written files, not through a copy as JSON values (BENCHMARKS.md has what that
/// cost).
pub fn manifest(written: &BTreeMap<String, (u64, String)>) -> Vec<u8> {
    // About 200 bytes an entry: sized once, not grown by copying a large site's manifest.
    let mut bytes = Vec::with_capacity(200 * written.len() + 64);
    serde_json::to_writer_pretty(&mut bytes, &Manifest { files: written })
        .expect("a map of strings and numbers serializes");
    bytes.push(b'\n');
    bytes
}

pub fn entry(bytes: &[u8]) -> (u64, String) {
    (bytes.len() as u64, blake3::hash(bytes).to_hex().to_string())
}

/// One file as an earlier build's `manifest.json` lists it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Listed {
    pub blake3: String,
    pub size: u64,
}

/// The files the `manifest.json` in `dir` lists, by output path; `None` without a
/// readable one.
pub fn read_manifest(dir: &Path) -> Option<BTreeMap<String, Listed>> {
    parse_manifest(&std::fs::read(dir.join(MANIFEST)).ok()?)
}

/// The files a manifest's bytes list.
pub fn parse_manifest(bytes: &[u8]) -> Option<BTreeMap<String, Listed>> {
    #[derive(serde::Deserialize)]
    struct Manifest {
        files: BTreeMap<String, Listed>,
    }
    serde_json::from_slice::<Manifest>(bytes)
        .ok()
        .map(|m| m.files)
}

/// Gives each new file whose bytes equal the previous output's the old file's
/// modification time. The previous manifest says what the old bytes were; without it,
/// the old file is hashed.
pub fn keep_unchanged_times(
    old_dir: &Path,
    new_dir: &Path,
    written: &BTreeMap<String, (u64, String)>,
) -> io::Result<()> {
    if !old_dir.is_dir() {
        return Ok(());
    }
    let old_manifest = read_manifest(old_dir).unwrap_or_default();
    use rayon::prelude::*;
    written.par_iter().try_for_each(|(rel, (size, hash))| {
        let old = old_dir.join(rel);
        let Ok(meta) = std::fs::metadata(&old) else {
            return Ok(());
        };
        if meta.len() != *size {
            return Ok(());
        }
        let same = match old_manifest.get(rel) {
            Some(old) => old.blake3 == *hash,
            None => std::fs::read(&old)
                .map(|b| blake3::hash(&b).to_hex().as_str() == hash)
                .unwrap_or(false),
        };
        if same {
            let file = std::fs::File::options()
                .write(true)
                .open(new_dir.join(rel))?;
            file.set_modified(meta.modified()?)?;
        }
        Ok(())
    })
}
