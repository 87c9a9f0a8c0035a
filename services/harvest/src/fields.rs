//! The one field taxonomy: a stable list of fields of practice
//! (`data/fields.toml`), each tied to groups of a public occupational
//! taxonomy (ISCO-08 codes, as ESCO uses them), and the labels of every
//! occupation in those groups (`data/taxonomy/occupations.tsv`, from ESCO).
//!
//! An entry's fields come from the occupation labels and field terms found in
//! its name, its sections and its description. A label that names
//! occupations of many fields ("manager", "assistant") is no evidence and
//! is dropped; one that names two counts half for each.

use std::collections::{HashMap, HashSet};

use copmatch_domain::taxonomy::occupation_rows;
use serde::Deserialize;

use crate::error::HarvestError;

/// A label shared by more fields than this says nothing about the field.
const MAX_FIELDS_PER_LABEL: usize = 2;
/// Shortest label matched inside a one-word name (`askelectricians`).
const MIN_COMPACT: usize = 5;
/// Longest label, in words, that is looked up.
const MAX_LABEL_WORDS: usize = 4;
/// Where a word was found weighs how much it says.
const NAME_WEIGHT: f32 = 3.0;
const SECTION_WEIGHT: f32 = 2.0;
const TEXT_WEIGHT: f32 = 1.0;
/// A field is given when its evidence reaches this, and half the best field's.
const MIN_SCORE: f32 = 1.0;
const MAX_FIELDS: usize = 2;

/// One field of practice.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// Stable key: `/v1/communities?field=nursing`.
    pub id: String,
    /// What the catalog's `categories` say and the page shows.
    pub name: String,
    /// ISCO-08 groups (any level: `22`, `222`, `2221`) whose occupations belong here.
    #[serde(default)]
    pub isco: Vec<String>,
    /// Words the taxonomy does not list as occupations (`nursing`, `python`).
    #[serde(default)]
    pub terms: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldsFile {
    /// Labels never used as evidence (too ambiguous in community names).
    #[serde(default)]
    ignore: Vec<String>,
    field: Vec<Field>,
}

/// The field list alone (browsing needs no occupation labels).
pub fn read_fields(fields_toml: &str) -> Result<Vec<Field>, HarvestError> {
    Ok(read_fields_file(fields_toml)?.field)
}

/// Reads `fields.toml`: ids are lower-case letters, digits and `-`, each once.
fn read_fields_file(fields_toml: &str) -> Result<FieldsFile, HarvestError> {
    let file: FieldsFile =
        toml::from_str(fields_toml).map_err(|e| HarvestError::Taxonomy(e.to_string()))?;
    let mut seen = std::collections::HashSet::new();
    for f in &file.field {
        if f.id.is_empty()
            || !f
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err(HarvestError::Taxonomy(format!(
                "field id {:?} must be lower-case letters, digits and -",
                f.id
            )));
        }
        if !seen.insert(f.id.clone()) {
            return Err(HarvestError::Taxonomy(format!(
                "field id {:?} is used twice",
                f.id
            )));
        }
    }
    Ok(file)
}

/// The field an occupation of ISCO-08 `code` belongs to: the one with the
/// most specific group that holds it, by index into `fields`.
pub fn owner_of(fields: &[Field], code: &str) -> Option<usize> {
    fields
        .iter()
        .enumerate()
        .flat_map(|(i, f)| f.isco.iter().map(move |g| (i, g)))
        .filter(|(_, g)| code.starts_with(g.as_str()))
        .max_by_key(|(_, g)| g.len())
        .map(|(i, _)| i)
}

/// The fields, and every label that points to them.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    pub fields: Vec<Field>,
    labels: HashMap<String, Vec<(usize, f32)>>,
    /// Labels without spaces (`socialwork`) and the spaced label each
    /// stands for, for names written as one word; longest first.
    compact: Vec<(String, String)>,
    /// Every word of every label: a name word the taxonomy itself uses as a
    /// word ("community", as in "community health worker") is that word,
    /// not a run of two ("comm" + "unity").
    label_words: HashSet<String>,
}

impl Taxonomy {
    /// Reads `fields.toml` and the occupations table (`isco<TAB>label` lines).
    pub fn load(fields_toml: &str, occupations_tsv: &str) -> Result<Taxonomy, HarvestError> {
        let file = read_fields_file(fields_toml)?;
        let ignore: HashSet<String> = file.ignore.iter().map(|t| key(t)).collect();
        let mut raw: HashMap<String, Vec<usize>> = HashMap::new();
        let mut add = |label: &str, field: usize| {
            let k = key(label);
            if k.is_empty() || ignore.contains(&k) || k.split(' ').count() > MAX_LABEL_WORDS {
                return;
            }
            let fields = raw.entry(k).or_default();
            if !fields.contains(&field) {
                fields.push(field);
            }
        };
        for (i, f) in file.field.iter().enumerate() {
            add(&f.name, i);
            for t in &f.terms {
                add(t, i);
            }
        }
        for (code, label) in occupation_rows(occupations_tsv) {
            if let Some(i) = owner_of(&file.field, code) {
                add(label, i);
            }
        }
        let label_words: HashSet<String> = raw
            .keys()
            .flat_map(|k| k.split(' '))
            .map(str::to_string)
            .collect();
        let labels = raw
            .into_iter()
            .filter(|(_, fields)| fields.len() <= MAX_FIELDS_PER_LABEL)
            .map(|(k, fields)| {
                let weight = 1.0 / fields.len() as f32;
                (k, fields.into_iter().map(|f| (f, weight)).collect())
            })
            .collect::<HashMap<String, Vec<(usize, f32)>>>();
        let mut compact: Vec<(String, String)> = labels
            .keys()
            .map(|k| (k.replace(' ', ""), k.clone()))
            .filter(|(k, _)| k.chars().count() >= MIN_COMPACT)
            .collect();
        // Longest first; one spaced label per compact form, the same every run.
        compact.sort_by(|a, b| {
            b.0.len()
                .cmp(&a.0.len())
                .then(a.0.cmp(&b.0))
                .then(a.1.cmp(&b.1))
        });
        compact.dedup_by(|a, b| a.0 == b.0);
        Ok(Taxonomy {
            fields: file.field,
            labels,
            compact,
            label_words,
        })
    }

