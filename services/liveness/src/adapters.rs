//! Platform adapters: which public endpoint tells whether a community is
//! alive, and how to read its answer. Each adapter's base URL is
//! configuration (`liveness.endpoints`), so tests point them at a local
//! server. Login walls are `unverifiable`, never `dead`.

use copmatch_core::liveness::{Outcome, Signals};
use copmatch_core::{Community, Platform};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use url::Url;

use crate::fetch::{FetchError, Fetched, Fetcher};
use crate::settings::Endpoints;

/// What one adapter concluded.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub adapter: &'static str,
    pub url: String,
    pub http_status: Option<u16>,
    pub outcome: Outcome,
    pub signals: Signals,
    pub detail: String,
    pub moved_to: Option<String>,
}

/// Which adapter reads a link.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    Discord { code: String },
    Reddit { name: String },
    StackExchange { site: String },
    GithubRepo { owner: String, repo: String },
    GithubOrg { org: String },
    Slack,
    Meetup { group: String },
    LoginWall,
    Discourse,
    Http,
}

fn segments(url: &Url) -> Vec<String> {
    url.path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).map(str::to_string).collect())
        .unwrap_or_default()
}

/// The adapter for a link (the community's platform breaks ties).
pub fn target(url: &Url, platform: Platform) -> Target {
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_string();
    let path = segments(url);
    let first = path.first().cloned().unwrap_or_default();
    match host.as_str() {
        "discord.gg" if !first.is_empty() => Target::Discord { code: first },
        "discord.com" | "discordapp.com" if first == "invite" && path.len() > 1 => {
            Target::Discord {
                code: path[1].clone(),
            }
        }
        h if (h == "reddit.com" || h.ends_with(".reddit.com"))
            && first == "r"
            && path.len() > 1 =>
        {
            Target::Reddit {
                name: path[1].clone(),
            }
        }
        "stackoverflow.com" | "superuser.com" | "serverfault.com" | "askubuntu.com"
        | "mathoverflow.net" => Target::StackExchange {
            site: host.split('.').next().unwrap_or_default().to_string(),
        },
        h if h.ends_with(".stackexchange.com") => Target::StackExchange {
            site: h.trim_end_matches(".stackexchange.com").to_string(),
        },
        "github.com" if path.len() >= 2 => Target::GithubRepo {
            owner: path[0].clone(),
            repo: path[1].clone(),
        },
        "github.com" if path.len() == 1 => Target::GithubOrg { org: first },
        h if h == "slack.com" || h.ends_with(".slack.com") => Target::Slack,
        "meetup.com" if !first.is_empty() => Target::Meetup { group: first },
        h if h.ends_with("linkedin.com") || h.ends_with("facebook.com") || h == "fb.com" => {
            Target::LoginWall
        }
        _ => match platform {
            Platform::Linkedin | Platform::Facebook => Target::LoginWall,
            Platform::Forum => Target::Discourse,
            Platform::Slack => Target::Slack,
            _ => Target::Http,
        },
    }
}

/// The outcome an HTTP status means on a plain web page.
pub fn outcome_of_status(status: StatusCode) -> Outcome {
    match status.as_u16() {
        200..=299 => Outcome::Ok,
        404 | 410 => Outcome::Dead,
        408 | 425 | 429 | 500..=599 => Outcome::Transient,
        _ => Outcome::Unverifiable,
    }
}

/// The outcome a failed exchange means.
pub fn outcome_of_error(err: &FetchError) -> Outcome {
    match err {
        FetchError::Blocked(_) => Outcome::Unverifiable,
        FetchError::NoSuchHost(_) => Outcome::Dead,
        _ => Outcome::Transient,
    }
}

impl Verdict {
    fn new(adapter: &'static str, url: &Url) -> Self {
        Self {
            adapter,
            url: url.to_string(),
            http_status: None,
            outcome: Outcome::Unverifiable,
            signals: Signals::default(),
            detail: String::new(),
            moved_to: None,
        }
    }

    fn failed(mut self, err: &FetchError) -> Self {
        self.outcome = outcome_of_error(err);
        self.detail = err.to_string();
        self
    }

    fn answered(mut self, fetched: &Fetched) -> Self {
        self.http_status = Some(fetched.status.as_u16());
        self.outcome = outcome_of_status(fetched.status);
        self.detail = fetched.status.to_string();
        self
    }
}

fn count(v: &Value, key: &str) -> Option<u64> {
    v.get(key).and_then(Value::as_u64)
}

