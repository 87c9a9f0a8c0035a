//! Awesome lists: each list item (or table row) with a link is one entry —
//! the link, its text as the name, the rest of the item as the description —
//! and the headings above it (and a linkless parent item, as in
//! `- **Health**` with nested items) are its sections.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::entry::RawEntry;

#[derive(Default)]
struct Item {
    text: String,
    link: Option<(String, String)>,
    in_link: Option<String>,
    link_text: String,
    /// Text written before the first link (a `**Name**:` label, a badge).
    before_link: String,
}

#[derive(Default)]
struct Reader {
    entries: Vec<RawEntry>,
    headings: Vec<(HeadingLevel, String)>,
    heading: Option<(HeadingLevel, String)>,
    items: Vec<Item>,
    /// Linkless parent items' texts, one slot per open item.
    parents: Vec<Option<String>>,
    table_header: Vec<String>,
    row: Vec<Item>,
    in_table_head: bool,
    in_image: usize,
    /// A paragraph outside any list: an entry when it opens with its link
    /// (lists that write one block per community, with badges after).
    paragraph: Option<Item>,
}

/// Reads every linked item; `skip` drops whole sections by heading.
pub fn read(text: &str, skip: &[String]) -> Vec<RawEntry> {
    let mut r = Reader::default();
    for event in Parser::new_ext(text, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
        r.on(event);
    }
    let skipped = |e: &RawEntry| {
        e.headings
            .iter()
            .any(|h| skip.iter().any(|s| s.eq_ignore_ascii_case(h.trim())))
    };
    r.entries.retain(|e| !skipped(e));
    r.entries
}

impl Reader {
    fn current(&mut self) -> Option<&mut Item> {
        if let Some(cell) = self.row.last_mut() {
            return Some(cell);
        }
        if self.items.is_empty() {
            return self.paragraph.as_mut();
        }
        self.items.last_mut()
    }

    fn on(&mut self, event: Event) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => self.heading = Some((level, String::new())),
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, text)) = self.heading.take() {
                    self.headings.retain(|(l, _)| *l < level);
                    self.headings.push((level, clean(&text)));
                }
            }
            Event::Start(Tag::Paragraph) if self.items.is_empty() && self.row.is_empty() => {
                self.paragraph = Some(Item::default());
            }
            Event::End(TagEnd::Paragraph) if self.items.is_empty() && self.row.is_empty() => {
                if let Some(item) = self.paragraph.take() {
                    if item.link.is_some() && clean(&item.before_link).is_empty() {
                        self.emit(item);
                    }
                }
            }
            Event::Start(Tag::Item) => {
                self.items.push(Item::default());
                self.parents.push(None);
            }
            Event::End(TagEnd::Item) => {
                self.parents.pop();
                if let Some(item) = self.items.pop().filter(|i| i.link.is_some()) {
                    self.emit(item);
                }
            }
            Event::Start(Tag::List(_)) => {
                // A nested list: the open item's text so far names a section
                // when it has no link of its own.
                if let Some(item) = self.items.last() {
                    if item.link.is_none() {
                        let label = clean(&item.text);
                        if !label.is_empty() && label.len() <= 80 {
                            if let Some(slot) = self.parents.last_mut() {
                                *slot = Some(label);
                            }
                        }
                    }
                }
            }
            Event::Start(Tag::TableHead) => {
                self.in_table_head = true;
                self.table_header.clear();
            }
            Event::End(TagEnd::TableHead) => {
                self.in_table_head = false;
                let header: Vec<String> = self
                    .row
                    .drain(..)
                    .map(|c| clean(&c.text).to_lowercase())
                    .collect();
                self.table_header = header;
            }
            Event::Start(Tag::TableCell) => self.row.push(Item::default()),
            Event::End(TagEnd::TableRow) => self.emit_row(),
            Event::Start(Tag::Image { .. }) => self.in_image += 1,
            Event::End(TagEnd::Image) => self.in_image = self.in_image.saturating_sub(1),
            Event::Start(Tag::Link { dest_url, .. }) if self.in_image == 0 => {
                if let Some(item) = self.current() {
                    item.in_link = Some(dest_url.to_string());
                    item.link_text.clear();
                }
            }
            Event::End(TagEnd::Link) => {
                if let Some(item) = self.current() {
                    if let Some(url) = item.in_link.take() {
                        let name = clean(&item.link_text);
                        let usable = !name.is_empty()
                            && (url.starts_with("http://") || url.starts_with("https://"));
                        if item.link.is_none() && usable {
                            item.link = Some((url, name));
                            item.before_link = item.text.clone();
                            item.text.clear();
                        } else {
                            item.text.push_str(&item.link_text);
                        }
                    }
                }
            }
            Event::Text(t) | Event::Code(t) => self.text(&t),
            Event::SoftBreak | Event::HardBreak => self.text(" "),
            _ => {}
        }
    }

    fn text(&mut self, t: &str) {
        if let Some((_, heading)) = self.heading.as_mut() {
            heading.push_str(t);
            return;
        }
        if self.in_image > 0 {
            return;
        }
        if let Some(item) = self.current() {
            if item.in_link.is_some() {
                item.link_text.push_str(t);
            } else {
                item.text.push_str(t);
            }
        }
    }

    fn sections(&self) -> Vec<String> {
        self.headings
            .iter()
            .map(|(_, h)| h.clone())
            .chain(self.parents.iter().flatten().cloned())
            .filter(|h| !h.is_empty())
            .collect()
    }

    fn emit(&mut self, item: Item) {
        let Some((url, link_name)) = item.link else {
            return;
        };
        // `**Name** - [link](…) description` names the entry before the link.
        let label = clean(item.before_link.trim_end_matches([':', '-', '–', '—', ' ']));
        let name = if !label.is_empty() && label.len() <= 100 {
            label
        } else {
            link_name
        };
        let (text, language) = language_line(&item.text);
        let description = description_of(&text);
        let headings = self.sections();
        self.entries.push(RawEntry {
            name,
            url,
            description,
            headings,
            language,
            ..RawEntry::default()
        });
    }

    fn emit_row(&mut self) {
        let cells: Vec<Item> = self.row.drain(..).collect();
        if self.in_table_head || cells.is_empty() {
            return;
        }
        let column = |names: &[&str]| {
            self.table_header
                .iter()
                .position(|h| names.iter().any(|n| h.contains(n)))
        };
        let name_col = column(&["name", "community", "server", "group", "title"]);
        let desc_col = column(&["description", "about", "summary", "topic"]);
        let Some((url, link_name)) = cells.iter().find_map(|c| c.link.clone()) else {
            return;
        };
        let cell_text = |i: usize| {
            cells.get(i).map(|c| {
                clean(&format!(
                    "{}{}{}",
                    c.before_link,
                    c.link.as_ref().map(|l| l.1.as_str()).unwrap_or(""),
                    c.text
                ))
            })
        };
        let name = name_col
            .and_then(cell_text)
            .filter(|n| !n.is_empty())
            .unwrap_or(link_name);
        let description = desc_col
            .and_then(cell_text)
            .and_then(|d| description_of(&d));
        let headings = self.sections();
        self.entries.push(RawEntry {
            name,
            url,
            description,
            headings,
            ..RawEntry::default()
        });
    }
}

