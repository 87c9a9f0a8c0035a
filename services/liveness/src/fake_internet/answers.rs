//! What each fake host answers, shaped like the real platform's documented
//! answers: bodies, error shapes, rate-limit headers and compression.

use std::io::Write;
use std::time::Instant;

use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

use super::{Arrivals, SLOW};

fn host_of(req: &HttpRequest) -> String {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    host.split(':')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

fn redirect(status: u16, to: &str) -> HttpResponse {
    HttpResponse::build(StatusCode::from_u16(status).expect("a redirect status"))
        .insert_header((header::LOCATION, to.to_string()))
        .finish()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("in memory");
    encoder.finish().expect("in memory")
}

/// HTTP's `deflate` is the zlib format (RFC 9110 §8.4.1.2).
fn deflate(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("in memory");
    encoder.finish().expect("in memory")
}

fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 5, 22);
        writer.write_all(bytes).expect("in memory");
    }
    out
}

/// `body` compressed with the first of `preferred` the client accepts, as a
/// web server negotiates it; plain when it accepts none.
fn negotiated(
    req: &HttpRequest,
    status: StatusCode,
    body: &Value,
    preferred: &[&str],
) -> HttpResponse {
    let accepted = req
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let plain = body.to_string().into_bytes();
    let mut answer = HttpResponse::build(status);
    answer.content_type("application/json; charset=utf-8");
    let chosen = preferred
        .iter()
        .find(|e| accepted.split(',').any(|a| a.trim().starts_with(**e)));
    let bytes = match chosen {
        Some(&"br") => brotli(&plain),
        Some(&"gzip") => gzip(&plain),
        Some(&"deflate") => deflate(&plain),
        _ => return answer.body(plain),
    };
    answer.insert_header((header::CONTENT_ENCODING, *chosen.expect("chosen")));
    answer.insert_header((header::VARY, "Accept-Encoding"));
    answer.body(bytes)
}

/// The Stack Exchange API: gzip always, whatever was asked (its
/// compression page), with `Content-Encoding` unless `header` is false.
fn stackexchange(status: StatusCode, body: Value, header: bool) -> HttpResponse {
    let mut answer = HttpResponse::build(status);
    answer.content_type("application/json; charset=utf-8");
    answer.insert_header(("access-control-allow-origin", "*"));
    if header {
        answer.insert_header((header::CONTENT_ENCODING, "gzip"));
    }
    answer.body(gzip(body.to_string().as_bytes()))
}

/// A `/2.3/info` answer, with the common wrapper.
fn site_info(total_users: u64, backoff: Option<u64>) -> Value {
    let mut wrapper = json!({"items": [{
        "new_active_users": 12, "total_users": total_users, "badges_per_minute": 0.05,
        "total_badges": 180000, "total_votes": 420000, "total_comments": 250000,
        "answers_per_minute": 0.02, "questions_per_minute": 0.01, "total_answers": 90000,
        "total_accepted": 30000, "total_unanswered": 8000, "total_questions": 60000,
        "api_revision": "2024.1.1.12345"
    }], "has_more": false, "quota_max": 300, "quota_remaining": 297});
    if let Some(seconds) = backoff {
        wrapper["backoff"] = json!(seconds);
    }
    wrapper
}

fn se_error(id: u16, name: &str, message: &str) -> Value {
    json!({"error_id": id, "error_message": message, "error_name": name})
}

fn site_of(query: &str) -> String {
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "site")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// GitHub's REST answers carry the rate-limit headers.
fn github(status: StatusCode, body: Value, remaining: u32) -> HttpResponse {
    let reset = jiff::Timestamp::now().as_second() + 1;
    HttpResponse::build(status)
        .content_type("application/json; charset=utf-8")
        .insert_header(("x-ratelimit-limit", "60"))
        .insert_header(("x-ratelimit-remaining", remaining.to_string()))
        .insert_header(("x-ratelimit-reset", reset.to_string()))
        .insert_header(("x-ratelimit-resource", "core"))
        .insert_header(("x-github-api-version-selected", "2022-11-28"))
        .body(body.to_string())
}

fn github_not_found(doc: &str) -> HttpResponse {
    github(
        StatusCode::NOT_FOUND,
        json!({"message": "Not Found", "documentation_url": doc, "status": "404"}),
        58,
    )
}

fn html(body: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(body.to_string())
}

fn discourse_stats(posts_7: u64, posts_30: u64, users_7: u64, users_30: u64, users: u64) -> Value {
    json!({"about": {"stats": {
        "topics_count": 900, "posts_count": 12000, "users_count": users,
        "posts_7_days": posts_7, "posts_30_days": posts_30,
        "active_users_7_days": users_7, "active_users_30_days": users_30,
        "likes_count": 4000
    }, "title": "A forum", "version": "3.3.0"}})
}

