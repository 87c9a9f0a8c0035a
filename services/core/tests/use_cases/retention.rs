//! Bounded storage: anonymous users expire when idle, every user's events
//! are capped with the oldest counted.

use std::sync::Arc;

use copmatch_core::fakes::{report_desk, uid, MemoryUsers};
use copmatch_core::feedback::{FeedbackInput, UserInput};
use copmatch_core::personalizer::{FeedbackSettings, Personalizer};
use copmatch_core::ports::UserStore;
use copmatch_core::retention::Retention;
use copmatch_core::time::ManualClock;
use copmatch_core::{ErrorCode, Profile};

use crate::service;

struct Setup {
    users: Personalizer,
    store: Arc<MemoryUsers>,
    retention: Retention,
    clock: Arc<ManualClock>,
}

async fn setup(settings: FeedbackSettings) -> Setup {
    let service = service().await;
    let clock = Arc::new(ManualClock::new(jiff::Timestamp::now()));
    let (desk, _, _) = report_desk(service.catalog.clone(), clock.clone());
    let store = Arc::new(MemoryUsers::default());
    let retention = Retention::new(store.clone(), &settings, clock.clone());
    let users = Personalizer::new(
        service.catalog,
        service.recommender,
        store.clone(),
        settings,
        desk,
    );
    Setup {
        users,
        store,
        retention,
        clock,
    }
}

fn profile() -> UserInput {
    UserInput {
        profile: Profile {
            roles: vec!["nurse".into()],
            ..Default::default()
        },
        languages: Vec::new(),
    }
}

fn views(user: &str, n: usize) -> Vec<FeedbackInput> {
    (0..n)
        .map(|_| FeedbackInput {
            user_id: user.into(),
            community_id: "rustaceans".into(),
            kind: "view".into(),
            ts: None,
            position: None,
        })
        .collect()
}

#[tokio::test]
async fn anonymous_users_idle_past_the_ttl_are_deleted_with_their_events_and_key_users_stay() {
    let s = setup(FeedbackSettings {
        anonymous_ttl_days: 30.0,
        ..Default::default()
    })
    .await;
    let page = s.users.for_caller(Some("public"), true);
    let app = s.users.for_caller(Some("app"), false);
    page.put_user(&uid("visitor"), profile()).await.unwrap();
    page.record_feedback(views("visitor", 3)).await.unwrap();
    app.put_user(&uid("customer"), profile()).await.unwrap();
    assert!(page.get_user(&uid("visitor")).await.unwrap().anonymous);
    assert!(!app.get_user(&uid("customer")).await.unwrap().anonymous);

    s.clock.advance_days(29);
    assert_eq!(
        s.retention.expire_idle().await.unwrap(),
        0,
        "not idle long enough"
    );
    s.clock.advance_days(2);
    assert_eq!(s.retention.expire_idle().await.unwrap(), 1);
    let gone = page.get_user(&uid("visitor")).await.unwrap_err();
    assert_eq!(gone.code, ErrorCode::UserNotFound);
    assert!(s.store.events_of_user("visitor").await.unwrap().is_empty());
    assert!(
        app.get_user(&uid("customer")).await.is_ok(),
        "an app's users never expire"
    );
}

#[tokio::test]
async fn a_replacement_by_another_view_keeps_a_user_anonymous() {
    let s = setup(FeedbackSettings::default()).await;
    let page = s.users.for_caller(None, true);
    page.put_user(&uid("visitor"), profile()).await.unwrap();
    // Replaced later by an admin view: still the visitor's anonymous user.
    let admin = s.users.for_caller(None, false);
    let (replaced, created) = admin.put_user(&uid("visitor"), profile()).await.unwrap();
    assert!(!created && replaced.anonymous);
    s.clock.advance_days(31);
    assert_eq!(s.retention.expire_idle().await.unwrap(), 1);
}

#[tokio::test]
async fn each_user_keeps_the_newest_events_and_counts_the_older_ones() {
    let s = setup(FeedbackSettings {
        max_events_per_user: 5,
        ..Default::default()
    })
    .await;
    let app = s.users.for_caller(Some("app"), false);
    app.put_user(&uid("ana"), profile()).await.unwrap();
    let first = app.record_feedback(views("ana", 4)).await.unwrap();
    assert_eq!(first.rolled_up, 0);
    let second = app.record_feedback(views("ana", 4)).await.unwrap();
    assert_eq!((second.accepted, second.rolled_up), (4, 3));
    assert_eq!(s.store.events_of_user("ana").await.unwrap().len(), 5);
    let user = app.get_user(&uid("ana")).await.unwrap();
    let rolled = user.rolled_up.clone().unwrap();
    assert_eq!((rolled.counts.view, rolled.counts.total()), (3, 3));
    // A replaced profile keeps the counts.
    app.put_user(&uid("ana"), profile()).await.unwrap();
    assert_eq!(
        app.get_user(&uid("ana")).await.unwrap().rolled_up,
        Some(rolled)
    );
}

#[tokio::test]
async fn a_ttl_of_zero_never_expires_and_a_cap_of_zero_keeps_every_event() {
    let s = setup(FeedbackSettings {
        anonymous_ttl_days: 0.0,
        max_events_per_user: 0,
        ..Default::default()
    })
    .await;
    assert!(s.retention.sweep_every().is_none());
    let page = s.users.for_caller(None, true);
    page.put_user(&uid("visitor"), profile()).await.unwrap();
    let report = page.record_feedback(views("visitor", 50)).await.unwrap();
    assert_eq!(report.rolled_up, 0);
    s.clock.advance_days(10_000);
    assert_eq!(s.retention.expire_idle().await.unwrap(), 0);
    assert_eq!(s.store.events_of_user("visitor").await.unwrap().len(), 50);
}

#[test]
fn the_sweep_runs_an_eighth_of_the_ttl_apart_and_at_most_hourly() {
    let store = Arc::new(MemoryUsers::default());
    let clock = Arc::new(ManualClock::new(jiff::Timestamp::now()));
    let every = |days: f64| {
        let settings = FeedbackSettings {
            anonymous_ttl_days: days,
            ..Default::default()
        };
        Retention::new(store.clone(), &settings, clock.clone())
            .sweep_every()
            .unwrap()
            .as_secs()
    };
    assert_eq!(every(30.0), 3600);
    assert_eq!(every(0.01), 108);
}

#[test]
fn settings_out_of_range_are_refused() {
    for days in [-1.0, f64::NAN, f64::INFINITY, 40_000.0] {
        let settings = FeedbackSettings {
            anonymous_ttl_days: days,
            ..Default::default()
        };
        assert!(settings.validate().is_err(), "{days}");
    }
    assert!(FeedbackSettings::default().validate().is_ok());
}
