//! `showroom deploy` and `showroom state` against a real S3-compatible server on
//! 127.0.0.1 (tests/s3/): the library for what it did, the binary for exit codes,
//! messages and processes killed or running side by side.

mod common;
mod s3;

use common::Fixture;
use object_store::aws::AmazonS3Builder;
use object_store::path::Path as Key;
use object_store::{Attribute, GetOptions, ObjectStore, ObjectStoreExt, PutPayload};
use s3::S3;
use showroom::deploy::{
    self, Compared, Credentials, DeployError, DeployOptions, RemoteManifest, StateOptions,
};
use showroom::output::{self, Listed};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Output, Stdio};

const DATE: &str = "2026-11-23";

struct Setup {
    site: Fixture,
    s3: S3,
}

/// The market fixture built, with `[deploy]` pointing at a fresh server.
fn setup(extra: &str) -> Setup {
    let s3 = S3::start();
    let site = Fixture::new("market");
    let config = std::fs::read_to_string(site.root().join("config.toml")).unwrap();
    site.write(
        "config.toml",
        &format!(
            "{config}\n[deploy]\nbucket = \"site\"\nendpoint = \"{}\"\nregion = \"us-east-1\"\n{extra}",
            s3.endpoint
        ),
    );
    build(&site);
    Setup { site, s3 }
}

/// Builds as of [`DATE`]; the fixture's deliberate warnings are allowed.
fn build(site: &Fixture) {
    let report = site.build(DATE);
    assert!(!report.has_errors(), "{:#?}", report.problems);
}

fn keys() -> Credentials {
    Credentials::Keys {
        id: s3::KEY_ID.into(),
        secret: s3::SECRET.into(),
        token: None,
    }
}

fn now() -> jiff::Timestamp {
    "2026-11-23T12:00:00Z".parse().unwrap()
}

impl Setup {
    fn options(&self) -> DeployOptions {
        let config = showroom::config::Config::load(self.site.root()).unwrap();
        DeployOptions {
            output: self.site.output(),
            max_deletes: config.deploy.max_deletes,
            config: config.deploy,
            credentials: keys(),
            dry_run: false,
            now: now(),
            me: deploy::Me::this_process(),
            report: Some(self.site.root().join("reports/deploy.json")),
            multipart_bytes: deploy::MULTIPART_BYTES,
        }
    }

    fn deploy(&self) -> deploy::Summary {
        deploy::deploy(&self.options(), &deploy::Silent).expect("the deploy succeeds")
    }

    fn local(&self) -> BTreeMap<String, Listed> {
        output::read_manifest(&self.site.output()).unwrap()
    }

    fn remote(&self) -> RemoteManifest {
        RemoteManifest::parse(&self.s3.object("manifest.json").expect("a remote manifest"))
            .expect("a deploy's manifest")
    }

    /// `showroom deploy --root <site>` with the server's keys and `args`.
    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_showroom"));
        cmd.args(["deploy", "--root", self.site.root().to_str().unwrap()])
            .args(args)
            .env("AWS_ACCESS_KEY_ID", s3::KEY_ID)
            .env("AWS_SECRET_ACCESS_KEY", s3::SECRET)
            .env_remove("AWS_SESSION_TOKEN")
            .env_remove("AWS_PROFILE");
        cmd
    }

    /// A deploy started in the background whose uploads the server holds after the
    /// first `uploads`: returns once it is held there.
    fn start_held_after(&self, uploads: usize) -> std::process::Child {
        self.s3.hold_uploads_after(uploads);
        let child = self
            .command(&[])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        self.s3.wait_until_held();
        child
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// Every file the remote manifest lists is an object with the listed bytes.
    fn assert_manifest_holds(&self) {
        let remote = self.remote();
        for (path, entry) in &remote.files {
            let bytes = self
                .s3
                .object(path)
                .unwrap_or_else(|| panic!("the manifest lists {path}, which is not there"));
            assert_eq!(
                blake3::hash(&bytes).to_hex().as_str(),
                entry.blake3,
                "{path}"
            );
        }
        for path in remote.deploy.kept.keys() {
            assert!(self.s3.object(path).is_some(), "kept {path} is not there");
        }
    }

    /// The bucket holds exactly the output (and the manifest, and the superseded
    /// fingerprinted files the remote manifest keeps).
    fn assert_bucket_is_output(&self) {
        let mut want: BTreeSet<String> = self.local().into_keys().collect();
        want.insert("manifest.json".into());
        want.extend(self.remote().deploy.kept.into_keys());
        let have: BTreeSet<String> = self.s3.keys().into_iter().collect();
        assert_eq!(have, want);
        for path in self.local().keys() {
            let local = std::fs::read(self.site.output().join(path)).unwrap();
            assert_eq!(self.s3.object(path).unwrap(), local, "{path}");
        }
    }
}

