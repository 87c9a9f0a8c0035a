//! The community catalog: read, write, import, and "similar to this one".

use actix_web::{web, HttpResponse};
use copmatch_core::progress::NoProgress;
use copmatch_core::{
    Browse, Catalog, Community, CommunityId, CommunityPage, ErrorCode, FieldList, ImportReport,
    Recommender, SimilarResponse, StatusUpdate,
};
use futures_util::StreamExt;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::{ApiError, ErrorBody};

// `import` is registered before `{id}` so that it is not taken for an id.
super::routes! { http;
    "/v1/communities/import" => { post: import @ Admin },
    "/v1/communities" => { get: list @ Recommend },
    "/v1/fields" => { get: fields @ Recommend },
    "/v1/communities/{id}/status" => { put: put_status @ Admin },
    "/v1/communities/{id}/similar" => { get: similar @ Recommend },
    "/v1/communities/{id}" => { get: get @ Recommend, put: put @ Admin, delete: delete @ Admin },
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// 1 to 100; default 10.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<usize>,
    /// Default 0.
    pub offset: Option<usize>,
    /// Only this field's communities: a field `id` from `GET /v1/fields`.
    #[param(example = "nursing")]
    pub field: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SimilarQuery {
    /// 1 to 100; default 10.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<usize>,
}

/// Largest import body, as app data for the import handler.
#[derive(Clone, Copy)]
pub struct ImportLimit(pub usize);

/// The body of an import: NDJSON, one community object per line. One
/// object alone is NDJSON of one line, so the document says both.
pub struct NdjsonBody;

impl utoipa::PartialSchema for NdjsonBody {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, SchemaType, Type};
        AnyOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(SchemaType::new(Type::String))
                    .min_length(Some(1))
                    .pattern(Some("^[ \\t\\r\\n]*\\{"))
                    .description(Some(
                        "NDJSON text: one community object per line, so it starts with `{` (after any blank lines).",
                    )),
            )
            .item(
                ObjectBuilder::new()
                    .schema_type(SchemaType::new(Type::Object))
                    .description(Some("One community object: NDJSON of one line.")),
            )
            .into()
    }
}

impl utoipa::ToSchema for NdjsonBody {}

/// A page of the catalog, or of one field's communities, in a stable order.
#[utoipa::path(get, path = "/v1/communities", tag = "communities", params(PageQuery),
    responses((status = 200, body = CommunityPage), (status = 400, description = "invalid_limit, invalid_query_parameter", body = ErrorBody),
        (status = 404, description = "unknown_field", body = ErrorBody)))]
pub async fn list(
    catalog: web::Data<Catalog>,
    browse: web::Data<Browse>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let page = match &query.field {
        Some(field) => browse.communities(field, query.limit, query.offset).await?,
        None => catalog.list(query.limit, query.offset).await?,
    };
    Ok(HttpResponse::Ok().json(page))
}

/// Every field of practice, with how many communities it holds: for browsing.
#[utoipa::path(get, path = "/v1/fields", tag = "communities",
    responses((status = 200, body = FieldList)))]
pub async fn fields(browse: web::Data<Browse>) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(browse.fields().await?))
}

/// One community.
#[utoipa::path(get, path = "/v1/communities/{id}", tag = "communities", params(("id" = CommunityId, Path)),
    responses((status = 200, body = Community), (status = 404, description = "community_not_found", body = ErrorBody)))]
pub async fn get(
    catalog: web::Data<Catalog>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(catalog.get(&CommunityId::parse(id.into_inner())?).await?))
}

/// Creates or replaces a community (admin). The body's `id` may be omitted.
#[utoipa::path(put, path = "/v1/communities/{id}", tag = "communities", params(("id" = CommunityId, Path)),
    request_body = copmatch_core::community::CommunityInput,
    responses(
        (status = 200, description = "Replaced", body = Community),
        (status = 201, description = "Created", body = Community),
        (status = 400, description = "invalid_community, invalid_community_id, malformed_json", body = ErrorBody),
        (status = 409, description = "id_mismatch: the body names another id than the path", body = ErrorBody),
        (status = 401, description = "missing_api_key", body = ErrorBody),
        (status = 403, description = "invalid_api_key", body = ErrorBody),
    ))]
