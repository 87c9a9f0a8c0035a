//! How the texts a model thread took are cut into forward passes.
//!
//! A forward pass pads every text to its longest one, so a role of 6 tokens
//! batched with a 200-token description costs 200 tokens of work. Sorting the
//! texts by length first puts texts of similar length in the same pass, and a
//! bound on padded tokens (texts × longest) keeps one pass from growing into
//! a slow, memory-hungry one when long texts arrive together.

/// The size of one forward pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PassLimits {
    /// Most texts in one pass.
    pub max_texts: usize,
    /// Most padded tokens in one pass (texts × the longest one's tokens).
    pub max_tokens: usize,
}

/// all-MiniLM-L6-v2 reads at most 256 tokens (sentence_bert_config.json).
const MAX_SEQUENCE: usize = 256;

/// A cheap estimate of a text's WordPiece tokens, [CLS] and [SEP] included:
/// about one token per short word, more for long words and numbers. Only the
/// order and the rough size matter here, so the real tokenizer is not run
/// twice.
pub fn estimated_tokens(text: &str) -> usize {
    let words: usize = text
        .split(|c: char| c.is_whitespace() || c.is_ascii_punctuation())
        .filter(|w| !w.is_empty())
        .map(|w| 1 + w.chars().count() / 6)
        .sum();
    let punctuation = text.chars().filter(char::is_ascii_punctuation).count();
    (2 + words + punctuation).min(MAX_SEQUENCE)
}

/// The passes for `texts`, as indices into it: shortest texts first, each
/// pass within `limits` (a single text always makes a pass).
pub fn plan(texts: &[&str], limits: PassLimits) -> Vec<Vec<usize>> {
    let mut order: Vec<(usize, usize)> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| (estimated_tokens(t), i))
        .collect();
    order.sort_unstable();
    let mut passes: Vec<Vec<usize>> = Vec::new();
    let mut current: Vec<usize> = Vec::new();
    for (tokens, index) in order {
        // Sorted ascending, so this text is the longest of the pass so far.
        let padded = (current.len() + 1) * tokens;
        if !current.is_empty()
            && (current.len() >= limits.max_texts.max(1) || padded > limits.max_tokens)
        {
            passes.push(std::mem::take(&mut current));
        }
        current.push(index);
    }
    if !current.is_empty() {
        passes.push(current);
    }
    passes
}

#[cfg(test)]
mod tests {
    use super::*;

    const WIDE: PassLimits = PassLimits {
        max_texts: 64,
        max_tokens: 1_000_000,
    };

    #[test]
    fn longer_texts_are_estimated_longer() {
        assert!(estimated_tokens("ICU nurse") < estimated_tokens("a community for ICU nurses"));
        assert_eq!(estimated_tokens(""), 2);
        assert_eq!(estimated_tokens(&"word ".repeat(1000)), MAX_SEQUENCE);
    }

    #[test]
    fn passes_cover_every_text_once_sorted_by_length() {
        let texts = [
            "a long description of a community of nurses who work nights",
            "nurse",
            "rust programmer",
            "x",
        ];
        let passes = plan(&texts, WIDE);
        assert_eq!(passes, vec![vec![1, 3, 2, 0]]);
    }

    #[test]
    fn a_pass_holds_at_most_max_texts() {
        let texts = vec!["nurse"; 10];
        let passes = plan(
            &texts,
            PassLimits {
                max_texts: 4,
                ..WIDE
            },
        );
        let sizes: Vec<usize> = passes.iter().map(Vec::len).collect();
        assert_eq!(sizes, vec![4, 4, 2]);
    }

    #[test]
    fn long_texts_are_cut_by_padded_tokens_and_short_ones_stay_together() {
        let long = "word ".repeat(300);
        let texts = vec!["nurse", "teacher", long.as_str(), long.as_str()];
        let passes = plan(
            &texts,
            PassLimits {
                max_texts: 64,
                max_tokens: 300,
            },
        );
        assert_eq!(passes, vec![vec![0, 1], vec![2], vec![3]]);
    }
}
