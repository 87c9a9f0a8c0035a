//! Cutting a keyword candidate list the same way every time.
//!
//! Many catalog entries are short and alike ("r/legaladvice", "r/legaladviceindia"), so their
//! BM25 scores are often exactly equal, and a list cut at `limit` can run through such a tie.
//! Which of the tied points a store returns depends on how its segments happen to be laid out,
//! so two stores of the same catalog answered differently at the last places (3 to 5 of 159
//! development lists). Asking for a few more and cutting by score, then id, makes the cut the
//! same wherever the tie is narrower than the margin. A tie can be wider: a one-word skill such
//! as "Hardware" gives every short community tagged with it the same score, and two stores of
//! the bundled catalog then showed different top 10s for it. So while the store's last hit
//! still ties with the one at the cut, the search asks again for twice as many ([`widen`]).

use copmatch_core::ScoredRecord;

/// The most hits a widened keyword search asks for: a tie wider than this (thousands of
/// communities with the same score for one word) is cut in the store's order.
pub(crate) const MAX_WIDENED: usize = 4_096;

/// How many hits to ask the store for when `limit` are kept.
pub(crate) fn with_margin(limit: usize) -> usize {
    limit + limit / 4 + 8
}

/// How many hits to ask for next when `hits`, the store's answer to a request for `asked`,
/// may leave out part of a tie at the cut: the store gave all it was asked for and its last
/// hit scores the same as the hit at place `limit`. `None` when the cut is settled.
pub(crate) fn widen(hits: &[ScoredRecord], asked: usize, limit: usize) -> Option<usize> {
    if limit == 0 || hits.len() < asked.max(limit) || asked >= MAX_WIDENED {
        return None;
    }
    let mut scores: Vec<f32> = hits.iter().map(|h| h.score).collect();
    scores.sort_by(|a, b| b.total_cmp(a));
    let at_cut = scores[limit - 1];
    let last = scores[scores.len() - 1];
    (last == at_cut).then(|| (asked * 2).min(MAX_WIDENED))
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

    #[test]
    fn a_tie_running_to_the_last_hit_asks_for_more_until_the_store_runs_out_or_the_tie_ends() {
        let tied = |n: usize| -> Vec<ScoredRecord> {
            std::iter::once(hit("best", 3.0))
                .chain((0..n).map(|i| hit(&format!("tied-{i:03}"), 1.0)))
                .collect()
        };
        // Asked for 10, got 10, and places 3 to 10 all score 1.0.
        assert_eq!(widen(&tied(9), 10, 3), Some(20));
        // The tie ends before the last hit.
        let mut ended = tied(8);
        ended.push(hit("worse", 0.5));
        assert_eq!(widen(&ended, 10, 3), None);
        // The store had fewer than asked: everything that matched is here.
        assert_eq!(widen(&tied(5), 10, 3), None);
        // A tie inside the kept places only.
        let mut kept = vec![hit("a", 2.0), hit("b", 2.0)];
        kept.extend((0..8).map(|i| hit(&format!("low-{i}"), 1.0 - i as f32 / 10.0)));
        assert_eq!(widen(&kept, 10, 2), None);
        assert_eq!(widen(&tied(9), 10, 0), None);
        // Bounded.
        assert_eq!(widen(&tied(MAX_WIDENED), MAX_WIDENED, 3), None);
        assert_eq!(widen(&tied(3_000), 3_000, 3), Some(MAX_WIDENED));
    }
}
