//! `showroom serve` end to end: the binary serves a fixture site, follows edits within
//! two seconds, survives a broken template and never writes `public/`.

mod common;
use common::*;

use showroom::LoadOptions;
use showroom::serve::rebuild::{Builder, Files, Preview};
use showroom::serve::watch::Change;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant};

/// How long a test waits for a change to show: generous, since CI machines are shared;
/// the two-second target is measured by `cargo bench --bench serve`.
const CHANGE_DEADLINE: Duration = Duration::from_secs(30);

/// A running `showroom serve`, killed when dropped so a failing test leaves no server.
struct Server {
    child: Child,
    url: String,
    /// Lines the server printed on stdout, in order.
    lines: Receiver<String>,
    agent: ureq::Agent,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(site: &Path) -> Server {
        let port = free_port();
        let mut child = Command::new(env!("CARGO_BIN_EXE_showroom"))
            .args(["serve", "--root", site.to_str().unwrap()])
            .args(["--port", &port.to_string(), "--date", "2026-11-23"])
            .env_remove("SOURCE_DATE_EPOCH")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start showroom serve");
        let (tx, lines) = channel();
        forward_lines(child.stdout.take().unwrap(), "", tx.clone());
        forward_lines(child.stderr.take().unwrap(), "stderr: ", tx);
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(5)))
            .build()
            .into();
        let mut server = Server {
            child,
            url: String::new(),
            lines,
            agent,
        };
        let line = server.wait_for_line("Serving at ", Duration::from_secs(60));
        server.url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .expect("a URL")
            .trim_end_matches('/')
            .to_string();
        assert!(server.url.ends_with(&format!(":{port}")), "{line}");
        server
    }

    /// The next line printed containing `needle`.
    fn wait_for_line(&self, needle: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(line) => seen.push(line),
                Err(e) => panic!("no line with {needle:?} within {timeout:?} ({e}); saw {seen:#?}"),
            }
        }
    }

    fn get(&self, path: &str) -> (u16, String) {
        let mut response = self
            .agent
            .get(format!("{}{path}", self.url))
            .call()
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let status = response.status().as_u16();
        let body = response.body_mut().read_to_string().expect("a text body");
        (status, body)
    }

    /// Polls `path` until `ready` holds for its body, failing after [`CHANGE_DEADLINE`].
    fn served_within_deadline(&self, path: &str, ready: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            let (_, body) = self.get(path);
            if ready(&body) {
                return body;
            }
            if started.elapsed() > CHANGE_DEADLINE {
                panic!("{path} did not change within {CHANGE_DEADLINE:?}:\n{body}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Sends each line `from` prints, tagged, to `to`.
fn forward_lines(from: impl std::io::Read + Send + 'static, tag: &'static str, to: Sender<String>) {
    std::thread::spawn(move || {
        for line in BufReader::new(from).lines().map_while(Result::ok) {
            if to.send(format!("{tag}{line}")).is_err() {
                break;
            }
        }
    });
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = read(path);
    assert!(text.contains(from), "{}: no {from:?}", path.display());
    std::fs::write(path, text.replace(from, to)).unwrap();
}

#[test]
fn serves_the_site_with_the_live_reload_script_and_never_writes_public() {
    let site = fixture_site("basic");
    let server = Server::start(site.path());

    let (status, home) = server.get("/");
    assert_eq!(status, 200);
    assert!(home.contains("<title>Fixture Motors</title>"), "{home}");
    assert!(
        home.contains(r#"<script src="/__showroom/live.js""#),
        "{home}"
    );
    // Permalinks point at the preview, not at the configured base_url.
    let (_, about) = server.get("/about");
    assert!(about.contains(&format!("{}/about/", server.url)), "{about}");

    let (status, script) = server.get("/__showroom/live.js");
    assert_eq!(status, 200);
    assert!(script.contains("EventSource"), "{script}");

    let (status, missing) = server.get("/no-such-page/");
    assert_eq!(status, 404);
    assert!(missing.contains("/__showroom/live.js"), "{missing}");

    assert!(!site.path().join("public").exists());
    // A build never gets the script.
    let out = build(site.path(), "2026-11-23", &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!read(site.path().join("public/index.html")).contains("__showroom"));
}

/// Sends `request` as it is and returns what the server answered before closing, and
/// how long it took to close.
fn raw_exchange(url: &str, request: &str) -> (String, Duration) {
    use std::io::{Read, Write};
    let address = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let started = Instant::now();
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    (
        String::from_utf8_lossy(&answer).into_owned(),
        started.elapsed(),
    )
}

#[test]
fn answers_only_loopback_and_the_sites_host_and_drops_clients_that_never_finish() {
    let site = fixture_site("basic");
    let server = Server::start(site.path());
    let port = server.url.rsplit(':').next().unwrap().to_string();
    let ask = |host: &str| {
        let request = format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        let (answer, _) = raw_exchange(&server.url, &request);
        answer.lines().next().unwrap_or_default().to_string()
    };
    // A DNS-rebinding page reaches the preview under its own name: refused.
    assert!(ask(&format!("evil.example:{port}")).contains(" 403 "));
    assert!(ask("").contains(" 403 ") || ask("").contains(" 400 "));
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        "fixture.example".into(),
    ] {
        assert!(ask(&host).contains(" 200 "), "{host}");
    }
    // Headers that never end: the connection is closed after the header timeout.
    let (_, held) = raw_exchange(&server.url, "GET / HTTP/1.1\r\nHost: localhost\r\n");
    assert!(
        held >= showroom::serve::HEADER_TIMEOUT - Duration::from_millis(500)
            && held < showroom::serve::HEADER_TIMEOUT + Duration::from_secs(5),
        "{held:?}"
    );
}

#[test]
fn content_and_template_edits_are_served_without_a_restart() {
    let site = fixture_site("basic");
    std::fs::create_dir_all(site.path().join("data")).unwrap();
    let server = Server::start(site.path());

    edit(
        &site.path().join("content/about.md"),
        "## Who we are",
        "## Who we really are",
    );
    server.served_within_deadline("/about/", |b| b.contains("Who we really are"));
    // Only the routes that show content were rendered again.
    let line = server.wait_for_line("Rebuilt in ", CHANGE_DEADLINE);
    let counts: Vec<usize> = line
        .split(['(', ' '])
        .filter_map(|w| w.parse().ok())
        .collect();
    assert!(line.contains(" pages rendered)"), "{line}");
    assert!(
        matches!(counts[..], [_, rendered, of] if rendered < of),
        "{line}"
    );

    edit(
        &site.path().join("templates/page.html"),
        r#"class="fixture-page""#,
        r#"class="fixture-page edited-template""#,
    );
    server.served_within_deadline("/about/", |b| b.contains("edited-template"));

    assert!(!site.path().join("public").exists());
}

#[test]
fn a_feed_row_edit_rereads_that_supplier_only_and_is_served() {
    let site = fixture_site("market");
    let server = Server::start(site.path());
    let car = "/cars/renault-clio-2020-south-s2/";
    let (status, page) = server.get(car);
    assert_eq!(status, 200);
    assert!(page.contains("€12,900"), "{page}");

    edit(
        &site.path().join("data/feeds/south/cars.csv"),
        "\"12,900 EUR\"",
        "\"11,900 EUR\"",
    );
    server.served_within_deadline(car, |b| b.contains("€11,900"));
    // Only the supplier whose file changed was read again.
    let rebuilt = server.wait_for_line("Rebuilt in ", CHANGE_DEADLINE);
    assert!(rebuilt.contains("feeds: re-read south)"), "{rebuilt}");
    assert!(!site.path().join("public").exists());
}

/// Leaves `templates/page.html` with a syntax error on line 3; returns its path and the
/// good text.
fn break_page_template(site: &Path) -> (std::path::PathBuf, String) {
    let template = site.join("templates/page.html");
    let good = read(&template);
    std::fs::write(
        &template,
        good.replace("{{ page.title }}", "{{ page.title <"),
    )
    .unwrap();
    (template, good)
}

#[test]
fn a_broken_template_shows_the_overlay_and_fixing_it_recovers() {
    let site = fixture_site("basic");
    let server = Server::start(site.path());
    let (template, good) = break_page_template(site.path());
    let about = server.served_within_deadline("/about/", |b| b.contains("showroom-overlay"));
    // The problem names the file and line, escaped, over the last good page.
    assert!(about.contains("templates/page.html:3"), "{about}");
    assert!(about.contains("About the fixture"), "{about}");
    assert!(!about.contains("{{ page.title <"), "{about}");
    let (status, home) = server.get("/");
    assert_eq!(status, 200);
    assert!(home.contains("showroom-overlay"), "{home}");

    std::fs::write(&template, good.replace("<h1>", "<h1 class=fixed>")).unwrap();
    let about = server.served_within_deadline("/about/", |b| !b.contains("showroom-overlay"));
    assert!(about.contains("<h1 class=fixed>"), "{about}");
    assert!(!site.path().join("public").exists());
}

#[test]
fn a_site_that_never_built_serves_an_error_page_until_fixed() {
    let site = fixture_site("basic");
    let config = site.path().join("config.toml");
    let good = read(&config);
    std::fs::write(&config, format!("{good}\ntitel = \"typo\"\n")).unwrap();
    let server = Server::start(site.path());

    let (status, page) = server.get("/");
    assert_eq!(status, 500);
    assert!(page.contains("showroom-overlay"), "{page}");
    assert!(page.contains("titel"), "{page}");

    std::fs::write(&config, good).unwrap();
    server.served_within_deadline("/", |b| b.contains("<title>Fixture Motors</title>"));
}

#[test]
fn open_pages_are_told_which_files_changed() {
    let site = fixture_site("basic");
    let server = Server::start(site.path());
    let events = ureq::get(format!("{}/__showroom/events", server.url))
        .call()
        .expect("event stream");
    let (tx, lines) = channel();
    std::thread::spawn(move || {
        let reader = BufReader::new(events.into_body().into_reader());
        for line in reader.lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });

    edit(&site.path().join("content/about.md"), "one", "uno");
    let deadline = Instant::now() + CHANGE_DEADLINE;
    let mut seen = Vec::new();
    while let Ok(line) = lines.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        seen.push(line);
        if seen.last().unwrap().starts_with("data:") {
            break;
        }
    }
    assert_eq!(
        seen[seen.len() - 2..],
        ["event: reload", r#"data: ["about/index.html"]"#],
        "{seen:?}"
    );
}

fn preview_options(site: &Path) -> LoadOptions {
    LoadOptions {
        root: site.to_path_buf(),
        base_url: Some("http://127.0.0.1:1111".into()),
        date: jiff::civil::date(2026, 11, 23),
    }
}

/// What one rebuild rendered.
struct Rendered {
    routes: usize,
    of: usize,
    files: Vec<String>,
}

/// Builds after `paths` changed (none: the first build) and applies the result to
/// `preview`, as `serve` does.
fn rebuild(builder: &mut Builder, preview: &mut Preview, site: &Path, paths: &[&str]) -> Rendered {
    let change = Change::from_paths(site, paths.iter().map(|p| site.join(p)));
    let built = builder.build(&change);
    assert!(!built.report.has_errors(), "{:#?}", built.report.problems);
    let rendered = Rendered {
        routes: built.report.rendered,
        of: built.report.pages,
        files: built.files.keys().cloned().collect(),
    };
    preview.apply(&built.report, built.files, built.partial, false);
    rendered
}

/// The files a fresh preview of `site` would serve.
fn full_render(site: &Path) -> Files {
    let built = Builder::new(preview_options(site)).build(&Change::default());
    assert!(!built.report.has_errors(), "{:#?}", built.report.problems);
    built.files
}

#[test]
fn a_content_edit_renders_only_content_routes_and_serves_what_a_full_render_gives() {
    let site = fixture_site("i18n");
    let root = site.path();
    let mut builder = Builder::new(preview_options(root));
    let mut preview = Preview::default();
    let first = rebuild(&mut builder, &mut preview, root, &[]);
    assert_eq!(first.routes, first.of);
    assert!(first.files.iter().any(|f| f.starts_with("cars/")));

    // A page's text and date: the page in both languages (zh shows the English one) and
    // the sitemaps with its date, never a car page or a list.
    edit(
        &root.join("content/faq.md"),
        "weight = 5\n",
        "weight = 5\nupdated = 2026-11-20\n",
    );
    edit(
        &root.join("content/faq.md"),
        "no translation.",
        "no translation yet.",
    );
    let edited = rebuild(&mut builder, &mut preview, root, &["content/faq.md"]);
    assert!(
        edited.routes < edited.of,
        "{} of {}",
        edited.routes,
        edited.of
    );
    assert_eq!(edited.routes, edited.files.len());
    assert!(
        !edited.files.iter().any(|f| f.contains("cars/")),
        "{:?}",
        edited.files
    );
    for page in ["faq/index.html", "zh/faq/index.html", "sitemap-en-1.xml"] {
        assert!(edited.files.iter().any(|f| f == page), "{:?}", edited.files);
    }
    assert!(String::from_utf8_lossy(&preview.files["faq/index.html"]).contains("translation yet"));
    assert!(String::from_utf8_lossy(&preview.files["sitemap-en-1.xml"]).contains("2026-11-20"));
    assert!(
        *preview.files == full_render(root),
        "a partial rebuild differs from a full one"
    );

    // A menu title is on every page: everything is rendered again.
    edit(
        &root.join("content/about.md"),
        "About the fixture",
        "About us",
    );
    let renamed = rebuild(&mut builder, &mut preview, root, &["content/about.md"]);
    assert_eq!(renamed.routes, renamed.of);
    assert!(String::from_utf8_lossy(&preview.files["cars/index.html"]).contains("About us"));
    assert!(
        *preview.files == full_render(root),
        "a full rebuild differs from a fresh one"
    );
}

#[test]
fn a_feed_edit_rereads_only_that_supplier_in_the_builder() {
    let site = fixture_site("market");
    let root = site.path();
    let mut builder = Builder::new(preview_options(root));
    let ids = |built: &showroom::serve::rebuild::Built| -> Vec<String> {
        built
            .reread
            .iter()
            .map(|id| id.as_str().to_string())
            .collect()
    };
    let first = builder.build(&Change::default());
    assert_eq!(ids(&first), ["north", "south"]);

    let feed = "data/feeds/south/cars.csv";
    edit(&root.join(feed), "\"12,900 EUR\"", "\"11,900 EUR\"");
    let built = builder.build(&Change::from_paths(root, [root.join(feed)]));
    assert_eq!(ids(&built), ["south"]);
    let car = String::from_utf8_lossy(&built.files["cars/renault-clio-2020-south-s2/index.html"]);
    assert!(car.contains("€11,900"), "{car}");
    assert!(
        built.files == full_render(root),
        "reused feeds differ from a fresh read"
    );
}

/// Headless Chromium through chromedriver's WebDriver HTTP API, for the script's side of
/// live reload. `None` (the test is skipped) when the browser is not installed, unless
/// `SHOWROOM_REQUIRE_BROWSER=1` makes that a failure.
struct Browser {
    driver: Child,
    base: String,
    session: String,
    agent: ureq::Agent,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self
            .agent
            .delete(format!("{}/session/{}", self.base, self.session))
            .call();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Browser {
    fn start() -> Option<Browser> {
        let installed = Path::new("/usr/bin/chromium").exists()
            && Command::new("chromedriver")
                .arg("--version")
                .output()
                .is_ok();
        if !installed {
            assert!(
                std::env::var("SHOWROOM_REQUIRE_BROWSER").as_deref() != Ok("1"),
                "SHOWROOM_REQUIRE_BROWSER=1 but chromium or chromedriver is missing"
            );
            eprintln!("skipped: chromium and chromedriver are not installed");
            return None;
        }
        let port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while agent.get(format!("{base}/status")).call().is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let capabilities = serde_json::json!({"capabilities": {"alwaysMatch": {
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
            }
        }}});
        let mut browser = Browser {
            driver,
            base,
            session: String::new(),
            agent,
        };
        let value = browser.post("/session", capabilities);
        browser.session = value["sessionId"].as_str().expect("a session").to_string();
        Some(browser)
    }

    fn post(&self, path: &str, body: serde_json::Value) -> serde_json::Value {
        let mut response = self
            .agent
            .post(format!("{}{path}", self.base))
            .send_json(body)
            .unwrap_or_else(|e| panic!("WebDriver {path}: {e}"));
        let reply: serde_json::Value = response.body_mut().read_json().expect("JSON");
        reply["value"].clone()
    }

    fn open(&self, url: &str) {
        let session = format!("/session/{}/url", self.session);
        self.post(&session, serde_json::json!({ "url": url }));
    }

    /// Runs `script` (a function body) in the page and returns what it returns.
    fn eval(&self, script: &str) -> serde_json::Value {
        let session = format!("/session/{}/execute/sync", self.session);
        self.post(
            &session,
            serde_json::json!({ "script": script, "args": [] }),
        )
    }

    /// Polls `script` until it returns `true`, failing after [`CHANGE_DEADLINE`].
    fn until(&self, what: &str, script: &str) {
        let started = Instant::now();
        while self.eval(script) != serde_json::Value::Bool(true) {
            assert!(
                started.elapsed() < CHANGE_DEADLINE,
                "{what} within {CHANGE_DEADLINE:?}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

#[test]
fn open_pages_swap_css_reload_on_their_own_changes_and_show_the_overlay() {
    let Some(browser) = Browser::start() else {
        return;
    };
    let site = fixture_site("basic");
    let server = Server::start(site.path());
    browser.open(&format!("{}/about/", server.url));
    let live = "return window.showroomLive === true";
    browser.until("the live script connected", live);
    let stylesheet = "return document.querySelector('link[rel=stylesheet]').getAttribute('href')";
    let first_css = browser.eval(stylesheet);
    // A mark in the page's memory: gone after a reload, kept by a stylesheet swap.
    browser.eval("window.showroomMark = true");

    let css = site.path().join("themes/showroom/static/style.css");
    std::fs::write(&css, read(&css) + "\nbody { outline: 3px solid red }\n").unwrap();
    browser.until(
        "the new stylesheet applied",
        "return getComputedStyle(document.body).outlineStyle === 'solid'",
    );
    assert_eq!(
        browser.eval("return window.showroomMark"),
        true,
        "no reload for CSS"
    );
    assert_ne!(browser.eval(stylesheet), first_css);

    // Another page's edit leaves this one alone; its own edit reloads it.
    edit(
        &site.path().join("content/news/first.md"),
        "+++\n\n",
        "+++\n\nEdited.\n",
    );
    server.wait_for_line("content/news/first.md", CHANGE_DEADLINE);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(browser.eval("return window.showroomMark"), true);
    edit(
        &site.path().join("content/about.md"),
        "Who we are",
        "Who we were",
    );
    browser.until(
        "the page reloaded with the edit",
        "return !window.showroomMark && document.body.innerText.includes('Who we were')",
    );
    browser.until("the live script connected again", live);

    let (template, good) = break_page_template(site.path());
    browser.until(
        "the overlay shown",
        "const o = document.getElementById('showroom-overlay'); \
         return o !== null && o.innerText.includes('templates/page.html:3')",
    );
    std::fs::write(&template, good).unwrap();
    browser.until(
        "the overlay gone after the fix",
        "return document.readyState === 'complete' && !document.getElementById('showroom-overlay')",
    );
}
