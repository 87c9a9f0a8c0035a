//! A fake internet on loopback (feature `fake-internet`): one actix-web
//! server that plays every adapter's public endpoints and every failure case,
//! told apart by the `Host` header. The liveness tests, the HTTP tests, the
//! example (`cargo run -p copmatch-liveness --example fake_internet
//! --features fake-internet`) and the benchmark check against it, never
//! against the real internet. [`FakeInternet::settings`] points a checker's
//! endpoints and name table at it.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, TcpListener};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::dev::ServerHandle;
use actix_web::http::header;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use serde_json::json;

use crate::settings::{Endpoints, LivenessSettings};

mod cases;

pub use cases::Case;

/// Every name the fake internet answers for (all on 127.0.0.1).
pub const HOSTS: [&str; 18] = [
    "ok.test",
    "chain.test",
    "loop.test",
    "gone.test",
    "busy.test",
    "broken.test",
    "slow.test",
    "refused.test",
    "tls.test",
    "discord.test",
    "reddit.test",
    "se.test",
    "forum.test",
    "stale-forum.test",
    "gh.test",
    "slack.test",
    "meetup.test",
    "ssrf.test",
];

/// How long `slow.test` takes to answer.
pub const SLOW: Duration = Duration::from_secs(3);

/// Arrivals by host name, in order.
type Arrivals = Arc<Mutex<Vec<(String, Instant)>>>;

pub struct FakeInternet {
    pub port: u16,
    /// A loopback port where nothing listens.
    pub closed_port: u16,
    arrivals: Arrivals,
    handle: ServerHandle,
}

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
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).expect("a redirect status"))
        .insert_header((header::LOCATION, to.to_string()))
        .finish()
}

async fn answer(req: HttpRequest, arrivals: web::Data<Arrivals>) -> HttpResponse {
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
        ("discord.test", p) if p.ends_with("/good") => HttpResponse::Ok().json(json!({
            "code": "good", "approximate_member_count": 4200, "approximate_presence_count": 310
        })),
        ("discord.test", _) => {
            HttpResponse::NotFound().json(json!({"message": "Unknown Invite", "code": 10006}))
        }
        ("reddit.test", "/r/banned/about.json") => {
            HttpResponse::NotFound().json(json!({"reason": "banned", "error": 404}))
        }
        ("reddit.test", "/r/secret/about.json") => {
            HttpResponse::Forbidden().json(json!({"reason": "private", "error": 403}))
        }
        ("reddit.test", _) => HttpResponse::Ok().json(json!({"kind": "t5", "data": {
            "subscribers": 250000, "active_user_count": 812, "subreddit_type": "public"
        }})),
        ("se.test", _) if query.contains("site=ux") => HttpResponse::Ok().json(json!({"items": [{
            "questions_per_minute": 0.01, "answers_per_minute": 0.02, "total_users": 90000
        }]})),
        ("se.test", _) => HttpResponse::BadRequest()
            .json(json!({"error_id": 400, "error_name": "bad_parameter", "error_message": "No site found"})),
        ("forum.test", "/about.json") => HttpResponse::Ok().json(json!({"about": {"stats": {
            "posts_7_days": 140, "posts_30_days": 600, "active_users_7_days": 45,
            "active_users_30_days": 120, "users_count": 3000
        }}})),
        ("stale-forum.test", "/about.json") => HttpResponse::Ok().json(json!({"about": {"stats": {
            "posts_7_days": 0, "posts_30_days": 0, "active_users_7_days": 0,
            "active_users_30_days": 0, "users_count": 800
        }}})),
        ("gh.test", "/repos/o/live") => HttpResponse::Ok().json(json!({
            "archived": false, "pushed_at": recent.to_string(), "stargazers_count": 1500
        })),
        ("gh.test", "/repos/o/archived") => HttpResponse::Ok().json(json!({
            "archived": true, "pushed_at": "2021-03-01T00:00:00Z", "stargazers_count": 20
        })),
        ("gh.test", _) => HttpResponse::NotFound().json(json!({"message": "Not Found"})),
        ("slack.test", "/invite/old") => HttpResponse::Ok()
            .content_type("text/html")
            .body("<html><body><h1>This link is no longer active</h1></body></html>"),
        ("slack.test", _) => HttpResponse::Ok()
            .content_type("text/html")
            .body("<html><body>Join the workspace</body></html>"),
        ("meetup.test", "/gone/") => HttpResponse::NotFound().finish(),
        ("meetup.test", _) => HttpResponse::Ok().content_type("text/html").body(format!(
            r#"<script type="application/ld+json">{{"startDate":"{}"}}</script>"#,
            jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * 10)
        )),
        _ => HttpResponse::Ok().content_type("text/html").body("<html>hello</html>"),
    }
}

impl FakeInternet {
    /// Starts the server on a free loopback port.
    pub async fn start() -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let closed_port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let arrivals: Arrivals = Arc::default();
        let data = web::Data::new(arrivals.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .default_service(web::to(answer))
        })
        .workers(2)
        .listen(listener)?
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Ok(Self {
            port,
            closed_port,
            arrivals,
            handle,
        })
    }

    /// `http://{host}:{port}{path}`.
    pub fn url(&self, host: &str, path: &str) -> String {
        format!("http://{host}:{}{path}", self.port)
    }

    /// `settings` with every endpoint and name pointed here, loopback
    /// allowed, and short timeouts; `extra_hosts` are more names for it.
    pub fn settings(
        &self,
        mut settings: LivenessSettings,
        extra_hosts: &[String],
    ) -> LivenessSettings {
        settings.endpoints = Endpoints {
            discord: self.url("discord.test", ""),
            reddit: self.url("reddit.test", ""),
            stackexchange: self.url("se.test", ""),
            github: self.url("gh.test", ""),
            meetup: self.url("meetup.test", ""),
        };
        let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST);
        settings.hosts = HOSTS
            .iter()
            .map(|h| h.to_string())
            .chain(extra_hosts.iter().cloned())
            .map(|h| (h, loopback))
            .collect::<BTreeMap<_, _>>();
        settings.allow_loopback = true;
        settings.timeout_ms = 1000;
        settings.retry_backoff_ms = 50;
        settings
    }

    /// Every request so far: (host name, arrival), in arrival order.
    pub fn arrivals(&self) -> Vec<(String, Instant)> {
        self.arrivals
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub async fn stop(self) {
        self.handle.stop(false).await;
    }
}

/// `settings`' fake-internet fields as a `[liveness]` TOML section, for a
/// `copmatch --config` file.
pub fn toml_section(s: &LivenessSettings) -> String {
    let mut out = String::from("[liveness]\n");
    out.push_str(&format!(
        "allow_loopback = {}\ntimeout_ms = {}\nper_host_interval_ms = {}\nretry_backoff_ms = {}\nconcurrency = {}\n",
        s.allow_loopback, s.timeout_ms, s.per_host_interval_ms, s.retry_backoff_ms, s.concurrency
    ));
    out.push_str("\n[liveness.endpoints]\n");
    let e = &s.endpoints;
    for (key, value) in [
        ("discord", &e.discord),
        ("reddit", &e.reddit),
        ("stackexchange", &e.stackexchange),
        ("github", &e.github),
        ("meetup", &e.meetup),
    ] {
        out.push_str(&format!("{key} = {value:?}\n"));
    }
    out.push_str("\n[liveness.hosts]\n");
    for (name, ip) in &s.hosts {
        out.push_str(&format!("{name:?} = \"{ip}\"\n"));
    }
    out
}
