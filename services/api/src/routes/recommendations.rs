//! `POST /v1/recommendations`.

use actix_web::{web, HttpResponse};
use copmatch_core::{RecommendRequest, RecommendResponse, Recommender, Steering};

use crate::error::{ApiError, ErrorBody};

super::routes! { http;
    "/v1/recommendations" => { post: recommend @ Recommend },
}

/// Ranked, explained communities for a person's profile.
#[utoipa::path(
    post,
    path = "/v1/recommendations",
    tag = "recommendations",
    request_body = RecommendRequest,
    responses(
        (status = 200, description = "Ranked communities, best first", body = RecommendResponse),
        (status = 400, description = "empty_profile, invalid_profile, invalid_limit, invalid_offset, invalid_diversity, invalid_community_id, malformed_json, invalid_request_body", body = ErrorBody),
        (status = 404, description = "unknown_filter_value: a category, language, platform or cost no community has", body = ErrorBody),
        (status = 413, description = "payload_too_large", body = ErrorBody),
        (status = 503, description = "store_unavailable or model_unavailable", body = ErrorBody),
    )
)]
pub async fn recommend(
    service: web::Data<Recommender>,
    body: web::Json<RecommendRequest>,
) -> Result<HttpResponse, ApiError> {
    let response = service
        .recommend(body.into_inner(), &Steering::default())
        .await?;
    Ok(HttpResponse::Ok().json(response))
}
