//! Protection from too much traffic, two ways:
//! - **rate limits** ([`RateLimits`], with `governor`): fairness between
//!   clients. Each API key, or each client IP when there is no key (or it is
//!   the pages' public key), has its own budget per kind of route (recommend,
//!   write, submission). Past it: 429 `rate_limited` with `Retry-After`.
//! - **overload control** ([`InFlight`]): protection of the service itself.
//!   A bounded number of requests are handled at once; past the bound the
//!   request is refused at once with 429 `overloaded` instead of waiting in
//!   an ever longer line (the model queue has its own bound, in
//!   `copmatch_embed`).

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;
use copmatch_core::{CommunityId, ErrorCode};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

use crate::error::ApiError;
use crate::telemetry::PROBES;

/// Kinds of routes with separate budgets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    Recommend,
    Write,
    Submit,
}

/// Who a budget belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Client {
    Key(String),
    Ip(Option<IpAddr>),
}

/// One budget: a steady rate and a burst.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rate {
    /// Requests per second, sustained (may be fractional: 0.2 = one per 5 s).
    pub per_second: f64,
    /// Requests allowed at once after a quiet spell.
    pub burst: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimitSettings {
    pub enabled: bool,
    /// Requests from the machine itself (loopback) that are counted per IP
    /// are not limited: local tools and load tests share one address, and a
    /// local caller can exhaust the machine anyway. Keys are always limited.
    pub exempt_loopback: bool,
    /// `POST /v1/recommendations`, a user's recommendations, reading communities.
    pub recommend: Rate,
    /// Users, feedback, and every admin route.
    pub write: Rate,
    /// Submissions and dead-link reports (written by people, moderated by people).
    pub submit: Rate,
    /// Dead-link reports (`POST /v1/reports` and `report_dead_link` events)
    /// from one client IP, through the public key or keyless.
    pub reports_per_ip: Rate,
    /// Dead-link reports about one community, through the public key or
    /// keyless, from every client together.
    pub reports_per_community: Rate,
    /// Users created from one client IP through the public key or keyless
    /// (each one is kept until `feedback.anonymous_ttl_days` after its last
    /// write).
    pub new_users_per_ip: Rate,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            exempt_loopback: true,
            recommend: Rate {
                per_second: 20.0,
                burst: 40,
            },
            write: Rate {
                per_second: 20.0,
                burst: 100,
            },
            submit: Rate {
                per_second: 0.2,
                burst: 5,
            },
            // 5 at once, then one per 10 minutes.
            reports_per_ip: Rate {
                per_second: 1.0 / 600.0,
                burst: 5,
            },
            // 3 at once, then one per hour: more says nothing new to a
            // moderator, and a report asks for at most one check a day.
            reports_per_community: Rate {
                per_second: 1.0 / 3600.0,
                burst: 3,
            },
            // 20 a day: a household or an office behind one address, not a
            // script minting throwaway users.
            new_users_per_ip: Rate {
                per_second: 20.0 / 86_400.0,
                burst: 20,
            },
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OverloadSettings {
    /// Requests handled at once, past which requests are refused with
    /// `overloaded`. Sized well above what the model can serve at once, so
    /// only a real pile-up is refused.
    pub max_in_flight: usize,
}

impl Default for OverloadSettings {
    fn default() -> Self {
        Self { max_in_flight: 256 }
    }
}

fn quota(name: &str, rate: &Rate) -> anyhow::Result<Quota> {
    anyhow::ensure!(
        rate.per_second.is_finite() && rate.per_second > 0.0,
        "rate_limits.{name}.per_second must be above 0"
    );
    let burst = NonZeroU32::new(rate.burst)
        .ok_or_else(|| anyhow::anyhow!("rate_limits.{name}.burst must be at least 1"))?;
    let period = Duration::from_secs_f64(1.0 / rate.per_second);
    Ok(Quota::with_period(period)
        .ok_or_else(|| anyhow::anyhow!("rate_limits.{name}.per_second is too large"))?
        .allow_burst(burst))
}

/// The per-client budgets, shared by every HTTP worker.
pub struct RateLimits {
    exempt_loopback: bool,
    recommend: DefaultKeyedRateLimiter<Client>,
    write: DefaultKeyedRateLimiter<Client>,
    submit: DefaultKeyedRateLimiter<Client>,
    reports_per_ip: DefaultKeyedRateLimiter<Client>,
    reports_per_community: DefaultKeyedRateLimiter<CommunityId>,
    new_users_per_ip: DefaultKeyedRateLimiter<Client>,
    checks: AtomicU64,
}

impl RateLimits {
    /// None when rate limits are off.
    pub fn from_settings(settings: &RateLimitSettings) -> anyhow::Result<Option<Self>> {
        if !settings.enabled {
            return Ok(None);
        }
        Ok(Some(Self {
            exempt_loopback: settings.exempt_loopback,
            recommend: RateLimiter::keyed(quota("recommend", &settings.recommend)?),
            write: RateLimiter::keyed(quota("write", &settings.write)?),
            submit: RateLimiter::keyed(quota("submit", &settings.submit)?),
            reports_per_ip: RateLimiter::keyed(quota("reports_per_ip", &settings.reports_per_ip)?),
            reports_per_community: RateLimiter::keyed(quota(
                "reports_per_community",
                &settings.reports_per_community,
            )?),
            new_users_per_ip: RateLimiter::keyed(quota(
                "new_users_per_ip",
                &settings.new_users_per_ip,
            )?),
            checks: AtomicU64::new(0),
        }))
    }

    /// Takes one request from `client`'s budget, or says when to come back.
    pub fn charge(&self, budget: Budget, client: &Client) -> Result<(), ApiError> {
        if self.exempt_loopback && matches!(client, Client::Ip(Some(ip)) if ip.is_loopback()) {
            return Ok(());
        }
        let limiter = match budget {
            Budget::Recommend => &self.recommend,
            Budget::Write => &self.write,
            Budget::Submit => &self.submit,
        };
        // Forget idle clients now and then, so memory follows active clients.
        if self.checks.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
            for l in [
                &self.recommend,
                &self.write,
                &self.submit,
                &self.reports_per_ip,
                &self.new_users_per_ip,
            ] {
                l.retain_recent();
                l.shrink_to_fit();
            }
            self.reports_per_community.retain_recent();
            self.reports_per_community.shrink_to_fit();
        }
        let name = budget_name(budget);
        limiter.check_key(client).map_err(|not_until| {
            refused(
                name,
                &format!("{name} requests from this client"),
                not_until,
            )
        })
    }
}