/// What a client sees of an object: Content-Type, Cache-Control, the blake3 metadata.
fn head(s3: &S3, key: &str) -> (String, String, String) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let store = AmazonS3Builder::new()
        .with_bucket_name(s3::BUCKET)
        .with_endpoint(&s3.endpoint)
        .with_allow_http(true)
        .with_region("us-east-1")
        .with_access_key_id(s3::KEY_ID)
        .with_secret_access_key(s3::SECRET)
        .build()
        .unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let opts = GetOptions {
        head: true,
        ..Default::default()
    };
    let found = runtime
        .block_on(store.get_opts(&Key::from(key), opts))
        .unwrap();
    let get = |a: Attribute| {
        found
            .attributes
            .get(&a)
            .map(|v| v.to_string())
            .unwrap_or_default()
    };
    (
        get(Attribute::ContentType),
        get(Attribute::CacheControl),
        get(Attribute::Metadata(deploy::HASH_METADATA.into())),
    )
}

fn raw_store(s3: &S3) -> impl ObjectStore {
    let _ = rustls::crypto::ring::default_provider().install_default();
    AmazonS3Builder::new()
        .with_bucket_name(s3::BUCKET)
        .with_endpoint(&s3.endpoint)
        .with_allow_http(true)
        .with_region("us-east-1")
        .with_access_key_id(s3::KEY_ID)
        .with_secret_access_key(s3::SECRET)
        .build()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Position of the first and last upload of each kind of path in the server's log.
fn kind_of(path: &str) -> u8 {
    if path.ends_with(".css")
        || path.ends_with(".js")
        || path.starts_with("photos/")
        || path.starts_with("cars/search/")
    {
        0
    } else if path.contains("sitemap")
        || path.ends_with("atom.xml")
        || path == "robots.txt"
        || path == "gone.json"
        || path.ends_with("index.json")
    {
        2
    } else {
        1
    }
}

#[test]
fn the_server_really_refuses_a_stale_conditional_write() {
    // The deploy's safety rests on this: check it of the server, not only of the client.
    let s3 = S3::start();
    let store = raw_store(&s3);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let key = Key::from("x");
        let create = || object_store::PutOptions::from(object_store::PutMode::Create);
        let first = store
            .put_opts(&key, PutPayload::from("1"), create())
            .await
            .unwrap();
        let again = store.put_opts(&key, PutPayload::from("2"), create()).await;
        assert!(
            matches!(again, Err(object_store::Error::AlreadyExists { .. })),
            "{again:?}"
        );
        let version: object_store::UpdateVersion = first.into();
        let update = |v: object_store::UpdateVersion| {
            object_store::PutOptions::from(object_store::PutMode::Update(v))
        };
        store
            .put_opts(&key, PutPayload::from("3"), update(version.clone()))
            .await
            .unwrap();
        let stale = store
            .put_opts(&key, PutPayload::from("4"), update(version))
            .await;
        assert!(
            matches!(stale, Err(object_store::Error::Precondition { .. })),
            "{stale:?}"
        );
    });
    assert_eq!(s3.object("x").unwrap(), b"3");
}

