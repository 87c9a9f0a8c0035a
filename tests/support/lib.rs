//! Test helpers: `spawn_app()` starts the real service (real model, real
//! embedded Qdrant in a temporary data directory) on a random port.
//!
//! The model is loaded once per test process and shared by every app the
//! tests start: loading it per test would cost a second and ~100 MB each time,
//! and the handle is designed to be shared.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use actix_web::dev::ServerHandle;
use copmatch_api::{app::load_embedder, Application, Settings};
use copmatch_core::Embedder;
use serde_json::Value;
use tempfile::TempDir;

pub use serde_json::json;

/// The shared model.
pub fn embedder() -> Arc<dyn Embedder> {
    static EMBEDDER: OnceLock<Arc<dyn Embedder>> = OnceLock::new();
    EMBEDDER
        .get_or_init(|| {
            load_embedder(&Settings::default()).expect("the model loads; run `make setup` first")
        })
        .clone()
}

/// The public list shared beside the repository, if present.
pub fn external_catalog() -> Option<PathBuf> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/external-communities.jsonl");
    path.is_file().then_some(path)
}

/// What a test needs from outside the repository (shared data, a browser).
/// Missing, the test fails and says what is missing and how to get it. A
/// developer without it may opt out with `COPMATCH_ALLOW_SKIP=1`: the test
/// then prints a SKIPPED banner and returns `None`. CI never sets it, so a
/// check that could not run never counts as passed there.
pub fn required<T>(found: Option<T>, what: &str, how: &str) -> Option<T> {
    if found.is_some() {
        return found;
    }
    let allowed = std::env::var("COPMATCH_ALLOW_SKIP").is_ok_and(|v| v == "1");
    let in_ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false");
    if allowed && !in_ci {
        eprintln!("\n*** SKIPPED (COPMATCH_ALLOW_SKIP=1): {what} is missing; {how} ***\n");
        return None;
    }
    panic!("{what} is missing, so this check cannot run; {how} (or set COPMATCH_ALLOW_SKIP=1 outside CI to skip it loudly)");
}

/// [`external_catalog`], [`required`].
pub fn required_external_catalog() -> Option<PathBuf> {
    required(
        external_catalog(),
        "../shared/data/external-communities.jsonl",
        "the project's shared/ folder must sit beside the checkout",
    )
}

pub fn bundled_catalog() -> PathBuf {
    Settings::default().catalog.path
}

#[derive(Default)]
pub struct TestOptions {
    /// Import the bundled catalog into the empty store at start-up.
    pub bundled_catalog: bool,
    pub admin_keys: Vec<String>,
    /// Reuse a data directory (to test restarts).
    pub data_dir: Option<TempDir>,
    /// Run on this Qdrant server instead of the configured store.
    pub qdrant_url: Option<String>,
    /// Last changes to the settings (after the test defaults).
    pub tweak: Option<fn(&mut Settings)>,
    /// Liveness checks pointed at a fake internet; in the background only
    /// when these settings say `enabled` (without them, never).
    pub liveness: Option<copmatch_liveness::LivenessSettings>,
}

/// A running service. It runs on its own thread and runtime, like the real
/// binary, so that dropping a `TestApp` (also when a test panics) can stop the
/// server and wait for the store to close *before* the temporary data
/// directory is deleted.
pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    handle: ServerHandle,
    thread: Option<std::thread::JoinHandle<anyhow::Result<()>>>,
    data_dir: Option<TempDir>,
}

/// Whether the service tests run against a Qdrant server
/// (`COPMATCH_TEST_STORE=qdrant` with `QDRANT_URL`) instead of the embedded store.
pub fn on_qdrant() -> bool {
    match std::env::var("COPMATCH_TEST_STORE").as_deref() {
        Ok("qdrant") => {
            assert!(
                std::env::var("QDRANT_URL").is_ok(),
                "COPMATCH_TEST_STORE=qdrant needs QDRANT_URL"
            );
            true
        }
        Ok("embedded") | Err(_) => false,
        Ok(other) => panic!("COPMATCH_TEST_STORE must be embedded or qdrant, not {other:?}"),
    }
}

/// Collections of one test app on the Qdrant server: named after its data
/// directory, so a restart on the same directory finds the same data.
fn qdrant_prefix(data_dir: &Path) -> String {
    let name: String = data_dir
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("copmatch_test_{}{name}_", std::process::id())
}

fn use_configured_store(settings: &mut Settings) {
    if on_qdrant() {
        settings.store.kind = copmatch_api::settings::StoreKind::Qdrant;
        settings.store.qdrant.url = std::env::var("QDRANT_URL").expect("QDRANT_URL");
        settings.store.qdrant.collection_prefix = qdrant_prefix(&settings.data_dir);
    }
}

/// Deletes a test app's collections (on a thread of its own: this may run
/// inside a runtime, where another cannot be started).
fn drop_qdrant_collections(data_dir: &Path) {
    let prefix = qdrant_prefix(data_dir);
    let _ = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let options = copmatch_store::QdrantOptions {
                url: std::env::var("QDRANT_URL").expect("QDRANT_URL"),
                ..Default::default()
            };
            let client = options.connect().expect("client");
            let _ = client.delete_alias(format!("{prefix}communities")).await;
            if let Ok(listed) = client.list_collections().await {
                for c in listed
                    .collections
                    .into_iter()
                    .filter(|c| c.name.starts_with(&prefix))
                {
                    let _ = client.delete_collection(c.name).await;
                }
            }
        })
    })
    .join();
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(TestOptions::default()).await
}

