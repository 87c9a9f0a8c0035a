//! `GET /openapi.json`: the document's frame (title, security scheme, shared
//! schemas) here, its paths from each area's route list (see [`super::routes!`]),
//! and each operation's `security` and the answers every guarded route may
//! give (401, 403, 429) written from the same route list by [`secure`].

use actix_web::{web, HttpResponse};
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi};

use crate::auth::Need;

/// The security scheme's name in the document.
const SCHEME: &str = "api_key";

struct ApiKeyScheme;

impl Modify for ApiKeyScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            SCHEME,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API key with the operation's scope. Not needed while the service is keyless (no key configured).",
                    ))
                    .build(),
            ),
        );
    }
}

fn error_response(operation: &mut Operation, status: &str, codes: &str) {
    let response = ResponseBuilder::new()
        .description(codes)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build();
    operation
        .responses
        .responses
        .entry(status.to_string())
        .or_insert(RefOr::T(response));
}

/// Writes each operation's `security` from what its route needs, and the
/// answers any request may get before or around its handler: the key guard
/// (401, 403), rate limits and overload (429), unreadable input (400, 413,
/// 415), the store or model being down (503) and a fault of ours (500).
pub fn secure(doc: &mut utoipa::openapi::OpenApi, needs: &[(&str, &str, Need)]) {
    for &(path, method, need) in needs {
        let Some(item) = doc.paths.paths.get_mut(path) else {
            continue;
        };
        let operation = match method {
            "get" => item.get.as_mut(),
            "post" => item.post.as_mut(),
            "put" => item.put.as_mut(),
            "delete" => item.delete.as_mut(),
            _ => None,
        };
        let Some(operation) = operation else { continue };
        let keyed = SecurityRequirement::new(SCHEME, [need.scope().as_str()]);
        // While keyless, or a probe listed in `auth.open_paths`, no key is needed.
        operation.security = Some(vec![SecurityRequirement::default(), keyed]);
        error_response(
            operation,
            "401",
            "missing_api_key: keys are configured and none was sent",
        );
        error_response(operation, "403", "invalid_api_key, insufficient_scope");
        if need == Need::Probe {
            continue;
        }
        error_response(
            operation,
            "429",
            "rate_limited (this client's budget is spent) or overloaded (the service is at its bound); see Retry-After",
        );
        if path.contains('{') {
            error_response(
                operation,
                "400",
                "invalid_community_id, invalid_user_id: a malformed id in the path",
            );
        }
        if operation.parameters.as_ref().is_some_and(|p| !p.is_empty()) {
            error_response(operation, "400", "invalid_query_parameter");
        }
        if operation.request_body.is_some() {
            error_response(
                operation,
                "400",
                "malformed_json, invalid_request_body, json_too_deep",
            );
            error_response(operation, "413", "payload_too_large");
            error_response(operation, "415", "unsupported_media_type");
        }
        error_response(
            operation,
            "503",
            "store_unavailable or model_unavailable; see Retry-After",
        );
        error_response(
            operation,
            "500",
            "internal: a fault on our side, logged with its cause",
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "copmatch", description = "Matches people to communities of practice."),
    components(schemas(crate::error::ErrorBody, crate::error::ErrorDetail)),
    modifiers(&ApiKeyScheme)
)]
pub struct ApiDoc;

pub fn configure(cfg: &mut web::ServiceConfig) {
    let document = web::Data::new(Document(document_json(&super::openapi())));
    cfg.app_data(document)
        .route("/openapi.json", web::get().to(openapi_json));
}

/// The document as served, written once.
struct Document(serde_json::Value);

/// The document as JSON. utoipa 5 writes a response link's `operationId`
/// and `operationRef` in snake case, which no OpenAPI reader knows, so
/// they are renamed here.
pub fn document_json(doc: &utoipa::openapi::OpenApi) -> serde_json::Value {
    let mut json = serde_json::to_value(doc).expect("the document is JSON");
    fn rename_link_keys(value: &mut serde_json::Value, in_links: bool) {
        match value {
            serde_json::Value::Object(map) => {
                if in_links {
                    for (old, new) in [
                        ("operation_id", "operationId"),
                        ("operation_ref", "operationRef"),
                    ] {
                        if let Some(v) = map.remove(old) {
                            map.insert(new.to_string(), v);
                        }
                    }
                }
                for (key, child) in map.iter_mut() {
                    let links = key == "links";
                    if links {
                        if let serde_json::Value::Object(named) = child {
                            for link in named.values_mut() {
                                rename_link_keys(link, true);
                            }
                        }
                    } else {
                        rename_link_keys(child, false);
                    }
                }
            }
            serde_json::Value::Array(items) => {
                items.iter_mut().for_each(|v| rename_link_keys(v, false))
            }
            _ => {}
        }
    }
    rename_link_keys(&mut json, false);
    json
}

async fn openapi_json(document: web::Data<Document>) -> HttpResponse {
    HttpResponse::Ok().json(&document.0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn response_links_name_their_operation_as_openapi_spells_it() {
        let json = super::document_json(&crate::routes::openapi());
        let link =
            &json["paths"]["/v1/submissions"]["post"]["responses"]["201"]["links"]["Approve"];
        assert_eq!(link["operationId"], "approve", "{link}");
        assert!(link.get("operation_id").is_none());
    }
}