#[test]
fn first_deploy_uploads_everything_assets_first_and_the_manifest_last() {
    let setup = setup("");
    let local = setup.local();
    let summary = setup.deploy();
    assert_eq!(summary.compared, Compared::Listing);
    assert_eq!(summary.uploaded, local.len());
    assert_eq!(summary.deleted, 0);
    setup.assert_bucket_is_output();
    setup.assert_manifest_holds();

    let seen = setup.s3.seen();
    let puts: Vec<&str> = seen
        .iter()
        .filter(|s| s.method == "PUT" && s.key != ".showroom-deploy.lock")
        .map(|s| s.key.as_str())
        .collect();
    assert_eq!(
        puts.last(),
        Some(&"manifest.json"),
        "the manifest goes last"
    );
    let kinds: Vec<u8> = puts[..puts.len() - 1].iter().map(|p| kind_of(p)).collect();
    assert!(kinds.contains(&0) && kinds.contains(&1) && kinds.contains(&2));
    assert!(
        kinds.is_sorted(),
        "assets, then pages, then sitemaps and feeds: {puts:?}"
    );
    // The lock was taken first and released last.
    let first_write = seen
        .iter()
        .find(|s| !matches!(s.method.as_str(), "GET" | "HEAD"))
        .unwrap();
    assert_eq!(
        (first_write.method.as_str(), first_write.key.as_str()),
        ("PUT", ".showroom-deploy.lock")
    );
    assert_eq!(
        seen.last().map(|s| (s.method.as_str(), s.key.as_str())),
        Some(("DELETE", ".showroom-deploy.lock"))
    );
    assert!(setup.s3.object(".showroom-deploy.lock").is_none());
}

#[test]
fn objects_carry_content_type_with_charset_cache_control_from_the_headers_rules_and_their_hash() {
    let setup = setup("");
    setup.deploy();
    let local = setup.local();
    let page = "cars/bmw-3-series-2019-north-n1/index.html";
    let (content_type, cache, hash) = head(&setup.s3, page);
    assert_eq!(content_type, "text/html; charset=utf-8");
    assert_eq!(cache, output::REVALIDATE);
    assert_eq!(hash, local[page].blake3);
    let css = local
        .keys()
        .find(|p| p.starts_with("style.") && p.ends_with(".css"))
        .expect("a fingerprinted stylesheet");
    let headers = std::fs::read_to_string(setup.site.output().join("_headers")).unwrap();
    assert!(
        headers.contains(&format!("/{css}\n")),
        "_headers names {css}"
    );
    let (content_type, cache, _) = head(&setup.s3, css);
    assert_eq!(content_type, "text/css; charset=utf-8");
    assert_eq!(cache, output::IMMUTABLE);
    let (content_type, _, _) = head(&setup.s3, "sitemap.xml");
    assert_eq!(content_type, "application/xml; charset=utf-8");
    // The car finder's index: a folder named by its hash, cached for good.
    let index = local
        .keys()
        .find(|p| p.starts_with("cars/search/") && p.ends_with(".json"))
        .expect("a search index file");
    let (content_type, cache, _) = head(&setup.s3, index);
    assert_eq!(content_type, "application/json; charset=utf-8");
    assert_eq!(cache, output::IMMUTABLE);
}

#[test]
fn large_files_go_up_in_parts_with_the_same_headers() {
    let setup = setup("");
    let big = setup
        .local()
        .into_iter()
        .max_by_key(|(_, l)| l.size)
        .unwrap();
    let mut options = setup.options();
    options.multipart_bytes = big.1.size - 1;
    let summary = deploy::deploy(&options, &deploy::Silent).unwrap();
    assert!(
        setup
            .s3
            .seen()
            .iter()
            .any(|s| s.method == "POST" && s.query.contains("uploads"))
    );
    let (content_type, cache, hash) = head(&setup.s3, &big.0);
    assert_eq!(content_type, output::content_type(&big.0));
    let rules = std::fs::read_to_string(setup.site.output().join("_headers")).unwrap();
    let rules = deploy::HeaderRules::parse(&rules).unwrap();
    assert_eq!(cache, rules.cache_control(&big.0));
    assert_eq!(hash, big.1.blake3);
    assert_eq!(summary.uploaded, setup.local().len());
    setup.assert_bucket_is_output();
}

