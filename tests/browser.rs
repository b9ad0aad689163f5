//! The consent banner in a real browser: headless Chromium driven by chromedriver through
//! WebDriver, the built fixture site served over http on 127.0.0.1 (cookies need http).
//! Without Chromium the tests print "skipped: chromium not found" and pass, unless
//! `SHOWROOM_REQUIRE_BROWSER=1` (CI) makes that a failure. The tests take turns: two
//! cores do not run several browsers well.

mod common;

use common::Fixture;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

static ONE_BROWSER_AT_A_TIME: Mutex<()> = Mutex::new(());

/// `basic` fixture, minified as a real build would be, with a privacy change 9 days away
/// on 2026-12-01 and a new cookie policy from 2027-01-01.
const FIXTURE: &str = "policies/basic";
const BEFORE_COOKIE_CHANGE: &str = "2026-12-01";
const AFTER_COOKIE_CHANGE: &str = "2027-01-05";

fn find_program(name: &str) -> Option<PathBuf> {
    let dirs = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&dirs)
        .chain([PathBuf::from("/usr/bin")])
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Runs `test` with a browser and a served site, or reports the skip.
fn with_browser<F, Fut>(test: F)
where
    F: FnOnce(Session) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let site = Fixture::new(FIXTURE);
    let config = std::fs::read_to_string(site.root().join("config.toml")).unwrap();
    site.write(
        "config.toml",
        &config.replace("minify = false", "minify = true"),
    );
    browse(site, BEFORE_COOKIE_CHANGE, test);
}

/// Like [`with_browser`], on another fixture built as of `date`.
fn with_browser_on<F, Fut>(fixture: &str, date: &str, test: F)
where
    F: FnOnce(Session) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let site = Fixture::new(fixture);
    let config = std::fs::read_to_string(site.root().join("config.toml")).unwrap();
    site.write(
        "config.toml",
        &config.replace("minify = false", "minify = true"),
    );
    browse(site, date, test);
}

/// Builds `site` as of `date`, serves it and runs `test` with a browser, or reports
/// the skip.
fn browse<F, Fut>(site: Fixture, date: &str, test: F)
where
    F: FnOnce(Session) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let (Some(chromium), Some(driver)) = (find_program("chromium"), find_program("chromedriver"))
    else {
        if std::env::var("SHOWROOM_REQUIRE_BROWSER").as_deref() == Ok("1") {
            panic!("chromium or chromedriver not found, and SHOWROOM_REQUIRE_BROWSER=1");
        }
        println!("skipped: chromium not found");
        return;
    };
    let _turn = ONE_BROWSER_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    site.build_clean(date);
    let server = Server::start(site.output());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let driver = Driver::start(&driver);
        let profile = tempfile::tempdir().unwrap();
        let client = connect(&driver, &chromium, profile.path()).await;
        let session = Session {
            client: client.clone(),
            base: format!("http://127.0.0.1:{}", server.port),
            site,
            gpc: server.gpc.clone(),
        };
        test(session).await;
        client.close().await.ok();
        drop(driver);
    });
}

struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start(program: &Path) -> Driver {
        let port = free_port();
        let child = Command::new(program)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
        Driver { child, port }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn connect(driver: &Driver, chromium: &Path, profile: &Path) -> Client {
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--no-first-run", "--disable-component-update", "--disable-sync",
                format!("--user-data-dir={}", profile.display()),
            ],
        },
    });
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps.as_object().unwrap().clone())
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("a WebDriver session")
}

