use super::*;
use copmatch_domain::community::{Community, Cost, Platform, Status};
use copmatch_domain::profile::ProfileItem;
use copmatch_domain::records::ScoredRecord;

/// A community with the fields ranking tests vary (also used by the
/// modules' own tests).
pub(crate) fn community(id: &str, categories: &[&str], status: Status) -> Community {
    Community {
        id: copmatch_domain::CommunityId::parse(id).unwrap(),
        name: id.to_uppercase(),
        url: format!("https://{id}.example"),
        platform: Platform::Slack,
        categories: categories.iter().map(|s| s.to_string()).collect(),
        tags: vec![],
        languages: vec!["English".into()],
        cost: Cost::Free,
        description: None,
        homepage: None,
        status,
        last_verified_at: None,
        last_activity_at: None,
        member_count: None,
        liveness: Default::default(),
        provenance: Vec::new(),
    }
}

fn hit(c: Community, vector: Vec<f32>, score: f32) -> ScoredRecord {
    ScoredRecord {
        community: c,
        vector,
        score,
    }
}

fn item(field: ProfileField, text: &str, vector: Vec<f32>) -> EmbeddedItem {
    EmbeddedItem::new(
        ProfileItem {
            field,
            text: text.into(),
        },
        vector,
    )
}

fn request<'a>(items: &'a [EmbeddedItem], query_vector: &'a [f32]) -> RankRequest<'a> {
    RankRequest {
        query: Query::Profile(items),
        query_vector,
        negatives: &[],
        liked: &[],
        mode: RetrievalMode::Hybrid,
        diversity: 0.0,
        demote_status: true,
        wanted: 10,
    }
}

fn ids(ranked: &[Ranked]) -> Vec<&str> {
    ranked.iter().map(|r| r.community.id.as_str()).collect()
}

#[test]
fn profile_vector_weights_roles_over_interests() {
    let items = vec![
        item(ProfileField::Role, "nurse", vec![1.0, 0.0]),
        item(ProfileField::Interest, "rust", vec![0.0, 1.0]),
    ];
    let v = profile_vector(&items, &RankingWeights::default());
    assert!(v[0] > v[1]);
    assert!((dot(&v, &v) - 1.0).abs() < 1e-5);
}

#[test]
fn literal_evidence_lifts_and_explains_a_community() {
    let items = vec![item(
        ProfileField::Role,
        "public health student",
        vec![1.0, 0.0],
    )];
    let hits = SearchHits {
        dense: vec![
            hit(
                community("aaa", &["Software"], Status::Active),
                vec![1.0, 0.0],
                1.0,
            ),
            hit(
                community("bbb", &["Public health"], Status::Active),
                vec![1.0, 0.0],
                1.0,
            ),
        ],
        keyword: vec![],
    };
    let ranked = rank(
        &request(&items, &[1.0, 0.0]),
        hits,
        &RankingWeights::default(),
    );
    assert_eq!(ids(&ranked), vec!["bbb", "aaa"]);
    assert_eq!(
        ranked[0].reasons[0],
        "matches your role \"public health student\" (category \"Public health\")"
    );
    assert!(ranked[0]
        .reasons
        .contains(&"a Slack workspace, free to join".to_string()));
    assert!(ranked[0].reasons.contains(&"status: active".to_string()));
    assert!(ranked[1].reasons[0]
        .starts_with("close in meaning to your role \"public health student\" (similarity 1.00)"));
}

#[test]
fn an_exact_match_is_named_without_repeating_the_term() {
    let items = vec![item(ProfileField::Skill, "epidemiology", vec![1.0])];
    let mut c = community("epi", &[], Status::Active);
    c.tags = vec!["Epidemiology".into()];
    let ranked = rank(
        &request(&items, &[1.0]),
        SearchHits {
            dense: vec![hit(c, vec![1.0], 1.0)],
            keyword: vec![],
        },
        &RankingWeights::default(),
    );
    assert_eq!(
        ranked[0].reasons[0],
        "matches your skill \"epidemiology\" (tag)"
    );
}

