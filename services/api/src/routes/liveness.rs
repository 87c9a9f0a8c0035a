//! Liveness: one community's check history, the counts and the running
//! check, and starting a check by hand.

use actix_web::{web, HttpResponse};
use copmatch_core::liveness::CheckResult;
use copmatch_core::liveness_checks::LivenessSummary;
use copmatch_core::{CommunityId, CoreError, ErrorCode};
use copmatch_liveness::run::RunStatus;
use copmatch_liveness::Selection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ErrorBody};
use crate::liveness_job::Checks;

super::routes! { http;
    "/v1/communities/{id}/liveness" => { get: history @ Recommend },
    "/v1/admin/liveness" => { get: summary @ Admin },
    "/v1/admin/liveness/run" => { post: start @ Admin },
}

const MAX_HISTORY: usize = 200;
/// Checks a history answer holds when the request does not say.
pub const DEFAULT_HISTORY: usize = 20;

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct HistoryQuery {
    /// 1 to 200; default 20.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<usize>,
}

#[derive(Serialize, ToSchema)]
pub struct LivenessHistory {
    pub community_id: CommunityId,
    /// Newest first; at most `liveness.history_cap` are kept.
    pub checks: Vec<CheckResult>,
}

/// A community's liveness checks, newest first.
#[utoipa::path(get, path = "/v1/communities/{id}/liveness", tag = "liveness",
    params(("id" = CommunityId, Path), HistoryQuery),
    responses(
        (status = 200, body = LivenessHistory),
        (status = 400, description = "invalid_community_id, invalid_limit, invalid_query_parameter", body = ErrorBody),
        (status = 404, description = "community_not_found", body = ErrorBody),
        (status = 503, description = "store_unavailable", body = ErrorBody),
    ))]
pub async fn history(
    checks: web::Data<Checks>,
    id: web::Path<String>,
    query: web::Query<HistoryQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = query.limit.unwrap_or(DEFAULT_HISTORY);
    if limit == 0 || limit > MAX_HISTORY {
        return Err(ApiError::new(
            ErrorCode::InvalidLimit,
            format!("limit must be between 1 and {MAX_HISTORY}, got {limit}"),
        ));
    }
    let id = CommunityId::parse(id.into_inner())?;
    let checks = checks.liveness.history(&id, limit).await?;
    Ok(HttpResponse::Ok().json(LivenessHistory {
        community_id: id,
        checks,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct LivenessStatus {
    #[serde(flatten)]
    pub summary: LivenessSummary,
    /// The running check, or the last one this process ran.
    pub run: RunStatus,
}

/// Communities by status and by their last check's outcome, and the check
/// that is running.
#[utoipa::path(get, path = "/v1/admin/liveness", tag = "liveness",
    responses(
        (status = 200, body = LivenessStatus),
        (status = 401, description = "missing_api_key", body = ErrorBody),
        (status = 403, description = "invalid_api_key", body = ErrorBody),
        (status = 503, description = "store_unavailable", body = ErrorBody),
    ))]
pub async fn summary(checks: web::Data<Checks>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(LivenessStatus {
        summary: checks.liveness.summary().await?,
        run: checks.state.status(),
    }))
}

/// Which communities a run checks.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    /// `due` (default), `all`, or `ids`; `ids` when left out and `ids` are given.
    #[serde(default)]
    #[schema(value_type = Option<RunSelect>)]
    pub select: Option<String>,
    /// The communities to check when `select` is `ids` (an empty list checks none).
    #[serde(default)]
    #[schema(value_type = Vec<CommunityId>)]
    pub ids: Vec<String>,
}

/// Which communities a run checks.
#[derive(ToSchema)]
#[schema(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum RunSelect {
    Due,
    All,
    Ids,
}

impl RunRequest {
    fn selection(self) -> Result<Selection, CoreError> {
        let default = if self.ids.is_empty() { "due" } else { "ids" };
        match self.select.as_deref().unwrap_or(default) {
            "due" => Ok(Selection::Due),
            "all" => Ok(Selection::All),
            "ids" => Ok(Selection::Ids(
                self.ids
                    .into_iter()
                    .map(CommunityId::parse)
                    .collect::<Result<_, _>>()?,
            )),
            other => Err(CoreError::new(
                ErrorCode::InvalidRequestBody,
                format!("select must be \"due\", \"all\" or \"ids\", got {other:?}"),
            )),
        }
    }
}

/// Starts a liveness check in the background (202); watch `GET /v1/admin/liveness`.
#[utoipa::path(post, path = "/v1/admin/liveness/run", tag = "liveness",
    request_body = RunRequest,
    responses(
        (status = 202, description = "Started", body = RunStatus),
        (status = 400, description = "invalid_request_body, malformed_json", body = ErrorBody),
        (status = 401, description = "missing_api_key", body = ErrorBody),
        (status = 403, description = "invalid_api_key", body = ErrorBody),
        (status = 409, description = "liveness_run_in_progress", body = ErrorBody),
    ))]
pub async fn start(
    checks: web::Data<Checks>,
    body: web::Json<RunRequest>,
) -> Result<HttpResponse, ApiError> {
    checks.start(body.into_inner().selection()?)?;
    Ok(HttpResponse::Accepted().json(checks.state.status()))
}
