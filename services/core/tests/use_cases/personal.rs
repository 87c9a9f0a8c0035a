use std::sync::Arc;

use copmatch_core::fakes::MemoryUsers;
use copmatch_core::feedback::{FeedbackInput, UserInput};
use copmatch_core::personalizer::{FeedbackSettings, Personalizer, UserRecommendOptions};
use copmatch_core::{ErrorCode, Profile, Services, Status};

use crate::{ids, service};

async fn personalizer() -> Personalizer {
    personalizer_over(service().await)
}

fn personalizer_over(service: Services) -> Personalizer {
    Personalizer::new(
        service.catalog,
        service.recommender,
        Arc::new(MemoryUsers::default()),
        FeedbackSettings::default(),
    )
}

fn user(roles: &[&str]) -> UserInput {
    UserInput {
        profile: Profile {
            roles: roles.iter().map(|r| r.to_string()).collect(),
            ..Default::default()
        },
        languages: Vec::new(),
    }
}

fn event(user: &str, community: &str, kind: &str) -> FeedbackInput {
    FeedbackInput {
        user_id: user.into(),
        community_id: community.into(),
        kind: kind.into(),
        ts: None,
    }
}

#[tokio::test]
async fn joined_and_dismissed_communities_leave_the_personal_ranking() {
    let users = personalizer().await;
    users
        .put_user(
            &copmatch_core::fakes::uid("ana"),
            user(&["programming language code"]),
        )
        .await
        .unwrap();
    users
        .record_feedback(vec![
            event("ana", "rustaceans", "join"),
            event("ana", "pythonistas", "dismiss"),
        ])
        .await
        .unwrap();
    let response = users
        .recommend_for_user(
            &copmatch_core::fakes::uid("ana"),
            UserRecommendOptions::default(),
        )
        .await
        .unwrap();
    let found = ids(&response.response.recommendations);
    assert!(
        !found.contains(&"rustaceans") && !found.contains(&"pythonistas"),
        "{found:?}"
    );
    assert_eq!(
        (response.history.joined, response.history.dismissed),
        (1, 1)
    );
}

#[tokio::test]
async fn feedback_about_unknown_users_or_communities_is_refused_whole() {
    let users = personalizer().await;
    users
        .put_user(&copmatch_core::fakes::uid("ben"), user(&["nurse"]))
        .await
        .unwrap();
    let err = users
        .record_feedback(vec![
            event("ben", "icu-nurses", "join"),
            event("ben", "no-such-community", "join"),
        ])
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::UnknownFeedbackReference);
    let err = users
        .record_feedback(vec![event("nobody", "icu-nurses", "join")])
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::UnknownFeedbackReference);
    let err = users
        .record_feedback(vec![event("ben", "icu-nurses", "like")])
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidFeedback);
}

#[tokio::test]
async fn enough_different_reporters_mark_a_dead_link() {
    let service = service().await;
    let users = personalizer_over(service.clone());
    for id in ["u1", "u2", "u3"] {
        users
            .put_user(&copmatch_core::fakes::uid(id), user(&["woodworker"]))
            .await
            .unwrap();
    }
    let report = users
        .record_feedback(vec![
            event("u1", "woodworkers", "report_dead_link"),
            event("u1", "woodworkers", "report_dead_link"),
        ])
        .await
        .unwrap();
    assert!(
        report.marked_dead_link.is_empty(),
        "one reporter twice is one"
    );
    let report = users
        .record_feedback(vec![
            event("u2", "woodworkers", "report_dead_link"),
            event("u3", "woodworkers", "report_dead_link"),
        ])
        .await
        .unwrap();
    assert_eq!(report.marked_dead_link, ["woodworkers"]);
    let community = service
        .catalog
        .get(&copmatch_core::fakes::cid("woodworkers"))
        .await
        .unwrap();
    assert_eq!(community.status, Status::DeadLink);
}

#[tokio::test]
async fn deleting_a_user_forgets_them() {
    let users = personalizer().await;
    users
        .put_user(&copmatch_core::fakes::uid("cy"), user(&["epidemiologist"]))
        .await
        .unwrap();
    users
        .delete_user(&copmatch_core::fakes::uid("cy"))
        .await
        .unwrap();
    let err = users
        .get_user(&copmatch_core::fakes::uid("cy"))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::UserNotFound);
}