/// Serves the output folder the way a static host would; optionally pretends the browser
/// sends Global Privacy Control by defining `navigator.globalPrivacyControl` first thing.
struct Server {
    port: u16,
    gpc: Arc<AtomicBool>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Serves `root` over HTTP/1.1 with keep-alive, as a static host does, from a runtime
    /// of its own so that the browser's requests never wait on the test's.
    fn start(root: PathBuf) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let gpc = Arc::new(AtomicBool::new(false));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let state = (Arc::new(root), gpc.clone());
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                let app = axum::Router::new()
                    .fallback(
                        |axum::extract::State((root, gpc)): axum::extract::State<(
                            Arc<PathBuf>,
                            Arc<AtomicBool>,
                        )>,
                         uri: axum::http::Uri| async move {
                            serve(&root, uri.path(), gpc.load(Ordering::SeqCst))
                        },
                    )
                    .with_state(state);
                tokio::select! {
                    _ = axum::serve(listener, app) => {}
                    _ = stopped => {}
                }
            });
            runtime.shutdown_background();
        });
        Server {
            port,
            gpc,
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(root: &Path, path: &str, gpc: bool) -> axum::response::Response {
    let mut rel = path.trim_start_matches('/').to_string();
    if rel.is_empty() || rel.ends_with('/') {
        rel.push_str("index.html");
    }
    let safe = Path::new(&rel)
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)));
    let (status, file) = match std::fs::read(root.join(&rel)) {
        Ok(bytes) if safe => (200, (rel, bytes)),
        _ => (
            404,
            (
                "404.html".into(),
                std::fs::read(root.join("404.html")).unwrap_or_default(),
            ),
        ),
    };
    let (rel, mut bytes) = file;
    let kind = match rel.rsplit('.').next() {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css",
        Some("js") => "text/javascript",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    };
    if gpc && kind.starts_with("text/html") {
        let html = String::from_utf8(bytes).unwrap().replacen(
            "<head>",
            "<head><script>Object.defineProperty(Navigator.prototype,'globalPrivacyControl',{get:()=>true})</script>",
            1,
        );
        bytes = html.into_bytes();
    }
    axum::response::Response::builder()
        .status(status)
        .header("Content-Type", kind)
        .body(axum::body::Body::from(bytes))
        .unwrap()
}

struct Session {
    client: Client,
    base: String,
    site: Fixture,
    gpc: Arc<AtomicBool>,
}

impl Session {
    async fn open(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap();
    }

    async fn js(&self, script: &str) -> Value {
        self.client.execute(script, vec![]).await.unwrap()
    }

    async fn banner_visible(&self) -> bool {
        self.client
            .find(Locator::Id("consent"))
            .await
            .unwrap()
            .is_displayed()
            .await
            .unwrap()
    }

    /// How many times the gated analytics placeholder has run on this page.
    async fn analytics_runs(&self) -> u64 {
        self.js("return window.showroomAnalyticsRuns || 0")
            .await
            .as_u64()
            .unwrap()
    }

    /// The run count once it reaches `expected`, or whatever it is after 5 s: a consented
    /// script is inserted on click but loads asynchronously, so reading at once races it.
    async fn analytics_runs_reach(&self, expected: u64) -> u64 {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let runs = self.analytics_runs().await;
            if runs >= expected || Instant::now() > deadline {
                return runs;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn click(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }

    async fn consent_cookie(&self) -> Option<fantoccini::cookies::Cookie<'static>> {
        self.client
            .get_all_cookies()
            .await
            .unwrap()
            .into_iter()
            .find(|c| c.name() == "showroom_consent")
    }

    async fn press(&self, key: Key) {
        let keys = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: key.into() })
            .then(KeyAction::Up { value: key.into() });
        self.client.perform_actions(keys).await.unwrap();
    }

    /// Presses Tab until the focused element matches `css`; panics after 40 presses.
    async fn tab_to(&self, css: &str) {
        let check = format!("return document.activeElement.matches({css:?})");
        for _ in 0..40 {
            self.press(Key::Tab).await;
            if self.js(&check).await == Value::Bool(true) {
                return;
            }
        }
        panic!("Tab never reached {css}");
    }
}

const ACCEPT: &str = "[data-consent-action=accept]";
const REJECT: &str = "[data-consent-action=reject]";

#[test]
fn first_visit_shows_the_banner_and_runs_nothing_gated() {
    with_browser(|s| async move {
        s.open("/").await;
        assert!(s.banner_visible().await);
        assert_eq!(s.analytics_runs().await, 0);
        let placeholder = s.js("return document.querySelectorAll('script[type=\"text/plain\"][data-consent=analytics]').length").await;
        assert_eq!(placeholder, json!(1), "the gated script is still inert");
        assert!(s.consent_cookie().await.is_none());
    });
}

