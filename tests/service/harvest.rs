//! Harvesting from the network: sources fetched from a loopback server that
//! answers like raw.githubusercontent.com (gzip when asked, `404: Not Found`,
//! 429 with `Retry-After` when rate-limited), and the schedule in `serve`.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use copmatch_api::settings::HarvestSettings;
use copmatch_api::Settings;
use copmatch_harvest::source::parse_manifest;
use copmatch_tests::{spawn_app_with, TestOptions};

const LIST: &str = "# Trades\n## Electrical\n\
    - [Sparky Talk](https://sparky.example.org) - electricians helping electricians\n\
    - [Wire Nuts](https://wirenuts.example.org) - a forum for electricians and apprentices\n";

static LIST_HITS: AtomicUsize = AtomicUsize::new(0);

async fn raw_file(req: HttpRequest) -> HttpResponse {
    let gzip = req
        .headers()
        .get("accept-encoding")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("gzip"));
    match req.path() {
        "/example/list/abc/README.md" | "/example/list/abc/scheduled.md" => {
            if req.path().ends_with("scheduled.md") {
                LIST_HITS.fetch_add(1, Ordering::SeqCst);
            }
            let mut response = HttpResponse::Ok();
            response.content_type("text/plain; charset=utf-8");
            if gzip {
                let mut encoder =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
                encoder.write_all(LIST.as_bytes()).unwrap();
                response
                    .insert_header(("content-encoding", "gzip"))
                    .body(encoder.finish().unwrap())
            } else {
                response.body(LIST)
            }
        }
        "/example/list/abc/limited.md" => HttpResponse::TooManyRequests()
            .insert_header(("retry-after", "60"))
            .content_type("text/plain; charset=utf-8")
            .body("429: Too Many Requests"),
        _ => HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("404: Not Found"),
    }
}

/// The loopback stand-in for raw.githubusercontent.com; its base URL.
fn raw_server() -> String {
    static BASE: OnceLock<String> = OnceLock::new();
    BASE.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = HttpServer::new(|| App::new().default_service(web::to(raw_file)))
                    .workers(1)
                    .bind(("127.0.0.1", 0))
                    .unwrap();
                tx.send(server.addrs()[0].port()).unwrap();
                server.run().await.unwrap();
            })
        });
        format!("http://127.0.0.1:{}", rx.recv().unwrap())
    })
    .clone()
}

fn manifest(path: &str, extra: &str) -> String {
    format!(
        "[[source]]\nname = \"trades-list\"\nformat = \"markdown\"\nfetch_url = \"{}/example/list/abc/{path}\"\n\
         page = \"https://github.com/example/list/blob/abc/README.md\"\nlicence = \"CC0-1.0\"\n\
         platform = \"forum\"\nlanguage = \"English\"\ntrust = \"catalog\"\n{extra}",
        raw_server()
    )
}

#[tokio::test]
async fn fetching_reads_compressed_lists_and_reports_what_the_server_refused() {
    let settings = HarvestSettings::default();
    let source = |path: &str| parse_manifest(&manifest(path, "")).unwrap().remove(0);
    let fetched = settings.read(&source("README.md"), true).await.unwrap();
    assert_eq!(fetched.text, LIST, "gzip is asked for and undone");
    assert_eq!(
        fetched.harvested_at.len(),
        10,
        "dated today: {}",
        fetched.harvested_at
    );
    let missing = settings.read(&source("gone.md"), true).await.unwrap_err();
    assert!(format!("{missing:#}").contains("HTTP 404"), "{missing:#}");
    let limited = settings
        .read(&source("limited.md"), true)
        .await
        .unwrap_err();
    assert!(format!("{limited:#}").contains("HTTP 429"), "{limited:#}");
    let small = HarvestSettings {
        max_source_bytes: 16,
        ..HarvestSettings::default()
    };
    let too_big = small.read(&source("README.md"), true).await.unwrap_err();
    assert!(
        format!("{too_big:#}").contains("max_source_bytes"),
        "{too_big:#}"
    );
}

static MANIFEST: OnceLock<PathBuf> = OnceLock::new();

fn scheduled(settings: &mut Settings) {
    settings.harvest.sources = MANIFEST
        .get()
        .expect("written before the app starts")
        .clone();
    settings.harvest.scheduled = true;
    settings.harvest.check_every_secs = 1;
}

#[tokio::test]
async fn a_scheduled_harvest_stores_new_communities_once_and_remembers_it_across_restarts() {
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join("sources.toml");
    std::fs::write(&path, manifest("scheduled.md", "every_hours = 24\n")).unwrap();
    MANIFEST.set(path).unwrap();
    let app = spawn_app_with(TestOptions {
        tweak: Some(scheduled),
        ..Default::default()
    })
    .await;
    let mut found = None;
    for _ in 0..300 {
        let response = app.get("/v1/communities/forum-sparky-talk").await;
        if response.status() == 200 {
            found = Some(response.json::<serde_json::Value>().await.unwrap());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let sparky = found.expect("the scheduled harvest stored the list's communities");
    assert_eq!(sparky["provenance"][0]["source"], "trades-list");
    assert_eq!(sparky["categories"][0], "Electrical trades");
    assert_eq!(
        app.get("/v1/communities/forum-wire-nuts").await.status(),
        200
    );
    let hits = LIST_HITS.load(Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        LIST_HITS.load(Ordering::SeqCst),
        hits,
        "not due again for 24 hours"
    );

    let data_dir = app.stop().await;
    let app = spawn_app_with(TestOptions {
        tweak: Some(scheduled),
        data_dir: Some(data_dir),
        ..Default::default()
    })
    .await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        LIST_HITS.load(Ordering::SeqCst),
        hits,
        "a restart remembers the last harvest"
    );
    let all: serde_json::Value = app.get("/v1/communities").await.json().await.unwrap();
    assert_eq!(all["total"], 2, "nothing twice");
}
