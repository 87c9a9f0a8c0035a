//! The catalog being harvested into, and when an incoming entry is one it
//! already holds: the same canonical link or invite (or homepage), the same
//! name on the same platform, or a near-identical description. A duplicate
//! merges its facts into the entry it repeats; it never becomes a second one.

use std::collections::HashMap;

use copmatch_domain::community::{name_key, url_key, Community};

use crate::normalize::canonical_url;

/// Descriptions this alike (shared words over all words) are one text.
const SAME_TEXT: f64 = 0.9;
/// Shorter descriptions are boilerplate too often to identify anything.
const MIN_TEXT_WORDS: usize = 10;

/// What became of an incoming entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Merge {
    Added,
    /// Merged into the entry with this id; why.
    Merged {
        into: String,
        because: &'static str,
    },
}

#[derive(Default, Clone)]
pub struct Catalog {
    communities: Vec<Community>,
    by_link: HashMap<String, usize>,
    by_name: HashMap<(String, String), usize>,
    by_id: HashMap<String, usize>,
    texts: Vec<(usize, Vec<u64>)>,
}

fn link_keys(c: &Community) -> Vec<String> {
    std::iter::once(&c.url)
        .chain(&c.homepage)
        .map(|u| url_key(&canonical_url(u).unwrap_or_else(|| u.clone())))
        .collect()
}

/// The description's distinct words, hashed and sorted.
fn text_signature(c: &Community) -> Option<Vec<u64>> {
    use std::hash::{Hash, Hasher};
    let text = c.description.as_deref()?.to_lowercase();
    let mut words: Vec<u64> = text
        .split(|ch: char| !ch.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            w.hash(&mut h);
            h.finish()
        })
        .collect();
    words.sort_unstable();
    words.dedup();
    (words.len() >= MIN_TEXT_WORDS).then_some(words)
}

fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    let (mut i, mut j, mut shared) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    shared as f64 / (a.len() + b.len() - shared) as f64
}

impl Catalog {
    pub fn new(communities: Vec<Community>) -> Catalog {
        let mut catalog = Catalog::default();
        for c in communities {
            catalog.insert(c);
        }
        catalog
    }

    pub fn len(&self) -> usize {
        self.communities.len()
    }

    pub fn is_empty(&self) -> bool {
        self.communities.is_empty()
    }

    pub fn communities(&self) -> &[Community] {
        &self.communities
    }

    pub fn into_communities(self) -> Vec<Community> {
        self.communities
    }

    pub fn contains_id(&self, id: &str) -> bool {
        self.by_id.contains_key(id)
    }

    pub fn get(&self, id: &str) -> Option<&Community> {
        self.by_id.get(id).map(|&i| &self.communities[i])
    }

    /// The entry `incoming` repeats, and why.
    pub fn find(&self, incoming: &Community) -> Option<(usize, &'static str)> {
        if let Some(&i) = link_keys(incoming).iter().find_map(|k| self.by_link.get(k)) {
            return Some((i, "same link"));
        }
        let name = name_key(&incoming.name);
        if !name.is_empty() {
            if let Some(&i) = self
                .by_name
                .get(&(incoming.platform.as_str().to_string(), name))
            {
                return Some((i, "same name on the same platform"));
            }
        }
        let signature = text_signature(incoming)?;
        self.texts
            .iter()
            .filter(|(_, other)| {
                let (a, b) = (signature.len() as f64, other.len() as f64);
                a.min(b) / a.max(b) >= SAME_TEXT
            })
            .find(|(_, other)| jaccard(&signature, other) >= SAME_TEXT)
            .map(|(i, _)| (*i, "near-identical description"))
    }

    /// Adds `incoming`, or merges it into the entry it repeats.
    pub fn merge(&mut self, incoming: Community) -> Merge {
        match self.find(&incoming) {
            None => {
                self.insert(incoming);
                Merge::Added
            }
            Some((i, because)) => {
                let existing = &mut self.communities[i];
                merge_facts(existing, incoming);
                let merged = existing.clone();
                self.index(i, &merged);
                Merge::Merged {
                    into: merged.id.to_string(),
                    because,
                }
            }
        }
    }

    fn insert(&mut self, community: Community) {
        let i = self.communities.len();
        self.communities.push(community.clone());
        self.index(i, &community);
    }

