//! Soft 404s: pages answered `200 OK` that say they are gone. Detection is
//! conservative: a phrase must be in the page's `<title>` or first `<h1>` (a
//! page that only mentions "not found" somewhere in its text is left alone),
//! or be one of the phrases domain parkers put on a parked domain. A match is
//! a `dead` outcome, which changes a status only through the usual
//! hysteresis (several dead checks over days).

/// Headline phrases of a page that is not there.
const GONE: [&str; 16] = [
    "page not found",
    "404 not found",
    "404 error",
    "error 404",
    "not found",
    "page does not exist",
    "page doesn't exist",
    "page cannot be found",
    "page can't be found",
    "no longer available",
    "no longer exists",
    "has been deleted",
    "has been removed",
    "link has expired",
    "account suspended",
    "account has been suspended",
];

/// What parking services write on a domain they hold for sale.
const PARKED: [&str; 8] = [
    "this domain is for sale",
    "this domain may be for sale",
    "domain is for sale",
    "buy this domain",
    "the domain has expired",
    "this domain has expired",
    "domain name is parked",
    "this domain is parked",
];

/// The text of the first `<tag …>…</tag>`, lowercased.
fn element(page: &str, tag: &str) -> Option<String> {
    let start = page.find(&format!("<{tag}"))?;
    let open_end = start + page[start..].find('>')? + 1;
    let close = open_end + page[open_end..].find(&format!("</{tag}"))?;
    let inner = &page[open_end..close];
    // Tags inside the heading are dropped, their text kept.
    let mut text = String::new();
    let mut in_tag = false;
    for c in inner.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    Some(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// Why a `200` HTML page is really a dead one, if it is.
pub(super) fn soft_404(page: &str) -> Option<String> {
    let lower = page.to_lowercase();
    for tag in ["title", "h1"] {
        if let Some(text) = element(&lower, tag) {
            if let Some(phrase) = GONE.iter().find(|p| text.contains(*p)) {
                return Some(format!(
                    "a soft 404: the page's {tag} says {phrase:?} ({text:?})"
                ));
            }
        }
    }
    PARKED
        .iter()
        .find(|p| lower.contains(*p))
        .map(|p| format!("a parked domain: the page says {p:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gone_pages_and_parked_domains_are_told_from_live_ones() {
        for page in [
            "<html><head><title>Page Not Found | Example</title></head></html>",
            "<title>Example</title><h1 class=x>Sorry, this group <b>has been deleted</b></h1>",
            "<title>x.org</title><body><p>This domain is for sale! Make an offer.</p>",
            "<TITLE>404 Not Found</TITLE>",
        ] {
            assert!(soft_404(page).is_some(), "{page}");
        }
        for page in [
            "<title>Nurses' forum</title><h1>Welcome</h1><p>Search: not found? ask us</p>",
            "<title>Woodworkers</title><body>We help you find what you need.</body>",
            "plain text without markup",
        ] {
            assert_eq!(soft_404(page), None, "{page}");
        }
    }
}