pub(super) async fn answer(req: HttpRequest, arrivals: web::Data<Arrivals>) -> HttpResponse {
    let host = host_of(&req);
    arrivals
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push((host.clone(), Instant::now()));
    let path = req.path().to_string();
    let query = req.query_string().to_string();
    let recent = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * 3);
    match (host.as_str(), path.as_str()) {
        ("chain.test", "/old") => redirect(301, "/older"),
        ("chain.test", "/older") => redirect(308, "/new"),
        ("loop.test", "/a") => redirect(301, "/b"),
        ("loop.test", "/b") => redirect(301, "/a"),
        ("gone.test", "/410") => HttpResponse::Gone().finish(),
        ("gone.test", _) => HttpResponse::NotFound().finish(),
        ("busy.test", _) => HttpResponse::TooManyRequests()
            .insert_header((header::RETRY_AFTER, "1"))
            .finish(),
        ("broken.test", _) => HttpResponse::InternalServerError().finish(),
        ("slow.test", _) => {
            tokio::time::sleep(SLOW).await;
            HttpResponse::Ok().finish()
        }
        ("ssrf.test", _) => redirect(302, "http://169.254.169.254/latest/meta-data/"),
        ("soft404.test", _) => html(
            "<!doctype html><html><head><title>Page not found &ndash; Makers Guild</title></head>\
             <body><h1>Oops!</h1><p>We looked everywhere.</p></body></html>",
        ),
        ("parked.test", _) => html(
            "<html><head><title>parked.test</title></head><body>\
             <div class=\"banner\">This domain is for sale!</div><a href=\"#\">Make an offer</a>\
             <p>Related searches: community, forum, jobs</p></body></html>",
        ),
        ("discord.test", p) if p.ends_with("/good") => negotiated(&req, StatusCode::OK, &json!({
            "type": 0, "code": "good", "expires_at": null,
            "guild": {"id": "81384788765712384", "name": "Good Guild", "features": ["COMMUNITY"]},
            "approximate_member_count": 4200, "approximate_presence_count": 310
        }), &["deflate", "gzip"]),
        ("discord.test", _) => negotiated(
            &req,
            StatusCode::NOT_FOUND,
            &json!({"message": "Unknown Invite", "code": 10006}),
            &["deflate", "gzip"],
        ),
        ("reddit.test", "/r/banned/about.json") => negotiated(
            &req,
            StatusCode::NOT_FOUND,
            &json!({"reason": "banned", "message": "Not Found", "error": 404}),
            &["br", "gzip"],
        ),
        ("reddit.test", "/r/secret/about.json") => negotiated(
            &req,
            StatusCode::FORBIDDEN,
            &json!({"reason": "private", "message": "Forbidden", "error": 403}),
            &["br", "gzip"],
        ),
        ("reddit.test", _) => negotiated(&req, StatusCode::OK, &json!({"kind": "t5", "data": {
            "subscribers": 250000, "active_user_count": 812, "subreddit_type": "public",
            "quarantine": false, "over18": false
        }}), &["br", "gzip"]),
        ("se.test", _) => match site_of(&query).as_str() {
            "ux" => stackexchange(StatusCode::OK, site_info(90000, None), true),
            "mathoverflow.net" => stackexchange(StatusCode::OK, site_info(150000, None), false),
            "patience" => stackexchange(StatusCode::OK, site_info(500, Some(1)), true),
            "throttled" => stackexchange(
                StatusCode::BAD_REQUEST,
                se_error(
                    502,
                    "throttle_violation",
                    "too many requests from this IP, more requests available in 1 seconds",
                ),
                true,
            ),
            other => stackexchange(
                StatusCode::BAD_REQUEST,
                se_error(400, "bad_parameter", &format!("No site found for name `{other}`")),
                true,
            ),
        },
        ("forum.test", "/about.json") => {
            negotiated(&req, StatusCode::OK, &discourse_stats(140, 600, 45, 120, 3000), &["gzip"])
        }
        ("subforum.test", "/community/about.json") => {
            negotiated(&req, StatusCode::OK, &discourse_stats(60, 250, 20, 70, 900), &["gzip"])
        }
        ("subforum.test", "/about.json") => HttpResponse::NotFound().finish(),
        ("stale-forum.test", "/about.json") => negotiated(
            &req,
            StatusCode::OK,
            &discourse_stats(0, 0, 0, 0, 800),
            &["gzip"],
        ),
        ("gh.test", "/repos/o/live") => github(StatusCode::OK, json!({
            "full_name": "o/live", "archived": false, "pushed_at": recent.to_string(),
            "updated_at": recent.to_string(), "stargazers_count": 1500
        }), 59),
        ("gh.test", "/repos/o/archived") => github(StatusCode::OK, json!({
            "full_name": "o/archived", "archived": true, "pushed_at": "2021-03-01T00:00:00Z",
            "stargazers_count": 20
        }), 59),
        ("gh.test", "/repos/o/limited") => github(StatusCode::FORBIDDEN, json!({
            "message": "API rate limit exceeded for 127.0.0.1. (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)",
            "documentation_url": "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"
        }), 0),
        ("gh.test", "/users/octo-user") => github(StatusCode::OK, json!({
            "login": "octo-user", "id": 583231, "type": "User", "public_repos": 8,
            "followers": 20, "following": 3, "created_at": "2011-01-25T18:44:36Z",
            "updated_at": "2020-01-01T00:00:00Z"
        }), 59),
        ("gh.test", "/users/devcord") => github(StatusCode::OK, json!({
            "login": "devcord", "id": 9919, "type": "Organization", "public_repos": 40,
            "followers": 300, "created_at": "2016-01-25T18:44:36Z",
            "updated_at": "2024-01-01T00:00:00Z"
        }), 59),
        ("gh.test", p) if p.starts_with("/users/") => {
            github_not_found("https://docs.github.com/rest/users/users#get-a-user")
        }
        ("gh.test", _) => github_not_found("https://docs.github.com/rest/repos/repos#get-a-repository"),
        ("slack.test", "/invite/old") => html(
            "<html><body><h1>This link is no longer active</h1></body></html>",
        ),
        ("slack.test", _) => html("<html><head><title>Join the workspace | Slack</title></head><body>Join the workspace</body></html>"),
        ("meetup.test", "/gone/") => HttpResponse::NotFound().finish(),
        ("meetup.test", _) => html(&format!(
            r#"<script type="application/ld+json">{{"startDate":"{}"}}</script>"#,
            jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * 10)
        )),
        _ => html("<html><head><title>Hello</title></head><body>hello</body></html>"),
    }
}
