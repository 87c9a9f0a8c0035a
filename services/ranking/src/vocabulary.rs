//! Words of a trade that mean the same thing: "pentester" and "penetration
//! tester", "SRE" and "site reliability engineer", "Krankenpfleger" and
//! "nurse". all-MiniLM-L6-v2 places many of these far apart (an abbreviation
//! is a rare token to it), and BM25 cannot know them at all.
//!
//! The groups are data: `data/vocabulary.txt`, one group per line, the long
//! form first (the file says how to add one). A profile item that contains a
//! term of a group gets
//! - [`Vocabulary::long_forms`] and [`Vocabulary::field`]: the item with the term
//!   replaced by the long form, and the field it belongs to, which the
//!   request wording the model reads is built from
//!   ([`crate::wordings::item_wordings`]);
//! - [`Vocabulary::phrasings`]: the content words of the item with the term
//!   replaced by each term of the group, for keyword evidence ("pentester"
//!   meets the tag "pentesting");
//! - [`Vocabulary::expansion`]: the long form, the one-word terms and the
//!   broader terms, for the keyword search.
//!
//! A group may name broader terms after " > ": the field the term belongs
//! to ("penetration tester > application security"). They are looked for as
//! keyword evidence and in the keyword search; the model reads the first one
//! only as the item's field ("a community for penetration testers in
//! application security"), never instead of the item.
//!
//! Terms match whole words, ignoring case and a plural "s", longest term
//! first: in "penetration tester" the word "tester" is not also a QA tester.
//! Matching compares plural-folded words, but every text this module hands
//! out is made of real words: the item's own words as typed (lower-cased)
//! and the vocabulary's terms as written, so the model reads "kubernetes
//! clusters" and "devops", never the folded "kubernete cluster" or "devop".

use std::collections::HashMap;
use std::sync::OnceLock;

use copmatch_domain::text::{content_words, fold_plural, lower_words};

const BUILTIN: &str = include_str!("../../../data/vocabulary.txt");
/// Occupations' abbreviations from ESCO (`scripts/derive-vocabulary.py`);
/// the hand-written groups above win where both have a term.
const FROM_ESCO: &str = include_str!("../../../data/vocabulary-esco.txt");
/// More readings than this per item cost model time for little gain.
const MAX_READINGS: usize = 2;

/// A run of words: lower-cased as written, and plural-folded for matching.
#[derive(Debug, Clone, Default, PartialEq)]
struct Words {
    written: Vec<String>,
    folded: Vec<String>,
}

impl Words {
    fn of(text: &str) -> Self {
        let written: Vec<String> = lower_words(text).collect();
        let folded = written.iter().map(|w| fold_plural(w)).collect();
        Self { written, folded }
    }

    fn is_empty(&self) -> bool {
        self.written.is_empty()
    }

    fn len(&self) -> usize {
        self.written.len()
    }

    fn text(&self) -> String {
        self.written.join(" ")
    }
}

/// The groups of equivalent terms, indexed by each term's first word.
#[derive(Debug, Default)]
pub struct Vocabulary {
    /// Each group's terms; the first term is the long form.
    groups: Vec<Vec<Words>>,
    /// Each group's broader terms: the field it belongs to ("penetration
    /// tester" → "application security"), for keyword evidence and search;
    /// the first one is also the field the model reads the item in.
    broader: Vec<Vec<Words>>,
    /// First word of a term → (group, term) pairs with that first word.
    by_first_word: HashMap<String, Vec<(usize, usize)>>,
}

/// A term of a group found in a text: where, and which.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Found {
    start: usize,
    len: usize,
    group: usize,
    term: usize,
}

