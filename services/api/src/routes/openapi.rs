//! `GET /openapi.json`: the document's frame (title, security scheme, shared
//! schemas) here, its paths from each area's route list (see [`super::routes!`]).

use actix_web::{web, HttpResponse};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

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
    components(schemas(crate::error::ErrorBody, crate::error::ErrorDetail)),
    modifiers(&AdminKeyScheme)
)]
pub struct ApiDoc;

pub fn configure(cfg: &mut web::ServiceConfig) {
    let document = web::Data::new(super::openapi());
    cfg.app_data(document)
        .route("/openapi.json", web::get().to(openapi_json));
}

async fn openapi_json(document: web::Data<utoipa::openapi::OpenApi>) -> HttpResponse {
    HttpResponse::Ok().json(document.get_ref())
}
