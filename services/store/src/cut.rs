//! Cutting a keyword candidate list the same way every time.
//!
//! Many catalog entries are short and alike ("r/legaladvice", "r/legaladviceindia"), so their
//! BM25 scores are often exactly equal, and a list cut at `limit` can run through such a tie.
//! Which of the tied points a store returns depends on how its segments happen to be laid out,
//! so two stores of the same catalog answered differently at the last places (3 to 5 of 159
//! development lists). Asking for a few more and cutting by score, then id, makes the cut the
//! same wherever the tie is narrower than the margin.

use copmatch_core::ScoredRecord;

/// How many hits to ask the store for when `limit` are kept.
pub(crate) fn with_margin(limit: usize) -> usize {
    limit + limit / 4 + 8
}

/// Best first, equal scores by community id, at most `limit`.
pub(crate) fn cut_ties(mut hits: Vec<ScoredRecord>, limit: usize) -> Vec<ScoredRecord> {
    hits.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.community.id.cmp(&b.community.id))
    });
    hits.truncate(limit);
    hits
}

#[cfg(test)]
mod tests {
    use super::*;
    use copmatch_core::Community;

    fn hit(id: &str, score: f32) -> ScoredRecord {
        let community = Community::from_json_value(serde_json::json!({
            "id": id,
            "name": id,
            "url": format!("https://{id}.example.org"),
            "platform": "forum",
        }))
        .expect("a valid community");
        ScoredRecord {
            community,
            vector: Vec::new(),
            score,
        }
    }

    #[test]
    fn a_tie_at_the_cut_keeps_the_same_ids_whatever_order_the_store_returned() {
        let ids = |hits: Vec<ScoredRecord>| -> Vec<String> {
            hits.into_iter()
                .map(|h| h.community.id.as_str().to_string())
                .collect()
        };
        let one = vec![
            hit("best", 3.0),
            hit("tied-c", 1.0),
            hit("tied-a", 1.0),
            hit("tied-b", 1.0),
        ];
        let other = vec![
            hit("tied-b", 1.0),
            hit("best", 3.0),
            hit("tied-a", 1.0),
            hit("tied-c", 1.0),
        ];
        assert_eq!(ids(cut_ties(one, 3)), ["best", "tied-a", "tied-b"]);
        assert_eq!(ids(cut_ties(other, 3)), ["best", "tied-a", "tied-b"]);
        assert!(with_margin(100) > 100);
    }
}
