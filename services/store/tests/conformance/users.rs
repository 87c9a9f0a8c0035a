//! Users and their feedback: the same answers from both backends, folding
//! and the expiry query included.

use copmatch_core::feedback::{FeedbackEvent, FeedbackKind, User};
use copmatch_core::{CommunityId, Profile, UserId};

use super::Backend;

fn user(id: &str, anonymous: bool, updated_at: &str) -> User {
    User {
        id: UserId::parse(id).unwrap(),
        profile: Profile {
            roles: vec!["nurse".into()],
            ..Default::default()
        },
        languages: Vec::new(),
        created_at: updated_at.into(),
        updated_at: updated_at.into(),
        owner: None,
        anonymous,
        rolled_up: None,
    }
}

/// An event with a UUID v7 id, like the service's, received at `at`.
fn event(user: &str, kind: FeedbackKind, at: &str) -> FeedbackEvent {
    FeedbackEvent {
        id: uuid::Uuid::now_v7().to_string(),
        user_id: UserId::parse(user).unwrap(),
        community_id: CommunityId::parse("c1").unwrap(),
        kind,
        ts: at.into(),
        received_at: at.into(),
        position: None,
    }
}

const JAN: &str = "2026-01-01T00:00:00Z";

pub async fn users_and_their_events_round_trip_and_go_together(backend: &Backend) {
    let users = &backend.users;
    users.put_user(user("ana", false, JAN)).await.unwrap();
    users.put_user(user("bo", true, JAN)).await.unwrap();
    users
        .append_events(vec![
            event("ana", FeedbackKind::Join, JAN),
            event("bo", FeedbackKind::View, JAN),
            event("bo", FeedbackKind::Click, JAN),
        ])
        .await
        .unwrap();
    assert_eq!(
        users.get_user("bo").await.unwrap().unwrap(),
        user("bo", true, JAN)
    );
    assert_eq!(users.events_of_user("bo").await.unwrap().len(), 2);
    assert_eq!(
        users
            .events_about("c1", FeedbackKind::Join)
            .await
            .unwrap()
            .len(),
        1
    );
    let ids = ["bo".to_string(), "nobody".to_string()];
    assert_eq!(users.delete_users(&ids).await.unwrap(), 1);
    assert!(users.get_user("bo").await.unwrap().is_none());
    assert!(users.events_of_user("bo").await.unwrap().is_empty());
    let (all, next) = users.scroll_events(None, 100).await.unwrap();
    assert_eq!((all.len(), next), (1, None));
    assert!(!users.delete_user("bo").await.unwrap());
}

pub async fn folding_keeps_the_newest_events_and_counts_the_rest(backend: &Backend) {
    let users = &backend.users;
    users.put_user(user("ana", false, JAN)).await.unwrap();
    let events: Vec<FeedbackEvent> = (0..7)
        .map(|i| {
            let kind = if i < 2 {
                FeedbackKind::Join
            } else {
                FeedbackKind::View
            };
            event("ana", kind, JAN)
        })
        .collect();
    let newest: Vec<String> = events[4..].iter().map(|e| e.id.clone()).collect();
    // "nobody" has no user: nothing to fold, and no error.
    let ana = ["ana".to_string(), "nobody".to_string()];
    users.append_events(events).await.unwrap();
    assert_eq!(users.roll_up_events(&ana, 10).await.unwrap(), 0);
    assert_eq!(users.roll_up_events(&ana, 3).await.unwrap(), 4);
    assert_eq!(
        users.roll_up_events(&ana, 3).await.unwrap(),
        0,
        "idempotent"
    );
    let mut kept: Vec<String> = users
        .events_of_user("ana")
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    kept.sort();
    assert_eq!(kept, newest);
    let rolled = users
        .get_user("ana")
        .await
        .unwrap()
        .unwrap()
        .rolled_up
        .unwrap();
    assert_eq!((rolled.counts.join, rolled.counts.view), (2, 2));
    // Every remaining event is scrolled once; the folded ones are gone.
    let (all, _) = users.scroll_events(None, 100).await.unwrap();
    assert_eq!(all.len(), 3);
}

pub async fn idle_anonymous_users_are_found_by_their_last_write(backend: &Backend) {
    let users = &backend.users;
    // Profiles written in January; one anonymous user also sent an event now.
    users.put_user(user("idle", true, JAN)).await.unwrap();
    users.put_user(user("active", true, JAN)).await.unwrap();
    users.put_user(user("app", false, JAN)).await.unwrap();
    let now = copmatch_core::time::now_timestamp();
    users
        .append_events(vec![event("active", FeedbackKind::View, &now)])
        .await
        .unwrap();
    let february: jiff::Timestamp = "2026-02-01T00:00:00Z".parse().unwrap();
    assert_eq!(
        users.idle_anonymous_users(february, 10).await.unwrap(),
        vec!["idle"]
    );
    assert!(users
        .idle_anonymous_users("2025-12-01T00:00:00Z".parse().unwrap(), 10)
        .await
        .unwrap()
        .is_empty());
}
