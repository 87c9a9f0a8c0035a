//! What the service tells its operators: Prometheus metrics (`GET /metrics`,
//! through the `metrics` facade and its Prometheus exporter), logs as text or
//! JSON (`log_format`), and a request id on every request: taken from
//! `X-Request-Id` when the client sends a sane one, generated (UUID v7)
//! otherwise, returned in the response and carried by every log line of the
//! request. Probes (`/health`, `/ready`, `/metrics`) are counted but left out
//! of the access log, which they would otherwise flood.

use std::sync::OnceLock;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use serde::{Deserialize, Serialize};
use tracing::Instrument;

/// The probe routes (`routes/health.rs`): open by default
/// (`auth.open_paths`), never refused for overload, and left out of the
/// access log.
pub const PROBES: [&str; 3] = ["/health", "/ready", "/metrics"];

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// For people at a terminal.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Starts logging with the filter (`RUST_LOG` wins) and the format.
pub fn init_logging(filter: &str, format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(filter));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .init(),
    }
}

/// Latency buckets in seconds: from a cached answer to a slow import.
const SECONDS_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];
/// Texts per forward pass.
const BATCH_BUCKETS: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0];

/// The process's Prometheus recorder, installed on first use (several apps
/// in one test process share it).
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), SECONDS_BUCKETS)
                .and_then(|b| {
                    b.set_buckets_for_metric(Matcher::Suffix("_texts".into()), BATCH_BUCKETS)
                })
                .expect("the buckets are not empty")
                .build_recorder();
            let handle = recorder.handle();
            // Another recorder may be installed already (an embedding
            // program); ours then only renders what it saw.
            let _ = metrics::set_global_recorder(recorder);
            describe();
            handle
        })
        .clone()
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
    describe_counter!(
        "copmatch_http_requests_total",
        "HTTP requests by route, method and status"
    );
    describe_histogram!(
        "copmatch_http_request_duration_seconds",
        Unit::Seconds,
        "HTTP request latency by route and method"
    );
    describe_gauge!("copmatch_http_in_flight", "HTTP requests being handled");
    describe_counter!(
        "copmatch_rate_limited_total",
        "requests refused with rate_limited, by budget"
    );
    describe_counter!(
        "copmatch_overloaded_total",
        "requests refused with overloaded, by reason (in_flight, model_queue)"
    );
    describe_gauge!(
        "copmatch_embed_queue_texts",
        "texts waiting for a model thread"
    );
    describe_histogram!("copmatch_embed_batch_texts", "texts per forward pass");
    describe_histogram!(
        "copmatch_embed_inference_seconds",
        Unit::Seconds,
        "time of one forward pass"
    );
    describe_counter!(
        "copmatch_embed_cache_hits_total",
        "texts answered by the embedding cache"
    );
    describe_counter!(
        "copmatch_embed_cache_misses_total",
        "texts sent to the model"
    );
    describe_histogram!(
        "copmatch_store_call_duration_seconds",
        Unit::Seconds,
        "vector store calls by backend and operation"
    );
    describe_counter!(
        "copmatch_store_errors_total",
        "failed vector store calls by backend and operation"
    );
    describe_gauge!(
        "copmatch_reindex_done",
        "communities re-embedded by the running or last re-index"
    );
    describe_gauge!(
        "copmatch_reindex_total",
        "communities the running or last re-index covers"
    );
    describe_counter!(
        "copmatch_liveness_checks_total",
        "automatic liveness checks by outcome"
    );
}

/// `GET /metrics` body.
pub fn render_metrics() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(metrics_handle().render())
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the request being handled (in the request's extensions).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// A client's id is kept when it is short printable ASCII, so it can go into
/// logs and headers as it is.
fn accepted_id(value: Option<&HeaderValue>) -> Option<String> {
    let id = value?.to_str().ok()?;
    let sane = !id.is_empty() && id.len() <= 128 && id.bytes().all(|b| b.is_ascii_graphic());
    sane.then(|| id.to_string())
}

/// Middleware around every request: id, span, access log line, metrics.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let id = accepted_id(req.headers().get(&REQUEST_ID))
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let method = req.method().to_string();
    let path = req.path().to_string();
    // The route pattern, not the path: ids must not become label values.
    let route = req.match_pattern().unwrap_or_else(|| "unmatched".into());
    let span = tracing::info_span!("request", request_id = %id, method = %method, path = %path);
    let in_flight = metrics::gauge!("copmatch_http_in_flight");
    in_flight.increment(1.0);
    let result = next.call(req).instrument(span.clone()).await;
    in_flight.decrement(1.0);
    let elapsed = started.elapsed();
    let status = match &result {
        Ok(response) => response.status(),
        Err(e) => e.as_response_error().status_code(),
    };
    metrics::counter!("copmatch_http_requests_total",
        "route" => route.clone(), "method" => method.clone(), "status" => status.as_str().to_string())
    .increment(1);
    metrics::histogram!("copmatch_http_request_duration_seconds", "route" => route, "method" => method)
        .record(elapsed.as_secs_f64());
    if !PROBES.contains(&path.as_str()) {
        span.in_scope(|| {
            tracing::info!(
                target: "copmatch::http",
                status = status.as_u16(),
                ms = elapsed.as_secs_f64() * 1000.0,
                "request"
            )
        });
    }
    let mut response = result?;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sane_client_id_is_kept_and_anything_else_replaced() {
        let ok = HeaderValue::from_static("abc-123_X");
        assert_eq!(accepted_id(Some(&ok)).as_deref(), Some("abc-123_X"));
        for bad in ["", "has space", &"x".repeat(129)] {
            let value = HeaderValue::from_str(bad).unwrap();
            assert_eq!(accepted_id(Some(&value)), None, "{bad:?}");
        }
        assert_eq!(accepted_id(None), None);
    }

    #[test]
    fn metrics_render_in_the_prometheus_text_format() {
        let handle = metrics_handle();
        metrics::counter!("copmatch_http_requests_total", "route" => "/t", "method" => "GET", "status" => "200").increment(1);
        metrics::histogram!("copmatch_http_request_duration_seconds", "route" => "/t", "method" => "GET").record(0.003);
        let text = handle.render();
        assert!(
            text.contains("# TYPE copmatch_http_requests_total counter"),
            "{text}"
        );
        assert!(
            text.contains("# TYPE copmatch_http_request_duration_seconds histogram"),
            "{text}"
        );
        assert!(text.contains("copmatch_http_request_duration_seconds_bucket{route=\"/t\",method=\"GET\",le=\"0.005\"} 1"), "{text}");
    }
}
