//! The fake catalog: one community per case the fake internet plays, with
//! what its first check must conclude.

use serde_json::json;

use super::FakeInternet;

/// One community of the fake catalog and what one check of it must conclude.
pub struct Case {
    pub id: &'static str,
    pub platform: &'static str,
    pub url: String,
    /// The outcome of a check.
    pub outcome: &'static str,
    /// The status after that first check (hysteresis keeps a dead one as it was).
    pub status: &'static str,
}

impl FakeInternet {
    /// One community per case, with what its first check must conclude.
    pub fn cases(&self) -> Vec<Case> {
        let case = |id, platform, url: String, outcome, status| Case {
            id,
            platform,
            url,
            outcome,
            status,
        };
        vec![
            case("ok", "web", self.url("ok.test", "/"), "ok", "active"),
            case(
                "moved",
                "web",
                self.url("chain.test", "/old"),
                "moved",
                "active",
            ),
            case(
                "redirect-loop",
                "web",
                self.url("loop.test", "/a"),
                "transient",
                "unknown",
            ),
            case(
                "not-found",
                "web",
                self.url("gone.test", "/404"),
                "dead",
                "unknown",
            ),
            case(
                "gone",
                "web",
                self.url("gone.test", "/410"),
                "dead",
                "unknown",
            ),
            case(
                "rate-limited",
                "web",
                self.url("busy.test", "/"),
                "transient",
                "unknown",
            ),
            case(
                "server-error",
                "web",
                self.url("broken.test", "/"),
                "transient",
                "unknown",
            ),
            case(
                "timeout",
                "web",
                self.url("slow.test", "/"),
                "transient",
                "unknown",
            ),
            case(
                "refused",
                "web",
                format!("http://refused.test:{}/", self.closed_port),
                "transient",
                "unknown",
            ),
            case(
                "tls-failure",
                "web",
                format!("https://tls.test:{}/", self.port),
                "transient",
                "unknown",
            ),
            case(
                "no-such-host",
                "web",
                self.url("nowhere.test", "/"),
                "dead",
                "unknown",
            ),
            case(
                "discord-live",
                "discord",
                "https://discord.gg/good".into(),
                "ok",
                "active",
            ),
            case(
                "discord-expired",
                "discord",
                "https://discord.gg/expired".into(),
                "dead",
                "unknown",
            ),
            case(
                "reddit-live",
                "reddit",
                "https://www.reddit.com/r/rust/".into(),
                "ok",
                "active",
            ),
            case(
                "reddit-banned",
                "reddit",
                "https://www.reddit.com/r/banned/".into(),
                "dead",
                "unknown",
            ),
            case(
                "reddit-private",
                "reddit",
                "https://www.reddit.com/r/secret/".into(),
                "unverifiable",
                "unknown",
            ),
            case(
                "se-live",
                "stackexchange",
                "https://ux.stackexchange.com/".into(),
                "ok",
                "active",
            ),
            case(
                "se-closed",
                "stackexchange",
                "https://closed.stackexchange.com/".into(),
                "dead",
                "unknown",
            ),
            case(
                "forum-live",
                "forum",
                self.url("forum.test", "/"),
                "ok",
                "active",
            ),
            case(
                "forum-stale",
                "forum",
                self.url("stale-forum.test", "/"),
                "ok",
                "inactive",
            ),
            case(
                "github-live",
                "github",
                "https://github.com/o/live".into(),
                "ok",
                "active",
            ),
            case(
                "github-archived",
                "github",
                "https://github.com/o/archived".into(),
                "ok",
                "inactive",
            ),
            case(
                "github-missing",
                "github",
                "https://github.com/o/missing".into(),
                "dead",
                "unknown",
            ),
            case(
                "slack-live",
                "slack",
                self.url("slack.test", "/invite/ok"),
                "ok",
                "active",
            ),
            case(
                "slack-expired",
                "slack",
                self.url("slack.test", "/invite/old"),
                "dead",
                "unknown",
            ),
            case(
                "meetup-live",
                "meetup",
                "https://www.meetup.com/rust-fans/".into(),
                "ok",
                "active",
            ),
            case(
                "meetup-gone",
                "meetup",
                "https://www.meetup.com/gone/".into(),
                "dead",
                "unknown",
            ),
            case(
                "linkedin",
                "linkedin",
                "https://www.linkedin.com/groups/12345/".into(),
                "unverifiable",
                "unknown",
            ),
            case(
                "se-own-domain",
                "stackexchange",
                "https://mathoverflow.net/".into(),
                "ok",
                "active",
            ),
            case(
                "se-throttled",
                "stackexchange",
                "https://throttled.stackexchange.com/".into(),
                "transient",
                "unknown",
            ),
            case(
                "github-user",
                "github",
                "https://github.com/octo-user".into(),
                "ok",
                "active",
            ),
            case(
                "github-org",
                "github",
                "https://github.com/devcord".into(),
                "ok",
                "active",
            ),
            case(
                "github-rate-limited",
                "github",
                "https://github.com/o/limited".into(),
                "transient",
                "unknown",
            ),
            case(
                "forum-sub-path",
                "forum",
                self.url("subforum.test", "/community/t/welcome/1"),
                "ok",
                "active",
            ),
            case(
                "soft-404",
                "web",
                self.url("soft404.test", "/guild/"),
                "dead",
                "unknown",
            ),
            case(
                "parked-domain",
                "web",
                self.url("parked.test", "/"),
                "dead",
                "unknown",
            ),
            case(
                "ssrf-redirect",
                "web",
                self.url("ssrf.test", "/"),
                "unverifiable",
                "unknown",
            ),
        ]
    }

    /// The cases as catalog lines (`copmatch import` reads them).
    pub fn catalog_jsonl(&self) -> String {
        self.cases()
            .iter()
            .map(|c| {
                json!({
                    "id": c.id,
                    "name": format!("Fake {}", c.id),
                    "url": c.url,
                    "platform": c.platform,
                    "categories": ["Testing"],
                    "description": format!("a fake community: {}", c.id),
                })
                .to_string()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}
