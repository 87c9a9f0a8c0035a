use std::sync::Arc;

use copmatch_core::fakes::{cid, report_desk, MemoryUsers, RecordedRechecks};
use copmatch_core::feedback::{FeedbackInput, UserInput};
use copmatch_core::moderator::Moderator;
use copmatch_core::personalizer::{FeedbackSettings, Personalizer, UserRecommendOptions};
use copmatch_core::submissions::{ItemKind, ItemState};
use copmatch_core::time::ManualClock;
use copmatch_core::{ErrorCode, Profile, Services, Status};

use crate::{ids, service};

async fn personalizer() -> Personalizer {
    personalizer_over(service().await)
}

fn personalizer_over(service: Services) -> Personalizer {
    personalizer_with_desk(service).0
}

/// The personalizer, its moderator, the prompt checks it asked for, and the
/// clock of its report desk.
fn personalizer_with_desk(
    service: Services,
) -> (
    Personalizer,
    Moderator,
    Arc<RecordedRechecks>,
    Arc<ManualClock>,
) {
    let clock = Arc::new(ManualClock::new(jiff::Timestamp::now()));
    let (desk, moderator, rechecks) = report_desk(service.catalog.clone(), clock.clone());
    let users = Personalizer::new(
        service.catalog,
        service.recommender,
        Arc::new(MemoryUsers::default()),
        FeedbackSettings::default(),
        desk,
    );
    (users, moderator, rechecks, clock)
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
        position: None,
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
async fn reports_from_any_number_of_users_never_change_a_status_and_ask_for_one_check() {
    let service = service().await;
    let (users, moderator, rechecks, clock) = personalizer_with_desk(service.clone());
    for id in ["u1", "u2", "u3", "u4", "u5"] {
        users
            .put_user(&copmatch_core::fakes::uid(id), user(&["woodworker"]))
            .await
            .unwrap();
    }
    let report = users
        .record_feedback(
            ["u1", "u2", "u3", "u4", "u5"]
                .iter()
                .map(|u| event(u, "woodworkers", "report_dead_link"))
                .collect(),
        )
        .await
        .unwrap();
    assert_eq!(report.rechecks_scheduled, ["woodworkers"]);
    let again = users
        .record_feedback(vec![event("u1", "woodworkers", "report_dead_link")])
        .await
        .unwrap();
    assert!(again.rechecks_scheduled.is_empty(), "one check per window");
    assert_eq!(rechecks.requested(), [cid("woodworkers")]);
    let community = service.catalog.get(&cid("woodworkers")).await.unwrap();
    assert_ne!(
        community.status,
        Status::DeadLink,
        "reports are not verdicts"
    );
    let pending = moderator.list(Some(ItemState::Pending)).await.unwrap();
    assert_eq!(pending.len(), 1, "one moderation item for the community");
    assert_eq!(pending[0].kind, ItemKind::DeadLinkReport);
    // A day later (liveness.report_recheck_hours), a new report asks again.
    clock.advance_days(1);
    let later = users
        .record_feedback(vec![event("u2", "woodworkers", "report_dead_link")])
        .await
        .unwrap();
    assert_eq!(later.rechecks_scheduled, ["woodworkers"]);
    assert_eq!(rechecks.requested().len(), 2);
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