    /// The field a category names (its name or id, any case).
    pub fn field_named(&self, name: &str) -> Option<&Field> {
        let k = name.trim().to_lowercase();
        self.fields
            .iter()
            .find(|f| f.name.to_lowercase() == k || f.id == k)
    }

    /// The fields an entry belongs to, best first (at most two).
    pub fn assign(&self, name: &str, sections: &[String], text: &str) -> Vec<&Field> {
        let mut scores: HashMap<usize, f32> = HashMap::new();
        // A name written as one word (`r/StudentNurse`, `r/socialwork`): its
        // camel-case parts, or a label it is, starts or ends with.
        let mut name_text = format!("{name} {}", split_camel(name));
        for word in words(name)
            .iter()
            .filter(|w| w.chars().count() > MIN_COMPACT)
        {
            if self.labels.contains_key(word.as_str()) || self.label_words.contains(word) {
                continue;
            }
            if let Some((_, spaced)) = self.compact.iter().find(|(k, _)| {
                let ends = word == k || word.ends_with(k.as_str());
                let starts = k.len() >= 6 && word.starts_with(k.as_str());
                (ends || starts) && !self.inside_a_longer_word(word, k, ends)
            }) {
                name_text.push(' ');
                name_text.push_str(spaced);
            }
        }
        let zones = std::iter::once((name_text, NAME_WEIGHT))
            .chain(sections.iter().map(|s| (s.clone(), SECTION_WEIGHT)))
            .chain(std::iter::once((text.to_string(), TEXT_WEIGHT)));
        for (zone, weight) in zones {
            let words = words(&zone);
            let mut found: HashMap<usize, f32> = HashMap::new();
            for start in 0..words.len() {
                for len in 1..=MAX_LABEL_WORDS.min(words.len() - start) {
                    let k = words[start..start + len].join(" ");
                    if let Some(fields) = self.labels.get(&k) {
                        for (f, w) in fields {
                            // Within a zone a field counts once, by its best label.
                            let e = found.entry(*f).or_default();
                            *e = e.max(*w * (1.0 + 0.25 * (len - 1) as f32));
                        }
                    }
                }
            }
            for (f, s) in found {
                *scores.entry(f).or_default() += s * weight;
            }
        }
        let best = scores.values().cloned().fold(0.0, f32::max);
        let mut ranked: Vec<(usize, f32)> = scores
            .into_iter()
            .filter(|(_, s)| *s >= MIN_SCORE && *s >= best * 0.5)
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked
            .into_iter()
            .take(MAX_FIELDS)
            .map(|(f, _)| &self.fields[f])
            .collect()
    }

    /// Whether the compact label `k` found at the end (or start) of `word`
    /// is only part of a longer word the labels use there: "mechanical" in
    /// `mechanicalkeyboards` is not a mechanic, nor "community" in
    /// `analogcommunity` the game engine "unity".
    fn inside_a_longer_word(&self, word: &str, k: &str, at_end: bool) -> bool {
        self.label_words.iter().any(|longer| {
            longer.len() > k.len()
                && if at_end {
                    word.ends_with(longer.as_str()) && longer.ends_with(k)
                } else {
                    word.starts_with(longer.as_str()) && longer.starts_with(k)
                }
        })
    }
}

/// `StudentNurse` → `Student Nurse`.
fn split_camel(text: &str) -> String {
    let mut out = String::new();
    let mut previous_lower = false;
    for ch in text.chars() {
        if ch.is_uppercase() && previous_lower {
            out.push(' ');
        }
        previous_lower = ch.is_lowercase();
        out.push(ch);
    }
    out
}

/// A label or text as matching keys: lower-case words, simple plurals folded
/// ("nurses" → "nurse"). Only for matching: stored text keeps its words.
fn key(text: &str) -> String {
    words(text).join(" ")
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '+' && c != '#')
        .filter(|w| !w.is_empty())
        .map(|w| fold(&w.to_lowercase()))
        .collect()
}

fn fold(word: &str) -> String {
    let n = word.chars().count();
    if n > 4 && word.ends_with("ies") {
        return format!("{}y", &word[..word.len() - 3]);
    }
    for suffix in ["ches", "shes", "sses", "xes"] {
        if n > 4 && word.ends_with(suffix) {
            return word[..word.len() - 2].to_string();
        }
    }
    if n > 3
        && word.ends_with('s')
        && !word.ends_with("ss")
        && !word.ends_with("us")
        && !word.ends_with("is")
    {
        return word[..word.len() - 1].to_string();
    }
    word.to_string()
}

#[cfg(test)]
#[path = "fields_tests.rs"]
mod tests;