    fn index(&mut self, i: usize, c: &Community) {
        for k in link_keys(c) {
            self.by_link.entry(k).or_insert(i);
        }
        let name = name_key(&c.name);
        if !name.is_empty() {
            self.by_name
                .entry((c.platform.as_str().to_string(), name))
                .or_insert(i);
        }
        self.by_id.insert(c.id.to_string(), i);
        if let Some(signature) = text_signature(c) {
            self.texts.retain(|(j, _)| *j != i);
            self.texts.push((i, signature));
        }
    }
}

/// What a second listing adds: its fields, tags and languages, a
/// description or homepage the entry lacked, a member count, and its
/// provenance. Name, link and platform stay as first recorded.
pub fn merge_facts(existing: &mut Community, incoming: Community) {
    fn union(into: &mut Vec<String>, from: Vec<String>) {
        for item in from {
            if into.len() >= 50 {
                break;
            }
            if !into.iter().any(|i| i.eq_ignore_ascii_case(&item)) {
                into.push(item);
            }
        }
    }
    union(&mut existing.categories, incoming.categories);
    union(&mut existing.tags, incoming.tags);
    union(&mut existing.languages, incoming.languages);
    if existing.description.is_none() {
        existing.description = incoming.description;
    }
    if existing.homepage.is_none() && incoming.url != existing.url {
        existing.homepage = incoming.homepage;
    }
    if incoming.member_count.is_some() {
        existing.member_count = incoming.member_count;
    }
    for p in incoming.provenance {
        let full = existing.provenance.len() >= 20;
        match existing
            .provenance
            .iter_mut()
            .find(|q| q.source == p.source)
        {
            Some(q) => *q = p,
            None if !full => existing.provenance.push(p),
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(id: &str, name: &str, url: &str, platform: &str, description: Option<&str>) -> Community {
        Community::from_json_value(serde_json::json!({
            "id": id, "name": name, "url": url, "platform": platform,
            "description": description, "tags": [id],
            "provenance": [{"source": id, "source_url": "https://example.org/list", "licence": "CC0-1.0", "harvested_at": "2026-12-03"}]
        }))
        .unwrap()
    }

    const TEXT: &str = "A friendly place where nurses, nursing students and educators share advice on shifts, exams and careers";

    #[test]
    fn the_same_invite_name_or_text_merges_instead_of_adding() {
        let mut catalog = Catalog::new(vec![c(
            "a",
            "Nurse Hub",
            "https://discord.gg/NurseHub",
            "discord",
            None,
        )]);
        let merged = catalog.merge(c(
            "b",
            "Nurses United",
            "https://discord.com/invite/NurseHub/",
            "discord",
            Some(TEXT),
        ));
        assert_eq!(
            merged,
            Merge::Merged {
                into: "a".into(),
                because: "same link"
            }
        );
        let merged = catalog.merge(c(
            "c",
            "Nurse Hub Discord",
            "https://nursehub.example.org",
            "discord",
            None,
        ));
        assert_eq!(
            merged,
            Merge::Merged {
                into: "a".into(),
                because: "same name on the same platform"
            }
        );
        let reworded = TEXT.replace("friendly", "welcoming");
        let merged = catalog.merge(c(
            "d",
            "Shift Talk",
            "https://shifttalk.example.org",
            "forum",
            Some(&format!("{reworded} and more")),
        ));
        assert_eq!(
            merged,
            Merge::Added,
            "two words changed out of eighteen is a different text"
        );
        let merged = catalog.merge(c(
            "e",
            "Shift Talk 2",
            "https://st2.example.org",
            "forum",
            Some(&format!("{TEXT}!")),
        ));
        assert_eq!(
            merged,
            Merge::Merged {
                into: "a".into(),
                because: "near-identical description"
            }
        );
        assert_eq!(catalog.len(), 2);
        let a = catalog.get("a").unwrap();
        assert_eq!(
            a.description.as_deref(),
            Some(TEXT),
            "the description it lacked"
        );
        assert_eq!(a.tags, ["a", "b", "c", "e"]);
        let sources: Vec<_> = a.provenance.iter().map(|p| p.source.as_str()).collect();
        assert_eq!(sources, ["a", "b", "c", "e"]);
        assert_eq!(a.url, "https://discord.gg/NurseHub", "the first link stays");
    }

    #[test]
    fn the_same_name_on_another_platform_is_another_community() {
        let mut catalog = Catalog::new(vec![c(
            "a",
            "Arduino",
            "https://discord.gg/arduino",
            "discord",
            None,
        )]);
        assert_eq!(
            catalog.merge(c("b", "Arduino", "https://forum.arduino.cc", "forum", None)),
            Merge::Added
        );
    }
}