#[test]
fn reject_hides_the_banner_and_keeps_gated_scripts_off_after_reload() {
    with_browser(|s| async move {
        s.open("/").await;
        s.click(REJECT).await;
        assert!(!s.banner_visible().await);
        let cookie = s.consent_cookie().await.expect("the choice is stored");
        assert_eq!(format!("{:?}", cookie.same_site()), "Some(Lax)");
        assert_eq!(cookie.path(), Some("/"));
        let expires = cookie
            .expires_datetime()
            .expect("a persistent cookie")
            .unix_timestamp();
        let days = (expires - jiff::Timestamp::now().as_second()) / 86_400;
        assert!((170..=190).contains(&days), "about six months: {days} days");
        s.client.refresh().await.unwrap();
        assert!(!s.banner_visible().await);
        assert_eq!(s.analytics_runs().await, 0);
        s.open("/privacy/").await;
        assert!(!s.banner_visible().await);
        assert_eq!(s.analytics_runs().await, 0);
    });
}

#[test]
fn accept_runs_gated_scripts_at_once_and_on_every_later_page() {
    with_browser(|s| async move {
        s.open("/").await;
        assert_eq!(s.analytics_runs().await, 0);
        s.click(ACCEPT).await;
        assert!(!s.banner_visible().await);
        assert_eq!(s.analytics_runs_reach(1).await, 1, "runs at once, once");
        s.open("/cookies/").await;
        assert!(!s.banner_visible().await);
        assert_eq!(s.analytics_runs_reach(1).await, 1);
    });
}

