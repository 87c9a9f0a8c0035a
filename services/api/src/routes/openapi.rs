//! `GET /openapi.json`, generated from the handlers and types.

use actix_web::{web, HttpResponse};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{admin, communities, health, recommendations, submissions, users};

struct AdminKeyScheme;

impl Modify for AdminKeyScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "admin_key",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "copmatch", description = "Matches people to communities of practice."),
    paths(
        recommendations::recommend,
        communities::list,
        communities::get,
        communities::put,
        communities::delete,
        communities::put_status,
        communities::similar,
        communities::import,
        health::health,
        health::ready,
        submissions::submit,
        submissions::report,
        submissions::list,
        submissions::approve,
        submissions::reject,
        admin::index_status,
        admin::start_reindex,
        admin::models,
        admin::activate,
        admin::rollback,
        users::put,
        users::get,
        users::delete,
        users::recommendations,
        users::feedback,
    ),
    components(schemas(crate::error::ErrorBody, crate::error::ErrorDetail)),
    modifiers(&AdminKeyScheme)
)]
pub struct ApiDoc;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/openapi.json", web::get().to(openapi_json));
}

async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