impl Vocabulary {
    /// The vocabulary shipped in `data/vocabulary.txt`.
    pub fn builtin() -> &'static Vocabulary {
        static BUILTIN_SYNONYMS: OnceLock<Vocabulary> = OnceLock::new();
        BUILTIN_SYNONYMS.get_or_init(|| {
            Vocabulary::parse(&format!("{BUILTIN}\n{FROM_ESCO}"))
                .expect("data/vocabulary*.txt are checked by a unit test")
        })
    }

    /// Parses the vocabulary format; an error names the line.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut synonyms = Vocabulary::default();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (group_part, broader_part) = line.split_once('>').unwrap_or((line, ""));
            let terms: Vec<Words> = group_part.split('|').map(Words::of).collect();
            let broader: Vec<Words> = broader_part
                .split('|')
                .map(Words::of)
                .filter(|t| !t.is_empty())
                .collect();
            if terms.iter().any(Words::is_empty) || terms.len() + broader.len() < 2 {
                return Err(format!(
                    "vocabulary line {}: a group needs two or more non-empty terms separated by \" | \" (or one term and \" > \" broader terms)",
                    n + 1
                ));
            }
            synonyms.broader.push(broader);
            let group = synonyms.groups.len();
            for (t, term) in terms.iter().enumerate() {
                synonyms
                    .by_first_word
                    .entry(term.folded[0].clone())
                    .or_default()
                    .push((group, t));
            }
            synonyms.groups.push(terms);
        }
        Ok(synonyms)
    }

    /// Terms found in `words`, longest first and not overlapping.
    fn find(&self, words: &Words) -> Vec<Found> {
        let words = &words.folded;
        let mut found: Vec<Found> = Vec::new();
        for start in 0..words.len() {
            for &(group, term) in self.by_first_word.get(&words[start]).into_iter().flatten() {
                let len = self.groups[group][term].len();
                if words.get(start..start + len) == Some(&self.groups[group][term].folded[..]) {
                    found.push(Found {
                        start,
                        len,
                        group,
                        term,
                    });
                }
            }
        }
        found.sort_by(|a, b| b.len.cmp(&a.len).then(a.start.cmp(&b.start)));
        // Two readings of one span ("PM") are both kept; a shorter term inside
        // a longer one is not.
        let mut kept: Vec<Found> = Vec::new();
        for f in found {
            let inside_longer = kept.iter().any(|k| {
                f.start < k.start + k.len
                    && k.start < f.start + f.len
                    && (k.start, k.len) != (f.start, f.len)
            });
            if !inside_longer {
                kept.push(f);
            }
        }
        kept.sort_by_key(|f| f.start);
        kept
    }

    /// The words as written, with the found term replaced by `with` as written.
    fn replaced(words: &Words, at: &Found, with: &Words) -> String {
        let written = &words.written;
        let mut out = written[..at.start].to_vec();
        out.extend_from_slice(&with.written);
        out.extend_from_slice(&written[at.start + at.len..]);
        out.join(" ")
    }

    /// The text with each short form, compound or translation replaced by its
    /// long form ("SRE" → "site reliability engineer"; two readings at most,
    /// for an ambiguous one like "PM"); empty when it has none.
    pub fn long_forms(&self, text: &str) -> Vec<String> {
        let words = Words::of(text);
        let mut out: Vec<String> = Vec::new();
        for f in self.find(&words) {
            if f.term == 0 {
                continue;
            }
            let rephrased = Self::replaced(&words, &f, &self.groups[f.group][0]);
            if !out.contains(&rephrased) && out.len() < MAX_READINGS {
                out.push(rephrased);
            }
        }
        out
    }

    /// The field of the first term found that names one ("penetration
    /// tester" → "application security"), which pulls the model's reading of
    /// the item away from look-alikes (software testing) toward its trade.
    pub fn field(&self, text: &str) -> Option<String> {
        self.find(&Words::of(text))
            .iter()
            .find_map(|f| self.broader[f.group].first())
            .map(Words::text)
    }

    /// The item's content words as written, then with each found term
    /// replaced by every other term of its group, then each broader term of
    /// those groups on its own.
    pub fn phrasings(&self, text: &str) -> Vec<Vec<String>> {
        let words = Words::of(text);
        let mut out = vec![content_words(text)];
        let found = self.find(&words);
        let mut push = |phrasing: Vec<String>| {
            if !phrasing.is_empty() && !out.contains(&phrasing) {
                out.push(phrasing);
            }
        };
        for f in &found {
            for (t, term) in self.groups[f.group].iter().enumerate() {
                if t != f.term {
                    push(content_words(&Self::replaced(&words, f, term)));
                }
            }
        }
        for f in &found {
            for term in &self.broader[f.group] {
                push(content_words(&term.text()));
            }
        }
        out
    }

    /// Other terms of the groups found in the text, for keyword search: the
    /// long form and the one-word terms. Other multi-word terms are left out
    /// because BM25 matches their words one by one ("ethical hacker" would
    /// find Hacker News). The groups' broader terms too.
    pub fn expansion(&self, text: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for f in self.find(&Words::of(text)) {
            for (t, term) in self.groups[f.group].iter().enumerate() {
                let wanted = t != f.term && (t == 0 || term.len() == 1);
                let term = term.text();
                if wanted && !out.contains(&term) {
                    out.push(term);
                }
            }
            for term in &self.broader[f.group] {
                let term = term.text();
                if !out.contains(&term) {
                    out.push(term);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_vocabulary_parses() {
        let s = Vocabulary::parse(BUILTIN).unwrap();
        assert!(s.groups.len() > 50, "{} groups", s.groups.len());
        let esco = Vocabulary::parse(FROM_ESCO).unwrap();
        assert!(esco.groups.len() > 20, "{} ESCO groups", esco.groups.len());
    }

    #[test]
    fn escos_abbreviations_are_read_in_full() {
        let s = Vocabulary::builtin();
        assert_eq!(s.long_forms("CTO"), vec!["chief technology officer"]);
        assert_eq!(
            s.long_forms("TCM practitioner"),
            vec!["traditional chinese medicine therapist"]
        );
        // The hand-written meaning of an acronym wins over ESCO's.
        assert_eq!(s.long_forms("AI"), vec!["artificial intelligence"]);
    }

    #[test]
    fn short_forms_are_read_as_their_long_form() {
        let s = Vocabulary::builtin();
        assert_eq!(s.long_forms("SRE"), vec!["site reliability engineer"]);
        assert_eq!(s.long_forms("pentesters"), vec!["penetration tester"]);
        assert_eq!(s.long_forms("Krankenpfleger"), vec!["nurse"]);
        assert_eq!(
            s.long_forms("ML engineer"),
            vec!["machine learning engineer"]
        );
        assert!(s.long_forms("penetration tester").is_empty());
        assert!(s.long_forms("gardener").is_empty());
    }

    #[test]
    fn the_model_reads_real_words_never_folded_ones() {
        let s = Vocabulary::builtin();
        assert_eq!(s.field("SRE").as_deref(), Some("devops"));
        assert_eq!(
            s.long_forms("k8s clusters"),
            vec!["kubernetes clusters"],
            "the item's own words stay as typed too"
        );
        assert!(s.expansion("k8s").contains(&"kubernetes".to_string()));
        // Matching still folds: the plural finds the group.
        assert_eq!(s.long_forms("pentesters"), vec!["penetration tester"]);
    }

    #[test]
    fn a_term_names_its_field() {
        let s = Vocabulary::builtin();
        assert_eq!(
            s.field("penetration tester").as_deref(),
            Some("application security")
        );
        assert_eq!(
            s.field("pentester").as_deref(),
            Some("application security")
        );
        assert_eq!(s.field("gardener"), None);
    }

    #[test]
    fn an_ambiguous_short_form_gets_each_reading() {
        let r = Vocabulary::builtin().long_forms("PM");
        assert_eq!(r, vec!["product manager", "project manager"]);
    }

    #[test]
    fn the_longest_term_wins_over_a_word_inside_it() {
        let s = Vocabulary::builtin();
        let expansion = s.expansion("penetration tester");
        assert!(
            expansion.contains(&"pentesting".to_string()),
            "{expansion:?}"
        );
        assert!(!expansion.contains(&"qa".to_string()), "{expansion:?}");
    }

    #[test]
    fn phrasings_reach_the_other_terms_of_a_group() {
        let phrasings = Vocabulary::builtin().phrasings("CTF player");
        assert_eq!(phrasings[0], vec!["ctf", "player"]);
        assert!(phrasings.contains(&vec![
            "capture".to_string(),
            "flag".to_string(),
            "player".to_string()
        ]));
    }

    #[test]
    fn broader_terms_are_evidence_but_not_a_rephrasing() {
        let s = Vocabulary::parse("penetration tester | pentester > application security").unwrap();
        assert_eq!(s.long_forms("pentester"), vec!["penetration tester"]);
        assert_eq!(
            s.field("pentester").as_deref(),
            Some("application security")
        );
        assert!(s
            .phrasings("pentester")
            .contains(&vec!["application".to_string(), "security".to_string()]));
        assert!(s
            .expansion("pentester")
            .contains(&"application security".to_string()));
        assert!(Vocabulary::parse("nurse > nursing").is_ok());
    }

    #[test]
    fn a_bad_line_is_named() {
        let err = Vocabulary::parse("# fine\nonly one term\n").unwrap_err();
        assert!(err.contains("line 2"), "{err}");
    }
}
