//! Operating the index: its versions and re-indexing without downtime.

use actix_web::{web, HttpResponse};

use crate::auth::Admin;
use crate::error::{method_not_allowed, ApiError, ErrorBody};
use crate::reindexer::{IndexStatus, ReindexStatus, Reindexer};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/v1/admin/index")
            .route(web::get().to(index_status))
            .default_service(web::to(method_not_allowed)),
    )
    .service(
        web::resource("/v1/admin/reindex")
            .route(web::post().to(start_reindex))
            .default_service(web::to(method_not_allowed)),
    );
}

/// The active index version, all versions, and the current or last re-index.
#[utoipa::path(get, path = "/v1/admin/index", tag = "admin", security(("admin_key" = [])),
    responses(
        (status = 200, body = IndexStatus),
        (status = 401, description = "missing_api_key", body = ErrorBody),
        (status = 403, description = "invalid_api_key", body = ErrorBody),
        (status = 503, description = "store_unavailable", body = ErrorBody),
    ))]
pub async fn index_status(
    _admin: Admin,
    reindexer: web::Data<Reindexer>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(reindexer.status().await?))
}

/// Re-embeds every community into a new index version in the background and
/// switches to it atomically; requests are served throughout. Watch
/// `GET /v1/admin/index`.
#[utoipa::path(post, path = "/v1/admin/reindex", tag = "admin", security(("admin_key" = [])),
    responses(
        (status = 202, description = "Started", body = ReindexStatus),
        (status = 401, description = "missing_api_key", body = ErrorBody),
        (status = 403, description = "invalid_api_key", body = ErrorBody),
        (status = 409, description = "reindex_in_progress", body = ErrorBody),
    ))]
pub async fn start_reindex(
    _admin: Admin,
    reindexer: web::Data<Reindexer>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Accepted().json(reindexer.start()?))
}