#[test]
fn settings_offer_one_switch_per_category_and_the_footer_link_reopens_them() {
    with_browser(|s| async move {
        s.open("/").await;
        s.click("[data-consent-action=settings]").await;
        let necessary = s
            .client
            .find(Locator::Css("#consent input[name=necessary]"))
            .await
            .unwrap();
        assert_eq!(
            necessary.prop("checked").await.unwrap().as_deref(),
            Some("true")
        );
        assert_eq!(
            necessary.prop("disabled").await.unwrap().as_deref(),
            Some("true")
        );
        s.click("#consent input[name=analytics]").await;
        s.click("[data-consent-action=save]").await;
        assert!(!s.banner_visible().await);
        assert_eq!(s.analytics_runs_reach(1).await, 1);
        // Withdraw from the footer: the page starts afresh without the script.
        s.click("[data-consent-open]").await;
        assert!(s.banner_visible().await);
        s.click("[data-consent-action=settings]").await;
        s.click("#consent input[name=analytics]").await;
        s.click("[data-consent-action=save]").await;
        let deadline = Instant::now() + Duration::from_secs(10);
        while s.analytics_runs().await != 0 {
            assert!(Instant::now() < deadline, "the page did not reload");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(!s.banner_visible().await);
    });
}

#[test]
fn a_new_cookie_policy_version_asks_again_and_runs_nothing_until_answered() {
    with_browser(|s| async move {
        s.open("/").await;
        s.click(ACCEPT).await;
        assert_eq!(s.analytics_runs_reach(1).await, 1);
        s.site.build_clean(AFTER_COOKIE_CHANGE);
        s.open("/").await;
        assert!(
            s.banner_visible().await,
            "asked again under the new version"
        );
        assert_eq!(
            s.analytics_runs().await,
            0,
            "the old consent does not count"
        );
        s.click(ACCEPT).await;
        assert_eq!(s.analytics_runs_reach(1).await, 1);
        let cookie = s.consent_cookie().await.unwrap();
        assert!(
            cookie.value().contains("v=2027-01-01"),
            "{}",
            cookie.value()
        );
    });
}

#[test]
fn keyboard_alone_can_reject_and_accept_with_visible_focus() {
    with_browser(|s| async move {
        s.open("/").await;
        s.tab_to(REJECT).await;
        let outline = s
            .js("return getComputedStyle(document.activeElement).outlineStyle")
            .await;
        assert_ne!(outline, json!("none"), "focus is visible");
        s.press(Key::Enter).await;
        assert!(!s.banner_visible().await);
        assert_eq!(s.analytics_runs().await, 0);
        s.client.delete_all_cookies().await.unwrap();
        s.client.refresh().await.unwrap();
        assert!(s.banner_visible().await);
        s.tab_to(ACCEPT).await;
        s.press(Key::Enter).await;
        assert!(!s.banner_visible().await);
        assert_eq!(s.analytics_runs_reach(1).await, 1);
    });
}

#[test]
fn global_privacy_control_refuses_analytics_even_on_accept_all() {
    with_browser(|s| async move {
        s.gpc.store(true, Ordering::SeqCst);
        s.open("/").await;
        assert_eq!(
            s.js("return navigator.globalPrivacyControl").await,
            json!(true)
        );
        assert!(s.banner_visible().await);
        let note = s.client.find(Locator::Css(".consent-gpc")).await.unwrap();
        s.click("[data-consent-action=settings]").await;
        assert!(note.is_displayed().await.unwrap());
        s.click(ACCEPT).await;
        assert_eq!(s.analytics_runs().await, 0);
        let cookie = s.consent_cookie().await.unwrap();
        assert!(!cookie.value().contains("analytics"), "{}", cookie.value());
    });
}

#[test]
fn a_policy_change_notice_can_be_dismissed_for_good() {
    with_browser(|s| async move {
        s.open("/").await;
        let notice = "[data-notice=\"privacy-2026-12-10\"]";
        let shown = s.client.find(Locator::Css(notice)).await.unwrap();
        assert!(shown.is_displayed().await.unwrap());
        s.click(&format!("{notice} [data-notice-dismiss]")).await;
        assert!(!shown.is_displayed().await.unwrap());
        s.open("/terms/").await;
        let again = s.client.find(Locator::Css(notice)).await.unwrap();
        assert!(!again.is_displayed().await.unwrap());
    });
}

#[test]
fn the_language_switcher_on_a_car_page_lands_on_the_same_car_in_chinese() {
    with_browser_on("i18n", "2026-11-23", |s| async move {
        let car = "/cars/byd-han-2022-bravo-b-1/";
        s.open(car).await;
        assert_eq!(s.js("return document.documentElement.lang").await, "en");
        s.click("[data-lang-switch=zh]").await;
        let deadline = Instant::now() + Duration::from_secs(10);
        while s.js("return location.pathname").await != format!("/zh{car}").as_str() {
            assert!(Instant::now() < deadline, "the switcher did not navigate");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(
            s.js("return document.documentElement.lang").await,
            "zh-Hans"
        );
        assert_eq!(
            s.js("return document.querySelector('h1').textContent")
                .await,
            "BYD Han EV"
        );
        // Without consent to preferences, the choice is not remembered.
        let lang_cookie =
            "return document.cookie.split('; ').filter(c => c.startsWith('showroom_lang=')).join()";
        assert_eq!(s.js(lang_cookie).await, "");
        s.click(ACCEPT).await;
        // The consented script is loaded asynchronously; wait for it to bind the switcher.
        let deadline = Instant::now() + Duration::from_secs(5);
        while s.js("return [...document.scripts].some(x => x.src.includes('/lang.') && x.type !== 'text/plain')").await != true {
            assert!(Instant::now() < deadline, "lang.js did not run after consent");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        s.click("[data-lang-switch=en]").await;
        let deadline = Instant::now() + Duration::from_secs(10);
        while s.js("return location.pathname").await != car {
            assert!(
                Instant::now() < deadline,
                "the switcher did not navigate back"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(s.js(lang_cookie).await, "showroom_lang=en");
    });
}

// ---- The car finder (cars.js and the search index, src/search/) on generated cars ----

use common::generated::{self, Car};

/// Enough generated cars for the index's count files (a smaller catalog has none), so
/// that counts come from count files, pair files, a make's file and every car's codes.
const FINDER_CARS: usize = 1_200;

/// Runs `test` on the generated marketplace of [`FINDER_CARS`] cars, with its cars.
fn with_finder<F, Fut>(test: F)
where
    F: FnOnce(Session, Vec<Car>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let (site, cars) = generated::site(FINDER_CARS);
    browse(site, "2026-11-23", |s| test(s, cars));
}

/// Whether `car` passes the filter `param=value` of a finder URL (`cur` goes with the
/// price). Prices of another currency than the filter's never pass a price filter.
fn passes(car: &Car, param: &str, value: &str, cur: &str) -> bool {
    match param {
        "make" => car.make_slug() == value,
        "model" => car.model_slug() == value,
        "body" => car.body == value,
        "fuel" => car.fuel == value,
        "gearbox" => car.gearbox == value,
        "supplier" => car.supplier == value,
        "location" => generated::slug(car.city) == value,
        "max" => car.currency.eq_ignore_ascii_case(cur) && car.price <= value.parse().unwrap(),
        "year_min" => car.year >= value.parse::<u16>().unwrap(),
        "mileage" => car.km <= value.parse().unwrap(),
        "cur" => true,
        other => panic!("no such filter {other}"),
    }
}

/// The value of `facet` a car has, as the form's options name it.
fn value_of(car: &Car, facet: &str) -> String {
    match facet {
        "make" => car.make_slug(),
        "model" => car.model_slug(),
        "body" => car.body.into(),
        "fuel" => car.fuel.into(),
        "gearbox" => car.gearbox.into(),
        "supplier" => car.supplier.into(),
        "location" => generated::slug(car.city),
        other => panic!("no such facet {other}"),
    }
}

/// What the finder should show for `filters`: the cars matching all of them, and per
/// facet and value, how many match the other filters and that value (choosing a make
/// drops the model).
fn expected(cars: &[Car], filters: &[(&str, &str)]) -> (usize, Vec<(String, String, usize)>) {
    let cur = filters
        .iter()
        .find(|(p, _)| *p == "cur")
        .map_or("EUR", |(_, v)| v);
    let passes_all_but = |car: &Car, facet: &str| {
        filters.iter().all(|(p, v)| {
            *p == facet || (facet == "make" && *p == "model") || passes(car, p, v, cur)
        })
    };
    let total = cars.iter().filter(|c| passes_all_but(c, "")).count();
    let mut counts = BTreeMap::new();
    let mut facets = vec!["make", "body", "fuel", "gearbox", "supplier", "location"];
    if filters.iter().any(|(p, _)| *p == "make") {
        facets.push("model");
    }
    for facet in facets {
        for car in cars.iter().filter(|c| passes_all_but(c, facet)) {
            *counts
                .entry((facet.to_string(), value_of(car, facet)))
                .or_insert(0) += 1;
        }
    }
    (
        total,
        counts.into_iter().map(|((f, v), n)| (f, v, n)).collect(),
    )
}

/// The finder's state once it has drawn its results: the status line, the URL's query
/// and each option as `(facet, value, count shown, disabled)`.
async fn finder_state(s: &Session) -> (String, String, Vec<(String, String, Option<usize>, bool)>) {
    let settled = "const r = document.querySelector('[data-car-results]');\
        const st = document.querySelector('[data-filter-status]');\
        return !r.hasAttribute('aria-busy') && st.textContent !== ''";
    let deadline = Instant::now() + Duration::from_secs(30);
    while s.js(settled).await != Value::Bool(true) {
        if Instant::now() > deadline {
            let seen = s
                .js(
                    "return [location.href, document.querySelector('[data-car-results]')\
                     .getAttribute('aria-busy'), document.querySelector('[data-filter-status]')\
                     .textContent, performance.getEntriesByType('resource').map(e =>\
                     e.name + ' ' + e.responseStatus + ' ' + Math.round(e.duration) + 'ms')]",
                )
                .await;
            panic!("the finder never showed its results: {seen}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let read = "return [document.querySelector('[data-filter-status]').textContent, location.search,\
        [...document.querySelectorAll('[data-car-filter] select')].flatMap(sel =>\
          [...sel.options].filter(o => o.value).map(o => [sel.name, o.value, o.textContent, o.disabled]))]";
    let state = s.js(read).await;
    let options = state[2]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let text = o[2].as_str().unwrap();
            let count = text
                .strip_suffix(')')
                .and_then(|t| t.rsplit_once(" ("))
                .and_then(|(_, n)| n.parse().ok());
            (
                o[0].as_str().unwrap().to_string(),
                o[1].as_str().unwrap().to_string(),
                count,
                o[3].as_bool().unwrap(),
            )
        })
        .collect();
    (
        state[0].as_str().unwrap().to_string(),
        state[1].as_str().unwrap().to_string(),
        options,
    )
}

/// The number at the start of the status line ("12 cars match", "1 car matches").
fn shown_total(status: &str) -> usize {
    let digits: String = status.chars().take_while(char::is_ascii_digit).collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("no count in {status:?}"))
}

/// Asserts the status and every option's count against the catalog for `filters`.
async fn assert_counts(s: &Session, cars: &[Car], filters: &[(&str, &str)]) {
    let (status, _, options) = finder_state(s).await;
    let (total, counts) = expected(cars, filters);
    assert!(total > 0, "{filters:?} should match some cars");
    assert_eq!(shown_total(&status), total, "{filters:?}: {status}");
    for (facet, value, n) in &counts {
        let option = options
            .iter()
            .find(|o| &o.0 == facet && &o.1 == value)
            .unwrap_or_else(|| panic!("{filters:?}: no option {facet}={value}"));
        assert_eq!(option.2, Some(*n), "{filters:?}: {facet}={value}");
    }
    // A value no car would add is shown as none and disabled, unless it is chosen.
    for (facet, value, count, disabled) in &options {
        if ![
            "make", "model", "body", "fuel", "gearbox", "supplier", "location",
        ]
        .contains(&facet.as_str())
        {
            continue;
        }
        let chosen = filters.iter().any(|(p, v)| p == facet && v == value);
        if !counts.iter().any(|(f, v, _)| f == facet && v == value) {
            assert_eq!(*count, Some(0), "{filters:?}: {facet}={value}");
            assert!(
                *disabled || chosen,
                "{filters:?}: {facet}={value} not disabled"
            );
        }
    }
}

#[test]
fn the_finder_shows_the_catalogs_counts_for_every_kind_of_filter() {
    with_finder(|s, cars| async move {
        // One filter (a count file), two (a pair file), a make (its cars' codes), and
        // four over every make (each facet's column).
        let cases: &[&[(&str, &str)]] = &[
            &[("body", "suv")],
            &[("body", "suv"), ("fuel", "diesel")],
            &[("make", "bmw"), ("cur", "EUR"), ("max", "20000")],
            &[
                ("make", "volkswagen"),
                ("model", "golf"),
                ("gearbox", "automatic"),
            ],
            &[("supplier", "bravo"), ("cur", "CNY"), ("max", "100000")],
            &[
                ("fuel", "petrol"),
                ("gearbox", "manual"),
                ("location", "koln"),
                ("year_min", "2018"),
            ],
            &[("mileage", "50000"), ("body", "wagon")],
        ];
        for filters in cases {
            let query: Vec<String> = filters.iter().map(|(p, v)| format!("{p}={v}")).collect();
            s.open(&format!("/cars/?{}", query.join("&"))).await;
            assert_counts(&s, &cars, filters).await;
        }
    });
}

#[test]
fn text_search_finds_words_by_their_start_and_makes_by_their_chinese_names() {
    with_finder(|s, cars| async move {
        let titles = "return [...document.querySelectorAll('[data-car-results] .car-card h3')]\
                      .map(h => h.textContent)";
        s.open("/cars/").await;
        let search = s.client.find(Locator::Css("input[name=q]")).await.unwrap();
        search.send_keys("gol").await.unwrap();
        let golfs = cars.iter().filter(|c| c.model == "Golf").count();
        let (status, url, _) = finder_state(&s).await;
        assert_eq!(shown_total(&status), golfs, "\"gol\" finds every Golf");
        assert_eq!(url, "?q=gol");
        let shown: Vec<String> = serde_json::from_value(s.js(titles).await).unwrap();
        assert!(
            !shown.is_empty() && shown.iter().all(|t| t.contains("Golf")),
            "{shown:?}"
        );

        let bmws = cars.iter().filter(|c| c.make == "BMW").count();
        s.open("/zh/cars/").await;
        let search = s.client.find(Locator::Css("input[name=q]")).await.unwrap();
        search.send_keys("宝马").await.unwrap();
        let (status, _, _) = finder_state(&s).await;
        assert!(
            status.starts_with(&format!("{bmws} ")),
            "宝马 finds every BMW: {status}"
        );
        let shown: Vec<String> = serde_json::from_value(s.js(titles).await).unwrap();
        assert!(
            shown
                .iter()
                .all(|t| t.contains("BMW") || t.contains("宝马")),
            "{shown:?}"
        );
        // And in English, with a filter beside it, counted like any other.
        s.open("/cars/?q=%E5%AE%9D%E9%A9%AC&body=sedan").await;
        let (status, _, options) = finder_state(&s).await;
        let sedans = cars
            .iter()
            .filter(|c| c.make == "BMW" && c.body == "sedan")
            .count();
        assert_eq!(shown_total(&status), sedans);
        let suvs = cars
            .iter()
            .filter(|c| c.make == "BMW" && c.body == "suv")
            .count();
        let suv = options
            .iter()
            .find(|o| o.0 == "body" && o.1 == "suv")
            .unwrap();
        assert_eq!(
            suv.2,
            Some(suvs),
            "the other bodies counted within the text's cars"
        );
    });
}

#[test]
fn the_address_carries_the_filters_and_back_and_forward_restore_them() {
    with_finder(|s, cars| async move {
        s.open("/cars/").await;
        let select = |name: &'static str, value: &'static str| {
            let client = s.client.clone();
            async move {
                client
                    .find(Locator::Css(&format!("select[name={name}]")))
                    .await
                    .unwrap()
                    .select_by_value(value)
                    .await
                    .unwrap();
            }
        };
        // The lists are filled from the index once the page is idle.
        let filled = "return document.querySelector('select[name=location]').options.length > 1";
        let deadline = Instant::now() + Duration::from_secs(20);
        while s.js(filled).await != Value::Bool(true) {
            assert!(
                Instant::now() < deadline,
                "the form's lists were never filled"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        select("body", "suv").await;
        let (_, url, _) = finder_state(&s).await;
        assert_eq!(url, "?body=suv");
        select("location", "berlin").await;
        let both = [("body", "suv"), ("location", "berlin")];
        let (_, url, _) = finder_state(&s).await;
        assert_eq!(url, "?body=suv&location=berlin");
        assert_counts(&s, &cars, &both).await;

        s.client.back().await.unwrap();
        let (_, url, _) = finder_state(&s).await;
        assert_eq!(url, "?body=suv");
        assert_counts(&s, &cars, &[("body", "suv")]).await;
        let location = s
            .js("return document.querySelector('select[name=location]').value")
            .await;
        assert_eq!(location, "", "the form follows the address");

        s.client.forward().await.unwrap();
        let (_, url, _) = finder_state(&s).await;
        assert_eq!(url, "?body=suv&location=berlin");
        assert_counts(&s, &cars, &both).await;

        // The address alone, as shared, gives the same page.
        s.client.refresh().await.unwrap();
        assert_counts(&s, &cars, &both).await;
        let body = s
            .js("return document.querySelector('select[name=body]').value")
            .await;
        assert_eq!(body, "suv");
    });
}

#[test]
fn the_finder_works_by_keyboard_and_announces_its_count() {
    with_finder(|s, cars| async move {
        s.open("/cars/").await;
        let status = s
            .js("const st = document.querySelector('[data-filter-status]');\
                 return [st.getAttribute('role'), st.getAttribute('aria-live')]")
            .await;
        assert_eq!(
            status,
            json!(["status", "polite"]),
            "the count is announced"
        );
        s.tab_to("input[name=q]").await;
        let keys = "golf";
        s.client
            .active_element()
            .await
            .unwrap()
            .send_keys(keys)
            .await
            .unwrap();
        s.press(Key::Enter).await;
        let golfs = cars.iter().filter(|c| c.model == "Golf").count();
        let (status, url, _) = finder_state(&s).await;
        assert_eq!(shown_total(&status), golfs);
        assert_eq!(url, "?q=golf");

        // A list chosen with the arrow keys: the first value after "any".
        s.tab_to("select[name=gearbox]").await;
        s.press(Key::Down).await;
        let (status, url, _) = finder_state(&s).await;
        let automatic = cars
            .iter()
            .filter(|c| c.model == "Golf" && c.gearbox == "automatic")
            .count();
        assert_eq!(url, "?q=golf&gearbox=automatic");
        assert_eq!(shown_total(&status), automatic);

        // On to the first result, and into its page.
        s.tab_to("[data-car-results] .car-card a").await;
        let href = s
            .js("return document.activeElement.getAttribute('href')")
            .await;
        s.press(Key::Enter).await;
        let deadline = Instant::now() + Duration::from_secs(10);
        while s.js("return location.pathname").await != href {
            assert!(Instant::now() < deadline, "Enter did not open {href}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
}

#[test]
fn on_a_phone_the_first_result_and_a_cars_price_are_on_the_first_screen() {
    with_finder(|s, _| async move {
        s.client.set_window_size(390, 844).await.unwrap();
        s.open("/cars/").await;
        let width = s.js("return window.innerWidth").await.as_u64().unwrap();
        assert!(width <= 400, "a phone's width, not {width}");
        let filters = s
            .client
            .find(Locator::Css("[data-filter-toggle]"))
            .await
            .unwrap();
        assert!(
            filters.is_displayed().await.unwrap(),
            "the filters fold behind a button"
        );
        let panel = s.client.find(Locator::Css("#filter-panel")).await.unwrap();
        assert!(!panel.is_displayed().await.unwrap());
        let on_screen = |css: &str| {
            format!(
                "const e = document.querySelector({css:?}); const r = e.getBoundingClientRect();\
                 return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight"
            )
        };
        let first = "[data-car-results] .car-card";
        assert_eq!(
            s.js(&on_screen(&format!("{first} h3"))).await,
            true,
            "first car's title"
        );
        assert_eq!(
            s.js(&on_screen(&format!("{first} .price"))).await,
            true,
            "first car's price"
        );

        // The button opens the filters, and says how many cars they show (once the
        // cookie banner, over the bottom of the screen, is answered).
        s.click(REJECT).await;
        filters.click().await.unwrap();
        assert!(panel.is_displayed().await.unwrap());
        let expanded = s
            .js("return document.querySelector('[data-filter-toggle]').getAttribute('aria-expanded')")
            .await;
        assert_eq!(expanded, "true");
        let count = "return document.querySelector('[data-filter-count]').textContent";
        let deadline = Instant::now() + Duration::from_secs(20);
        while s.js(count).await == "" {
            assert!(Instant::now() < deadline, "no count on the button");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(s.js(count).await, format!("({FINDER_CARS})"));

        let car = s
            .js(&format!(
                "return document.querySelector('{first} h3 a').getAttribute('href')"
            ))
            .await;
        s.open(car.as_str().unwrap()).await;
        assert_eq!(
            s.js(&on_screen(".car-detail .price")).await,
            true,
            "the car's price"
        );
        assert_eq!(
            s.js(&on_screen(".car-detail .supplier h2")).await,
            true,
            "who sells it"
        );
    });
}

#[test]
fn results_sort_by_price_and_the_next_page_goes_on_where_the_first_ended() {
    with_finder(|s, cars| async move {
        let prices = "return [...document.querySelectorAll('[data-car-results] .car-card .price')]\
                      .map(p => p.firstChild.textContent.replace(/[^0-9]/g, ''))";
        let shown = |v: Value| -> Vec<i64> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap().parse().unwrap())
                .collect()
        };
        let mut alpha: Vec<i64> = cars
            .iter()
            .filter(|c| c.supplier == "alpha")
            .map(|c| c.price)
            .collect();
        alpha.sort();
        s.open("/cars/?supplier=alpha&sort=price_asc").await;
        s.click(REJECT).await;
        finder_state(&s).await;
        let first = shown(s.js(prices).await);
        assert_eq!(first, alpha[..24], "the 24 cheapest of the supplier's cars");
        s.click("[data-car-results] a[rel=next]").await;
        let (_, url, _) = finder_state(&s).await;
        assert_eq!(url, "?supplier=alpha&sort=price_asc&page=2");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let second = shown(s.js(prices).await);
            if second == alpha[24..48] {
                break;
            }
            assert!(Instant::now() < deadline, "page 2 shows {second:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        s.client.back().await.unwrap();
        finder_state(&s).await;
        assert_eq!(shown(s.js(prices).await), alpha[..24], "back to page 1");
    });
}
