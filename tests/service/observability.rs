//! `/metrics` in the Prometheus text format, and request ids.

use copmatch_tests::{json, spawn_app};

/// Every sample line is `name{labels} value` with a numeric value, and every
/// metric has its `# TYPE` before its samples.
fn assert_prometheus_text(text: &str) {
    let mut typed = std::collections::HashSet::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let mut parts = rest.split_whitespace();
            let name = parts.next().unwrap();
            let kind = parts.next().unwrap();
            assert!(
                ["counter", "gauge", "histogram", "summary"].contains(&kind),
                "{line}"
            );
            typed.insert(name.to_string());
            continue;
        }
        if line.starts_with('#') {
            assert!(line.starts_with("# HELP "), "{line}");
            continue;
        }
        let (series, value) = line.rsplit_once(' ').expect("a sample has a value");
        assert!(
            value.parse::<f64>().is_ok() || ["+Inf", "-Inf", "NaN"].contains(&value),
            "{line}"
        );
        let name = series.split('{').next().unwrap();
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| name.strip_suffix(s))
            .filter(|f| typed.contains(*f))
            .unwrap_or(name);
        assert!(typed.contains(family), "{name} has no # TYPE before it");
        if let Some(labels) = series.split_once('{').map(|(_, l)| l) {
            assert!(labels.ends_with('}'), "{line}");
        }
    }
}

#[tokio::test]
async fn metrics_scrape_cleanly_and_count_requests_by_route_model_and_store() {
    let app = spawn_app().await;
    app.post_json(
        "/v1/recommendations",
        &json!({"profile": {"roles": ["observability engineer"]}}),
    )
    .await;
    app.get("/v1/communities/no-such-one").await;
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let text = response.text().await.unwrap();
    assert_prometheus_text(&text);
    for expected in [
        "copmatch_http_requests_total{route=\"/v1/recommendations\",method=\"POST\",status=\"200\"}",
        "copmatch_http_requests_total{route=\"/v1/communities/{id}\",method=\"GET\",status=\"404\"}",
        "copmatch_http_request_duration_seconds_bucket{route=\"/v1/recommendations\",method=\"POST\",le=\"",
        "copmatch_embed_batch_texts_bucket{model=\"all-MiniLM-L6-v2\",le=\"",
        "copmatch_embed_inference_seconds_bucket{model=\"all-MiniLM-L6-v2\",le=\"",
        "copmatch_embed_cache_misses_total{model=\"all-MiniLM-L6-v2\"}",
        "copmatch_store_call_duration_seconds_bucket{backend=\"embedded\",operation=\"search\",le=\"",
    ] {
        assert!(text.contains(expected), "/metrics lacks {expected}\n{text}");
    }
}

#[tokio::test]
async fn every_answer_carries_a_request_id_and_a_sane_client_id_is_kept() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/health"))
        .header("x-request-id", "trace-abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "trace-abc-123");
    let generated = app.get("/v1/communities/nope").await;
    let id = generated.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(uuid_version(&id), Some('7'), "{id}");
    let response = app
        .client
        .get(app.url("/health"))
        .header("x-request-id", "has spaces in it")
        .send()
        .await
        .unwrap();
    let replaced = response.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(uuid_version(replaced), Some('7'), "{replaced}");
}

fn uuid_version(id: &str) -> Option<char> {
    (id.len() == 36).then(|| id.chars().nth(14)).flatten()
}
