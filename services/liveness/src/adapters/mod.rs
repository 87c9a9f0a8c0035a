//! Platform adapters: which public endpoint tells whether a community is
//! alive, and how to read its answer. Each adapter's base URL is
//! configuration (`liveness.endpoints`), so tests point them at a local
//! server. Login walls are `unverifiable`, never `dead`. Every answer is
//! decoded whatever its compression (gzip, deflate, brotli).

use copmatch_core::liveness::{Outcome, Signals};
use copmatch_core::{Community, Platform};
use reqwest::StatusCode;
use serde_json::Value;
use url::Url;

use crate::fetch::{FetchError, Fetched, Fetcher};
use crate::settings::Endpoints;

mod github;
mod http;
mod platforms;
mod soft404;
mod stackexchange;

use github::{github, Subject};
use http::http;
use platforms::{discord, discourse, meetup, reddit, slack};
use stackexchange::stackexchange;

pub use stackexchange::site_parameter;

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
    Discord {
        code: String,
    },
    Reddit {
        name: String,
    },
    StackExchange {
        site: String,
    },
    GithubRepo {
        owner: String,
        repo: String,
    },
    /// A user or an organisation.
    GithubAccount {
        name: String,
    },
    Slack,
    Meetup {
        group: String,
    },
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
        h if site_parameter(h).is_some() => Target::StackExchange {
            site: site_parameter(h).unwrap_or_default(),
        },
        "github.com" if path.len() >= 2 => Target::GithubRepo {
            owner: path[0].clone(),
            repo: path[1].clone(),
        },
        "github.com" if path.len() == 1 => Target::GithubAccount { name: first },
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
    pub(crate) fn new(adapter: &'static str, url: &Url) -> Self {
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

    pub(crate) fn failed(mut self, err: &FetchError) -> Self {
        self.outcome = outcome_of_error(err);
        self.detail = err.to_string();
        self
    }

    pub(crate) fn answered(mut self, fetched: &Fetched) -> Self {
        self.http_status = Some(fetched.status.as_u16());
        self.outcome = outcome_of_status(fetched.status);
        self.detail = fetched.status.to_string();
        self
    }
}

pub(crate) fn count(v: &Value, key: &str) -> Option<u64> {
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
            let api = format!("{}/repos/{owner}/{repo}", endpoints.github);
            github(fetcher, url, &api, Subject::Repository).await
        }
        Target::GithubAccount { name } => {
            let api = format!("{}/users/{name}", endpoints.github);
            github(fetcher, url, &api, Subject::Account).await
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
            t(
                "https://mathoverflow.net/questions",
                Platform::Stackexchange
            ),
            Target::StackExchange {
                site: "mathoverflow.net".into()
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
            Target::GithubAccount {
                name: "devcord".into()
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
}