/// Checks one link with the adapter its address calls for.
pub async fn check_link(
    fetcher: &Fetcher<'_>,
    endpoints: &Endpoints,
    url: &Url,
    platform: Platform,
) -> Verdict {
    match target(url, platform) {
        Target::Discord { code } => discord(fetcher, endpoints, url, &code).await,
        Target::Reddit { name } => reddit(fetcher, endpoints, url, &name).await,
        Target::StackExchange { site } => stackexchange(fetcher, endpoints, url, &site).await,
        Target::GithubRepo { owner, repo } => {
            github(
                fetcher,
                url,
                &format!("{}/repos/{owner}/{repo}", endpoints.github),
            )
            .await
        }
        Target::GithubOrg { org } => {
            github(fetcher, url, &format!("{}/orgs/{org}", endpoints.github)).await
        }
        Target::Slack => slack(fetcher, url).await,
        Target::Meetup { group } => meetup(fetcher, endpoints, url, &group).await,
        Target::LoginWall => Verdict {
            detail: "behind a login wall; cannot be read without an account".into(),
            ..Verdict::new("login_wall", url)
        },
        Target::Discourse => match discourse(fetcher, url).await {
            Some(verdict) => verdict,
            None => http(fetcher, url).await,
        },
        Target::Http => http(fetcher, url).await,
    }
}

async fn get_json(fetcher: &Fetcher<'_>, api: &str) -> Result<(Fetched, Value), FetchError> {
    let url = Url::parse(api).map_err(|e| FetchError::Other(format!("{api}: {e}")))?;
    let fetched = fetcher.fetch(Method::GET, &url).await?;
    let json = fetched.json().unwrap_or(Value::Null);
    Ok((fetched, json))
}