pub async fn put(
    catalog: web::Data<Catalog>,
    id: web::Path<String>,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let (community, created) = catalog
        .put(&CommunityId::parse(id.into_inner())?, body.into_inner())
        .await?;
    Ok(if created {
        HttpResponse::Created().json(community)
    } else {
        HttpResponse::Ok().json(community)
    })
}

/// Records a community's liveness (admin): status, when it was checked,
/// when it was last active, its size. The embedding is kept.
#[utoipa::path(put, path = "/v1/communities/{id}/status", tag = "communities", params(("id" = CommunityId, Path)),
    request_body = StatusUpdate,
    responses(
        (status = 200, description = "The updated community", body = Community),
        (status = 400, description = "invalid_community (unknown status, bad date), invalid_request_body", body = ErrorBody),
        (status = 404, description = "community_not_found", body = ErrorBody),
    ))]
pub async fn put_status(
    catalog: web::Data<Catalog>,
    id: web::Path<String>,
    body: web::Json<StatusUpdate>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(
        catalog
            .update_status(&CommunityId::parse(id.into_inner())?, body.into_inner())
            .await?,
    ))
}

/// Deletes a community (admin).
#[utoipa::path(delete, path = "/v1/communities/{id}", tag = "communities", params(("id" = CommunityId, Path)),
    responses((status = 204, description = "Deleted"), (status = 404, description = "community_not_found", body = ErrorBody)))]
pub async fn delete(
    catalog: web::Data<Catalog>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    catalog
        .delete(&CommunityId::parse(id.into_inner())?)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Communities like this one.
#[utoipa::path(get, path = "/v1/communities/{id}/similar", tag = "communities", params(("id" = CommunityId, Path), SimilarQuery),
    responses((status = 200, body = SimilarResponse), (status = 404, description = "community_not_found", body = ErrorBody)))]
pub async fn similar(
    service: web::Data<Recommender>,
    id: web::Path<String>,
    query: web::Query<SimilarQuery>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(
        service
            .similar(&CommunityId::parse(id.into_inner())?, query.limit)
            .await?,
    ))
}

/// Imports communities from an NDJSON body (one JSON object per line; admin).
/// Valid lines are stored even when others fail; failures are listed by line.
#[utoipa::path(post, path = "/v1/communities/import", tag = "communities",
    request_body(content = NdjsonBody, content_type = "application/x-ndjson"),
    responses(
        (status = 200, description = "Per-line results", body = ImportReport),
        (status = 400, description = "malformed_json (body is not UTF-8), invalid_request_body (empty, or not starting with a JSON object)", body = ErrorBody),
        (status = 413, description = "payload_too_large", body = ErrorBody),
    ))]
pub async fn import(
    catalog: web::Data<Catalog>,
    limit: web::Data<ImportLimit>,
    mut payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::new(
                ErrorCode::MalformedJson,
                format!("the body could not be read: {e}"),
            )
        })?;
        if body.len() + chunk.len() > limit.0 {
            return Err(ApiError::new(
                ErrorCode::PayloadTooLarge,
                format!("the import body is larger than {} bytes; split it or raise http.max_import_bytes", limit.0),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    let text = std::str::from_utf8(&body).map_err(|e| {
        ApiError::new(
            ErrorCode::MalformedJson,
            format!("the import body is not UTF-8: {e}"),
        )
    })?;
    // NDJSON of objects starts with `{` (after blank lines): anything else
    // is not an import body at all, rather than a body with bad lines.
    let first = body
        .iter()
        .find(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'));
    if first != Some(&b'{') {
        return Err(ApiError::new(
            ErrorCode::InvalidRequestBody,
            "the import body is not NDJSON: send one community JSON object per line",
        ));
    }
    Ok(HttpResponse::Ok().json(catalog.import(text, &NoProgress).await?))
}
