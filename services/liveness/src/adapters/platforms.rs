//! The adapters of platforms with a public signal: Discord invites, Reddit
//! `about.json`, Slack invite pages, Meetup group pages and Discourse
//! `about.json` (Stack Exchange and GitHub have their own files).

use copmatch_core::liveness::Outcome;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use url::Url;

use super::{count, Verdict};
use crate::fetch::{FetchError, Fetched, Fetcher};
use crate::settings::Endpoints;

async fn get_json(fetcher: &Fetcher<'_>, api: &str) -> Result<(Fetched, Value), FetchError> {
    let url = Url::parse(api).map_err(|e| FetchError::Other(format!("{api}: {e}")))?;
    let fetched = fetcher.fetch(Method::GET, &url).await?;
    let json = fetched.json().unwrap_or(Value::Null);
    Ok((fetched, json))
}

pub(super) async fn discord(
    fetcher: &Fetcher<'_>,
    endpoints: &Endpoints,
    url: &Url,
    code: &str,
) -> Verdict {
    let verdict = Verdict::new("discord", url);
    let api = format!(
        "{}/api/v10/invites/{code}?with_counts=true",
        endpoints.discord
    );
    match get_json(fetcher, &api).await {
        Err(e) => verdict.failed(&e),
        Ok((fetched, json)) => {
            let mut v = verdict.answered(&fetched);
            if fetched.status == StatusCode::NOT_FOUND || count(&json, "code") == Some(10006) {
                v.outcome = Outcome::Dead;
                v.detail = "the invite expired or is unknown".into();
            } else if v.outcome == Outcome::Ok {
                v.signals.members = count(&json, "approximate_member_count");
                v.signals.online = count(&json, "approximate_presence_count");
                v.detail = "invite valid".into();
            }
            v
        }
    }
}

pub(super) async fn reddit(
    fetcher: &Fetcher<'_>,
    endpoints: &Endpoints,
    url: &Url,
    name: &str,
) -> Verdict {
    let verdict = Verdict::new("reddit", url);
    let api = format!("{}/r/{name}/about.json", endpoints.reddit);
    match get_json(fetcher, &api).await {
        Err(e) => verdict.failed(&e),
        Ok((fetched, json)) => {
            let mut v = verdict.answered(&fetched);
            let reason = json
                .get("reason")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let data = json.get("data").cloned().unwrap_or(Value::Null);
            let kind = data
                .get("subreddit_type")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if reason == "banned" {
                v.outcome = Outcome::Dead;
                v.detail = "the subreddit is banned".into();
            } else if reason == "private" || kind == "private" {
                v.outcome = Outcome::Unverifiable;
                v.detail = "the subreddit is private".into();
            } else if reason == "quarantined" || data.get("quarantine") == Some(&Value::Bool(true))
            {
                v.outcome = Outcome::Unverifiable;
                v.detail = "the subreddit is quarantined".into();
            } else if v.outcome == Outcome::Ok {
                v.signals.members = count(&data, "subscribers");
                v.signals.online =
                    count(&data, "active_user_count").or_else(|| count(&data, "accounts_active"));
                v.detail = "subreddit open".into();
            }
            v
        }
    }
}

const SLACK_GONE: [&str; 3] = [
    "no longer active",
    "invite link is no longer valid",
    "this link has expired",
];

pub(super) async fn slack(fetcher: &Fetcher<'_>, url: &Url) -> Verdict {
    let verdict = Verdict::new("slack", url);
    match fetcher.fetch(Method::GET, url).await {
        Err(e) => verdict.failed(&e),
        Ok(fetched) => {
            let mut v = verdict.answered(&fetched);
            let page = fetched.text().to_ascii_lowercase();
            if SLACK_GONE.iter().any(|s| page.contains(s)) {
                v.outcome = Outcome::Dead;
                v.detail = "the invite link is no longer active".into();
            }
            v
        }
    }
}

/// ISO times in a page's structured data (`"startDate"`, `"dateTime"`).
fn event_times(page: &str) -> Vec<jiff::Timestamp> {
    let mut out = Vec::new();
    for key in ["\"startDate\":\"", "\"dateTime\":\""] {
        for (i, _) in page.match_indices(key) {
            let rest = &page[i + key.len()..];
            if let Some(end) = rest.find('"') {
                if let Some(t) = copmatch_core::time::parse_time(&rest[..end]) {
                    out.push(t);
                }
            }
        }
    }
    out
}