#[test]
fn a_second_deploy_with_nothing_changed_uploads_nothing() {
    let setup = setup("");
    setup.deploy();
    setup.s3.clear();
    let summary = setup.deploy();
    assert_eq!(summary.compared, Compared::Manifest);
    assert_eq!((summary.uploaded, summary.deleted), (0, 0));
    assert_eq!(summary.unchanged, setup.local().len());
    let writes: Vec<_> = setup
        .s3
        .seen()
        .into_iter()
        .filter(|s| {
            !matches!(s.method.as_str(), "GET" | "HEAD") && s.key != ".showroom-deploy.lock"
        })
        .collect();
    assert!(writes.is_empty(), "{writes:?}");
    assert!(summary.changed_paths.is_empty());
}

#[test]
fn one_price_change_uploads_its_page_the_lists_that_show_it_and_the_manifest() {
    let setup = setup("");
    setup.deploy();
    let before = setup.local();
    let feed = "data/feeds/north/cars.csv";
    let text = std::fs::read_to_string(setup.site.root().join(feed)).unwrap();
    setup
        .site
        .write(feed, &text.replace("\"21,500 EUR\"", "\"20,900 EUR\""));
    build(&setup.site);
    let after = setup.local();
    let changed: Vec<String> = after
        .iter()
        .filter(|(p, l)| before.get(*p).is_none_or(|b| b.blake3 != l.blake3))
        .map(|(p, _)| p.clone())
        .collect();
    // The car finder's index is written whole into a new folder named by its hash.
    let pages: Vec<&String> = changed
        .iter()
        .filter(|p| !p.starts_with("cars/search/"))
        .collect();
    let page = "cars/bmw-3-series-2019-north-n1/index.html".to_string();
    let list = "cars/brand/bmw/3-series/index.html".to_string();
    assert!(
        changed.contains(&page) && changed.contains(&list),
        "{changed:?}"
    );
    let site = after
        .keys()
        .filter(|p| !p.starts_with("cars/search/"))
        .count();
    assert!(
        pages.len() < site / 2,
        "a price is not the whole site: {} of {site}: {pages:?}",
        pages.len()
    );

    setup.s3.clear();
    let summary = setup.deploy();
    let mut uploaded = setup.s3.uploads();
    uploaded.sort();
    assert_eq!(uploaded, changed);
    assert_eq!(summary.uploaded, changed.len());
    let manifest_puts = setup
        .s3
        .seen()
        .iter()
        .filter(|s| s.method == "PUT" && s.key == "manifest.json")
        .count();
    assert_eq!(manifest_puts, 1);
    assert_eq!(summary.deleted, 0);
    setup.assert_bucket_is_output();

    let report: serde_json::Value = serde_json::from_slice(
        &std::fs::read(setup.site.root().join("reports/deploy.json")).unwrap(),
    )
    .unwrap();
    let paths: Vec<&str> = report["changed_paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(
        paths.contains(&"/cars/bmw-3-series-2019-north-n1/"),
        "{paths:?}"
    );
    assert!(paths.contains(&"/cars/brand/bmw/3-series/"));
    assert!(!paths.iter().any(|p| p.ends_with("index.html")));
}

