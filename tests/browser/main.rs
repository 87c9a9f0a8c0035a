//! A person in a real browser (headless Chromium through chromedriver) uses
//! the service: types roles, reads matches with reasons, says "not for me",
//! reports a dead link, opens a shared search link, submits a community,
//! approves it as a moderator and then finds it. Screenshots of each step go to
//! `<target>/screenshots/`. Skipped, saying so, when chromedriver is absent
//! (`.ci/run` installs Debian's chromium and chromium-driver).

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use copmatch_tests::{spawn_app_with, TestOptions};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn chromedriver() -> Option<PathBuf> {
    std::env::var_os("CHROMEDRIVER")
        .map(PathBuf::from)
        .or_else(|| Some(PathBuf::from("/usr/bin/chromedriver")))
        .filter(|p| p.is_file())
}

fn screenshots() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("../screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn start_browser(driver: &std::path::Path, profile: &std::path::Path) -> (Driver, Client) {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let driver = Driver(child);
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                format!("--user-data-dir={}", profile.display()), "--window-size=1280,1000"
            ]
        }
    });
    let mut builder = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new());
    builder.capabilities(caps.as_object().unwrap().clone());
    for _ in 0..100 {
        if let Ok(client) = builder.connect(&format!("http://127.0.0.1:{port}")).await {
            return (driver, client);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not accept a session");
}

async fn shot(c: &Client, name: &str) {
    let png = c.screenshot().await.expect("screenshot");
    std::fs::write(screenshots().join(format!("{name}.png")), png).unwrap();
}

async fn wait_text(c: &Client, css: &str, needle: &str) -> String {
    for _ in 0..200 {
        if let Ok(el) = c.find(Locator::Css(css)).await {
            if let Ok(text) = el.text().await {
                if text.contains(needle) {
                    return text;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css} never showed {needle:?}");
}

const MODERATOR_KEY: &str = "moderator-secret";

fn with_keys(settings: &mut copmatch_api::Settings) {
    use copmatch_api::auth::{KeySettings, Scope};
    settings.auth.keys = vec![KeySettings {
        name: "moderator".into(),
        key: Some(MODERATOR_KEY.into()),
        sha256: None,
        scopes: vec![Scope::Admin],
    }];
    settings.auth.public_key = Some("visitor-page-key".into());
}

#[tokio::test]
async fn a_person_finds_judges_and_adds_communities_in_a_browser() {
    let Some(driver) = copmatch_tests::required(
        chromedriver(),
        "chromedriver",
        "`make setup-browser` installs Debian's chromium and chromium-driver (or set CHROMEDRIVER)",
    ) else {
        return;
    };
    // Keys are configured: the pages work for a visitor through the public
    // key they carry, and the moderator types an admin key.
    let app = spawn_app_with(TestOptions {
        bundled_catalog: true,
        tweak: Some(with_keys),
        ..Default::default()
    })
    .await;
    let profile = tempfile::TempDir::new().unwrap();
    let (_driver, c) = start_browser(&driver, profile.path()).await;

    // Types a role and presses Enter.
    c.goto(&app.url("/")).await.unwrap();
    let roles = c.find(Locator::Id("roles")).await.unwrap();
    roles.send_keys("ICU nurse\n").await.unwrap();
    wait_text(&c, "#status", "communities fit").await;
    let first = c.find(Locator::Css("#results .result")).await.unwrap();
    let first_text = first.text().await.unwrap();
    assert!(first_text.to_lowercase().contains("nurse"), "{first_text}");
    let reasons = first.find_all(Locator::Css(".reasons li")).await.unwrap();
    assert!(reasons.len() >= 2, "each result explains itself");
    assert!(
        c.current_url()
            .await
            .unwrap()
            .as_str()
            .contains("roles=ICU+nurse"),
        "the search lives in the URL"
    );
    shot(&c, "1-matches").await;

    // "Not for me" hides the first result and says so.
    let first_id = first.attr("data-id").await.unwrap().unwrap();
    first
        .find(Locator::Css("button[data-action=not-for-me]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&c, "#status", "is hidden").await;
    let ids: Vec<String> = {
        let mut out = Vec::new();
        for r in c.find_all(Locator::Css("#results .result")).await.unwrap() {
            out.push(r.attr("data-id").await.unwrap().unwrap());
        }
        out
    };
    assert!(!ids.contains(&first_id));
    assert!(c
        .current_url()
        .await
        .unwrap()
        .as_str()
        .contains(&format!("not={first_id}")));

    // ...and is recorded as the visitor's feedback, profile included.
    let visitor = c
        .execute("return localStorage.getItem('copmatch-visitor')", vec![])
        .await
        .unwrap();
    let visitor = visitor
        .as_str()
        .expect("the page made a visitor id")
        .to_string();
    let mut dismissed = serde_json::Value::Null;
    for _ in 0..50 {
        let response = app
            .client
            .get(app.url(&format!("/v1/users/{visitor}/recommendations")))
            .bearer_auth(MODERATOR_KEY)
            .send()
            .await
            .unwrap();
        if response.status() == 200 {
            let body: serde_json::Value = response.json().await.unwrap();
            dismissed = body["history"]["dismissed"].clone();
            if dismissed == 1 {
                break;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(dismissed, 1, "the dismissal reached the feedback API");

    // Reporting a dead link queues it for a moderator.
    c.find(Locator::Css(
        "#results .result button[data-action=report-dead-link]",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    wait_text(&c, "#results .note", "moderator will check").await;

    // A shared link runs its search on opening.
    c.goto(&app.url("/?roles=public+health+student"))
        .await
        .unwrap();
    wait_text(&c, "#status", "communities fit").await;
    let text = c
        .find(Locator::Css("#results .result"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains("ublic health") || text.contains("MPH"),
        "{text}"
    );

    // A search nothing fits says so, lists nothing, and offers the fields of
    // what came nearest to browse instead.
    c.goto(&app.url("/?roles=lighthouse+keeper")).await.unwrap();
    wait_text(&c, "#status", "Nothing fits closely").await;
    assert!(c
        .find_all(Locator::Css("#close-results .result"))
        .await
        .unwrap()
        .is_empty());
    let heading = c.find(Locator::Css("#less-close h2")).await.unwrap();
    assert!(heading.is_displayed().await.unwrap());
    assert_eq!(
        heading.text().await.unwrap(),
        "Nothing fits closely: browse nearby fields"
    );
    c.find(Locator::Css("#nearby-fields button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&c, "#field-title", "communities").await;
    assert!(!c
        .find_all(Locator::Css("#field-results .result"))
        .await
        .unwrap()
        .is_empty());
    shot(&c, "1b-nothing-fits").await;

    // Browsing by field, without a search.
    c.find(Locator::Css("#browse summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Css("#field-list button[data-field=nursing]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&c, "#field-title", "Nursing and midwifery").await;
    let first = c
        .find(Locator::Css("#field-results .result"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(first.to_lowercase().contains("nurs"), "{first}");
    shot(&c, "1c-browse-nursing").await;

    // At phone width nothing overflows sideways.
    c.set_window_size(390, 844).await.unwrap();
    let overflow = c
        .execute(
            "return document.documentElement.scrollWidth - window.innerWidth",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        overflow.as_i64().unwrap() <= 0,
        "horizontal overflow of {overflow}px at phone width"
    );
    shot(&c, "2-phone").await;
    c.set_window_size(1280, 1000).await.unwrap();

    // Submits a community.
    c.goto(&app.url("/submit")).await.unwrap();
    for (id, value) in [
        ("name", "Reef Keepers"),
        ("url", "https://example.org/reef-keepers"),
        ("description", "Marine biologists and divers who survey coral reefs compare methods and share field reports."),
        ("categories", "Research"),
        ("tags", "coral reefs, marine biology"),
    ] {
        c.find(Locator::Id(id)).await.unwrap().send_keys(value).await.unwrap();
    }
    c.find(Locator::Css("#platform option[value=discord]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    shot(&c, "3-submit").await;
    c.find(Locator::Css("#submit button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&c, "#status", "waiting for a moderator").await;

    // A moderator approves it.
    c.goto(&app.url("/moderate")).await.unwrap();
    c.find(Locator::Id("admin-key"))
        .await
        .unwrap()
        .send_keys(MODERATOR_KEY)
        .await
        .unwrap();
    c.find(Locator::Css("#key button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let queue = wait_text(&c, "#queue", "New community: Reef Keepers").await;
    assert!(
        queue.contains("Dead link reported"),
        "the report waits too: {queue}"
    );
    shot(&c, "4-moderate").await;
    let rows = c.find_all(Locator::Css("#queue tr")).await.unwrap();
    let mut approved = false;
    for row in rows {
        if row.text().await.unwrap().contains("Reef Keepers") {
            row.find(Locator::Css("button[data-action=approve]"))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
            approved = true;
            break;
        }
    }
    assert!(approved);
    wait_text(&c, "#status", "Reef Keepers: approved").await;

    // And finds it on the match page.
    c.goto(&app.url("/?roles=marine+biologist&interests=coral+reefs"))
        .await
        .unwrap();
    let text = wait_text(&c, "#results", "Reef Keepers").await;
    assert!(text.contains("Reef Keepers"));
    shot(&c, "5-found").await;
    c.close().await.unwrap();
}