async fn discord(fetcher: &Fetcher<'_>, endpoints: &Endpoints, url: &Url, code: &str) -> Verdict {
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

async fn reddit(fetcher: &Fetcher<'_>, endpoints: &Endpoints, url: &Url, name: &str) -> Verdict {
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

async fn stackexchange(
    fetcher: &Fetcher<'_>,
    endpoints: &Endpoints,
    url: &Url,
    site: &str,
) -> Verdict {
    let verdict = Verdict::new("stackexchange", url);
    let api = format!("{}/2.3/info?site={site}", endpoints.stackexchange);
    match get_json(fetcher, &api).await {
        Err(e) => verdict.failed(&e),
        Ok((fetched, json)) => {
            let mut v = verdict.answered(&fetched);
            let info = json.pointer("/items/0").cloned();
            match info {
                Some(info) if v.outcome == Outcome::Ok => {
                    let per_minute = |k: &str| info.get(k).and_then(Value::as_f64).unwrap_or(0.0);
                    let week = (per_minute("questions_per_minute")
                        + per_minute("answers_per_minute"))
                        * 60.0
                        * 24.0
                        * 7.0;
                    v.signals.posts_7d = Some(week.round() as u64);
                    v.signals.members = count(&info, "total_users");
                    v.detail = "site open".into();
                }
                _ if count(&json, "error_id").is_some() || v.outcome == Outcome::Ok => {
                    v.outcome = Outcome::Dead;
                    v.detail = format!("no Stack Exchange site {site:?}");
                }
                _ => {}
            }
            v
        }
    }
}

async fn github(fetcher: &Fetcher<'_>, url: &Url, api: &str) -> Verdict {
    let verdict = Verdict::new("github", url);
    match get_json(fetcher, api).await {
        Err(e) => verdict.failed(&e),
        Ok((fetched, json)) => {
            let mut v = verdict.answered(&fetched);
            if v.outcome == Outcome::Ok {
                v.signals.archived = json.get("archived") == Some(&Value::Bool(true));
                v.signals.last_activity_at = ["pushed_at", "updated_at"]
                    .iter()
                    .find_map(|k| json.get(*k).and_then(Value::as_str).map(str::to_string));
                v.signals.members =
                    count(&json, "stargazers_count").or_else(|| count(&json, "followers"));
                v.detail = if v.signals.archived {
                    "repository archived".into()
                } else {
                    "repository open".into()
                };
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

async fn slack(fetcher: &Fetcher<'_>, url: &Url) -> Verdict {
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
                if let Some(t) = copmatch_core::liveness::policy::parse_time(&rest[..end]) {
                    out.push(t);
                }
            }
        }
    }
    out
}

async fn meetup(fetcher: &Fetcher<'_>, endpoints: &Endpoints, url: &Url, group: &str) -> Verdict {
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
                let format = copmatch_core::liveness::policy::format_time;
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

/// Discourse's public statistics, when the forum is a Discourse.
async fn discourse(fetcher: &Fetcher<'_>, url: &Url) -> Option<Verdict> {
    let about = url.join("/about.json").ok()?;
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

/// Any other page: HEAD, and GET when HEAD is not answered properly.
async fn http(fetcher: &Fetcher<'_>, url: &Url) -> Verdict {
    let verdict = Verdict::new("http", url);
    let head = fetcher.fetch(Method::HEAD, url).await;
    let fetched = match head {
        Ok(f) if f.status.is_success() || matches!(f.status.as_u16(), 404 | 410) => Ok(f),
        Err(
            e @ (FetchError::Blocked(_) | FetchError::NoSuchHost(_) | FetchError::RedirectLoop(_)),
        ) => Err(e),
        _ => fetcher.fetch(Method::GET, url).await,
    };
    match fetched {
        Err(e) => verdict.failed(&e),
        Ok(fetched) => {
            let mut v = verdict.answered(&fetched);
            if let (Outcome::Ok, Some(to)) = (v.outcome, &fetched.moved_to) {
                v.outcome = Outcome::Moved;
                v.moved_to = Some(to.to_string());
                v.detail = format!("moved permanently to {to}");
            }
            v
        }
    }
}

/// The link to check for a community.
pub fn link_of(community: &Community) -> Option<Url> {
    Url::parse(&community.url).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(url: &str, platform: Platform) -> Target {
        target(&Url::parse(url).unwrap(), platform)
    }

    #[test]
    fn links_find_their_adapter() {
        assert_eq!(
            t("https://discord.gg/abc", Platform::Discord),
            Target::Discord { code: "abc".into() }
        );
        assert_eq!(
            t("https://discord.com/invite/xyz", Platform::Web),
            Target::Discord { code: "xyz".into() }
        );
        assert_eq!(
            t("https://www.reddit.com/r/nursing/", Platform::Reddit),
            Target::Reddit {
                name: "nursing".into()
            }
        );
        assert_eq!(
            t("https://ux.stackexchange.com", Platform::Stackexchange),
            Target::StackExchange { site: "ux".into() }
        );
        assert_eq!(
            t(
                "https://stackoverflow.com/questions",
                Platform::Stackexchange
            ),
            Target::StackExchange {
                site: "stackoverflow".into()
            }
        );
        assert_eq!(
            t("https://github.com/rust-lang/rust", Platform::Github),
            Target::GithubRepo {
                owner: "rust-lang".into(),
                repo: "rust".into()
            }
        );
        assert_eq!(
            t("https://github.com/devcord", Platform::Github),
            Target::GithubOrg {
                org: "devcord".into()
            }
        );
        assert_eq!(
            t(
                "https://join.slack.com/t/x/shared_invite/y",
                Platform::Slack
            ),
            Target::Slack
        );
        assert_eq!(
            t("https://www.meetup.com/rust-nyc/", Platform::Meetup),
            Target::Meetup {
                group: "rust-nyc".into()
            }
        );
        assert_eq!(
            t("https://www.linkedin.com/groups/1", Platform::Linkedin),
            Target::LoginWall
        );
        assert_eq!(
            t("https://forum.example.org", Platform::Forum),
            Target::Discourse
        );
        assert_eq!(
            t("https://www.apha.org", Platform::Association),
            Target::Http
        );
    }

    #[test]
    fn statuses_map_to_outcomes() {
        assert_eq!(outcome_of_status(StatusCode::OK), Outcome::Ok);
        assert_eq!(outcome_of_status(StatusCode::GONE), Outcome::Dead);
        assert_eq!(
            outcome_of_status(StatusCode::TOO_MANY_REQUESTS),
            Outcome::Transient
        );
        assert_eq!(
            outcome_of_status(StatusCode::BAD_GATEWAY),
            Outcome::Transient
        );
        assert_eq!(
            outcome_of_status(StatusCode::FORBIDDEN),
            Outcome::Unverifiable
        );
        assert_eq!(
            outcome_of_error(&FetchError::NoSuchHost("x".into())),
            Outcome::Dead
        );
        assert_eq!(
            outcome_of_error(&FetchError::Blocked("x".into())),
            Outcome::Unverifiable
        );
    }

    #[test]
    fn event_times_come_from_structured_data() {
        let page = r#"{"startDate":"2020-01-01T18:00:00Z"} x "dateTime":"2099-05-01T18:00:00Z""#;
        assert_eq!(event_times(page).len(), 2);
    }
}
