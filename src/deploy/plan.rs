//! The delta: what to upload, in which order, what to delete and what to keep, from the
//! built output's manifest and what the bucket holds. Pure: no request is made here.

use super::headers::HeaderRules;
use super::remote::{Entry, HeaderTable, Kept, RemoteManifest};
use crate::output::Listed;
use jiff::{SignedDuration, Timestamp};
use std::collections::BTreeMap;

/// Upload order, so that no visitor is served a page whose stylesheet, script or photo
/// is not there yet, nor a sitemap or feed that links to a page that is not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Fingerprinted files and photos: new names, referenced by the pages.
    Asset,
    /// Pages and every other file.
    Page,
    /// Sitemaps, feeds, `robots.txt`, the search index and `gone.json`: they point at
    /// pages, so they go up once the pages are there.
    Index,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Asset, Kind::Page, Kind::Index];

    pub fn of(path: &str, immutable: bool) -> Kind {
        let name = path.rsplit('/').next().unwrap_or(path);
        if immutable || path.starts_with("photos/") {
            Kind::Asset
        } else if (name.starts_with("sitemap") && name.ends_with(".xml"))
            || matches!(
                name,
                "atom.xml" | "rss.xml" | "robots.txt" | "index.json" | "gone.json"
            )
        {
            Kind::Index
        } else {
            Kind::Page
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Asset => "assets and photos",
            Kind::Page => "pages",
            Kind::Index => "sitemaps and feeds",
        }
    }
}

/// What the bucket is known to hold.
pub enum Remote<'a> {
    /// The last deploy's manifest.
    Manifest(&'a RemoteManifest),
    /// No manifest of a deploy: the bucket's objects under the prefix, by output path.
    Listing(&'a BTreeMap<String, u64>),
}

#[derive(Debug, Clone)]
pub struct Upload {
    pub path: String,
    pub size: u64,
    pub blake3: String,
    /// Index into [`Plan::headers`].
    pub headers: usize,
    pub kind: Kind,
    /// The object may already be there with these bytes and headers (same size in a
    /// listing, or a deploy was interrupted): look before uploading.
    pub check: bool,
}

#[derive(Debug)]
pub struct Plan {
    /// In upload order: by kind, then path.
    pub uploads: Vec<Upload>,
    /// Output paths to delete once the new manifest is written.
    pub deletes: Vec<String>,
    /// Superseded fingerprinted files that stay for now.
    pub kept: BTreeMap<String, Kept>,
    /// The next remote manifest's files and header table.
    pub files: BTreeMap<String, Entry>,
    pub headers: HeaderTable,
    /// Files already in the bucket as they are.
    pub unchanged: usize,
}

pub struct Inputs<'a> {
    pub local: &'a BTreeMap<String, Listed>,
    pub rules: &'a HeaderRules,
    pub remote: Remote<'a>,
    pub now: Timestamp,
    pub keep_assets_days: u32,
    /// A deploy was interrupted: any planned upload may already be there.
    pub resume: bool,
}

pub fn plan(inputs: Inputs) -> Plan {
    let Inputs {
        local,
        rules,
        remote,
        now,
        keep_assets_days,
        resume,
    } = inputs;
    let keep_until = now + SignedDuration::from_hours(24 * i64::from(keep_assets_days));
    let mut headers = HeaderTable::default();
    let mut files = BTreeMap::new();
    let mut uploads = Vec::new();
    let mut unchanged = 0;
    for (path, listed) in local {
        let wanted = rules.for_path(path);
        let index = headers.index(&wanted);
        files.insert(
            path.clone(),
            Entry {
                blake3: listed.blake3.clone(),
                size: listed.size,
                headers: index,
            },
        );
        let there = match &remote {
            Remote::Manifest(m) => match m.files.get(path) {
                Some(e) => e.blake3 == listed.blake3 && m.headers_of(e) == &wanted,
                None => m.deploy.kept.get(path).is_some_and(|k| {
                    k.blake3.as_ref() == Some(&listed.blake3) && wanted.immutable()
                }),
            },
            Remote::Listing(_) => false,
        };
        if there {
            unchanged += 1;
            continue;
        }
        let check = resume
            || match &remote {
                Remote::Manifest(m) => m.deploy.deleting.contains(path),
                Remote::Listing(objects) => objects.get(path) == Some(&listed.size),
            };
        uploads.push(Upload {
            path: path.clone(),
            size: listed.size,
            blake3: listed.blake3.clone(),
            headers: index,
            kind: Kind::of(path, wanted.immutable()),
            check,
        });
    }
    uploads.sort_by(|a, b| (a.kind, &a.path).cmp(&(b.kind, &b.path)));

    let mut kept = BTreeMap::new();
    let mut deletes = Vec::new();
    let mut gone = |path: &str, immutable: bool, size: u64, blake3: Option<String>| {
        if local.contains_key(path) {
            return;
        }
        if immutable {
            let until = keep_until;
            kept.insert(
                path.to_string(),
                Kept {
                    size,
                    until,
                    blake3,
                },
            );
        } else {
            deletes.push(path.to_string());
        }
    };
    match &remote {
        Remote::Manifest(m) => {
            for (path, e) in &m.files {
                gone(
                    path,
                    m.headers_of(e).immutable(),
                    e.size,
                    Some(e.blake3.clone()),
                );
            }
            for (path, k) in &m.deploy.kept {
                if local.contains_key(path) {
                    continue;
                }
                if k.until > now {
                    kept.insert(path.clone(), k.clone());
                } else {
                    deletes.push(path.clone());
                }
            }
            for path in &m.deploy.deleting {
                if !local.contains_key(path) {
                    deletes.push(path.clone());
                }
            }
        }
        Remote::Listing(objects) => {
            for (path, &size) in objects.iter() {
                gone(path, fingerprinted_name(path), size, None);
            }
        }
    }
    deletes.sort();
    deletes.dedup();
    deletes.retain(|p| !kept.contains_key(p));
    Plan {
        uploads,
        deletes,
        kept,
        files,
        headers,
        unchanged,
    }
}