/// Lists that write `Language: Spanish` in an item: the language, apart.
fn language_line(text: &str) -> (String, Option<String>) {
    match text.split_once("Language:") {
        Some((before, after)) => {
            let language = after
                .split([',', '\n', '\\'])
                .next()
                .unwrap_or_default()
                .trim()
                .to_string();
            (
                before.to_string(),
                (!language.is_empty()).then_some(language),
            )
        }
        None => (text.to_string(), None),
    }
}

/// Collapses white space.
pub(crate) fn clean(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text after a link, without the separator lists put before it.
pub(crate) fn description_of(text: &str) -> Option<String> {
    let text = clean(text);
    let text = text
        .trim_start_matches(|c: char| {
            matches!(c, '-' | '–' | '—' | ':' | '|' | ',' | '.') || c.is_whitespace()
        })
        .trim();
    (text.chars().filter(|c| c.is_alphabetic()).count() >= 3).then(|| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_take_their_link_name_description_and_sections() {
        let md = "# Awesome\n## Contents\n- [Health](#health)\n## Health\n### Nursing\n\
                  - [Nurse Hub](https://discord.gg/nursehub) - A server for nurses. ![badge](https://img.shields.io/x)\n\
                  - **Allnurses**: [forum](https://allnurses.com) where nurses talk shop\n\
                  - Trades\n  - [Sparky Chat](https://sparky.example.org) – electricians\n";
        let entries = read(md, &["Contents".into()]);
        assert_eq!(entries.len(), 3, "{entries:#?}");
        assert_eq!(entries[0].name, "Nurse Hub");
        assert_eq!(entries[0].url, "https://discord.gg/nursehub");
        assert_eq!(
            entries[0].description.as_deref(),
            Some("A server for nurses.")
        );
        assert_eq!(entries[0].headings, ["Awesome", "Health", "Nursing"]);
        assert_eq!(entries[1].name, "Allnurses");
        assert_eq!(
            entries[1].description.as_deref(),
            Some("where nurses talk shop")
        );
        assert_eq!(
            entries[2].headings,
            ["Awesome", "Health", "Nursing", "Trades"]
        );
        assert_eq!(entries[2].description.as_deref(), Some("electricians"));
    }

    #[test]
    fn blocks_that_open_with_their_link_are_entries_and_prose_is_not() {
        let md = "## Support\n\nSome [intro](https://example.org/intro) text.\n\n\
                  [__Devcord__](https://discord.com/invite/devcord) [<img alt=\"badge\">](badges.md) \\\n\
                  Notable Channels: `#javascript`, `#career` \\\nLanguage: English\n";
        let entries = read(md, &[]);
        assert_eq!(entries.len(), 1, "{entries:#?}");
        assert_eq!(entries[0].name, "Devcord");
        assert_eq!(entries[0].language.as_deref(), Some("English"));
        assert_eq!(
            entries[0].description.as_deref(),
            Some("Notable Channels: #javascript, #career")
        );
    }

    #[test]
    fn table_rows_use_their_name_and_description_columns() {
        let md = "## Design\n| Name | Link | Description |\n|---|---|---|\n\
                  | Designer Hangout | [join](https://designerhangout.co) | UX designers' Slack |\n";
        let entries = read(md, &[]);
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].name, "Designer Hangout");
        assert_eq!(entries[0].url, "https://designerhangout.co");
        assert_eq!(
            entries[0].description.as_deref(),
            Some("UX designers' Slack")
        );
        assert_eq!(entries[0].headings, ["Design"]);
    }
}
