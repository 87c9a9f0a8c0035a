//! Users, their personalized recommendations, and feedback events.

use actix_web::{web, HttpRequest, HttpResponse};
use copmatch_core::feedback::{parse_feedback_body, FeedbackInput, User, UserInput};
use copmatch_core::personalizer::{
    FeedbackReport, Personalizer, UserRecommendOptions, UserRecommendResponse,
};
use copmatch_core::{CommunityId, UserId};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::auth::{charge_new_user, charge_reports, Caller};
use crate::error::{json_error, ApiError, ErrorBody};

// A feedback batch holds up to `feedback.max_batch` events, so its body limit
// (`http.max_feedback_bytes`) is larger than other bodies'.
super::routes! { http;
    "/v1/users/{id}/recommendations" => { get: recommendations @ Feedback },
    "/v1/users/{id}" => { get: get @ Feedback, put: put @ Feedback, delete: delete @ Feedback },
    "/v1/feedback" [data = actix_web::web::JsonConfig::default()
        .limit(http.max_feedback_bytes)
        .error_handler(json_error)] => { post: feedback @ Feedback },
}

/// The query string of a user's recommendations.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RecommendQuery {
    /// 1 to 100; default 10.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<usize>,
    /// 0 to 1000; default 0.
    #[param(maximum = 1000)]
    pub offset: Option<usize>,
    /// 0 to 1; default `ranking.default_diversity`.
    #[param(minimum = 0.0, maximum = 1.0)]
    pub diversity: Option<f32>,
    /// Also show dead links and rank inactive communities without demotion.
    #[serde(default)]
    pub include_inactive: bool,
}

impl From<RecommendQuery> for UserRecommendOptions {
    fn from(q: RecommendQuery) -> Self {
        Self {
            limit: q.limit,
            offset: q.offset,
            diversity: q.diversity,
            include_inactive: q.include_inactive,
        }
    }
}

/// Creates or replaces a user's profile (201 when created, 200 when replaced).
/// A user created through the public key or keyless is anonymous: deleted
/// with their events after `feedback.anonymous_ttl_days` without a write.
/// Each user keeps their newest `feedback.max_events_per_user` events; older
/// ones are counted in `rolled_up`.
#[utoipa::path(put, path = "/v1/users/{id}", tag = "users",
    params(("id" = UserId, Path, description = "The app's id for the person: letters, digits, '.', '_', '-'")),
    request_body = UserInput,
    responses(
        (status = 200, description = "Replaced", body = User),
        (status = 201, description = "Created", body = User),
        (status = 400, description = "invalid_user_id, empty_profile, invalid_profile, malformed_json, invalid_request_body", body = ErrorBody),
        (status = 409, description = "user_id_taken: the id belongs to a user of another API key", body = ErrorBody),
        (status = 429, description = "rate_limited: too many new users from this client (public key or keyless: `rate_limits.new_users_per_ip`)", body = ErrorBody),
        (status = 503, description = "store_unavailable", body = ErrorBody),
    ))]
pub async fn put(
    users: web::Data<Personalizer>,
    req: HttpRequest,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<UserInput>,
) -> Result<HttpResponse, ApiError> {
    let id = UserId::parse(id.into_inner())?;
    let users = users.for_caller(caller.owner(), caller.is_anonymous());
    if caller.is_anonymous() && users.would_create(&id).await? {
        charge_new_user(&req)?;
    }
    let (user, created) = users.put_user(&id, body.into_inner()).await?;
    Ok(if created {
        HttpResponse::Created().json(user)
    } else {
        HttpResponse::Ok().json(user)
    })
}

/// A stored user.
#[utoipa::path(get, path = "/v1/users/{id}", tag = "users",
    params(("id" = UserId, Path,)),
    responses(
        (status = 200, body = User),
        (status = 400, description = "invalid_user_id", body = ErrorBody),
        (status = 404, description = "user_not_found", body = ErrorBody),
    ))]
pub async fn get(
    users: web::Data<Personalizer>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(
        users
            .for_caller(caller.owner(), caller.is_anonymous())
            .get_user(&UserId::parse(id.into_inner())?)
            .await?,
    ))
}