#[test]
fn the_description_sentence_that_matches_is_quoted() {
    let items = vec![item(ProfileField::Role, "ICU nurse", vec![1.0])];
    let mut c = community("x", &[], Status::Active);
    c.description = Some(
        "A place for many people. Practice resources for ICU nurses and CCRN certification.".into(),
    );
    let ranked = rank(
        &request(&items, &[1.0]),
        SearchHits {
            dense: vec![hit(c, vec![1.0], 1.0)],
            keyword: vec![],
        },
        &RankingWeights::default(),
    );
    assert!(
        ranked[0].reasons.contains(
            &"its description: \"Practice resources for ICU nurses and CCRN certification\""
                .to_string()
        ),
        "{:?}",
        ranked[0].reasons
    );
}

#[test]
fn best_single_item_counts_for_mixed_profiles() {
    let items = vec![
        item(ProfileField::Role, "nurse", vec![1.0, 0.0]),
        item(ProfileField::Role, "data scientist", vec![0.0, 1.0]),
    ];
    let hits = SearchHits {
        dense: vec![
            hit(community("ds", &[], Status::Active), vec![0.0, 1.0], 0.7),
            hit(
                community("mid", &[], Status::Active),
                vec![
                    std::f32::consts::FRAC_1_SQRT_2,
                    std::f32::consts::FRAC_1_SQRT_2,
                ],
                0.99,
            ),
        ],
        keyword: vec![],
    };
    let q = normalize(vec![1.0, 1.0]);
    let ranked = rank(&request(&items, &q), hits, &RankingWeights::default());
    let ds = ranked.iter().find(|r| r.community.id == "ds").unwrap();
    assert!(ds.reasons[0].contains("data scientist"), "{:?}", ds.reasons);
}

#[test]
fn keyword_only_hits_join_the_candidates_with_their_dense_similarity() {
    let items = vec![item(ProfileField::Skill, "nclex", vec![1.0, 0.0])];
    let hits = SearchHits {
        dense: vec![hit(
            community("near", &[], Status::Active),
            vec![0.8, 0.6],
            0.8,
        )],
        keyword: vec![hit(
            community("exact", &[], Status::Active),
            vec![0.7, 0.7141],
            7.5,
        )],
    };
    let ranked = rank(
        &request(&items, &[1.0, 0.0]),
        hits,
        &RankingWeights::default(),
    );
    assert_eq!(ranked.len(), 2);
    let dense_only = rank(
        &RankRequest {
            mode: RetrievalMode::DenseOnly,
            ..request(&items, &[1.0, 0.0])
        },
        SearchHits {
            dense: vec![hit(
                community("near", &[], Status::Active),
                vec![0.8, 0.6],
                0.8,
            )],
            keyword: vec![hit(
                community("exact", &[], Status::Active),
                vec![0.7, 0.7141],
                7.5,
            )],
        },
        &RankingWeights::default(),
    );
    assert_eq!(
        ids(&dense_only),
        vec!["near"],
        "the dense baseline ignores keyword hits"
    );
}

#[test]
fn inactive_and_unverified_communities_are_demoted_unless_asked() {
    let items = vec![item(ProfileField::Role, "zzz", vec![1.0])];
    let make = || SearchHits {
        dense: vec![
            hit(community("inactive", &[], Status::Inactive), vec![1.0], 1.0),
            hit(community("unknown", &[], Status::Unknown), vec![1.0], 1.0),
            hit(community("active", &[], Status::Active), vec![1.0], 1.0),
        ],
        keyword: vec![],
    };
    let ranked = rank(&request(&items, &[1.0]), make(), &RankingWeights::default());
    assert_eq!(ids(&ranked), vec!["active", "unknown", "inactive"]);
    assert!(ranked[2]
        .reasons
        .iter()
        .any(|r| r.starts_with("status: inactive")));
    let all = rank(
        &RankRequest {
            demote_status: false,
            ..request(&items, &[1.0])
        },
        make(),
        &RankingWeights::default(),
    );
    assert_eq!(
        ids(&all),
        vec!["active", "inactive", "unknown"],
        "no demotion: ties break by id"
    );
}

