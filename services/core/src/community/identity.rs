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

/// Whether two catalog entries are one community listed twice: the same
/// link or homepage, or the same name on the same platform.
pub fn same_community(a: &Community, b: &Community) -> bool {
    let links = |c: &Community| -> Vec<String> {
        std::iter::once(&c.url)
            .chain(&c.homepage)
            .map(|u| url_key(u))
            .collect()
    };
    let (la, lb) = (links(a), links(b));
    let name = name_key(&a.name);
    la.iter().any(|u| lb.contains(u))
        || (a.platform == b.platform && !name.is_empty() && name == name_key(&b.name))
}