/// The `rate_limited` answer for a budget spent until `not_until`, counted
/// in `copmatch_rate_limited_total` under `budget`.
fn refused(
    budget: &'static str,
    what: &str,
    not_until: governor::NotUntil<<DefaultClock as Clock>::Instant>,
) -> ApiError {
    let wait = not_until.wait_time_from(DefaultClock::default().now());
    let secs = wait.as_secs_f64().ceil().max(1.0) as u64;
    metrics::counter!("copmatch_rate_limited_total", "budget" => budget).increment(1);
    ApiError::new(
        ErrorCode::RateLimited,
        format!("too many {what}; retry in {secs} s"),
    )
    .retry_after(secs)
}

impl RateLimits {
    /// Takes one dead-link report about each of `communities` from the
    /// budgets of the client's IP and of each community. Only callers
    /// counted per IP (the public key, keyless) are charged: a configured
    /// key is an app its operator answers for.
    pub fn charge_reports(
        &self,
        ip: Option<IpAddr>,
        communities: &[CommunityId],
    ) -> Result<(), ApiError> {
        if self.exempt_loopback && ip.is_some_and(|ip| ip.is_loopback()) {
            return Ok(());
        }
        for community in communities {
            self.reports_per_ip
                .check_key(&Client::Ip(ip))
                .map_err(|n| refused("report", "dead-link reports from this client", n))?;
            self.reports_per_community
                .check_key(community)
                .map_err(|n| {
                    refused("report", &format!("dead-link reports about {community}"), n)
                })?;
        }
        Ok(())
    }
}

impl RateLimits {
    /// Takes one new user from the client IP's budget.
    pub fn charge_new_user(&self, ip: Option<IpAddr>) -> Result<(), ApiError> {
        if self.exempt_loopback && ip.is_some_and(|ip| ip.is_loopback()) {
            return Ok(());
        }
        self.new_users_per_ip
            .check_key(&Client::Ip(ip))
            .map_err(|n| refused("new_user", "new users from this client", n))
    }
}

fn budget_name(budget: Budget) -> &'static str {
    match budget {
        Budget::Recommend => "recommend",
        Budget::Write => "write",
        Budget::Submit => "submission",
    }
}

/// The bound on requests handled at once.
#[derive(Clone)]
pub struct InFlight(Arc<Semaphore>);

impl InFlight {
    pub fn new(settings: &OverloadSettings) -> Self {
        Self(Arc::new(Semaphore::new(settings.max_in_flight.max(1))))
    }
}

