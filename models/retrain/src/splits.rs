//! Who trains and who measures.
//!
//! Holding out *users* alone measures people asking what was already trained
//! on: several people type the same profile, and one of them in training is
//! enough for the model to have learned that exact text. So the held-out
//! users are split three ways, each by a seeded hash so a run is repeatable:
//!
//! - **by field**: everyone whose main field (the field most of their joins
//!   belong to) is held out whole; nobody of that field trains;
//! - **by query**: everyone whose profile text ([`profile_key`]) no training
//!   user typed: new ways of asking;
//! - **by user**: the rest of the held-out users, whose profile text some
//!   training user typed: the trained queries.
//!
//! The gate reads the by-query figure; the report shows all three.

use std::collections::{BTreeMap, HashMap, HashSet};

use copmatch_core::served_model::profile_key;

use crate::data::{held_out, UserData};

/// Shares held out, each of what the previous step left.
#[derive(Debug, Clone, Copy)]
pub struct Shares {
    pub field: f64,
    pub query: f64,
    pub user: f64,
}

impl Shares {
    /// The held-out sets of a retrain: `holdout` of the queries and of the
    /// users, half as much of the fields (a field held out takes all its users).
    pub fn heldout(holdout: f64) -> Self {
        Self {
            field: holdout / 2.0,
            query: holdout,
            user: holdout,
        }
    }

    /// Validation inside the training users, the same three ways.
    pub fn validation(share: f64) -> Self {
        Self {
            field: share / 2.0,
            query: share,
            user: share,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Splits {
    pub train: Vec<UserData>,
    /// Held out, with a profile some training user typed too.
    pub by_user: Vec<UserData>,
    /// Held out, with a profile no training user typed.
    pub by_query: Vec<UserData>,
    /// Held out because their main field is held out whole.
    pub by_field: Vec<UserData>,
}

/// The field most of a user's joins belong to (ties: the first by name).
pub fn main_field(user: &UserData, field_of: &HashMap<String, String>) -> Option<String> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for id in &user.joined {
        if let Some(f) = field_of.get(id) {
            *counts.entry(f.as_str()).or_default() += 1;
        }
    }
    let most = counts.values().copied().max()?;
    counts
        .into_iter()
        .find(|(_, n)| *n == most)
        .map(|(f, _)| f.to_string())
}

pub fn split(
    users: &[UserData],
    field_of: &HashMap<String, String>,
    shares: Shares,
    seed: u64,
) -> Splits {
    let mut out = Splits::default();
    let mut maybe_by_user = Vec::new();
    for u in users {
        let field = main_field(u, field_of);
        let key = profile_key(&u.user.profile);
        if field.is_some_and(|f| held_out(f.as_bytes(), shares.field, seed ^ 0xf1e1d)) {
            out.by_field.push(u.clone());
        } else if held_out(key.as_bytes(), shares.query, seed ^ 0x9e7) {
            out.by_query.push(u.clone());
        } else if held_out(u.user.id.as_bytes(), shares.user, seed) {
            maybe_by_user.push(u.clone());
        } else {
            out.train.push(u.clone());
        }
    }
    let trained: HashSet<String> = out
        .train
        .iter()
        .map(|u| profile_key(&u.user.profile))
        .collect();
    for u in maybe_by_user {
        if trained.contains(&profile_key(&u.user.profile)) {
            out.by_user.push(u);
        } else {
            out.by_query.push(u);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use copmatch_core::feedback::User;
    use copmatch_core::{Profile, UserId};

    fn user(id: usize, role: &str, joined: &str) -> UserData {
        UserData {
            user: User {
                id: UserId::parse(format!("u{id}")).unwrap(),
                profile: Profile {
                    roles: vec![role.into()],
                    ..Default::default()
                },
                languages: vec![],
                created_at: "2026-01-01T00:00:00Z".into(),
                updated_at: "2026-01-01T00:00:00Z".into(),
                owner: None,
                anonymous: false,
                rolled_up: None,
            },
            joined: vec![joined.into()],
            clicked: vec![],
            positions: HashMap::new(),
        }
    }

    #[test]
    fn no_held_out_query_was_typed_in_training_and_held_out_fields_train_nobody() {
        let field_of: HashMap<String, String> = (0..12)
            .map(|f| (format!("c{f}"), format!("field {f}")))
            .collect();
        let users: Vec<UserData> = (0..600)
            .map(|i| user(i, &format!("Role {}", i % 40), &format!("c{}", i % 12)))
            .collect();
        let s = split(&users, &field_of, Shares::heldout(0.3), 7);
        assert_eq!(
            s.train.len() + s.by_user.len() + s.by_query.len() + s.by_field.len(),
            600
        );
        assert!(!s.by_user.is_empty() && !s.by_query.is_empty() && !s.by_field.is_empty());
        let trained: HashSet<String> = s
            .train
            .iter()
            .map(|u| profile_key(&u.user.profile))
            .collect();
        assert!(s
            .by_query
            .iter()
            .all(|u| !trained.contains(&profile_key(&u.user.profile))));
        assert!(s
            .by_user
            .iter()
            .all(|u| trained.contains(&profile_key(&u.user.profile))));
        let held_fields: HashSet<String> = s
            .by_field
            .iter()
            .filter_map(|u| main_field(u, &field_of))
            .collect();
        assert!(s
            .train
            .iter()
            .all(|u| !held_fields.contains(&main_field(u, &field_of).unwrap())));
    }
}