#[test]
fn communities_like_a_rejected_one_move_down() {
    let items = vec![item(ProfileField::Role, "zzz", vec![1.0, 0.0, 0.0])];
    let make = || SearchHits {
        dense: vec![
            hit(
                community("like-rejected", &[], Status::Active),
                vec![0.9, 0.4359, 0.0],
                0.9,
            ),
            hit(
                community("other", &[], Status::Active),
                vec![0.85, 0.0, 0.5268],
                0.85,
            ),
        ],
        keyword: vec![],
    };
    let q = [1.0, 0.0, 0.0];
    assert_eq!(
        ids(&rank(
            &request(&items, &q),
            make(),
            &RankingWeights::default()
        ))[0],
        "like-rejected"
    );
    let negatives = vec![vec![0.6, 0.8, 0.0]];
    let steered = rank(
        &RankRequest {
            negatives: &negatives,
            liked: &[],
            ..request(&items, &q)
        },
        make(),
        &RankingWeights::default(),
    );
    assert_eq!(ids(&steered)[0], "other");
}

#[test]
fn similar_communities_are_explained_by_shared_terms() {
    let source = community("src", &["Nursing"], Status::Active);
    let hits = SearchHits {
        dense: vec![hit(
            community("other", &["Nursing"], Status::Active),
            vec![1.0],
            0.8,
        )],
        keyword: vec![],
    };
    let ranked = rank(
        &RankRequest {
            query: Query::Similar(&source),
            ..request(&[], &[1.0])
        },
        hits,
        &RankingWeights::default(),
    );
    assert_eq!(ranked[0].reasons[0], "shares category \"Nursing\" with SRC");
    assert_eq!(
        ranked[0].reasons[1],
        "similar in meaning to SRC (similarity 1.00)"
    );
}

#[test]
fn ties_break_by_id_for_deterministic_order() {
    let items = vec![item(ProfileField::Skill, "zzz", vec![1.0])];
    let hits = SearchHits {
        dense: vec![
            hit(community("b", &[], Status::Active), vec![1.0], 0.5),
            hit(community("a", &[], Status::Active), vec![1.0], 0.5),
        ],
        keyword: vec![],
    };
    let ranked = rank(&request(&items, &[1.0]), hits, &RankingWeights::default());
    assert_eq!(ids(&ranked), vec!["a", "b"]);
}

#[test]
fn each_reason_comes_from_a_signal_the_score_counted() {
    let items = vec![
        item(ProfileField::Role, "ICU nurse", vec![1.0, 0.0]),
        item(ProfileField::Skill, "woodworking", vec![0.0, 1.0]),
    ];
    let query = normalize(vec![1.0, 0.2]);
    let request = request(&items, &query);
    let weights = RankingWeights::default();
    let with_evidence = hit(
        community("icu", &["ICU nursing"], Status::Active),
        vec![1.0, 0.0],
        0.9,
    );
    let mut candidates = fusion::merge(
        SearchHits {
            dense: vec![with_evidence],
            keyword: vec![],
        },
        &query,
        RetrievalMode::Hybrid,
    );
    let c = &mut candidates[0];
    c.breakdown = fusion::breakdown(c, &request, &weights);
    // As `rank` does: the only candidate is the closest in meaning.
    c.breakdown.semantic = fusion::semantic(c, &weights);
    c.breakdown.plausibility =
        fusion::plausibility(c.breakdown.semantic, c.breakdown.semantic, &weights);
    assert_eq!(c.breakdown.best_item.map(|(n, _)| n), Some(0));
    assert_eq!(
        c.breakdown.evidence.len(),
        1,
        "only the role's words are in the community"
    );
    assert!(c.breakdown.evidence_boost > 0.0);
    let boosted = fusion::hybrid_score(c, &weights);
    let boost = c.breakdown.evidence_boost;
    c.breakdown.evidence_boost = 0.0;
    assert!((boosted - fusion::hybrid_score(c, &weights) - boost).abs() < 1e-6);
    c.breakdown.evidence_boost = boost;
    let reasons = explain::reasons(c, &request);
    assert!(
        reasons[0].starts_with("matches your role \"ICU nurse\""),
        "{reasons:?}"
    );
    assert!(
        !reasons.iter().any(|r| r.contains("woodworking")),
        "{reasons:?}"
    );
    // Emptying the breakdown empties the matching reasons: they are read, not recomputed.
    c.breakdown = Breakdown::default();
    let reasons = explain::reasons(c, &request);
    assert!(
        !reasons.iter().any(|r| r.contains("ICU nurse")),
        "{reasons:?}"
    );
}

/// Unit vector at `cos` to [1, 0].
fn at(cos: f32) -> Vec<f32> {
    vec![cos, (1.0 - cos * cos).sqrt()]
}

mod lift;
