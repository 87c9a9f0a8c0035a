//! The `liveness` configuration section.

use copmatch_core::liveness_policy::LivenessPolicy;
use serde::{Deserialize, Serialize};

/// Where each platform's public API answers. Tests point them at a local
/// server; the defaults are the real services.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Endpoints {
    /// `{discord}/api/v10/invites/{code}?with_counts=true`.
    pub discord: String,
    /// `{reddit}/r/{name}/about.json`.
    pub reddit: String,
    /// `{stackexchange}/2.3/info?site={site}`.
    pub stackexchange: String,
    /// `{github}/repos/{owner}/{repo}` and `{github}/orgs/{org}`.
    pub github: String,
    /// `{meetup}/{group}/` (the public group page).
    pub meetup: String,
}

impl Default for Endpoints {
    fn default() -> Self {
        Self {
            discord: "https://discord.com".into(),
            reddit: "https://www.reddit.com".into(),
            stackexchange: "https://api.stackexchange.com".into(),
            github: "https://api.github.com".into(),
            meetup: "https://www.meetup.com".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LivenessSettings {
    /// Run the checker in the background of `copmatch serve`.
    pub enabled: bool,
    /// How often the background job looks for due communities.
    pub interval_secs: u64,
    /// Checks in flight at once, over all hosts.
    pub concurrency: usize,
    /// At most one request per host per this many milliseconds.
    pub per_host_interval_ms: u64,
    /// Deadline of one request (connect, headers and body).
    pub timeout_ms: u64,
    pub max_redirects: usize,
    /// Bytes of a response body read at most.
    pub max_body_bytes: usize,
    /// Checks per run at most (`copmatch check` and each background round).
    pub max_checks_per_run: usize,
    /// Extra tries of a transient failure within a run, with doubling waits.
    pub retries: u32,
    /// Wait before the first retry.
    pub retry_backoff_ms: u64,
    /// Checks kept per community in the history.
    pub history_cap: usize,
    /// Sent with every request; names copmatch and where to read about it.
    pub user_agent: String,
    /// Let checks reach loopback addresses (tests with a local fake
    /// internet only). Private, link-local and metadata addresses are never
    /// reached.
    pub allow_loopback: bool,
    /// Names answered from this table instead of DNS (`name = "127.0.0.1"`),
    /// like a hosts file; when it is not empty, names missing from it do
    /// not exist. For the fake internet of tests and benchmarks.
    pub hosts: std::collections::BTreeMap<String, std::net::IpAddr>,
    /// A proxy every check goes through (`http://host:port`). Unset, none is
    /// used, whatever `HTTP_PROXY`/`HTTPS_PROXY` say. With one, the proxy
    /// resolves names and connects: the SSRF guard cannot see those addresses,
    /// so the proxy must refuse private ranges itself.
    pub proxy: Option<String>,
    pub endpoints: Endpoints,
    /// A healthy community is checked again after this many days…
    pub recheck_days: u32,
    /// …a suspect one (its last check failed) after this many hours.
    pub suspect_recheck_hours: u32,
    /// Dead checks in a row before a community is `dead_link`…
    pub dead_after_failures: u32,
    /// …and the days those checks must span.
    pub dead_after_days: u32,
    /// Public activity older than this makes a community `inactive`.
    pub inactive_after_days: u32,
    /// A dead-link report asks for a prompt check of its community at most
    /// once per this many hours.
    pub report_recheck_hours: u32,
}

impl LivenessSettings {
    /// Where names are looked up: DNS, or the `hosts` table when it has entries.
    pub fn lookup(&self) -> crate::guard::Hosts {
        if self.hosts.is_empty() {
            crate::guard::Hosts::System
        } else {
            crate::guard::Hosts::Table(std::sync::Arc::new(
                self.hosts
                    .iter()
                    .map(|(name, ip)| (name.to_ascii_lowercase(), *ip))
                    .collect(),
            ))
        }
    }

    /// The status rules these settings choose.
    pub fn policy(&self) -> LivenessPolicy {
        LivenessPolicy {
            recheck_days: self.recheck_days,
            suspect_recheck_hours: self.suspect_recheck_hours,
            dead_after_failures: self.dead_after_failures,
            dead_after_days: self.dead_after_days,
            inactive_after_days: self.inactive_after_days,
        }
    }
}

impl Default for LivenessSettings {
    fn default() -> Self {
        let policy = LivenessPolicy::default();
        Self {
            enabled: true,
            interval_secs: 3600,
            concurrency: 8,
            per_host_interval_ms: 1000,
            timeout_ms: 10_000,
            max_redirects: 5,
            max_body_bytes: 256 * 1024,
            max_checks_per_run: 5000,
            retries: 1,
            retry_backoff_ms: 2000,
            history_cap: 50,
            user_agent: concat!(
                "copmatch-liveness/",
                env!("CARGO_PKG_VERSION"),
                " (+https://github.com/copmatch/copmatch; checks community links weekly)"
            )
            .into(),
            allow_loopback: false,
            hosts: Default::default(),
            proxy: None,
            endpoints: Endpoints::default(),
            recheck_days: policy.recheck_days,
            suspect_recheck_hours: policy.suspect_recheck_hours,
            dead_after_failures: policy.dead_after_failures,
            dead_after_days: policy.dead_after_days,
            inactive_after_days: policy.inactive_after_days,
            report_recheck_hours: 24,
        }
    }
}
