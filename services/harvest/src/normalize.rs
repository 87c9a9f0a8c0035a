//! Normalising what lists write in many ways: the platform (from the link
//! first, since a link cannot lie about its host), one canonical form of each
//! link or invite, language names, and cost.

use copmatch_domain::community::{Cost, Platform};
use url::Url;

/// The platform a link lives on, if its host says.
pub fn platform_of_url(link: &str) -> Option<Platform> {
    let url = Url::parse(link).ok()?;
    let host = url
        .host_str()?
        .trim_start_matches("www.")
        .to_ascii_lowercase();
    let is = |domain: &str| host == domain || host.ends_with(&format!(".{domain}"));
    let platform =
        if is("discord.gg") || is("discord.com") || is("discordapp.com") || is("discord.me") {
            Platform::Discord
        } else if is("slack.com") {
            Platform::Slack
        } else if is("reddit.com") || is("redd.it") {
            Platform::Reddit
        } else if is("stackexchange.com")
            || [
                "stackoverflow.com",
                "superuser.com",
                "serverfault.com",
                "askubuntu.com",
                "mathoverflow.net",
                "stackapps.com",
            ]
            .iter()
            .any(|d| is(d))
        {
            Platform::Stackexchange
        } else if is("t.me") || is("telegram.me") {
            Platform::Telegram
        } else if is("matrix.to") {
            Platform::Matrix
        } else if is("meetup.com") {
            Platform::Meetup
        } else if is("github.com") {
            Platform::Github
        } else if is("facebook.com") {
            Platform::Facebook
        } else if is("linkedin.com") {
            Platform::Linkedin
        } else if is("groups.google.com") || is("groups.io") || url.path().contains("/mailman/") {
            Platform::MailingList
        } else {
            return None;
        };
    Some(platform)
}

/// One form per link — lower-case host, no fragment, no trailing slash — and
/// one form per Discord invite and subreddit, so that a community listed with
/// different spellings of its link is recognised as one.
pub fn canonical_url(link: &str) -> Option<String> {
    let mut url = Url::parse(link.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    url.set_fragment(None);
    let host = url.host_str()?.to_ascii_lowercase();
    let host = host.trim_start_matches("www.").to_string();
    let path = url.path().trim_end_matches('/').to_string();
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let canonical = match (host.as_str(), segments.as_slice()) {
        ("discord.com" | "discordapp.com", ["invite", code]) | ("discord.gg", [code]) => {
            format!("https://discord.gg/{code}")
        }
        (h, ["r", name, ..]) if h == "reddit.com" || h.ends_with(".reddit.com") => {
            format!("https://www.reddit.com/r/{}/", name.to_ascii_lowercase())
        }
        _ => {
            let query = url.query().map(|q| format!("?{q}")).unwrap_or_default();
            let keep_www = url.host_str().is_some_and(|h| h.starts_with("www."));
            let host = if keep_www {
                format!("www.{host}")
            } else {
                host
            };
            format!("{}://{host}{path}{query}", url.scheme())
        }
    };
    Some(canonical)
}

/// A language name as the catalog writes it ("fr", "français" → "French").
pub fn language_name(raw: &str) -> Option<&'static str> {
    const NAMES: &[(&str, &[&str])] = &[
        ("English", &["en", "eng", "english"]),
        ("French", &["fr", "french", "français", "francais"]),
        (
            "Spanish",
            &["es", "spanish", "español", "espanol", "castellano"],
        ),
        ("German", &["de", "german", "deutsch"]),
        (
            "Portuguese",
            &[
                "pt",
                "pt-br",
                "portuguese",
                "português",
                "portugues",
                "brazilian portuguese",
            ],
        ),
        ("Italian", &["it", "italian", "italiano"]),
        ("Dutch", &["nl", "dutch", "nederlands"]),
        ("Russian", &["ru", "russian", "русский"]),
        ("Japanese", &["ja", "japanese", "日本語"]),
        ("Chinese", &["zh", "chinese", "中文"]),
        ("Korean", &["ko", "korean", "한국어"]),
        ("Arabic", &["ar", "arabic", "العربية"]),
        ("Hindi", &["hi", "hindi"]),
        ("Turkish", &["tr", "turkish", "türkçe"]),
        ("Polish", &["pl", "polish", "polski"]),
        ("Ukrainian", &["uk", "ukrainian"]),
        ("Indonesian", &["id", "indonesian", "bahasa indonesia"]),
        ("Vietnamese", &["vi", "vietnamese", "tiếng việt"]),
        ("Swedish", &["sv", "swedish", "svenska"]),
        ("Persian", &["fa", "persian", "farsi"]),
        ("Hebrew", &["he", "hebrew"]),
        ("Greek", &["el", "greek"]),
        ("Czech", &["cs", "czech"]),
        ("Romanian", &["ro", "romanian"]),
        ("Hungarian", &["hu", "hungarian"]),
        ("Finnish", &["fi", "finnish", "suomi"]),
        ("Danish", &["da", "danish", "dansk"]),
        ("Norwegian", &["no", "nb", "norwegian", "norsk"]),
        ("Bengali", &["bn", "bengali", "bangla"]),
        ("Thai", &["th", "thai"]),
    ];
    let key = raw.trim().to_lowercase();
    NAMES
        .iter()
        .find(|(_, spellings)| spellings.contains(&key.as_str()))
        .map(|(name, _)| *name)
}

