//! Small text helpers shared by validation, filtering and explanations.

/// Case- and space-insensitive key for categories, tags and languages:
/// "Public  Health" and "public health" are the same category.
pub fn normalize_key(raw: &str) -> String {
    raw.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Words too common to count as evidence that a profile matches a community.
const STOPWORDS: &[&str] = &[
    "a",
    "an",
    "and",
    "are",
    "as",
    "at",
    "be",
    "by",
    "for",
    "from",
    "in",
    "into",
    "is",
    "it",
    "of",
    "on",
    "or",
    "the",
    "to",
    "with",
    "who",
    "i",
    "my",
    "me",
    "we",
    "our",
    "you",
    "your",
    "about",
    "interested",
    "interest",
    "work",
    "working",
    "people",
    "general",
    "community",
    "communities",
    "group",
    "student",
    "students",
    "professional",
    "professionals",
    "new",
];

/// Lower-cased content words of `text`, with a light plural folding
/// ("nurses" → "nurse") so that evidence matching is not defeated by grammar.
pub fn content_words(text: &str) -> Vec<String> {
    folded_words(text)
        .filter(|w| w.chars().count() > 1 && !STOPWORDS.contains(&w.as_str()))
        .collect()
}

/// Every word of `text`, lower-cased and plural-folded, stopwords kept
/// ("C#" and "C++" stay words). For matching only: the folded form is not a
/// word to show the model ("kubernetes" folds to "kubernete").
pub fn folded_words(text: &str) -> impl Iterator<Item = String> + '_ {
    lower_words(text).map(|w| fold_plural(&w))
}

/// Every word of `text`, lower-cased, as written: the words
/// [`folded_words`] folds, one for one.
pub fn lower_words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric() && c != '+' && c != '#')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// A word's plural folded: "nurses" → "nurse", "studies" → "study".
pub fn fold_plural(word: &str) -> String {
    if word.len() > 4 && word.ends_with("ies") {
        format!("{}y", &word[..word.len() - 3])
    } else if word.len() > 3
        && word.ends_with('s')
        && !word.ends_with("ss")
        && !word.ends_with("us")
        && !word.ends_with("is")
    {
        word[..word.len() - 1].to_string()
    } else {
        word.to_string()
    }
}

/// Whitespace as the API document's patterns read `\s` (ECMA-262: the
/// Unicode space separators, tab, line breaks, vertical tab, form feed and
/// the byte-order mark), so a value the document calls valid is valid here.
pub fn is_schema_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{0b}' | '\u{0c}' | '\r' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_case_and_spacing() {
        assert_eq!(normalize_key("  Public   Health "), "public health");
    }

    #[test]
    fn content_words_drop_stopwords_and_fold_plurals() {
        assert_eq!(content_words("Nurses in the ICU"), vec!["nurse", "icu"]);
        assert_eq!(
            content_words("communities for C# and C++"),
            vec!["c#", "c++"]
        );
        assert_eq!(
            content_words("analysis of diseases"),
            vec!["analysis", "disease"]
        );
    }
}