/// Middleware: refuses a request at once when `max_in_flight` are running.
pub async fn bound_in_flight(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let bound = req
        .app_data::<web::Data<InFlight>>()
        // Probes answer even at the bound: an orchestrator must not take a
        // busy service for a dead one.
        .filter(|_| !PROBES.contains(&req.path()));
    let permit = match bound {
        Some(bound) => Some(bound.0.clone().try_acquire_owned().map_err(|_| {
            metrics::counter!("copmatch_overloaded_total", "reason" => "in_flight").increment(1);
            ApiError::new(
                ErrorCode::Overloaded,
                "the service is handling as many requests as it can; retry shortly",
            )
        })?),
        None => None,
    };
    let response = next.call(req).await;
    drop(permit);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(exempt_loopback: bool) -> RateLimits {
        let settings = RateLimitSettings {
            exempt_loopback,
            recommend: Rate {
                per_second: 1.0,
                burst: 2,
            },
            ..RateLimitSettings::default()
        };
        RateLimits::from_settings(&settings).unwrap().unwrap()
    }

    #[test]
    fn a_burst_past_the_budget_is_refused_with_a_retry_time() {
        let limits = limits(true);
        let client = Client::Ip(Some("192.0.2.7".parse().unwrap()));
        assert!(limits.charge(Budget::Recommend, &client).is_ok());
        assert!(limits.charge(Budget::Recommend, &client).is_ok());
        let refused = limits.charge(Budget::Recommend, &client).unwrap_err();
        assert_eq!(refused.0.code.as_str(), "rate_limited");
        assert_eq!(refused.retry_after_secs(), Some(1));
        // Another client and another budget are untouched.
        let other = Client::Ip(Some("192.0.2.8".parse().unwrap()));
        assert!(limits.charge(Budget::Recommend, &other).is_ok());
        assert!(limits.charge(Budget::Write, &client).is_ok());
    }

    #[test]
    fn loopback_is_exempt_only_when_configured_and_keys_never_are() {
        let loopback = Client::Ip(Some("127.0.0.1".parse().unwrap()));
        let exempt = limits(true);
        assert!((0..10).all(|_| exempt.charge(Budget::Recommend, &loopback).is_ok()));
        let key = Client::Key("app".into());
        assert!((0..10).any(|_| exempt.charge(Budget::Recommend, &key).is_err()));
        let strict = limits(false);
        assert!((0..10).any(|_| strict.charge(Budget::Recommend, &loopback).is_err()));
    }

    #[test]
    fn reports_are_limited_per_ip_and_per_community() {
        let settings = RateLimitSettings {
            exempt_loopback: false,
            ..RateLimitSettings::default()
        };
        let limits = RateLimits::from_settings(&settings).unwrap().unwrap();
        let c = |id: &str| CommunityId::parse(id).unwrap();
        let ip = |last: u8| Some(IpAddr::from([192, 0, 2, last]));
        // Many addresses, one community: three, then refused.
        for last in 1..=3 {
            limits.charge_reports(ip(last), &[c("er")]).unwrap();
        }
        let err = limits.charge_reports(ip(4), &[c("er")]).unwrap_err();
        assert_eq!(err.0.code.as_str(), "rate_limited");
        assert!(err.0.message.contains("about er"), "{}", err.0.message);
        // One address, many communities: five, then refused.
        for n in 0..4 {
            limits
                .charge_reports(ip(9), &[c(&format!("c{n}"))])
                .unwrap();
        }
        limits.charge_reports(ip(9), &[c("c4")]).unwrap();
        let err = limits.charge_reports(ip(9), &[c("c5")]).unwrap_err();
        assert!(
            err.0.message.contains("from this client"),
            "{}",
            err.0.message
        );
    }

    #[test]
    fn nonsense_budgets_are_refused() {
        let mut settings = RateLimitSettings::default();
        settings.submit.per_second = 0.0;
        assert!(RateLimits::from_settings(&settings).is_err());
        let mut settings = RateLimitSettings::default();
        settings.write.burst = 0;
        assert!(RateLimits::from_settings(&settings).is_err());
        settings.enabled = false;
        assert!(RateLimits::from_settings(&settings).unwrap().is_none());
    }

    #[test]
    fn new_users_are_limited_to_twenty_a_day_per_ip_by_default() {
        let limits = limits(true);
        let ip = Some("198.51.100.4".parse().unwrap());
        assert!((0..20).all(|_| limits.charge_new_user(ip).is_ok()));
        let refused = limits.charge_new_user(ip).unwrap_err();
        assert_eq!(refused.0.code.as_str(), "rate_limited");
        // The next one comes back after a twentieth of a day.
        assert!(
            (4_300..=4_321).contains(&refused.retry_after_secs().unwrap()),
            "{:?}",
            refused.retry_after_secs()
        );
        assert!(limits
            .charge_new_user(Some("198.51.100.5".parse().unwrap()))
            .is_ok());
    }
}
