//! What a list links that is not a community: a link text that only names
//! a platform ("Reddit", "Slack"), and links that cannot be one (a social
//! profile, a platform's home page, an encyclopedia article). The pipeline
//! renames the first and counts the second as invalid, with the reason.

/// Link texts that name a platform or a kind of link, not a community.
pub(crate) const GENERIC_NAMES: &[&str] = &[
    "reddit",
    "subreddit",
    "slack",
    "discord",
    "forum",
    "forums",
    "facebook",
    "facebook group",
    "facebook page",
    "linkedin",
    "linkedin group",
    "meetup",
    "mailing list",
    "google group",
    "irc",
    "telegram",
    "gitter",
    "matrix",
    "website",
    "site",
    "homepage",
    "home page",
    "web",
    "link",
    "here",
    "join",
    "join us",
    "community",
    "chat",
    "stack overflow",
    "github",
    "discourse",
    "group",
];

/// Links that cannot be a community: a social profile, a platform's own
/// home page, a subreddit link without its subreddit, an encyclopedia
/// article.
pub(crate) fn not_a_community(url: &str) -> Option<&'static str> {
    let parsed = url::Url::parse(url).ok()?;
    let host = parsed
        .host_str()?
        .trim_start_matches("www.")
        .to_ascii_lowercase();
    let path = parsed.path().trim_matches('/');
    if [
        "twitter.com",
        "x.com",
        "instagram.com",
        "youtube.com",
        "tiktok.com",
        "pinterest.com",
    ]
    .contains(&host.as_str())
    {
        return Some("a social-media profile, not a community");
    }
    let platform_home = [
        "reddit.com",
        "slack.com",
        "discord.com",
        "discord.gg",
        "facebook.com",
        "fb.com",
        "linkedin.com",
        "meetup.com",
        "telegram.me",
        "t.me",
        "github.com",
        "stackexchange.com",
        "groups.google.com",
    ];
    if platform_home.contains(&host.as_str())
        && (path.is_empty() || path == "r" || path == "telegram")
    {
        return Some("the platform's own home page, not a community");
    }
    if !host.contains('.') {
        return Some("not a public address");
    }
    // An article describes a thing (a trade, a defunct group); a page in a
    // project namespace ("Wikipedia:WikiProject …") is a place people work.
    if host.ends_with("wikipedia.org")
        && path
            .strip_prefix("wiki/")
            .is_some_and(|title| !title.contains(':') && !title.contains("%3A"))
    {
        return Some("an encyclopedia article, not a community");
    }
    None
}
