//! Subreddit lists written as text or Markdown: every `r/name` (or `/r/name`)
//! is one subreddit; the text after it on its line describes it, and the
//! headings above it are its sections.

use crate::entry::RawEntry;
use crate::formats::markdown::{clean, description_of};

pub fn read(text: &str, skip: &[String]) -> Vec<RawEntry> {
    let mut headings: Vec<(usize, String)> = Vec::new();
    let mut entries = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if let Some(rest) = trimmed.strip_prefix('#') {
            let level = 1 + rest.chars().take_while(|c| *c == '#').count();
            let title = clean(rest.trim_start_matches('#').replace(['*', '_'], " ").trim());
            headings.retain(|(l, _)| *l < level);
            headings.push((level, title));
            continue;
        }
        if headings
            .iter()
            .any(|(_, h)| skip.iter().any(|s| s.eq_ignore_ascii_case(h)))
        {
            continue;
        }
        let names = subreddit_names(trimmed);
        let single = names.len() == 1;
        for (name, end) in names {
            if !seen.insert(name.to_lowercase()) {
                continue;
            }
            // A line listing one subreddit describes it; a line of many does not.
            let description = single
                .then(|| description_of(&strip_markup(&trimmed[end..])))
                .flatten();
            entries.push(RawEntry {
                url: format!("https://www.reddit.com/r/{name}/"),
                name: format!("r/{name}"),
                description,
                headings: headings.iter().map(|(_, h)| h.clone()).collect(),
                platform: Some("reddit".into()),
                ..RawEntry::default()
            });
        }
    }
    entries
}

/// Every `r/name` in a line, with the byte offset just past its link or name.
fn subreddit_names(line: &str) -> Vec<(String, usize)> {
    let bytes = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(found) = line[i..].find("r/") {
        let at = i + found;
        let before = at.checked_sub(1).map(|b| bytes[b]);
        let boundary =
            before.is_none_or(|b| !(b as char).is_ascii_alphanumeric() && b != b'_' || b == b'/');
        // `reddit.com/r/x` is a link to the same subreddit: one name per link.
        let start = at + 2;
        let len = line[start..]
            .bytes()
            .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
            .count();
        if boundary && (2..=21).contains(&len) {
            let name = line[start..start + len].to_string();
            let mut end = start + len;
            // Skip the rest of a Markdown link: `](…)` or `/)`.
            if let Some(close) = line[end..]
                .find(')')
                .filter(|_| line[end..].starts_with(['/', ']']))
            {
                end += close + 1;
            }
            if !out
                .iter()
                .any(|(n, _): &(String, usize)| n.eq_ignore_ascii_case(&name))
            {
                out.push((name, end));
            }
            i = end;
        } else {
            i = at + 2;
        }
    }
    out
}

fn strip_markup(text: &str) -> String {
    text.replace(['*', '`', '[', ']', '|'], " ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_links_and_descriptions() {
        let text = "# Careers\n## Health\n- r/nursing - Nurses talk shop\n\
                    - [/r/medicine](https://www.reddit.com/r/medicine/) – physicians and med students\n\
                    * r/Electricians, r/Plumbing\n## Contents\n- r/funny\n";
        let entries = super::read(text, &["Contents".into()]);
        let names: Vec<_> = entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(
            names,
            ["r/nursing", "r/medicine", "r/Electricians", "r/Plumbing"]
        );
        assert_eq!(entries[0].description.as_deref(), Some("Nurses talk shop"));
        assert_eq!(
            entries[1].description.as_deref(),
            Some("physicians and med students")
        );
        assert_eq!(entries[1].url, "https://www.reddit.com/r/medicine/");
        assert_eq!(entries[2].description, None);
        assert_eq!(entries[0].headings, ["Careers", "Health"]);
    }
}