#[test]
fn more_deletes_than_max_deletes_stop_the_deploy_before_anything_changes() {
    let setup = setup("");
    setup.deploy();
    let remote_before = setup.s3.object("manifest.json").unwrap();
    // South withdraws all its cars but one: their pages go.
    let feed = "data/feeds/south/cars.csv";
    let text = std::fs::read_to_string(setup.site.root().join(feed)).unwrap();
    let kept: Vec<&str> = text.lines().take(2).collect();
    setup.site.write(feed, &format!("{}\n", kept.join("\n")));
    build(&setup.site);
    setup.s3.clear();

    let out = setup.run(&["--max-deletes", "1"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("more than max_deletes (1)")
            && err.contains("nothing was uploaded or deleted"),
        "{err}"
    );
    let writes: Vec<_> = setup
        .s3
        .seen()
        .into_iter()
        .filter(|s| {
            !matches!(s.method.as_str(), "GET" | "HEAD") && s.key != ".showroom-deploy.lock"
        })
        .collect();
    assert!(writes.is_empty(), "{writes:?}");
    assert_eq!(setup.s3.object("manifest.json").unwrap(), remote_before);

    // A dry run shows the plan and writes nothing, not even the lock.
    setup.s3.clear();
    let out = setup.run(&["--dry-run"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let plan = String::from_utf8_lossy(&out.stdout);
    assert!(
        plan.contains("delete") && plan.contains("Dry run: nothing was changed."),
        "{plan}"
    );
    assert!(
        setup
            .s3
            .seen()
            .iter()
            .all(|s| matches!(s.method.as_str(), "GET" | "HEAD")),
        "{:?}",
        setup.s3.seen()
    );

    // Allowed, the pages go, after the manifest that no longer lists them.
    let out = setup.run(&["--max-deletes", "1000"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    setup.assert_bucket_is_output();
    let seen = setup.s3.seen();
    let manifest = seen
        .iter()
        .position(|s| s.method == "PUT" && s.key == "manifest.json")
        .unwrap();
    let delete = seen
        .iter()
        .position(|s| s.method == "DELETE" && s3::is_site_file(&s.key))
        .unwrap();
    assert!(manifest < delete, "deletes come after the manifest");
}

#[test]
fn a_deploy_killed_halfway_is_finished_by_the_next_without_sending_a_file_twice() {
    let setup = setup("concurrency = 2\n");
    setup.deploy();
    let before = setup.local();
    // A new site title: every page changes.
    let config = std::fs::read_to_string(setup.site.root().join("config.toml")).unwrap();
    setup.site.write(
        "config.toml",
        &config.replace("Market Fixture", "Market Fixture Two"),
    );
    build(&setup.site);
    let changed: BTreeSet<String> = setup
        .local()
        .into_iter()
        .filter(|(p, l)| before.get(p).is_none_or(|b| b.blake3 != l.blake3))
        .map(|(p, _)| p)
        .collect();
    assert!(changed.len() > 20, "{}", changed.len());
    setup.s3.clear();
    let mut child = setup.start_held_after(10);
    child.kill().unwrap();
    child.wait().unwrap();
    let sent_before = setup.s3.uploads();
    assert!(
        !sent_before.is_empty() && sent_before.len() < changed.len(),
        "{}",
        sent_before.len()
    );
    // The old manifest is still the remote one, and every file it lists is there.
    let remote = setup.remote();
    assert_eq!(remote.files.len(), before.len());
    assert!(remote.files.keys().all(|p| setup.s3.object(p).is_some()));
    setup.s3.release();
    setup.s3.clear();

    let out = setup.run(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Finishing an interrupted deploy"));
    let sent_after = setup.s3.uploads();
    let again: Vec<&String> = sent_after
        .iter()
        .filter(|p| sent_before.contains(p))
        .collect();
    assert!(again.is_empty(), "sent twice: {again:?}");
    let all: BTreeSet<String> = sent_before.into_iter().chain(sent_after).collect();
    assert_eq!(all, changed);
    setup.assert_bucket_is_output();
    setup.assert_manifest_holds();
}

#[test]
fn a_second_deploy_while_one_runs_stops_with_a_clear_message_and_changes_nothing() {
    let setup = setup("");
    let first = setup.start_held_after(3);
    let second = setup.run(&[]);
    assert_eq!(second.status.code(), Some(1));
    let err = stderr(&second);
    assert!(
        err.contains("another deploy is publishing to this bucket")
            && err.contains("nothing was changed"),
        "{err}"
    );
    assert!(err.contains(&format!("process {}", first.id())), "{err}");
    setup.s3.release();
    let first = first.wait_with_output().unwrap();
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    setup.assert_bucket_is_output();
}

#[test]
fn a_deploy_whose_lock_was_taken_over_stops_before_its_manifest() {
    use rustix::process::{Pid, Signal, kill_process};
    let setup = setup("");
    let first = setup.start_held_after(3);
    let pid = Pid::from_raw(first.id() as i32).unwrap();
    // Paused (a suspended VM, a stalled runner) past its lease: its lock, never renewed,
    // reads as expired to the next deploy.
    kill_process(pid, Signal::STOP).unwrap();
    let mut lock: serde_json::Value =
        serde_json::from_slice(&setup.s3.object(deploy::LOCK).expect("the lock")).unwrap();
    lock["expires"] = lock["started"].clone();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime
        .block_on(raw_store(&setup.s3).put(
            &Key::from(deploy::LOCK),
            PutPayload::from(serde_json::to_vec(&lock).unwrap()),
        ))
        .unwrap();
    setup.s3.release();
    let second = setup.run(&[]);
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    assert!(String::from_utf8_lossy(&second.stdout).contains("Finishing an interrupted deploy"));
    kill_process(pid, Signal::CONT).unwrap();
    let first = first.wait_with_output().unwrap();
    assert_eq!(first.status.code(), Some(1));
    let err = stderr(&first);
    assert!(
        err.contains("this deploy lost its lock")
            || err.contains("another deploy wrote the remote manifest"),
        "{err}"
    );
    setup.assert_bucket_is_output();
    setup.assert_manifest_holds();
}

#[test]
fn a_manifest_written_behind_the_deploys_back_makes_it_stop_before_deleting() {
    let setup = setup("");
    setup.deploy();
    let text =
        std::fs::read_to_string(setup.site.root().join("data/feeds/north/cars.csv")).unwrap();
    setup.site.write(
        "data/feeds/north/cars.csv",
        &text.replace("\"21,500 EUR\"", "\"19,000 EUR\""),
    );
    build(&setup.site);
    let deploy = setup.start_held_after(1);
    // Another writer (an older tool, or a deploy that took an expired lock) gets in.
    let store = raw_store(&setup.s3);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut theirs = setup.s3.object("manifest.json").unwrap();
    theirs.extend_from_slice(b" ");
    runtime
        .block_on(store.put(
            &Key::from("manifest.json"),
            PutPayload::from(theirs.clone()),
        ))
        .unwrap();
    setup.s3.release();
    let out = deploy.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("another deploy wrote the remote manifest"),
        "{err}"
    );
    assert_eq!(setup.s3.object("manifest.json").unwrap(), theirs);
}

#[test]
fn server_errors_are_retried_until_the_upload_goes_through() {
    let setup = setup("");
    setup.s3.fail_next("PUT", 3);
    let summary = setup.deploy();
    assert_eq!(summary.uploaded, setup.local().len());
    let seen = setup.s3.seen();
    let failed: Vec<(usize, &str)> = seen
        .iter()
        .enumerate()
        .filter(|(_, s)| s.status == 503)
        .map(|(i, s)| (i, s.key.as_str()))
        .collect();
    assert_eq!(failed.len(), 3);
    for (at, key) in failed {
        assert!(
            seen[at + 1..]
                .iter()
                .any(|s| s.method == "PUT" && s.key == key && s.status == 200),
            "{key} was not sent again"
        );
    }
    assert!(summary.requests.put as usize >= setup.local().len() + 3);
    setup.assert_bucket_is_output();
}

#[test]
fn refused_credentials_a_missing_bucket_and_a_wrong_endpoint_are_clear_errors() {
    let setup = setup("");
    let mut options = setup.options();
    options.credentials = Credentials::Keys {
        id: s3::KEY_ID.into(),
        secret: "wrong".into(),
        token: None,
    };
    let err = deploy::deploy(&options, &deploy::Silent).unwrap_err();
    assert!(matches!(err, DeployError::Refused { .. }), "{err}");
    let out = setup
        .command(&[])
        .env("AWS_SECRET_ACCESS_KEY", "wrong")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("refused the credentials for bucket `site`"),
        "{}",
        stderr(&out)
    );
    assert!(setup.s3.keys().is_empty());

    let mut options = setup.options();
    options.config.bucket = Some("no-such-bucket".into());
    let err = deploy::deploy(&options, &deploy::Silent).unwrap_err();
    assert!(matches!(err, DeployError::NoSuchBucket { .. }), "{err}");
    assert!(err.to_string().contains("`no-such-bucket` does not exist"));

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let mut options = setup.options();
    options.config.endpoint = Some(format!("http://127.0.0.1:{port}"));
    let err = deploy::deploy(&options, &deploy::Silent).unwrap_err();
    assert!(matches!(err, DeployError::Unreachable { .. }), "{err}");
    assert!(err.to_string().contains(&format!(
        "cannot reach the endpoint http://127.0.0.1:{port}"
    )));

    let mut options = setup.options();
    options.credentials = Credentials::Ambient;
    let err = deploy::deploy(&options, &deploy::Silent).unwrap_err();
    assert!(matches!(err, DeployError::NoCredentials), "{err}");
}

#[test]
fn superseded_assets_stay_keep_assets_days_then_go() {
    let setup = setup("keep_assets_days = 7\n");
    setup.deploy();
    let old_css: Vec<String> = setup
        .local()
        .into_keys()
        .filter(|p| p.ends_with(".css"))
        .collect();
    let theme = std::fs::read_to_string(setup.site.root().join("themes/showroom/static/style.css"))
        .unwrap();
    setup.site.write(
        "static/style.css",
        &format!("{theme}\n.deploy-test{{color:red}}\n"),
    );
    build(&setup.site);
    let summary = setup.deploy();
    let kept: Vec<String> = old_css
        .iter()
        .filter(|p| !setup.local().contains_key(*p))
        .cloned()
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(summary.kept, 1);
    assert!(
        setup.s3.object(&kept[0]).is_some(),
        "still there for cached pages"
    );
    let remote = setup.remote();
    let until = remote.deploy.kept[&kept[0]].until;
    assert_eq!(until, now() + jiff::SignedDuration::from_hours(24 * 7));
    setup.assert_manifest_holds();

    let mut options = setup.options();
    options.now = now() + jiff::SignedDuration::from_hours(24 * 8);
    let summary = deploy::deploy(&options, &deploy::Silent).unwrap();
    assert_eq!((summary.uploaded, summary.deleted, summary.kept), (0, 1, 0));
    assert!(setup.s3.object(&kept[0]).is_none());
    setup.assert_bucket_is_output();
}

#[test]
fn without_a_deploy_manifest_the_bucket_is_listed_and_compared_by_metadata() {
    let setup = setup("");
    setup.deploy();
    // As if another tool had filled the bucket: no deploy manifest, one stray page, one
    // page with other bytes of the same size.
    std::fs::remove_file(setup.s3.dir.path().join("site/manifest.json")).unwrap();
    let store = raw_store(&setup.s3);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime
        .block_on(store.put(&Key::from("stray/index.html"), PutPayload::from("stray")))
        .unwrap();
    let about = "about/index.html";
    let size = setup.local()[about].size as usize;
    runtime
        .block_on(store.put(&Key::from(about), PutPayload::from(vec![b'x'; size])))
        .unwrap();
    setup.s3.clear();
    let summary = setup.deploy();
    assert_eq!(summary.compared, Compared::Listing);
    assert_eq!(setup.s3.uploads(), [about]);
    assert_eq!(summary.deletes, ["stray/index.html"]);
    let heads = setup
        .s3
        .seen()
        .iter()
        .filter(|s| s.method == "HEAD" && s3::is_site_file(&s.key))
        .count();
    assert_eq!(
        heads,
        setup.local().len(),
        "one look at each same-size object, no download"
    );
    let downloads: Vec<_> = setup
        .s3
        .seen()
        .into_iter()
        .filter(|s| {
            s.method == "GET"
                && !s.key.is_empty()
                && s.key != "manifest.json"
                && s.key != ".showroom-deploy.lock"
        })
        .collect();
    assert!(downloads.is_empty(), "{downloads:?}");
    setup.assert_bucket_is_output();
}

#[test]
fn the_state_is_pushed_outside_the_site_and_pulled_into_a_fresh_checkout() {
    let setup = setup("prefix = \"www\"\n");
    let state = |root: &Path| -> BTreeMap<String, Vec<u8>> {
        let dir = root.join(".showroom/state");
        walkdir::WalkDir::new(&dir)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file() && e.file_name() != ".lock")
            .map(|e| {
                let rel = e
                    .path()
                    .strip_prefix(&dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                (rel, std::fs::read(e.path()).unwrap())
            })
            .collect()
    };
    let pushed = state(setup.site.root());
    assert!(!pushed.is_empty(), "the build kept the last good feeds");
    assert!(pushed.contains_key("ledger.bin"), "{:?}", pushed.keys());
    let config = showroom::config::Config::load(setup.site.root())
        .unwrap()
        .deploy;
    let options = |root: &Path| StateOptions {
        root: root.to_path_buf(),
        config: config.clone(),
        credentials: keys(),
    };
    let fresh = tempfile::tempdir().unwrap();
    let summary = deploy::state::pull(&options(fresh.path()), &deploy::Silent).unwrap();
    assert!(summary.nothing_pushed);

    let summary = deploy::state::push(&options(setup.site.root()), &deploy::Silent).unwrap();
    assert_eq!(summary.moved, pushed.len());
    assert!(
        setup
            .s3
            .keys()
            .iter()
            .all(|k| k.starts_with("showroom-state/"))
    );
    // The builds' lock stays behind: it is not state.
    assert!(!setup.s3.keys().iter().any(|k| k.ends_with("/.lock")));
    let again = deploy::state::push(&options(setup.site.root()), &deploy::Silent).unwrap();
    assert_eq!((again.moved, again.unchanged), (0, pushed.len()));

    std::fs::create_dir_all(fresh.path().join(".showroom/state")).unwrap();
    std::fs::write(fresh.path().join(".showroom/state/leftover"), "x").unwrap();
    let summary = deploy::state::pull(&options(fresh.path()), &deploy::Silent).unwrap();
    assert_eq!((summary.moved, summary.removed), (pushed.len(), 1));
    assert_eq!(state(fresh.path()), pushed);

    // The site's deploy under `www/` leaves the state alone.
    setup.deploy();
    assert!(
        setup
            .s3
            .keys()
            .iter()
            .any(|k| k.starts_with("showroom-state/"))
    );

    // The CLI: pull into the site, which holds the same state.
    let out = Command::new(env!("CARGO_BIN_EXE_showroom"))
        .args([
            "state",
            "pull",
            "--root",
            setup.site.root().to_str().unwrap(),
        ])
        .env("AWS_ACCESS_KEY_ID", s3::KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", s3::SECRET)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Pulled the state"));

    let mut at_root = config.clone();
    at_root.prefix = String::new();
    let err = deploy::state::push(
        &StateOptions {
            root: setup.site.root().to_path_buf(),
            config: at_root,
            credentials: keys(),
        },
        &deploy::Silent,
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("the state would be published with the site"),
        "{err}"
    );
}

#[test]
fn deploy_settings_are_checked_with_their_line() {
    for (bad, line) in [
        ("[deploy]\nbucket = \"Bad_Name\"\n", 2),
        ("[deploy]\nprefix = \"/site/\"\n", 2),
        (
            "[deploy]\nbucket = \"ok-bucket\"\nendpoint = \"minio:9000\"\n",
            3,
        ),
        ("[deploy]\nconcurrency = 0\n", 2),
        ("[deploy]\nbuket = \"x\"\n", 2),
    ] {
        let err = showroom::config::Config::parse(bad).unwrap_err();
        assert_eq!(err.line, Some(line), "{bad}: {err}");
    }
    let config = showroom::config::Config::parse("").unwrap().deploy;
    assert_eq!((config.max_deletes, config.keep_assets_days), (256, 7));
}
