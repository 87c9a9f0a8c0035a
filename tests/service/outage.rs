//! A Qdrant outage: requests answer 503 `store_unavailable` with Retry-After
//! within the configured timeouts, `/ready` says not ready, and the service
//! recovers by itself when the server is back. Starts its own Qdrant server
//! (`QDRANT_BIN`, or `qdrant` on PATH) so it can stop and restart it.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use copmatch_tests::{assert_error, json, spawn_app_with, TestOptions};
use tempfile::TempDir;

pub fn qdrant_binary() -> Option<PathBuf> {
    if let Ok(bin) = std::env::var("QDRANT_BIN") {
        return Some(PathBuf::from(bin));
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("qdrant"))
            .find(|p| p.is_file())
    })
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Server {
    bin: PathBuf,
    dir: TempDir,
    http_port: u16,
    grpc_port: u16,
    child: Option<Child>,
}

impl Server {
    fn new(bin: PathBuf) -> Self {
        Self {
            bin,
            dir: TempDir::new().unwrap(),
            http_port: free_port(),
            grpc_port: free_port(),
            child: None,
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.grpc_port)
    }

    fn start(&mut self) {
        let dir: &Path = self.dir.path();
        let log = std::fs::File::options()
            .create(true)
            .append(true)
            .open(dir.join("qdrant.log"))
            .unwrap();
        let child = Command::new(&self.bin)
            .current_dir(dir)
            .env("QDRANT__SERVICE__HOST", "127.0.0.1")
            .env("QDRANT__SERVICE__HTTP_PORT", self.http_port.to_string())
            .env("QDRANT__SERVICE__GRPC_PORT", self.grpc_port.to_string())
            .env("QDRANT__STORAGE__STORAGE_PATH", dir.join("storage"))
            .env("QDRANT__STORAGE__SNAPSHOTS_PATH", dir.join("snapshots"))
            .env("QDRANT__TELEMETRY_DISABLED", "true")
            .stdout(Stdio::from(log.try_clone().unwrap()))
            .stderr(Stdio::from(log))
            .spawn()
            .expect("the qdrant binary starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", self.grpc_port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "qdrant did not listen; see {}",
                dir.join("qdrant.log").display()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

#[tokio::test]
#[ignore = "needs a qdrant binary: QDRANT_BIN or qdrant on PATH (make test runs it when one is found)"]
async fn a_qdrant_outage_answers_503_with_retry_after_and_recovers_by_itself() {
    let bin = qdrant_binary().expect("set QDRANT_BIN or put qdrant on PATH");
    let mut server = Server::new(bin);
    server.start();
    let app = spawn_app_with(TestOptions {
        bundled_catalog: true,
        qdrant_url: Some(server.url()),
        ..Default::default()
    })
    .await;
    let request = json!({"profile": {"roles": ["epidemiologist"]}});
    app.recommend(request.clone()).await;
    assert_eq!(app.get("/ready").await.status(), 200);

    server.kill();
    let asked = Instant::now();
    let response = app.post_json("/v1/recommendations", &request).await;
    assert!(
        asked.elapsed() < Duration::from_secs(10),
        "an outage answer took {:?}",
        asked.elapsed()
    );
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    let status = response.status();
    let body = response.text().await.unwrap();
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("store_unavailable"), "{body}");
    assert_eq!(retry_after.as_deref(), Some("5"));
    assert_error(app.get("/ready").await, 503, "store_unavailable").await;
    assert_error(
        app.get("/v1/communities/apha").await,
        503,
        "store_unavailable",
    )
    .await;
    assert_eq!(
        app.get("/health").await.status(),
        200,
        "the process itself is alive"
    );

    server.start();
    let deadline = Instant::now() + Duration::from_secs(60);
    while app.get("/ready").await.status() != 200 {
        assert!(
            Instant::now() < deadline,
            "the service did not recover after Qdrant came back"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let body = app.recommend(request).await;
    assert!(
        !body["recommendations"].as_array().unwrap().is_empty(),
        "nothing was lost: {body}"
    );
}
