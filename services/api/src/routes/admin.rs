//! Operating the index: its versions and re-indexing without downtime.

use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::{ApiError, ErrorBody};
use crate::reindex_job::{IndexStatus, ReindexStatus, Reindexer};
use copmatch_retrain::models::{ModelManager, ModelsStatus};

super::routes! { http;
    "/v1/admin/index" => { get: index_status @ Admin },
    "/v1/admin/reindex" => { post: start_reindex @ Admin },
    "/v1/admin/models" => { get: models @ Admin },
    "/v1/admin/models/rollback" => { post: rollback @ Admin },
    "/v1/admin/models/{version}/activate" => { post: activate @ Admin },
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ActivateQuery {
    /// Activate even if the evaluation gate refuses. Default false.
    #[serde(default)]
    pub force: bool,
}

/// The serving model, what rollback returns to, and every trained artifact
/// with its held-out metrics.
#[utoipa::path(get, path = "/v1/admin/models", tag = "admin",
    responses(
        (status = 200, body = ModelsStatus),
        (status = 401, description = "missing_api_key", body = ErrorBody),
        (status = 403, description = "invalid_api_key", body = ErrorBody),
    ))]
pub async fn models(models: web::Data<ModelManager>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(models.status().await?))
}

/// Activates a model (`base` or `ftN`) behind the evaluation gate: re-indexes
/// into a version served by it in the background and switches atomically.
/// Watch `GET /v1/admin/index`.
#[utoipa::path(post, path = "/v1/admin/models/{version}/activate", tag = "admin",
    params(("version" = String, Path, description = "`base` or a trained version such as `ft2`"), ActivateQuery),
    responses(
        (status = 202, description = "Started", body = ReindexStatus),
        (status = 401, description = "missing_api_key", body = ErrorBody),
        (status = 403, description = "invalid_api_key", body = ErrorBody),
        (status = 404, description = "model_not_found", body = ErrorBody),
        (status = 409, description = "model_gate_refused (held-out metric not better than the serving model's), reindex_in_progress", body = ErrorBody),
    ))]
pub async fn activate(
    models: web::Data<ModelManager>,
    reindexer: web::Data<Reindexer>,
    version: web::Path<String>,
    query: web::Query<ActivateQuery>,
) -> Result<HttpResponse, ApiError> {
    let target = models.target(&version, query.force)?;
    Ok(HttpResponse::Accepted().json(reindexer.start_with(target)?))
}

/// Returns to the model of the previous index version, without the gate.
#[utoipa::path(post, path = "/v1/admin/models/rollback", tag = "admin",
    responses(
        (status = 202, description = "Started", body = ReindexStatus),
        (status = 401, description = "missing_api_key", body = ErrorBody),
        (status = 403, description = "invalid_api_key", body = ErrorBody),
        (status = 409, description = "no_previous_model, reindex_in_progress", body = ErrorBody),
    ))]
pub async fn rollback(
    models: web::Data<ModelManager>,
    reindexer: web::Data<Reindexer>,
) -> Result<HttpResponse, ApiError> {
    let target = models.rollback_target().await?;
    Ok(HttpResponse::Accepted().json(reindexer.start_with(target)?))
}

/// The active index version, all versions, and the current or last re-index.
#[utoipa::path(get, path = "/v1/admin/index", tag = "admin",
    responses(
        (status = 200, body = IndexStatus),
        (status = 401, description = "missing_api_key", body = ErrorBody),
        (status = 403, description = "invalid_api_key", body = ErrorBody),
        (status = 503, description = "store_unavailable", body = ErrorBody),
    ))]
pub async fn index_status(reindexer: web::Data<Reindexer>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(reindexer.status().await?))
}

/// Re-embeds every community into a new index version in the background and
/// switches to it atomically; requests are served throughout. Watch
/// `GET /v1/admin/index`.
#[utoipa::path(post, path = "/v1/admin/reindex", tag = "admin",
    responses(
        (status = 202, description = "Started", body = ReindexStatus),
        (status = 401, description = "missing_api_key", body = ErrorBody),
        (status = 403, description = "invalid_api_key", body = ErrorBody),
        (status = 409, description = "reindex_in_progress", body = ErrorBody),
    ))]
pub async fn start_reindex(reindexer: web::Data<Reindexer>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Accepted().json(reindexer.start()?))
}
