//! The checker: one HTTP client behind the SSRF guard and per-host
//! politeness, turning a community's link into a [`CheckResult`].

use std::sync::Arc;
use std::time::{Duration, Instant};

use copmatch_core::liveness::{CheckResult, Outcome};
use copmatch_core::time::format_time;
use copmatch_core::time::Clock;
use copmatch_core::Community;
use reqwest::redirect::Policy;
use reqwest::Client;
use url::Url;

use crate::adapters::{check_link, Verdict};
use crate::fetch::Fetcher;
use crate::guard::{GuardedResolver, Hosts};
use crate::polite::HostGate;
use crate::settings::LivenessSettings;

/// The longest pause a host's `Retry-After` can impose on a run.
const MAX_PAUSE: Duration = Duration::from_secs(300);

pub struct Checker {
    client: Client,
    gate: HostGate,
    settings: LivenessSettings,
    clock: Arc<dyn Clock>,
}

impl Checker {
    /// A checker resolving names through `hosts` (the system's resolver in
    /// production, a table of loopback names in tests).
    pub fn new(
        settings: LivenessSettings,
        hosts: Hosts,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, reqwest::Error> {
        let timeout = Duration::from_millis(settings.timeout_ms);
        let builder = Client::builder()
            .user_agent(settings.user_agent.clone())
            .redirect(Policy::none())
            .timeout(timeout)
            .connect_timeout(timeout)
            // Platforms compress (Stack Exchange always does): every answer
            // is decoded, whatever it chose.
            .gzip(true)
            .deflate(true)
            .brotli(true)
            .dns_resolver(Arc::new(GuardedResolver::new(
                hosts,
                settings.allow_loopback,
            )));
        // The environment's HTTP(S)_PROXY is never used: a proxy resolves the
        // name itself, out of the guard's sight. Only an operator's explicit
        // `liveness.proxy` is, and the README says the guard cannot see past it.
        let builder = match settings.proxy.as_deref() {
            Some(proxy) => builder.proxy(reqwest::Proxy::all(proxy)?),
            None => builder.no_proxy(),
        };
        let client = builder.build()?;
        Ok(Self {
            client,
            gate: HostGate::new(Duration::from_millis(settings.per_host_interval_ms)),
            settings,
            clock,
        })
    }

    pub fn settings(&self) -> &LivenessSettings {
        &self.settings
    }

    fn fetcher(&self) -> Fetcher<'_> {
        Fetcher {
            client: &self.client,
            gate: &self.gate,
            allow_loopback: self.settings.allow_loopback,
            max_redirects: self.settings.max_redirects,
            max_body_bytes: self.settings.max_body_bytes,
            max_pause: MAX_PAUSE,
        }
    }

    async fn verdict(&self, url: &Url, community: &Community) -> Verdict {
        let fetcher = self.fetcher();
        let endpoints = &self.settings.endpoints;
        let mut backoff = Duration::from_millis(self.settings.retry_backoff_ms);
        let mut verdict = check_link(&fetcher, endpoints, url, community.platform).await;
        for _ in 0..self.settings.retries {
            if verdict.outcome != Outcome::Transient {
                break;
            }
            tokio::time::sleep(backoff).await;
            backoff *= 2;
            verdict = check_link(&fetcher, endpoints, url, community.platform).await;
        }
        verdict
    }

    /// Checks one community: its url, and its homepage when the url is an
    /// invite or a page that cannot be read.
    pub async fn check(&self, community: &Community) -> CheckResult {
        let started = Instant::now();
        let mut verdict = match Url::parse(&community.url) {
            Ok(url) => self.verdict(&url, community).await,
            Err(e) => Verdict {
                adapter: "http",
                url: community.url.clone(),
                http_status: None,
                outcome: Outcome::Unverifiable,
                signals: Default::default(),
                detail: format!("not a valid link: {e}"),
                moved_to: None,
            },
        };
        let homepage = community
            .homepage
            .as_deref()
            .and_then(|h| Url::parse(h).ok());
        if let (Outcome::Unverifiable, Some(home)) = (verdict.outcome, homepage) {
            let fallback = self.verdict(&home, community).await;
            if fallback.outcome == Outcome::Ok {
                verdict = Verdict {
                    detail: format!("{}; the homepage answers", verdict.detail),
                    outcome: Outcome::Ok,
                    ..fallback
                };
            }
        }
        CheckResult {
            community_id: community.id.clone(),
            checked_at: format_time(self.clock.now()),
            adapter: verdict.adapter.to_string(),
            url: verdict.url,
            http_status: verdict.http_status,
            latency_ms: started.elapsed().as_millis() as u64,
            outcome: verdict.outcome,
            signals: verdict.signals,
            detail: verdict.detail,
            moved_to: verdict.moved_to,
        }
    }
}
