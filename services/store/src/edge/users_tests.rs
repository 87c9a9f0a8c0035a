//! Tests of `users.rs`.
use std::fs::OpenOptions;
use std::io::Write;

use super::*;

fn user(id: &str) -> User {
    User {
        id: copmatch_core::UserId::parse(id).unwrap(),
        profile: copmatch_core::Profile {
            roles: vec!["nurse".into()],
            ..Default::default()
        },
        languages: Vec::new(),
        created_at: "2026-01-01T00:00:00Z".into(),
        updated_at: "2026-01-01T00:00:00Z".into(),
        owner: None,
        anonymous: true,
        rolled_up: None,
    }
}

fn lines(dir: &std::path::Path, file: &str) -> usize {
    std::fs::read_to_string(dir.join(file))
        .unwrap()
        .lines()
        .count()
}

fn event(id: &str, user: &str) -> FeedbackEvent {
    FeedbackEvent {
        id: id.into(),
        user_id: copmatch_core::UserId::parse(user).unwrap(),
        community_id: copmatch_core::CommunityId::parse("c").unwrap(),
        kind: FeedbackKind::Join,
        ts: "2026-01-01T00:00:00Z".into(),
        received_at: "2026-01-01T00:00:00Z".into(),
        position: None,
    }
}

#[tokio::test]
async fn acknowledged_events_survive_a_torn_last_line_and_a_reopen() {
    let dir = tempfile::TempDir::new().unwrap();
    let journal = UserJournal::open(dir.path()).unwrap();
    journal.put_user(user("ana")).await.unwrap();
    journal
        .append_events(vec![event("e1", "ana"), event("e2", "ana")])
        .await
        .unwrap();
    drop(journal);
    // A crash in the middle of the next append.
    let mut file = OpenOptions::new()
        .append(true)
        .open(dir.path().join("feedback.jsonl"))
        .unwrap();
    file.write_all(b"{\"id\":\"e3\",\"user_").unwrap();
    drop(file);
    let journal = UserJournal::open(dir.path()).unwrap();
    let ids: Vec<String> = journal
        .events_of_user("ana")
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(ids, vec!["e1", "e2"]);
    // The journal was repaired: new appends start on a clean line.
    journal
        .append_events(vec![event("e4", "ana")])
        .await
        .unwrap();
    drop(journal);
    let journal = UserJournal::open(dir.path()).unwrap();
    assert_eq!(journal.events_of_user("ana").await.unwrap().len(), 3);
}

#[tokio::test]
async fn deleting_a_user_removes_their_events_for_good() {
    let dir = tempfile::TempDir::new().unwrap();
    let journal = UserJournal::open(dir.path()).unwrap();
    journal.put_user(user("ana")).await.unwrap();
    journal.put_user(user("bo")).await.unwrap();
    journal
        .append_events(vec![event("e1", "ana"), event("e2", "bo")])
        .await
        .unwrap();
    assert!(journal.delete_user("ana").await.unwrap());
    assert!(!journal.delete_user("ana").await.unwrap());
    let on_disk = std::fs::read_to_string(dir.path().join("feedback.jsonl")).unwrap();
    assert!(!on_disk.contains("\"ana\""), "erased at once: {on_disk}");
    drop(journal);
    let journal = UserJournal::open(dir.path()).unwrap();
    assert!(journal.get_user("ana").await.unwrap().is_none());
    assert!(journal.events_of_user("ana").await.unwrap().is_empty());
    let (all, next) = journal.scroll_events(None, 10).await.unwrap();
    assert_eq!((all.len(), next), (1, None));
    assert_eq!(all[0].user_id, "bo");
}

