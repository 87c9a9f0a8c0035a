//! The real `copmatch` binary loses nothing it acknowledged when it is killed
//! with SIGKILL (no shutdown hook runs), and starts again on the same data.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

struct Server {
    child: Child,
    base: String,
}

fn start(data_dir: &std::path::Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_copmatch"))
        .args([
            "--data-dir",
            data_dir.to_str().unwrap(),
            "serve",
            "--addr",
            "127.0.0.1:0",
        ])
        .env("COPMATCH__CATALOG__IMPORT_WHEN_EMPTY", "false")
        .env("COPMATCH__HTTP__WORKERS", "1")
        .env("COPMATCH__LIVENESS__ENABLED", "false")
        .env("COPMATCH__LOG", "info")
        .env_remove("RUST_LOG")
        .stderr(Stdio::piped())
        .spawn()
        .expect("copmatch starts");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut base = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.split("listening on ").nth(1) {
            base = Some(rest.trim().to_string());
            break;
        }
    }
    // Keep draining the log so the server never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    Server {
        child,
        base: base.expect("the server reports its address"),
    }
}

#[tokio::test]
async fn acknowledged_writes_survive_sigkill() {
    let dir = tempfile::TempDir::new().unwrap();
    let client = reqwest::Client::new();
    let mut server = start(dir.path());
    for i in 0..3 {
        let body = json!({"name": format!("Guild {i}"), "url": "https://example.org", "platform": "forum", "categories": ["Skilled trades"], "description": "Carpenters helping each other"});
        let r = client
            .put(format!("{}/v1/communities/guild-{i}", server.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    let r = client
        .delete(format!("{}/v1/communities/guild-1", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    server.child.kill().unwrap(); // SIGKILL: no graceful shutdown, no final flush
    server.child.wait().unwrap();

    let mut server = start(dir.path());
    let page: Value = client
        .get(format!("{}/v1/communities", server.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut ids: Vec<&str> = page["communities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    ids.sort();
    assert_eq!(ids, vec!["guild-0", "guild-2"]);
    let recs: Value = client
        .post(format!("{}/v1/recommendations", server.base))
        .json(&json!({"profile": {"roles": ["carpenter"]}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(recs["recommendations"].as_array().unwrap().len(), 2);
    server.child.kill().unwrap();
    server.child.wait().unwrap();
}
