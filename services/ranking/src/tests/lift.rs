//! The bound on what words add: a keyword match reorders communities close in
//! meaning, never carries one past a community much closer, and no learned
//! weight lifts that bound.

use super::*;

#[test]
fn words_never_carry_a_community_past_one_much_closer_in_meaning() {
    let items = vec![item(
        ProfileField::Role,
        "penetration tester",
        vec![1.0, 0.0],
    )];
    let weights = RankingWeights::default();
    // "tester" everywhere: the top keyword hit, with its words in the name.
    let mut testing = community("testers", &["Penetration Testers"], Status::Active);
    testing.name = "Penetration Tester Testing Club".into();
    let gap = weights.max_lift + 0.01;
    let hits = SearchHits {
        dense: vec![
            hit(community("security", &[], Status::Active), at(0.6), 0.6),
            hit(testing.clone(), at(0.6 - gap), 0.6 - gap),
        ],
        keyword: vec![hit(testing, at(0.6 - gap), 9.0)],
    };
    let ranked = rank(&request(&items, &[1.0, 0.0]), hits.clone(), &weights);
    assert_eq!(ids(&ranked), vec!["security", "testers"]);
    // The cap holds on its own, with the plausibility window turned off.
    let ungated = RankingWeights {
        plausibility_window: 0.0,
        ..weights.clone()
    };
    let ranked = rank(&request(&items, &[1.0, 0.0]), hits.clone(), &ungated);
    assert_eq!(ids(&ranked), vec!["security", "testers"]);
    // Within max_lift the same words do reorder.
    let mut closer = hits;
    for list in [&mut closer.dense, &mut closer.keyword] {
        for h in list.iter_mut().filter(|h| h.community.id == "testers") {
            h.vector = at(0.55);
        }
    }
    let ranked = rank(&request(&items, &[1.0, 0.0]), closer, &weights);
    assert_eq!(ids(&ranked), vec!["testers", "security"]);
}

#[test]
fn a_community_far_off_in_meaning_gains_nothing_from_words() {
    let weights = RankingWeights {
        plausibility_window: 0.2,
        ..RankingWeights::default()
    };
    assert_eq!(fusion::plausibility(0.3, 0.6, &weights), 0.0);
    assert!((fusion::plausibility(0.5, 0.6, &weights) - 0.5).abs() < 1e-6);
    assert_eq!(fusion::plausibility(0.6, 0.6, &weights), 1.0);
}

#[test]
fn no_learned_weight_lets_words_override_meaning() {
    // Whatever the fusion learns for keywords and evidence, short profiles
    // or free text, the cap and the window are not weights.
    let loud = RankingWeights {
        keyword_weight: 5.0,
        evidence_boost: 5.0,
        free_text_keyword_weight: 5.0,
        free_text_evidence_boost: 5.0,
        max_evidence_boost: 10.0,
        ..RankingWeights::default()
    };
    for text in [
        "penetration tester",
        "penetration tester who also runs a testing club on weekends",
    ] {
        let items = vec![item(ProfileField::Role, text, vec![1.0, 0.0])];
        let mut testing = community("testers", &["Penetration Testers"], Status::Active);
        testing.name = "Penetration Tester Testing Club".into();
        let gap = loud.max_lift + 0.01;
        let hits = SearchHits {
            dense: vec![
                hit(community("security", &[], Status::Active), at(0.6), 0.6),
                hit(testing.clone(), at(0.6 - gap), 0.6 - gap),
            ],
            keyword: vec![hit(testing, at(0.6 - gap), 9.0)],
        };
        let ranked = rank(&request(&items, &[1.0, 0.0]), hits, &loud);
        assert_eq!(ids(&ranked), vec!["security", "testers"], "{text}");
    }
}