#[tokio::test]
async fn folded_events_stay_folded_across_a_reopen_and_the_file_is_compacted_as_it_goes() {
    let dir = tempfile::TempDir::new().unwrap();
    let journal = UserJournal::open(dir.path()).unwrap();
    journal.put_user(user("ana")).await.unwrap();
    for batch in 0..30 {
        let events: Vec<FeedbackEvent> = (0..10)
            .map(|i| event(&format!("e{batch:03}{i}"), "ana"))
            .collect();
        journal.append_events(events).await.unwrap();
        journal
            .roll_up_events(&["ana".to_string()], 20)
            .await
            .unwrap();
    }
    let kept = journal.events_of_user("ana").await.unwrap();
    assert_eq!(kept.len(), 20);
    assert_eq!(kept.first().unwrap().id, "e0280", "the newest are kept");
    let rolled = journal
        .get_user("ana")
        .await
        .unwrap()
        .unwrap()
        .rolled_up
        .unwrap();
    assert_eq!(
        (rolled.counts.join, rolled.through.as_str()),
        (280, "e0279")
    );
    // 300 events went in; the file holds a bounded multiple of the 20 kept.
    assert!(lines(dir.path(), "feedback.jsonl") <= 20 * 2 + 64 + 10);
    drop(journal);
    let journal = UserJournal::open(dir.path()).unwrap();
    assert_eq!(journal.events_of_user("ana").await.unwrap().len(), 20);
    let (page, _) = journal.scroll_events(None, 1000).await.unwrap();
    assert_eq!(page.len(), 20);
    assert_eq!(
        journal
            .get_user("ana")
            .await
            .unwrap()
            .unwrap()
            .rolled_up
            .unwrap()
            .counts
            .total(),
        280
    );
}

#[tokio::test]
async fn a_fold_recorded_before_a_crash_drops_its_events_on_reopen() {
    let dir = tempfile::TempDir::new().unwrap();
    let journal = UserJournal::open(dir.path()).unwrap();
    journal.put_user(user("ana")).await.unwrap();
    journal
        .append_events(vec![
            event("e1", "ana"),
            event("e2", "ana"),
            event("e3", "ana"),
        ])
        .await
        .unwrap();
    drop(journal);
    // What a fold writes first; the crash came before anything else.
    let mut folded = user("ana");
    folded.rolled_up = Some(copmatch_core::feedback::RolledUp {
        through: "e2".into(),
        counts: Default::default(),
    });
    let line = serde_json::json!({"id": "ana", "user": folded}).to_string();
    let mut users = std::fs::read_to_string(dir.path().join("users.jsonl")).unwrap();
    users.push_str(&line);
    users.push('\n');
    std::fs::write(dir.path().join("users.jsonl"), users).unwrap();
    let journal = UserJournal::open(dir.path()).unwrap();
    let ids: Vec<String> = journal
        .events_of_user("ana")
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(ids, vec!["e3"]);
}

#[tokio::test]
async fn idle_anonymous_users_are_listed_and_swept_without_a_rewrite() {
    let dir = tempfile::TempDir::new().unwrap();
    let journal = UserJournal::open(dir.path()).unwrap();
    let mut kept = user("app-user");
    kept.anonymous = false;
    journal.put_user(kept).await.unwrap();
    journal.put_user(user("idle")).await.unwrap();
    journal.put_user(user("busy")).await.unwrap();
    let mut recent = event("e9", "busy");
    recent.received_at = "2026-03-01T00:00:00Z".into();
    journal
        .append_events(vec![event("e1", "idle"), recent])
        .await
        .unwrap();
    let cutoff: Timestamp = "2026-02-01T00:00:00Z".parse().unwrap();
    let idle = journal.idle_anonymous_users(cutoff, 10).await.unwrap();
    assert_eq!(idle, vec!["idle"]);
    let before = std::fs::read_to_string(dir.path().join("feedback.jsonl")).unwrap();
    assert_eq!(journal.delete_users(&idle).await.unwrap(), 1);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("feedback.jsonl")).unwrap(),
        before,
        "a sweep leaves the bytes to the next compaction"
    );
    assert!(journal.events_of_user("idle").await.unwrap().is_empty());
    let later: Timestamp = "2026-04-01T00:00:00Z".parse().unwrap();
    assert_eq!(
        journal.idle_anonymous_users(later, 10).await.unwrap(),
        vec!["busy"],
        "users of a configured key never expire"
    );
}

#[tokio::test]
async fn a_swept_users_events_stay_dead_after_a_reopen_even_when_the_id_is_reused() {
    let dir = tempfile::TempDir::new().unwrap();
    let journal = UserJournal::open(dir.path()).unwrap();
    journal.put_user(user("v")).await.unwrap();
    journal
        .append_events(vec![event("e1", "v"), event("e2", "v")])
        .await
        .unwrap();
    assert_eq!(journal.delete_users(&["v".to_string()]).await.unwrap(), 1);
    journal.put_user(user("v")).await.unwrap();
    journal.append_events(vec![event("e3", "v")]).await.unwrap();
    drop(journal);
    let journal = UserJournal::open(dir.path()).unwrap();
    let ids: Vec<String> = journal
        .events_of_user("v")
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect();
    assert_eq!(ids, vec!["e3"], "only the new user's event");
}