/// Deletes a user and all their feedback events.
#[utoipa::path(delete, path = "/v1/users/{id}", tag = "users",
    params(("id" = UserId, Path,)),
    responses(
        (status = 204, description = "Deleted, with their feedback"),
        (status = 400, description = "invalid_user_id", body = ErrorBody),
        (status = 404, description = "user_not_found", body = ErrorBody),
    ))]
pub async fn delete(
    users: web::Data<Personalizer>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    users
        .for_caller(caller.owner(), caller.is_anonymous())
        .delete_user(&UserId::parse(id.into_inner())?)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Recommendations from the stored profile and history: joined, dismissed,
/// left and reported communities are left out; dismissed ones push
/// look-alikes down; joined and clicked ones pull related communities up.
#[utoipa::path(get, path = "/v1/users/{id}/recommendations", tag = "users",
    params(("id" = UserId, Path,), RecommendQuery),
    responses(
        (status = 200, body = UserRecommendResponse),
        (status = 400, description = "invalid_user_id, invalid_limit, invalid_offset, invalid_diversity, invalid_query_parameter", body = ErrorBody),
        (status = 404, description = "user_not_found", body = ErrorBody),
        (status = 503, description = "store_unavailable or model_unavailable", body = ErrorBody),
    ))]
pub async fn recommendations(
    users: web::Data<Personalizer>,
    caller: Caller,
    id: web::Path<String>,
    query: web::Query<RecommendQuery>,
) -> Result<HttpResponse, ApiError> {
    let response = users
        .for_caller(caller.owner(), caller.is_anonymous())
        .recommend_for_user(&UserId::parse(id.into_inner())?, query.into_inner().into())
        .await?;
    Ok(HttpResponse::Ok().json(response))
}

/// The body of `POST /v1/feedback` (for the OpenAPI document; parsed by
/// `parse_feedback_body`).
#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum FeedbackBody {
    /// One event.
    One(FeedbackInput),
    /// A batch, all or nothing.
    Many(FeedbackList),
    /// A batch, all or nothing.
    Batch(FeedbackBatch),
}

#[derive(serde::Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct FeedbackBatch {
    events: FeedbackList,
}

/// 1 to `feedback.max_batch` (default 1000) events.
#[derive(serde::Serialize)]
#[allow(dead_code)]
struct FeedbackList(Vec<FeedbackInput>);

impl utoipa::PartialSchema for FeedbackList {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::ArrayBuilder;
        ArrayBuilder::new()
            .items(utoipa::openapi::Ref::from_schema_name("FeedbackInput"))
            .min_items(Some(1))
            .max_items(Some(
                copmatch_core::personalizer::FeedbackSettings::default().max_batch,
            ))
            .description(Some("1 to `feedback.max_batch` (default 1000) events."))
            .into()
    }
}

impl utoipa::ToSchema for FeedbackList {}

/// Records one event or a batch (`[...]` or `{"events": [...]}`), all or
/// nothing. A `report_dead_link` event never changes a status: it goes to
/// the moderation queue and asks for a prompt liveness check. Through the
/// public key or keyless, reports are rate limited per client IP and per
/// community.
#[utoipa::path(post, path = "/v1/feedback", tag = "users",
    request_body = FeedbackBody,
    responses(
        (status = 200, body = FeedbackReport),
        (status = 400, description = "invalid_feedback (names the offending event), malformed_json", body = ErrorBody),
        (status = 413, description = "payload_too_large", body = ErrorBody),
        (status = 404, description = "unknown_feedback_reference: an event names a user or community that does not exist", body = ErrorBody),
        (status = 429, description = "rate_limited: too many dead-link reports from this client or about one community", body = ErrorBody),
        (status = 503, description = "store_unavailable", body = ErrorBody),
    ))]
pub async fn feedback(
    users: web::Data<Personalizer>,
    req: HttpRequest,
    caller: Caller,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let events = parse_feedback_body(body.into_inner())?;
    let reported: std::collections::BTreeSet<CommunityId> = events
        .iter()
        .filter(|e| e.kind == "report_dead_link")
        .filter_map(|e| CommunityId::parse(e.community_id.as_str()).ok())
        .collect();
    charge_reports(&req, &caller, &reported.into_iter().collect::<Vec<_>>())?;
    Ok(HttpResponse::Ok().json(
        users
            .for_caller(caller.owner(), caller.is_anonymous())
            .record_feedback(events)
            .await?,
    ))
}
