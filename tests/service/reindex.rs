//! Re-indexing while the service serves: zero failed requests, nothing lost.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use copmatch_tests::{assert_error, community, json, spawn_app_with, TestOptions};
use serde_json::Value;

async fn index_status(app: &copmatch_tests::TestApp) -> Value {
    let response = app.get("/v1/admin/index").await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn reindexing_under_traffic_fails_no_request_and_keeps_every_write() {
    let app = Arc::new(
        spawn_app_with(TestOptions {
            bundled_catalog: true,
            ..Default::default()
        })
        .await,
    );
    let before = index_status(&app).await;
    let total = app
        .get("/v1/communities?limit=1")
        .await
        .json::<Value>()
        .await
        .unwrap()["total"]
        .as_u64()
        .unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let (served, failed) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let mut readers = Vec::new();
    for role in ["epidemiologist", "backend developer"] {
        let (app, stop, served, failed) =
            (app.clone(), stop.clone(), served.clone(), failed.clone());
        readers.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let response = app
                    .post_json(
                        "/v1/recommendations",
                        &json!({"profile": {"roles": [role]}, "limit": 5}),
                    )
                    .await;
                let ok = response.status() == 200
                    && response
                        .json::<Value>()
                        .await
                        .map(|b| {
                            b["recommendations"]
                                .as_array()
                                .is_some_and(|r| r.len() == 5)
                        })
                        .unwrap_or(false);
                if ok {
                    served.fetch_add(1, Ordering::Relaxed)
                } else {
                    failed.fetch_add(1, Ordering::Relaxed)
                };
            }
        }));
    }

    let started = app.post_json("/v1/admin/reindex", &json!({})).await;
    assert_eq!(started.status(), 202);
    assert_error(
        app.post_json("/v1/admin/reindex", &json!({})).await,
        409,
        "reindex_in_progress",
    )
    .await;
    let mut written = 0;
    let deadline = Instant::now() + Duration::from_secs(300);
    let status = loop {
        // Writes during the copy must reach the new version too.
        let id = format!("written-during-reindex-{written}");
        let doc = community(
            &id,
            "Written During Reindex",
            &["Law"],
            "Added while the index was being rebuilt.",
        );
        assert_eq!(
            app.put_json(&format!("/v1/communities/{id}"), &doc)
                .await
                .status(),
            201
        );
        written += 1;
        let status = index_status(&app).await;
        if status["reindex"]["state"] != "running" {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the re-index did not finish: {status}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    stop.store(true, Ordering::Relaxed);
    for r in readers {
        r.await.unwrap();
    }

    eprintln!(
        "served {} recommendations and {written} writes during the re-index",
        served.load(Ordering::Relaxed)
    );
    assert_eq!(status["reindex"]["state"], "succeeded", "{status}");
    assert!(written >= 2, "the writes overlapped the copy");
    assert_eq!(
        failed.load(Ordering::Relaxed),
        0,
        "requests failed during the re-index"
    );
    assert!(served.load(Ordering::Relaxed) > 0);
    assert_ne!(
        status["active"]["name"], before["active"]["name"],
        "a new version serves"
    );
    assert_eq!(status["reindex"]["last"]["to"], status["active"]["name"]);
    let after = app
        .get("/v1/communities?limit=1")
        .await
        .json::<Value>()
        .await
        .unwrap()["total"]
        .as_u64()
        .unwrap();
    assert_eq!(
        after,
        total + written,
        "every community, old and new, is in the new version"
    );
    for i in 0..written {
        assert_eq!(
            app.get(&format!("/v1/communities/written-during-reindex-{i}"))
                .await
                .status(),
            200
        );
    }
    let body = app
        .recommend(json!({"profile": {"roles": ["epidemiologist"]}}))
        .await;
    assert!(!body["recommendations"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn index_administration_needs_an_admin_key_when_keys_are_set() {
    let app = spawn_app_with(TestOptions {
        admin_keys: vec!["k".into()],
        ..Default::default()
    })
    .await;
    assert_error(app.get("/v1/admin/index").await, 401, "missing_api_key").await;
    assert_error(
        app.post_json("/v1/admin/reindex", &json!({})).await,
        401,
        "missing_api_key",
    )
    .await;
    let response = app
        .client
        .get(app.url("/v1/admin/index"))
        .bearer_auth("k")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["reindex"]["state"], "idle");
    assert_eq!(body["versions"].as_array().unwrap().len(), 1);
    assert_eq!(body["active"]["model"], "all-minilm-l6-v2");
}
