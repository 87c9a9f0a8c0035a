//! When two catalog entries are one community listed twice.

use super::Community;
use crate::text::normalize_key;

/// A community's name without the words that only name its platform.
pub fn name_key(name: &str) -> String {
    normalize_key(name)
        .replace("r/", "")
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .filter(|w| {
            !matches!(
                *w,
                "discord"
                    | "slack"
                    | "server"
                    | "forum"
                    | "forums"
                    | "community"
                    | "reddit"
                    | "subreddit"
                    | "official"
                    | "the"
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A URL without scheme, `www.`, case and trailing slash.
pub fn url_key(url: &str) -> String {
    let lower = url.trim().to_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .unwrap_or(&lower);
    rest.strip_prefix("www.")
        .unwrap_or(rest)
        .trim_end_matches('/')
        .to_string()
}

/// What decides whether two entries are one community: their links and
/// their name on their platform, computed once per entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Identity {
    links: Vec<String>,
    name: String,
    platform: super::Platform,
}

impl Identity {
    pub fn of(c: &Community) -> Self {
        Self {
            links: std::iter::once(&c.url)
                .chain(&c.homepage)
                .map(|u| url_key(u))
                .collect(),
            name: name_key(&c.name),
            platform: c.platform,
        }
    }

    /// The name without the words that only name its platform ([`name_key`]).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// One community listed twice: the same link or homepage, or the same
    /// name on the same platform.
    pub fn same_community(&self, other: &Identity) -> bool {
        self.links.iter().any(|u| other.links.contains(u))
            || (self.platform == other.platform && !self.name.is_empty() && self.name == other.name)
    }
}

/// Whether two catalog entries are one community listed twice: the same
/// link or homepage, or the same name on the same platform.
pub fn same_community(a: &Community, b: &Community) -> bool {
    Identity::of(a).same_community(&Identity::of(b))
}