/// The language of an entry: what the source states for it, or a heading
/// that is a language name ("## Français"), or the source's default.
pub fn language_of(
    stated: Option<&str>,
    headings: &[String],
    default: Option<&str>,
) -> Option<String> {
    stated
        .and_then(language_name)
        .or_else(|| headings.iter().rev().find_map(|h| language_name(h)))
        .or_else(|| default.and_then(language_name))
        .map(str::to_string)
}

/// What joining costs: what the source says for all its entries, else what
/// the description says, else the platform's norm (a subreddit, a Stack
/// Exchange site or a chat server is free to join; an association rarely is,
/// and we do not guess).
pub fn cost_of(source_cost: Option<&str>, description: Option<&str>, platform: Platform) -> Cost {
    if let Some(cost) = source_cost.and_then(Cost::parse) {
        return cost;
    }
    let text = description.unwrap_or_default().to_lowercase();
    if [
        "paid membership",
        "membership fee",
        "annual dues",
        "paid subscription",
        "members pay",
    ]
    .iter()
    .any(|w| text.contains(w))
    {
        return Cost::Paid;
    }
    match platform {
        Platform::Reddit
        | Platform::Stackexchange
        | Platform::Discord
        | Platform::Slack
        | Platform::Telegram
        | Platform::Matrix
        | Platform::Mastodon
        | Platform::Github => Cost::Free,
        _ if text.contains("free to join") || text.contains("free membership") => Cost::Free,
        _ => Cost::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_canonical_form_per_invite_subreddit_and_link() {
        assert_eq!(
            canonical_url("https://discord.com/invite/AbC/").as_deref(),
            Some("https://discord.gg/AbC")
        );
        assert_eq!(
            canonical_url("http://discordapp.com/invite/AbC").as_deref(),
            Some("https://discord.gg/AbC")
        );
        assert_eq!(
            canonical_url("https://old.reddit.com/r/Nursing").as_deref(),
            Some("https://www.reddit.com/r/nursing/")
        );
        assert_eq!(
            canonical_url("http://Example.org/forum/#top").as_deref(),
            Some("http://example.org/forum")
        );
        assert_eq!(canonical_url("ftp://example.org"), None);
    }

    #[test]
    fn platforms_come_from_hosts() {
        assert_eq!(
            platform_of_url("https://join.slack.com/t/x/shared_invite/y"),
            Some(Platform::Slack)
        );
        assert_eq!(
            platform_of_url("https://nursing.stackexchange.com"),
            Some(Platform::Stackexchange)
        );
        assert_eq!(
            platform_of_url("https://t.me/somegroup"),
            Some(Platform::Telegram)
        );
        assert_eq!(platform_of_url("https://allnurses.com"), None);
    }

    #[test]
    fn languages_and_costs() {
        assert_eq!(
            language_of(Some("fr"), &[], None).as_deref(),
            Some("French")
        );
        assert_eq!(
            language_of(
                None,
                &["Communities".into(), "Español".into()],
                Some("English")
            )
            .as_deref(),
            Some("Spanish")
        );
        assert_eq!(
            language_of(None, &[], Some("English")).as_deref(),
            Some("English")
        );
        assert_eq!(cost_of(None, None, Platform::Reddit), Cost::Free);
        assert_eq!(
            cost_of(None, Some("Annual dues apply"), Platform::Association),
            Cost::Paid
        );
        assert_eq!(cost_of(None, None, Platform::Association), Cost::Unknown);
        assert_eq!(cost_of(Some("paid"), None, Platform::Discord), Cost::Paid);
    }
}
