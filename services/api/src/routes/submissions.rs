//! Submissions and reports from the public; moderation by admins.

use actix_web::{web, HttpRequest, HttpResponse};
use copmatch_core::moderator::Moderator;
use copmatch_core::reports::{Recheck, ReportDesk};
use copmatch_core::submissions::{
    ItemState, ModerationItem, RejectInput, ReportInput, SubmissionInput,
};
use copmatch_core::{CommunityId, ErrorCode};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::{charge_reports, Caller};
use crate::error::{ApiError, ErrorBody};

super::routes! { http;
    "/v1/submissions" => { post: submit @ Submit, get: list @ Admin },
    "/v1/reports" => { post: report @ Submit },
    "/v1/submissions/{id}/approve" => { post: approve @ Admin },
    "/v1/submissions/{id}/reject" => { post: reject @ Admin },
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// pending, approved or rejected; all when absent.
    #[param(value_type = Option<ItemState>)]
    pub state: Option<String>,
}

/// Submits a community for the catalog; a moderator approves it.
#[utoipa::path(post, path = "/v1/submissions", tag = "moderation", request_body = SubmissionInput,
    responses(
        (status = 201, description = "Queued for moderation, with any likely duplicates flagged", body = ModerationItem,
            links(
                ("Approve" = (operation_id = "approve", parameters(("id" = "$response.body#/id")))),
                ("Reject" = (operation_id = "reject", parameters(("id" = "$response.body#/id"))))
            )),
        (status = 400, description = "invalid_submission, malformed_json, invalid_request_body", body = ErrorBody),
        (status = 409, description = "community_id_taken: the catalog already has the `id` given", body = ErrorBody),
    ))]
pub async fn submit(
    moderator: web::Data<Moderator>,
    body: web::Json<SubmissionInput>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Created().json(moderator.submit(body.into_inner()).await?))
}

/// Reports that a community's link is dead. A report is evidence, not a
/// verdict: it goes to the moderation queue and asks for a prompt liveness
/// check (at most one per community per `liveness.report_recheck_hours`); it
/// never changes the community's status. Through the public key or keyless,
/// reports are rate limited per client IP and per community.
#[utoipa::path(post, path = "/v1/reports", tag = "moderation", request_body = ReportInput,
    responses(
        (status = 201, description = "Queued for moderation; the `Recheck` header says whether a prompt check was queued (scheduled, already_scheduled or unavailable)", body = ModerationItem,
            headers(("Recheck" = String, description = "scheduled, already_scheduled or unavailable")),
            links(
                ("Approve" = (operation_id = "approve", parameters(("id" = "$response.body#/id")))),
                ("Reject" = (operation_id = "reject", parameters(("id" = "$response.body#/id"))))
            )),
        (status = 400, description = "invalid_submission, invalid_request_body", body = ErrorBody),
        (status = 404, description = "community_not_found", body = ErrorBody),
        (status = 429, description = "rate_limited: too many reports from this client or about this community", body = ErrorBody),
    ))]
pub async fn report(
    reports: web::Data<ReportDesk>,
    req: HttpRequest,
    caller: Caller,
    body: web::Json<ReportInput>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    if let Ok(id) = CommunityId::parse(body.community_id.as_str()) {
        charge_reports(&req, &caller, &[id])?;
    }
    let (item, recheck) = reports.report(body).await?;
    let recheck = match recheck {
        Recheck::Scheduled => "scheduled",
        Recheck::AlreadyScheduled => "already_scheduled",
        Recheck::Unavailable => "unavailable",
    };
    Ok(HttpResponse::Created()
        .insert_header(("Recheck", recheck))
        .json(item))
}

/// The moderation queue (admin), oldest first.
#[utoipa::path(get, path = "/v1/submissions", tag = "moderation", params(ListQuery),
    responses((status = 200, body = [ModerationItem]), (status = 400, description = "invalid_query_parameter", body = ErrorBody)))]
pub async fn list(
    moderator: web::Data<Moderator>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let state = match query.state.as_deref() {
        None => None,
        Some(raw) => Some(ItemState::parse(raw).ok_or_else(|| {
            ApiError::new(
                ErrorCode::InvalidQueryParameter,
                format!("unknown state {raw:?}; expected pending, approved or rejected"),
            )
        })?),
    };
    Ok(HttpResponse::Ok().json(moderator.list(state).await?))
}

/// Approves a submission (the community becomes recommendable at once) or a
/// dead-link report (the community is marked `dead_link`). Admin.
#[utoipa::path(post, path = "/v1/submissions/{id}/approve", tag = "moderation", params(("id" = CommunityId, Path, description = "The item's id (`sub-…`)")),
    responses(
        (status = 200, body = ModerationItem),
        (status = 404, description = "submission_not_found", body = ErrorBody),
        (status = 409, description = "submission_already_decided", body = ErrorBody),
    ))]
pub async fn approve(
    moderator: web::Data<Moderator>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(moderator.approve(&id).await?))
}

/// Rejects a submission or report with a reason. Admin.
#[utoipa::path(post, path = "/v1/submissions/{id}/reject", tag = "moderation", params(("id" = CommunityId, Path, description = "The item's id (`sub-…`)")), request_body = RejectInput,
    responses(
        (status = 200, body = ModerationItem),
        (status = 404, description = "submission_not_found", body = ErrorBody),
        (status = 409, description = "submission_already_decided", body = ErrorBody),
    ))]
pub async fn reject(
    moderator: web::Data<Moderator>,
    id: web::Path<String>,
    body: web::Json<RejectInput>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(moderator.reject(&id, body.into_inner()).await?))
}
