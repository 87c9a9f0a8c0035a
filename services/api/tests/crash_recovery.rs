//! The real `copmatch` binary loses nothing it acknowledged when it is killed
//! with SIGKILL (no shutdown hook runs), also in the middle of a bulk import,
//! of feedback ingestion and of a re-index, and starts again on the same data
//! with nothing torn.

mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::{start, Server};

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
    let page: Value = get_json(&client, format!("{}/v1/communities", server.base)).await;
    let mut ids: Vec<&str> = page["communities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    ids.sort();
    assert_eq!(ids, vec!["guild-0", "guild-2"]);
    let recs: Value = post_json(
        &client,
        format!("{}/v1/recommendations", server.base),
        &json!({"profile": {"roles": ["carpenter"]}}),
    )
    .await;
    assert_eq!(recs["recommendations"].as_array().unwrap().len(), 2);
    server.child.kill().unwrap();
    server.child.wait().unwrap();
}

async fn get_json(client: &reqwest::Client, url: String) -> Value {
    client.get(url).send().await.unwrap().json().await.unwrap()
}

async fn post_json(client: &reqwest::Client, url: String, body: &Value) -> Value {
    client
        .post(url)
        .json(body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Imports communities `0..n` and returns the import report.
async fn import(client: &reqwest::Client, server: &Server, n: usize) -> Value {
    client
        .post(server.url("/v1/communities/import"))
        .header("content-type", "application/x-ndjson")
        .body(ndjson(n))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn ndjson(n: usize) -> String {
    (0..n).map(|i| format!("{}\n", community(i))).collect()
}

fn community(i: usize) -> Value {
    json!({"id": format!("c-{i}"), "name": format!("Guild number {i}"), "url": format!("https://example.org/{i}"),
           "platform": "forum", "categories": ["Skilled trades"],
           "description": format!("Carpenters and joiners helping each other, group {i}")})
}

async fn communities(client: &reqwest::Client, server: &Server) -> Vec<Value> {
    let mut all = Vec::new();
    loop {
        let page: Value = get_json(
            client,
            server.url(&format!("/v1/communities?limit=100&offset={}", all.len())),
        )
        .await;
        let items = page["communities"].as_array().unwrap().clone();
        if items.is_empty() {
            return all;
        }
        all.extend(items);
    }
}

/// Every stored community is whole: it reads back by id with its fields and
/// is found by a search, so no half-written record survived the kill.
async fn assert_whole(client: &reqwest::Client, server: &Server, stored: &[Value], total: usize) {
    for c in stored {
        let id = c["id"].as_str().unwrap();
        let one: Value = get_json(client, server.url(&format!("/v1/communities/{id}"))).await;
        assert_eq!(one["name"], c["name"], "{id} reads back whole");
        assert!(
            one["description"]
                .as_str()
                .unwrap()
                .starts_with("Carpenters"),
            "{one}"
        );
    }
    let recs: Value = post_json(
        client,
        server.url("/v1/recommendations"),
        &json!({"profile": {"roles": ["carpenter"]}, "limit": 100}),
    )
    .await;
    assert_eq!(
        recs["recommendations"].as_array().unwrap().len(),
        total.min(100)
    );
}

#[tokio::test]
async fn a_bulk_import_killed_midway_leaves_whole_communities_and_imports_again() {
    let dir = tempfile::TempDir::new().unwrap();
    let client = reqwest::Client::new();
    let mut server = start(dir.path());
    let body = ndjson(3000);
    let first_import = {
        let (client, url) = (client.clone(), server.url("/v1/communities/import"));
        tokio::spawn(async move {
            client
                .post(url)
                .header("content-type", "application/x-ndjson")
                .body(body)
                .send()
                .await
        })
    };
    // Kill once the import has written part of the catalog. A batch's points
    // are visible as soon as they are applied, before its flush returns; the
    // store applies and flushes one write at a time, so once more than one
    // batch (`limits.import_batch`, 64) is visible the first one is on disk.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let count = communities(&client, &server).await.len();
        if count > 64 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the import never started writing"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    server.kill();
    assert!(
        first_import.await.unwrap().is_err(),
        "the import was not acknowledged"
    );

    let server = start(dir.path());
    let stored = communities(&client, &server).await;
    assert!(
        !stored.is_empty() && stored.len() < 3000,
        "{} stored",
        stored.len()
    );
    assert_whole(&client, &server, &stored, stored.len()).await;
    // The same import runs again to the end: nothing left behind blocks it.
    let report = import(&client, &server, 3000).await;
    assert_eq!(report["imported"], 3000, "{report}");
    assert_eq!(communities(&client, &server).await.len(), 3000);
}

#[tokio::test]
async fn acknowledged_feedback_survives_a_kill_during_ingestion() {
    let dir = tempfile::TempDir::new().unwrap();
    let client = reqwest::Client::new();
    let mut server = start(dir.path());
    for i in 0..3 {
        let r = client
            .put(server.url(&format!("/v1/communities/c-{i}")))
            .json(&community(i))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    for u in 0..4 {
        let r = client
            .put(server.url(&format!("/v1/users/u{u}")))
            .json(&json!({"profile": {"roles": ["carpenter"]}}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    // Four writers send batches of clicks; each counts what was acknowledged.
    let writers: Vec<_> = (0..4)
        .map(|u| {
            let (client, url) = (client.clone(), server.url("/v1/feedback"));
            tokio::spawn(async move {
                let mut acknowledged = 0usize;
                loop {
                    let batch: Vec<Value> = (0..5)
                        .map(|k| json!({"user_id": format!("u{u}"), "community_id": format!("c-{}", k % 3), "type": "click"}))
                        .collect();
                    match client.post(&url).json(&batch).send().await {
                        Ok(r) if r.status() == 200 => acknowledged += 5,
                        _ => return acknowledged,
                    }
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.kill();
    let mut acknowledged = Vec::new();
    for w in writers {
        acknowledged.push(w.await.unwrap());
    }
    assert!(acknowledged.iter().all(|&n| n > 0), "{acknowledged:?}");

    // The store reads back with every acknowledged event (a batch that was
    // in flight may or may not be there, but whole).
    let exported = Command::new(env!("CARGO_BIN_EXE_copmatch"))
        .args([
            "--data-dir",
            dir.path().join("var").to_str().unwrap(),
            "feedback",
            "export",
        ])
        .env("COPMATCH__CATALOG__IMPORT_WHEN_EMPTY", "false")
        .env("COPMATCH__LIVENESS__ENABLED", "false")
        .output()
        .unwrap();
    assert!(
        exported.status.success(),
        "{}",
        String::from_utf8_lossy(&exported.stderr)
    );
    let mut stored = [0usize; 4];
    for line in String::from_utf8_lossy(&exported.stdout).lines() {
        let record: Value = serde_json::from_str(line).expect("every exported line is whole JSON");
        if record["record"] == "event" {
            let user = record["user_id"].as_str().unwrap();
            stored[user[1..].parse::<usize>().unwrap()] += 1;
        }
        // Past feedback.max_events_per_user the oldest are counted on the
        // user instead: they were stored, and still count.
        if record["record"] == "user" {
            let user = record["id"].as_str().unwrap();
            let folded = record["rolled_up"]["counts"]["click"].as_u64().unwrap_or(0);
            stored[user[1..].parse::<usize>().unwrap()] += folded as usize;
        }
    }
    for u in 0..4 {
        assert!(
            stored[u] >= acknowledged[u],
            "user u{u}: {} stored < {} acknowledged",
            stored[u],
            acknowledged[u]
        );
        assert!(
            stored[u] <= acknowledged[u] + 5,
            "user u{u}: at most the one batch in flight is extra"
        );
        assert_eq!(stored[u] % 5, 0, "batches are all or nothing");
    }
    let server = start(dir.path());
    let r = client
        .get(server.url("/v1/users/u0/recommendations"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

async fn index_status(client: &reqwest::Client, server: &Server) -> Value {
    get_json(client, server.url("/v1/admin/index")).await
}

/// Starts a re-index of 1,500 communities, stops the server with `stop` once
/// it has copied some, restarts: the re-index resumes by itself, the catalog
/// stays readable meanwhile, and it ends switched with every community whole.
async fn a_reindex_stopped_midway_resumes_after_a_restart(stop: fn(&mut Server)) {
    let dir = tempfile::TempDir::new().unwrap();
    let client = reqwest::Client::new();
    let mut server = start(dir.path());
    let report = import(&client, &server, 1500).await;
    assert_eq!(report["imported"], 1500);
    let before = index_status(&client, &server).await["active"]["name"].clone();
    let r = client
        .post(server.url("/v1/admin/reindex"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let status = index_status(&client, &server).await;
        if status["reindex"]["done"].as_u64().unwrap_or(0) > 0 {
            assert_eq!(
                status["reindex"]["state"], "running",
                "stopped mid-way, not after: {status}"
            );
            break;
        }
        assert!(Instant::now() < deadline, "the re-index never progressed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop(&mut server);

    let server = start(dir.path());
    let stored = communities(&client, &server).await;
    assert_eq!(
        stored.len(),
        1500,
        "the catalog reads whole while the re-index resumes"
    );
    let r = client
        .post(server.url("/v1/admin/reindex"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409, "the interrupted re-index is running again");
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let status = index_status(&client, &server).await;
        if status["reindex"]["state"] == "succeeded" {
            assert_ne!(status["active"]["name"], before, "it switched");
            assert_eq!(
                status["versions"].as_array().unwrap().len(),
                2,
                "the leftover is gone: {status}"
            );
            break;
        }
        assert_ne!(status["reindex"]["state"], "failed", "{status}");
        assert!(
            Instant::now() < deadline,
            "the resumed re-index did not finish"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let stored = communities(&client, &server).await;
    assert_eq!(stored.len(), 1500);
    assert_whole(&client, &server, &stored[..50], stored.len()).await;
}

#[tokio::test]
async fn a_reindex_killed_midway_resumes_after_a_restart() {
    a_reindex_stopped_midway_resumes_after_a_restart(Server::kill).await;
}

#[tokio::test]
async fn a_reindex_stopped_gracefully_midway_resumes_after_a_restart() {
    a_reindex_stopped_midway_resumes_after_a_restart(Server::terminate).await;
}