pub async fn spawn_app_with(options: TestOptions) -> TestApp {
    let data_dir = options
        .data_dir
        .unwrap_or_else(|| TempDir::new().expect("temp dir"));
    let mut settings = Settings {
        data_dir: data_dir.path().to_path_buf(),
        ..Settings::default()
    };
    settings.http.addr = "127.0.0.1:0".into();
    settings.http.workers = 1;
    settings.catalog.import_when_empty = options.bundled_catalog;
    settings.admin_keys = options.admin_keys;
    // The second model for free text (all-mpnet-base-v2) is loaded per app,
    // not shared: only the tests about it turn it on (with `tweak`).
    settings.model.second_opinion = String::new();
    // Trained models belong to the test, never to the checkout.
    settings.models.dir = Some(data_dir.path().join("models"));
    // Tests never reach the internet: the background checker stays off, and
    // liveness tests point it at their own fake internet.
    match options.liveness {
        Some(liveness) => settings.liveness = liveness,
        None => settings.liveness.enabled = false,
    }
    use_configured_store(&mut settings);
    if let Some(tweak) = options.tweak {
        tweak(&mut settings);
    }
    if let Some(url) = options.qdrant_url {
        settings.store.kind = copmatch_api::settings::StoreKind::Qdrant;
        settings.store.qdrant.url = url;
        settings.store.qdrant.collection_prefix = qdrant_prefix(&settings.data_dir);
        settings.store.qdrant.timeout_ms = 2_000;
        settings.store.qdrant.connect_timeout_ms = 500;
    }
    let embedder = embedder();
    let (started_tx, started_rx) = tokio::sync::oneshot::channel();
    let thread = std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            match Application::build_with_embedder(settings, embedder).await {
                Ok(app) => {
                    let _ = started_tx.send(Ok((app.port(), app.handle())));
                    app.run_until_stopped().await
                }
                Err(e) => {
                    let _ = started_tx.send(Err(e));
                    Ok(())
                }
            }
        })
    });
    let (port, handle) = started_rx
        .await
        .expect("the server thread reports")
        .expect("the app starts");
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        client: reqwest::Client::new(),
        handle,
        thread: Some(thread),
        data_dir: Some(data_dir),
    }
}

impl TestApp {
    /// Where this app reads trained models (`models.dir`).
    pub fn models_dir(&self) -> PathBuf {
        self.data_dir
            .as_ref()
            .expect("running")
            .path()
            .join("models")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request sent")
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn put_json(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .put(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn delete(&self, path: &str) -> reqwest::Response {
        self.client
            .delete(self.url(path))
            .send()
            .await
            .expect("request sent")
    }

    pub async fn import(&self, ndjson: String) -> reqwest::Response {
        self.client
            .post(self.url("/v1/communities/import"))
            .header("content-type", "application/x-ndjson")
            .body(ndjson)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn recommend(&self, body: Value) -> Value {
        let response = self.post_json("/v1/recommendations", &body).await;
        assert_eq!(response.status(), 200, "recommend failed for {body}");
        response.json().await.expect("json body")
    }

    /// Stops the server gracefully (the store is flushed and closed) and hands
    /// back the data directory for a restart.
    pub async fn stop(mut self) -> TempDir {
        self.handle.stop(true).await;
        let thread = self.thread.take().expect("running");
        tokio::task::spawn_blocking(move || thread.join())
            .await
            .expect("join task")
            .expect("server thread")
            .expect("server stopped cleanly");
        self.data_dir.take().expect("data dir")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(thread) = self.thread.take() {
            // The stop command is sent at once; the returned future only waits.
            drop(self.handle.stop(true));
            let _ = thread.join();
        }
        if let (true, Some(dir)) = (on_qdrant(), self.data_dir.as_ref()) {
            drop_qdrant_collections(dir.path());
        }
    }
}

/// Asserts a JSON error response with the given status and code.
pub async fn assert_error(response: reqwest::Response, status: u16, code: &str) -> String {
    assert_eq!(response.status().as_u16(), status, "unexpected status");
    let body: Value = response.json().await.expect("error body is JSON");
    assert_eq!(body["error"]["code"], code, "unexpected error body {body}");
    let message = body["error"]["message"]
        .as_str()
        .expect("message")
        .to_string();
    assert!(!message.is_empty());
    message
}

/// The reasons of one recommendation.
pub fn reasons(recommendation: &Value) -> Vec<&str> {
    recommendation["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .map(|r| r.as_str().expect("a reason is text"))
        .collect()
}

/// The community ids of a recommendations response, in order.
pub fn recommended_ids(body: &Value) -> Vec<String> {
    body["recommendations"]
        .as_array()
        .expect("recommendations")
        .iter()
        .map(|r| r["community"]["id"].as_str().expect("id").to_string())
        .collect()
}

/// The categories of one recommendation in a response.
pub fn categories(recommendation: &Value) -> Vec<String> {
    recommendation["community"]["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .map(|c| c.as_str().expect("a category").to_string())
        .collect()
}

/// A valid community document for tests.
pub fn community(id: &str, name: &str, categories: &[&str], description: &str) -> Value {
    json!({
        "id": id,
        "name": name,
        "url": format!("https://example.org/{id}"),
        "platform": "slack",
        "categories": categories,
        "tags": [],
        "languages": ["English"],
        "cost": "free",
        "description": description,
    })
}
