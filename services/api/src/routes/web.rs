//! The pages for people: the match page (`/`), "submit your community"
//! (`/submit`) and the moderation page (`/moderate`). Static files compiled
//! into the binary; no external CDN. The platform list is filled in from the
//! domain's own list so the page cannot offer a platform the API refuses.

use actix_web::http::header::{CacheControl, CacheDirective, ContentType};
use actix_web::{web, HttpResponse};
use copmatch_core::Platform;

const INDEX: &str = include_str!("../../static/index.html");
const SUBMIT: &str = include_str!("../../static/submit.html");
const MODERATE: &str = include_str!("../../static/moderate.html");
const APP_JS: &str = include_str!("../../static/app.js");
const SUBMIT_JS: &str = include_str!("../../static/submit.js");
const MODERATE_JS: &str = include_str!("../../static/moderate.js");
const APP_CSS: &str = include_str!("../../static/app.css");

/// The pages as served: the platform list and the public key filled in.
struct Pages {
    index: String,
    submit: String,
}

impl Pages {
    fn new(public_key: Option<&str>) -> Self {
        let fill = |html: &str| {
            html.replace("{{PLATFORM_OPTIONS}}", &platform_options())
                .replace("{{PUBLIC_KEY}}", public_key.unwrap_or(""))
        };
        Self {
            index: fill(INDEX),
            submit: fill(SUBMIT),
        }
    }
}

/// Registers the pages; `public_key` is the key they send (see `crate::auth`).
pub fn configure(cfg: &mut web::ServiceConfig, public_key: Option<&str>) {
    cfg.app_data(web::Data::new(Pages::new(public_key)))
        .route(
            "/",
            web::get().to(|p: web::Data<Pages>| async move { html(p.index.clone()) }),
        )
        .route(
            "/submit",
            web::get().to(|p: web::Data<Pages>| async move { html(p.submit.clone()) }),
        )
        .route(
            "/moderate",
            web::get().to(|| async { html(MODERATE.to_string()) }),
        )
        .route(
            "/static/app.js",
            web::get().to(|| asset(APP_JS, "text/javascript; charset=utf-8")),
        )
        .route(
            "/static/submit.js",
            web::get().to(|| asset(SUBMIT_JS, "text/javascript; charset=utf-8")),
        )
        .route(
            "/static/moderate.js",
            web::get().to(|| asset(MODERATE_JS, "text/javascript; charset=utf-8")),
        )
        .route(
            "/static/app.css",
            web::get().to(|| asset(APP_CSS, "text/css; charset=utf-8")),
        );
}

fn platform_options() -> String {
    Platform::ALL
        .iter()
        .map(|p| format!("<option value=\"{}\">{}</option>", p.as_str(), p.label()))
        .collect::<Vec<_>>()
        .join("")
}

fn html(page: String) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(ContentType::html())
        .body(page)
}

async fn asset(body: &'static str, content_type: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("content-type", content_type))
        .insert_header(CacheControl(vec![CacheDirective::NoCache]))
        .body(body)
}
