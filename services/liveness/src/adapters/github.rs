//! The GitHub adapter: `/repos/{owner}/{repo}` for a repository link and
//! `/users/{name}` for a one-segment link, which answers for users and
//! organisations alike (`"type": "User"` or `"Organization"`).
//!
//! A rate-limited answer (403 or 429 with `x-ratelimit-remaining: 0`, as the
//! REST API documents) is transient, and the API host rests until
//! `x-ratelimit-reset`; a secondary limit's `Retry-After` is honoured by
//! the fetcher for every host.

use std::time::Duration;

use copmatch_core::liveness::Outcome;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use url::Url;

use super::{count, Verdict};
use crate::fetch::{FetchError, Fetched, Fetcher};

/// What a GitHub link names.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Subject {
    Repository,
    Account,
}

/// Seconds until the rate limit resets, when this answer says it is spent.
fn rate_limited_for(fetched: &Fetched) -> Option<u64> {
    let limited = matches!(
        fetched.status,
        StatusCode::FORBIDDEN | StatusCode::TOO_MANY_REQUESTS
    ) && fetched.header("x-ratelimit-remaining") == Some("0");
    if !limited {
        return None;
    }
    let reset = fetched
        .header("x-ratelimit-reset")
        .and_then(|r| r.parse::<i64>().ok())
        .unwrap_or(0);
    Some((reset - jiff::Timestamp::now().as_second()).max(1) as u64)
}

pub(super) async fn github(
    fetcher: &Fetcher<'_>,
    url: &Url,
    api: &str,
    subject: Subject,
) -> Verdict {
    let verdict = Verdict::new("github", url);
    let api = match Url::parse(api) {
        Ok(api) => api,
        Err(e) => return verdict.failed(&FetchError::Other(format!("{api}: {e}"))),
    };
    let fetched = match fetcher.fetch(Method::GET, &api).await {
        Ok(f) => f,
        Err(e) => return verdict.failed(&e),
    };
    let mut v = verdict.answered(&fetched);
    if let Some(wait) = rate_limited_for(&fetched) {
        let host = api.host_str().unwrap_or_default();
        fetcher.pause(host, Duration::from_secs(wait)).await;
        v.outcome = Outcome::Transient;
        v.detail = format!("rate limited by the API for {wait} s");
        return v;
    }
    if v.outcome != Outcome::Ok {
        return v;
    }
    let Some(json) = fetched.json() else {
        v.outcome = Outcome::Transient;
        v.detail = "the API's answer is not JSON".into();
        return v;
    };
    match subject {
        Subject::Repository => {
            v.signals.archived = json.get("archived") == Some(&Value::Bool(true));
            v.signals.last_activity_at = ["pushed_at", "updated_at"]
                .iter()
                .find_map(|k| json.get(*k).and_then(Value::as_str).map(str::to_string));
            v.signals.members = count(&json, "stargazers_count");
            v.detail = if v.signals.archived {
                "repository archived".into()
            } else {
                "repository open".into()
            };
        }
        Subject::Account => {
            // An account's `updated_at` is its profile's, not its activity:
            // it is not read as a sign of life or of its absence.
            v.signals.members = count(&json, "followers");
            v.detail = match json.get("type").and_then(Value::as_str) {
                Some("Organization") => "organisation open".into(),
                _ => "user account open".into(),
            };
        }
    }
    v
}