pub(super) async fn meetup(
    fetcher: &Fetcher<'_>,
    endpoints: &Endpoints,
    url: &Url,
    group: &str,
) -> Verdict {
    let verdict = Verdict::new("meetup", url);
    let page_url = match Url::parse(&format!("{}/{group}/", endpoints.meetup)) {
        Ok(u) => u,
        Err(e) => return verdict.failed(&FetchError::Other(e.to_string())),
    };
    match fetcher.fetch(Method::GET, &page_url).await {
        Err(e) => verdict.failed(&e),
        Ok(fetched) => {
            let mut v = verdict.answered(&fetched);
            if v.outcome == Outcome::Ok {
                let now = jiff::Timestamp::now();
                let times = event_times(&fetched.text());
                let format = copmatch_core::time::format_time;
                v.signals.last_activity_at = times
                    .iter()
                    .filter(|t| **t <= now)
                    .max()
                    .map(|t| format(*t));
                v.signals.next_event_at =
                    times.iter().filter(|t| **t > now).min().map(|t| format(*t));
                v.detail = match (&v.signals.last_activity_at, &v.signals.next_event_at) {
                    (_, Some(next)) => format!("next event {}", &next[..10]),
                    (Some(last), None) => format!("last event {}", &last[..10]),
                    (None, None) => "group page open, no events listed".into(),
                };
            }
            v
        }
    }
}

/// Path segments that are a Discourse page, not the forum's own prefix.
const DISCOURSE_PAGES: [&str; 12] = [
    "t",
    "c",
    "latest",
    "top",
    "new",
    "categories",
    "u",
    "g",
    "tag",
    "tags",
    "search",
    "about",
];

/// Where a forum's `about.json` is: under the forum's own path (a Discourse
/// served at `https://example.org/community/` answers
/// `/community/about.json`), cutting a topic or category page off the link.
pub(crate) fn discourse_about(url: &Url) -> Option<Url> {
    let prefix: Vec<&str> = url
        .path_segments()?
        .filter(|s| !s.is_empty())
        .take_while(|s| !DISCOURSE_PAGES.contains(s))
        .collect();
    let mut about = url.clone();
    about.set_query(None);
    about.set_fragment(None);
    let path = prefix.iter().map(|s| format!("/{s}")).collect::<String>() + "/about.json";
    about.set_path(&path);
    Some(about)
}

/// Discourse's public statistics, when the forum is a Discourse.
pub(super) async fn discourse(fetcher: &Fetcher<'_>, url: &Url) -> Option<Verdict> {
    let about = discourse_about(url)?;
    let (fetched, json) = get_json(fetcher, about.as_str()).await.ok()?;
    let stats = json.pointer("/about/stats")?.clone();
    let mut v = Verdict::new("discourse", url).answered(&fetched);
    if v.outcome != Outcome::Ok {
        return None;
    }
    v.signals.posts_7d = count(&stats, "posts_7_days");
    v.signals.posts_30d = count(&stats, "posts_30_days");
    v.signals.active_users_7d = count(&stats, "active_users_7_days");
    v.signals.active_users_30d = count(&stats, "active_users_30_days");
    v.signals.members = count(&stats, "users_count");
    v.detail = "forum open".into();
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_forum_under_a_sub_path_is_asked_there() {
        let about = |u: &str| {
            discourse_about(&Url::parse(u).unwrap())
                .unwrap()
                .to_string()
        };
        assert_eq!(about("https://f.org/"), "https://f.org/about.json");
        assert_eq!(
            about("https://f.org/community/"),
            "https://f.org/community/about.json"
        );
        assert_eq!(
            about("https://f.org/community"),
            "https://f.org/community/about.json"
        );
        assert_eq!(
            about("https://f.org/forum/t/welcome/12?page=2"),
            "https://f.org/forum/about.json"
        );
        assert_eq!(about("https://f.org/c/jobs/4"), "https://f.org/about.json");
    }

    #[test]
    fn event_times_come_from_structured_data() {
        let page = r#"{"startDate":"2020-01-01T18:00:00Z"} x "dateTime":"2099-05-01T18:00:00Z""#;
        assert_eq!(event_times(page).len(), 2);
    }
}
