//! The pages for people: the match page (`/`), "submit your community"
//! (`/submit`) and the moderation page (`/moderate`). Static files compiled
//! into the binary; no external CDN. The platform list is filled in from the
//! domain's own list so the page cannot offer a platform the API refuses.

use std::sync::OnceLock;

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

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(|| page(index())))
        .route("/submit", web::get().to(|| page(submit())))
        .route("/moderate", web::get().to(|| page(MODERATE)))
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

fn index() -> &'static str {
    static PAGE: OnceLock<String> = OnceLock::new();
    PAGE.get_or_init(|| INDEX.replace("{{PLATFORM_OPTIONS}}", &platform_options()))
}

fn submit() -> &'static str {
    static PAGE: OnceLock<String> = OnceLock::new();
    PAGE.get_or_init(|| SUBMIT.replace("{{PLATFORM_OPTIONS}}", &platform_options()))
}

async fn page(html: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(ContentType::html())
        .body(html)
}

async fn asset(body: &'static str, content_type: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("content-type", content_type))
        .insert_header(CacheControl(vec![CacheDirective::NoCache]))
        .body(body)
}
