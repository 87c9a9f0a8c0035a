//! The occupation a sentence names, from a published taxonomy.
//!
//! A sentence ("Registered dietitian in private practice wanting to grow my
//! client base") is embedded as typed, and its incidental words weigh as much
//! as its trade: MiniLM puts it near private equity and nurse practitioners
//! before the dietitians. When the sentence names an occupation of ESCO
//! (`data/taxonomy/occupations.tsv`: 32,383 English labels, alternative
//! titles included, © European Union, reuse with attribution), the sentence is
//! also read as a request for that trade's community
//! ([`crate::wordings::item_wordings`]). Only whole labels count, the longest
//! first, so "chef de partie" wins over "chef" and a sentence that names no
//! occupation is read as before. Measured in README "How it works".

use std::collections::HashSet;
use std::sync::OnceLock;

use copmatch_domain::taxonomy::occupation_rows;
use copmatch_domain::text::{fold_plural, lower_words};

/// ESCO v1.0 occupation labels by ISCO-08 unit group, one per line
/// (`scripts/derive-occupations.py`).
const ESCO_OCCUPATIONS: &str = include_str!("../../../data/taxonomy/occupations.tsv");

/// Occupation labels, lower-cased, and the most words any of them has.
#[derive(Debug, Default)]
pub struct Occupations {
    labels: HashSet<String>,
    longest: usize,
}

impl Occupations {
    /// ESCO's labels, parsed once.
    pub fn builtin() -> &'static Occupations {
        static BUILTIN: OnceLock<Occupations> = OnceLock::new();
        BUILTIN.get_or_init(|| Occupations::parse(ESCO_OCCUPATIONS))
    }

    /// Lines of `ISCO code<TAB>label`; `#` starts a comment line.
    pub fn parse(text: &str) -> Occupations {
        let labels: HashSet<String> = occupation_rows(text)
            .map(|(_, label)| lower_words(label).collect::<Vec<_>>().join(" "))
            .filter(|label| !label.is_empty())
            .collect();
        let longest = labels
            .iter()
            .map(|l| l.split(' ').count())
            .max()
            .unwrap_or(0);
        Occupations { labels, longest }
    }

    /// The occupation `text` names: the label of the most words found whole
    /// in it (the leftmost among equals), its last word also read with its
    /// plural folded ("translators" names "translator").
    pub fn named_in(&self, text: &str) -> Option<&str> {
        let words: Vec<String> = lower_words(text).collect();
        for n in (1..=self.longest.min(words.len())).rev() {
            for window in words.windows(n) {
                let typed = window.join(" ");
                if let Some(label) = self.labels.get(&typed) {
                    return Some(label);
                }
                let (last, before) = window.split_last().expect("windows are not empty");
                let mut folded = before.to_vec();
                folded.push(fold_plural(last));
                if let Some(label) = self.labels.get(&folded.join(" ")) {
                    return Some(label);
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taxonomy() -> Occupations {
        Occupations::parse(
            "# comment\n2265\tdietitian\n3240\tveterinary technician\n5120\tchef\n5120\tchef de partie\n2643\ttranslator\n2631\tclass\n",
        )
    }

    #[test]
    fn a_sentence_names_the_longest_occupation_it_holds() {
        let t = taxonomy();
        assert_eq!(
            t.named_in("Registered dietitian in private practice"),
            Some("dietitian")
        );
        assert_eq!(
            t.named_in("Chef de partie in a busy kitchen, thinking of a food truck"),
            Some("chef de partie")
        );
        assert_eq!(
            t.named_in("Veterinary technician at an emergency animal hospital"),
            Some("veterinary technician")
        );
    }

    #[test]
    fn a_plural_is_folded_as_the_evidence_folds_it() {
        let t = taxonomy();
        assert_eq!(
            t.named_in("looking for other translators to talk about rates"),
            Some("translator")
        );
        // "class" ends in a double s and is matched as typed.
        assert_eq!(t.named_in("teaching a class"), Some("class"));
        // `fold_plural` drops one final "s": "classes" would be "classe".
        assert_eq!(t.named_in("flipped classes"), None);
        assert_eq!(t.named_in("I want to learn glass blowing"), None);
    }

    #[test]
    fn a_sentence_without_an_occupation_names_none() {
        let t = taxonomy();
        assert_eq!(t.named_in("I run Linux servers at home"), None);
        assert_eq!(t.named_in(""), None);
        // Only whole words count: "chefs" names "chef", "chefdom" does not.
        assert_eq!(t.named_in("chefdom"), None);
        assert_eq!(t.named_in("chefs"), Some("chef"));
    }

    #[test]
    fn the_builtin_taxonomy_holds_esco_labels() {
        let esco = Occupations::builtin();
        assert!(esco.labels.len() > 20_000, "{}", esco.labels.len());
        assert_eq!(
            esco.named_in(
                "Registered dietitian in private practice wanting to grow my client base"
            ),
            Some("dietitian")
        );
        assert_eq!(
            esco.named_in("Freelance translator working from Japanese to English"),
            Some("translator")
        );
    }
}
