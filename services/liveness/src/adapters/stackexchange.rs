//! The Stack Exchange adapter: `/2.3/info?site=…` on the API host.
//!
//! Read as the API documents it:
//! - every answer is compressed, whatever the request asked for; gzip is
//!   assumed when `Content-Encoding` is missing;
//! - the `site` parameter is the site's `api_site_parameter` (`ux`,
//!   `stackoverflow`, `mathoverflow.net`…) or its full domain;
//! - errors come as `{error_id, error_name, error_message}`. Only
//!   `bad_parameter` about `site` means there is no such site.
//!   `throttle_violation` (HTTP 400, id 502) and the others are transient;
//! - a `backoff` field (seconds) or a throttle's "available in N seconds"
//!   pauses the whole API host, for every site.

use std::time::Duration;

use copmatch_core::liveness::Outcome;
use reqwest::Method;
use serde_json::Value;
use url::Url;

use super::{count, Verdict};
use crate::fetch::{FetchError, Fetcher};
use crate::settings::Endpoints;

/// Sites on their own domains, with their `api_site_parameter`s (the
/// `/2.3/sites` answer).
const OWN_DOMAINS: [(&str, &str); 12] = [
    ("stackoverflow.com", "stackoverflow"),
    ("superuser.com", "superuser"),
    ("serverfault.com", "serverfault"),
    ("askubuntu.com", "askubuntu"),
    ("mathoverflow.net", "mathoverflow.net"),
    ("stackapps.com", "stackapps"),
    ("stackexchange.com", "stackexchange"),
    ("meta.stackexchange.com", "meta"),
    ("meta.stackoverflow.com", "meta.stackoverflow"),
    ("meta.superuser.com", "meta.superuser"),
    ("meta.serverfault.com", "meta.serverfault"),
    ("meta.askubuntu.com", "meta.askubuntu"),
];

/// The `site` parameter for a Stack Exchange host, or `None` when the host is
/// not one. A single-label `*.stackexchange.com` site is its label; any other
/// site (`pt.stackoverflow.com`, `meta.ux.stackexchange.com`,
/// `meta.mathoverflow.net`) is asked for under its full domain, which the API
/// accepts as well.
pub fn site_parameter(host: &str) -> Option<String> {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    if let Some((_, param)) = OWN_DOMAINS.iter().find(|(domain, _)| *domain == host) {
        return Some(param.to_string());
    }
    if let Some(label) = host.strip_suffix(".stackexchange.com") {
        return Some(if label.contains('.') {
            host.to_string()
        } else {
            label.to_string()
        });
    }
    let family = ["stackoverflow.com", "mathoverflow.net", "superuser.com"]
        .iter()
        .any(|d| host.ends_with(&format!(".{d}")));
    family.then(|| host.to_string())
}

/// The seconds in a throttle message ("… more requests available in 82216
/// seconds").
fn seconds_in(message: &str) -> Option<u64> {
    let before = message.find(" second")?;
    message[..before]
        .rsplit(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

pub(super) async fn stackexchange(
    fetcher: &Fetcher<'_>,
    endpoints: &Endpoints,
    url: &Url,
    site: &str,
) -> Verdict {
    let verdict = Verdict::new("stackexchange", url);
    let api = match Url::parse_with_params(
        &format!("{}/2.3/info", endpoints.stackexchange),
        [("site", site)],
    ) {
        Ok(api) => api,
        Err(e) => return verdict.failed(&FetchError::Other(e.to_string())),
    };
    let api_host = api.host_str().unwrap_or_default().to_string();
    let fetched = match fetcher.fetch(Method::GET, &api).await {
        Ok(fetched) => fetched,
        Err(e) => return verdict.failed(&e),
    };
    let mut v = verdict.answered(&fetched);
    let Some(json) = fetched.json_assuming_gzip() else {
        v.outcome = match v.outcome {
            Outcome::Ok => Outcome::Transient,
            other => other,
        };
        v.detail = format!("{}: the answer is not readable JSON", fetched.status);
        return v;
    };
    if let Some(backoff) = count(&json, "backoff") {
        fetcher.pause(&api_host, Duration::from_secs(backoff)).await;
    }
    let error_name = json.get("error_name").and_then(Value::as_str);
    let message = json
        .get("error_message")
        .and_then(Value::as_str)
        .unwrap_or_default();
    match (error_name, json.pointer("/items/0")) {
        (None, Some(info)) if v.outcome == Outcome::Ok => {
            let per_minute = |k: &str| info.get(k).and_then(Value::as_f64).unwrap_or(0.0);
            let week = (per_minute("questions_per_minute") + per_minute("answers_per_minute"))
                * 60.0
                * 24.0
                * 7.0;
            v.signals.posts_7d = Some(week.round() as u64);
            v.signals.members = count(info, "total_users");
            v.detail = "site open".into();
        }
        (Some("bad_parameter"), _) if message.to_ascii_lowercase().contains("site") => {
            v.outcome = Outcome::Dead;
            v.detail = format!("no Stack Exchange site {site:?}: {message}");
        }
        (Some("throttle_violation"), _) => {
            let wait = seconds_in(message).unwrap_or(60);
            fetcher.pause(&api_host, Duration::from_secs(wait)).await;
            v.outcome = Outcome::Transient;
            v.detail = format!("throttled by the API: {message}");
        }
        (Some(name), _) => {
            v.outcome = Outcome::Transient;
            v.detail = format!("the API answered {name}: {message}");
        }
        (None, _) => {
            v.outcome = match v.outcome {
                Outcome::Ok => Outcome::Unverifiable,
                other => other,
            };
            v.detail = format!("{}: no site information in the answer", fetched.status);
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_site_gets_the_parameter_the_api_knows() {
        for (host, param) in [
            ("ux.stackexchange.com", "ux"),
            ("stackoverflow.com", "stackoverflow"),
            ("www.superuser.com", "superuser"),
            ("serverfault.com", "serverfault"),
            ("askubuntu.com", "askubuntu"),
            ("mathoverflow.net", "mathoverflow.net"),
            ("stackapps.com", "stackapps"),
            ("meta.stackexchange.com", "meta"),
            ("pt.stackoverflow.com", "pt.stackoverflow.com"),
            ("meta.ux.stackexchange.com", "meta.ux.stackexchange.com"),
        ] {
            assert_eq!(site_parameter(host).as_deref(), Some(param), "{host}");
        }
        assert_eq!(site_parameter("example.org"), None);
        assert_eq!(site_parameter("notstackoverflow.com"), None);
    }

    #[test]
    fn a_throttle_message_says_how_long_to_wait() {
        let m = "too many requests from this IP, more requests available in 82216 seconds";
        assert_eq!(seconds_in(m), Some(82216));
        assert_eq!(seconds_in("slow down"), None);
    }
}