/// A name as the build fingerprints it (`css/site.0123456789.css`) or a photo: without
/// a manifest, what a listing shows of superseded assets.
fn fingerprinted_name(path: &str) -> bool {
    if path.starts_with("photos/") {
        return true;
    }
    let mut parts = path.rsplit('.');
    let (Some(ext), Some(hash)) = (parts.next(), parts.next()) else {
        return false;
    };
    matches!(ext, "css" | "js")
        && hash.len() == 10
        && hash
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        && parts.next().is_some()
}

/// What CDN caches to purge: every changed or deleted file but fingerprinted ones, as
/// the URL path a visitor asks for (`/cars/x/` for `cars/x/index.html`).
pub fn purge_path(path: &str) -> String {
    match path.strip_suffix("index.html") {
        Some(dir) if dir.is_empty() || dir.ends_with('/') => format!("/{dir}"),
        _ => format!("/{path}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deploy::remote::Deployed;
    use crate::output;

    fn listed(hash: &str, size: u64) -> Listed {
        Listed {
            blake3: hash.into(),
            size,
        }
    }

    fn rules() -> HeaderRules {
        HeaderRules::parse(&output::headers(&["s.0123456789.css".into()], false)).unwrap()
    }

    fn now() -> Timestamp {
        "2026-11-23T10:00:00Z".parse().unwrap()
    }

    /// The plan for `local` against `remote`, as of [`now`], keeping assets 7 days.
    fn plan_for(local: &BTreeMap<String, Listed>, remote: Remote) -> Plan {
        plan(Inputs {
            local,
            rules: &rules(),
            remote,
            now: now(),
            keep_assets_days: 7,
            resume: false,
        })
    }

    #[test]
    fn files_that_point_at_pages_go_up_after_them() {
        for path in [
            "sitemap.xml",
            "sitemap-cars-1.xml",
            "atom.xml",
            "robots.txt",
            "cars/index.json",
            "gone.json",
        ] {
            assert_eq!(Kind::of(path, false), Kind::Index, "{path}");
        }
        assert_eq!(Kind::of("cars/x/index.html", false), Kind::Page);
        assert_eq!(Kind::of("data.json", false), Kind::Page);
        assert_eq!(Kind::of("style.0123456789.css", true), Kind::Asset);
        assert_eq!(Kind::of("photos/ab/x-480.webp", false), Kind::Asset);
    }

    fn first_deploy(local: &BTreeMap<String, Listed>) -> RemoteManifest {
        let p = plan_for(local, Remote::Listing(&BTreeMap::new()));
        RemoteManifest {
            files: p.files,
            deploy: Deployed {
                at: now(),
                headers: p.headers.into_list(),
                kept: p.kept,
                deleting: p.deletes,
            },
        }
    }

    #[test]
    fn uploads_assets_then_pages_then_sitemaps_and_feeds() {
        let local = BTreeMap::from([
            ("sitemap.xml".to_string(), listed("a", 1)),
            ("index.html".to_string(), listed("b", 1)),
            ("s.0123456789.css".to_string(), listed("c", 1)),
            ("cars/atom.xml".to_string(), listed("d", 1)),
            ("photos/ab/x-480.webp".to_string(), listed("e", 1)),
            ("about/index.html".to_string(), listed("f", 1)),
        ]);
        let p = plan_for(&local, Remote::Listing(&BTreeMap::new()));
        let order: Vec<&str> = p.uploads.iter().map(|u| u.path.as_str()).collect();
        assert_eq!(
            order,
            [
                "photos/ab/x-480.webp",
                "s.0123456789.css",
                "about/index.html",
                "index.html",
                "cars/atom.xml",
                "sitemap.xml"
            ]
        );
        assert!(p.deletes.is_empty() && p.kept.is_empty());
    }

    #[test]
    fn against_a_manifest_only_changed_bytes_or_headers_upload_and_old_assets_are_kept() {
        let mut local = BTreeMap::from([
            ("index.html".to_string(), listed("a", 1)),
            ("gone/index.html".to_string(), listed("b", 1)),
            ("s.0123456789.css".to_string(), listed("c", 1)),
        ]);
        let remote = first_deploy(&local);
        local.insert("index.html".into(), listed("a2", 1));
        local.remove("gone/index.html");
        local.remove("s.0123456789.css");
        local.insert("s.9999999999.css".into(), listed("c2", 1));
        local.insert("new/index.html".into(), listed("n", 1));
        let p = plan_for(&local, Remote::Manifest(&remote));
        let uploads: Vec<&str> = p.uploads.iter().map(|u| u.path.as_str()).collect();
        assert_eq!(
            uploads,
            ["index.html", "new/index.html", "s.9999999999.css"]
        );
        assert_eq!(p.deletes, ["gone/index.html"]);
        let kept = &p.kept["s.0123456789.css"];
        assert_eq!(kept.until, "2026-11-30T10:00:00Z".parse().unwrap());
        assert!(p.uploads.iter().all(|u| !u.check));
        assert_eq!(p.unchanged, 0);
    }

    #[test]
    fn a_kept_asset_goes_after_its_days_and_comes_back_without_upload() {
        let local = BTreeMap::from([("s.0123456789.css".to_string(), listed("c", 1))]);
        let mut remote = first_deploy(&BTreeMap::new());
        remote.deploy.kept.insert(
            "s.0123456789.css".into(),
            Kept {
                size: 1,
                until: now() + SignedDuration::from_hours(1),
                blake3: Some("c".into()),
            },
        );
        remote.deploy.kept.insert(
            "old.0123456789.js".into(),
            Kept {
                size: 1,
                until: now(),
                blake3: None,
            },
        );
        let p = plan_for(&local, Remote::Manifest(&remote));
        assert!(p.uploads.is_empty());
        assert_eq!(p.unchanged, 1);
        assert_eq!(p.deletes, ["old.0123456789.js"]);
        assert!(p.kept.is_empty());
    }

    #[test]
    fn a_changed_caching_rule_uploads_the_file_again() {
        let local = BTreeMap::from([("s.0123456789.css".to_string(), listed("c", 1))]);
        let mut remote = first_deploy(&local);
        remote.deploy.headers[0].cache_control = "no-cache".into();
        let p = plan_for(&local, Remote::Manifest(&remote));
        assert_eq!(p.uploads.len(), 1);
    }

    #[test]
    fn a_listing_checks_same_size_objects_and_keeps_fingerprinted_strangers() {
        let local = BTreeMap::from([
            ("a/index.html".to_string(), listed("a", 5)),
            ("b/index.html".to_string(), listed("b", 5)),
        ]);
        let objects = BTreeMap::from([
            ("a/index.html".to_string(), 5),
            ("b/index.html".to_string(), 4),
            ("old/index.html".to_string(), 4),
            ("css/site.abcdef0123.css".to_string(), 4),
            ("photos/x.jpg".to_string(), 4),
        ]);
        let p = plan_for(&local, Remote::Listing(&objects));
        let checks: Vec<(&str, bool)> = p
            .uploads
            .iter()
            .map(|u| (u.path.as_str(), u.check))
            .collect();
        assert_eq!(checks, [("a/index.html", true), ("b/index.html", false)]);
        assert_eq!(p.deletes, ["old/index.html"]);
        assert_eq!(
            p.kept.keys().collect::<Vec<_>>(),
            ["css/site.abcdef0123.css", "photos/x.jpg"]
        );
    }

    #[test]
    fn purge_paths_are_urls() {
        assert_eq!(purge_path("index.html"), "/");
        assert_eq!(purge_path("cars/x/index.html"), "/cars/x/");
        assert_eq!(purge_path("404.html"), "/404.html");
        assert_eq!(purge_path("sitemap.xml"), "/sitemap.xml");
        assert_eq!(purge_path("notindex.html"), "/notindex.html");
    }

    #[test]
    fn fingerprinted_names_are_recognised_in_a_listing() {
        assert!(fingerprinted_name("css/site.0123456789.css"));
        assert!(fingerprinted_name("photos/ab/x.jpg"));
        assert!(!fingerprinted_name("site.css"));
        assert!(!fingerprinted_name("0123456789.css"));
        assert!(!fingerprinted_name("x.0123456789.html"));
        assert!(!fingerprinted_name("x.ABCDEF0123.css"));
    }
}
