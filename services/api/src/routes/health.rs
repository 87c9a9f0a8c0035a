//! Process health (`/health`), readiness (`/ready`) and metrics (`/metrics`).
//! ("Liveness" in copmatch means a community's liveness: `routes/liveness.rs`.)

use actix_web::{web, HttpResponse};
use copmatch_core::{ErrorCode, Recommender};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ErrorBody};

super::routes! { http;
    "/health" => { get: health @ Probe },
    "/ready" => { get: ready @ Probe },
    "/metrics" => { get: metrics @ Probe },
}

/// Prometheus metrics in the text exposition format (every metric is listed
/// in the README).
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain", body = String)))]
pub async fn metrics() -> HttpResponse {
    crate::telemetry::render_metrics()
}

#[derive(Serialize, ToSchema)]
pub struct HealthStatus {
    #[schema(example = "ok")]
    pub status: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct ReadyStatus {
    #[schema(example = "ready")]
    pub status: &'static str,
    pub model: String,
    /// Communities in the store.
    pub communities: usize,
}

/// The process is up.
#[utoipa::path(get, path = "/health", tag = "operations", responses((status = 200, body = HealthStatus)))]
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(HealthStatus { status: "ok" })
}

/// The model is loaded and the store answers.
#[utoipa::path(
    get,
    path = "/ready",
    tag = "operations",
    responses(
        (status = 200, body = ReadyStatus),
        (status = 503, description = "model_unavailable or store_unavailable", body = ErrorBody),
    )
)]
pub async fn ready(service: web::Data<Recommender>) -> Result<HttpResponse, ApiError> {
    if !service.models_ready() {
        return Err(ApiError::new(
            ErrorCode::ModelUnavailable,
            "an embedding model is not loaded (the served one, or model.second_opinion)",
        ));
    }
    service
        .store()
        .check()
        .await
        .map_err(copmatch_core::CoreError::from)?;
    let communities = service
        .store()
        .count()
        .await
        .map_err(copmatch_core::CoreError::from)?;
    Ok(HttpResponse::Ok().json(ReadyStatus {
        status: "ready",
        model: service.model_id().to_string(),
        communities,
    }))
}
