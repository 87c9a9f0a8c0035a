//! Users, their personalized recommendations, and feedback events.

use actix_web::{web, HttpResponse};
use copmatch_core::personal::{
    FeedbackReport, Personalizer, UserRecommendOptions, UserRecommendResponse,
};
use copmatch_core::users::{parse_feedback_body, FeedbackInput, User, UserInput};

use crate::error::{json_error, method_not_allowed, ApiError, ErrorBody};

/// `feedback_limit`: largest feedback body (`http.max_feedback_bytes`), larger
/// than other bodies because a batch holds up to `feedback.max_batch` events.
pub fn configure(cfg: &mut web::ServiceConfig, feedback_limit: usize) {
    cfg.service(
        web::resource("/v1/users/{id}/recommendations")
            .route(web::get().to(recommendations))
            .default_service(web::to(method_not_allowed)),
    )
    .service(
        web::resource("/v1/users/{id}")
            .route(web::get().to(get))
            .route(web::put().to(put))
            .route(web::delete().to(delete))
            .default_service(web::to(method_not_allowed)),
    )
    .service(
        web::resource("/v1/feedback")
            .app_data(
                web::JsonConfig::default()
                    .limit(feedback_limit)
                    .error_handler(json_error),
            )
            .route(web::post().to(feedback))
            .default_service(web::to(method_not_allowed)),
    );
}

/// Creates or replaces a user's profile (201 when created, 200 when replaced).
#[utoipa::path(put, path = "/v1/users/{id}", tag = "users",
    params(("id" = String, Path, description = "The app's id for the person: letters, digits, '.', '_', '-'")),
    request_body = UserInput,
    responses(
        (status = 200, description = "Replaced", body = User),
        (status = 201, description = "Created", body = User),
        (status = 400, description = "invalid_user_id, empty_profile, invalid_profile, malformed_json, invalid_request_body", body = ErrorBody),
        (status = 503, description = "store_unavailable", body = ErrorBody),
    ))]
pub async fn put(
    users: web::Data<Personalizer>,
    id: web::Path<String>,
    body: web::Json<UserInput>,
) -> Result<HttpResponse, ApiError> {
    let (user, created) = users.put_user(&id, body.into_inner()).await?;
    Ok(if created {
        HttpResponse::Created().json(user)
    } else {
        HttpResponse::Ok().json(user)
    })
}

/// A stored user.
#[utoipa::path(get, path = "/v1/users/{id}", tag = "users",
    params(("id" = String, Path,)),
    responses(
        (status = 200, body = User),
        (status = 400, description = "invalid_user_id", body = ErrorBody),
        (status = 404, description = "user_not_found", body = ErrorBody),
    ))]
pub async fn get(
    users: web::Data<Personalizer>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(users.get_user(&id).await?))
}

/// Deletes a user and all their feedback events.
#[utoipa::path(delete, path = "/v1/users/{id}", tag = "users",
    params(("id" = String, Path,)),
    responses(
        (status = 204, description = "Deleted, with their feedback"),
        (status = 400, description = "invalid_user_id", body = ErrorBody),
        (status = 404, description = "user_not_found", body = ErrorBody),
    ))]
pub async fn delete(
    users: web::Data<Personalizer>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    users.delete_user(&id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Recommendations from the stored profile and history: joined, dismissed,
/// left and reported communities are left out; dismissed ones push
/// look-alikes down; joined and clicked ones pull related communities up.
#[utoipa::path(get, path = "/v1/users/{id}/recommendations", tag = "users",
    params(("id" = String, Path,), UserRecommendOptions),
    responses(
        (status = 200, body = UserRecommendResponse),
        (status = 400, description = "invalid_user_id, invalid_limit, invalid_offset, invalid_diversity, invalid_query_parameter", body = ErrorBody),
        (status = 404, description = "user_not_found", body = ErrorBody),
        (status = 503, description = "store_unavailable or model_unavailable", body = ErrorBody),
    ))]
pub async fn recommendations(
    users: web::Data<Personalizer>,
    id: web::Path<String>,
    query: web::Query<UserRecommendOptions>,
) -> Result<HttpResponse, ApiError> {
    let response = users.recommend_for_user(&id, query.into_inner()).await?;
    Ok(HttpResponse::Ok().json(response))
}

/// Records one event or a batch (`[...]` or `{"events": [...]}`), all or
/// nothing. Dead-link reports from enough different users mark the community.
#[utoipa::path(post, path = "/v1/feedback", tag = "users",
    request_body = FeedbackInput,
    responses(
        (status = 200, body = FeedbackReport),
        (status = 400, description = "invalid_feedback (names the offending event), malformed_json", body = ErrorBody),
        (status = 413, description = "payload_too_large", body = ErrorBody),
        (status = 422, description = "unknown_feedback_reference: an event names a user or community that does not exist", body = ErrorBody),
        (status = 503, description = "store_unavailable", body = ErrorBody),
    ))]
pub async fn feedback(
    users: web::Data<Personalizer>,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let events = parse_feedback_body(body.into_inner())?;
    Ok(HttpResponse::Ok().json(users.record_feedback(events).await?))
}
