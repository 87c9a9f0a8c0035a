//! A fake internet on loopback (feature `fake-internet`): one actix-web
//! server that plays every adapter's public endpoints and every failure case,
//! told apart by the `Host` header. Answers have the platforms' documented
//! shapes, headers and compression (Stack Exchange gzips every answer, and
//! one site's comes without `Content-Encoding`, which its documentation says
//! to expect; Reddit, Discord and Discourse compress what the client accepts). The liveness tests, the HTTP tests, the
//! example (`cargo run -p copmatch-liveness --example fake_internet
//! --features fake-internet`) and the benchmark check against it, never
//! against the real internet. [`FakeInternet::settings`] points a checker's
//! endpoints and name table at it.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, TcpListener};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::dev::ServerHandle;
use actix_web::{web, App, HttpServer};

use crate::settings::{Endpoints, LivenessSettings};

mod answers;
mod cases;

use answers::answer;

pub use cases::Case;

/// Every name the fake internet answers for (all on 127.0.0.1).
pub const HOSTS: [&str; 21] = [
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
    "subforum.test",
    "soft404.test",
    "parked.test",
    "stale-forum.test",
    "gh.test",
    "slack.test",
    "meetup.test",
    "ssrf.test",
];

/// How long `slow.test` takes to answer.
pub const SLOW: Duration = Duration::from_secs(3);

/// Arrivals by host name, in order.
pub(crate) type Arrivals = Arc<Mutex<Vec<(String, Instant)>>>;

pub struct FakeInternet {
    pub port: u16,
    /// A loopback port where nothing listens.
    pub closed_port: u16,
    arrivals: Arrivals,
    handle: ServerHandle,
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
