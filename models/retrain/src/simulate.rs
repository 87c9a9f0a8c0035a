//! A feedback generator for proving that retraining learns something text
//! similarity misses (`copmatch feedback simulate`).
//!
//! Each simulated person works in one field and says so in their profile (a
//! role typed the way people type it, plus two skills taken from that field's
//! communities). With `Signal::Tacit` their joins follow a tacit link between
//! fields: with probability `strength` they join a community of a *partner*
//! field (a fixed, seeded pairing in which no field is its own partner, e.g.
//! nurses who join data-science groups), otherwise one of their own field. The
//! profile never mentions the partner field, so the base model cannot find
//! those joins; a retrained adapter can learn the pairing from training users
//! and apply it to held-out ones. With `Signal::None` joins are uniform over
//! the catalog: there is nothing to learn, and the evaluation gate should keep
//! the current model. Deterministic for a seed.

use std::collections::BTreeMap;

use copmatch_core::feedback::{FeedbackEvent, FeedbackKind, User};
use copmatch_core::{Community, Profile, UserId};
use serde::{Deserialize, Serialize};

/// How people in a field describe their role.
const ROLES: [(&str, &str); 16] = [
    ("Software", "software engineer"),
    ("Public health", "epidemiologist"),
    ("Data science", "data scientist"),
    ("Skilled trades", "electrician"),
    ("Nursing", "registered nurse"),
    ("Design", "UX designer"),
    ("Research", "postdoctoral researcher"),
    ("Medicine", "physician"),
    ("Education", "high school teacher"),
    ("Finance", "financial analyst"),
    ("Law", "lawyer"),
    ("Product management", "product manager"),
    ("Marketing", "marketing specialist"),
    ("Community management", "community manager"),
    ("Nonprofit", "nonprofit program director"),
    ("Human resources", "HR business partner"),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// Joins follow a field pairing the profile does not mention.
    Tacit,
    /// Joins are random.
    None,
}

#[derive(Debug, Clone)]
pub struct SimOptions {
    pub users: usize,
    pub joins: usize,
    pub signal: Signal,
    pub strength: f64,
    pub seed: u64,
}

impl Default for SimOptions {
    fn default() -> Self {
        Self {
            users: 600,
            joins: 3,
            signal: Signal::Tacit,
            strength: 0.8,
            seed: 42,
        }
    }
}

/// splitmix64: small, seedable, good enough for sampling.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
}

/// The simulated users, their events, and the field pairing used.
pub struct Simulation {
    pub users: Vec<User>,
    pub events: Vec<FeedbackEvent>,
    pub partners: BTreeMap<String, String>,
}

pub fn simulate(catalog: &[Community], options: &SimOptions) -> anyhow::Result<Simulation> {
    let mut rng = Rng(options.seed);
    let mut fields: BTreeMap<&str, Vec<&Community>> = BTreeMap::new();
    for c in catalog {
        if let Some(first) = c.categories.first() {
            if ROLES.iter().any(|(f, _)| f == first) {
                fields.entry(first.as_str()).or_default().push(c);
            }
        }
    }
    fields.retain(|_, members| members.len() >= 4);
    anyhow::ensure!(
        fields.len() >= 2,
        "the catalog has too few communities in the simulator's fields ({})",
        ROLES.map(|(f, _)| f).join(", ")
    );
    // A rotation of a shuffled order: nobody is their own partner.
    let mut order: Vec<&str> = fields.keys().copied().collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    let partners: BTreeMap<String, String> = order
        .iter()
        .enumerate()
        .map(|(i, f)| (f.to_string(), order[(i + 1) % order.len()].to_string()))
        .collect();
    let mut users = Vec::new();
    let mut events = Vec::new();
    let mut clock = 0u64;
    let stamp = |clock: &mut u64| {
        *clock += 1;
        format!(
            "2026-06-{:02}T{:02}:{:02}:{:02}Z",
            1 + *clock / 86_400 % 28,
            *clock / 3600 % 24,
            *clock / 60 % 60,
            *clock % 60
        )
    };
    for i in 0..options.users {
        let field = order[rng.below(order.len())];
        let own = &fields[field];
        let role = ROLES
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, r)| *r)
            .unwrap_or(field);
        let mut skills = Vec::new();
        for _ in 0..8 {
            let c = own[rng.below(own.len())];
            if let Some(tag) = c.tags.get(rng.below(c.tags.len().max(1))) {
                if !skills.contains(tag) && skills.len() < 2 {
                    skills.push(tag.clone());
                }
            }
        }
        let id = UserId::parse(format!("sim-{i:05}")).expect("simulated user ids are valid");
        let created = stamp(&mut clock);
        users.push(User {
            id: id.clone(),
            profile: Profile {
                roles: vec![role.to_string()],
                skills,
                ..Default::default()
            },
            languages: Vec::new(),
            created_at: created.clone(),
            updated_at: created,
            owner: None,
            anonymous: false,
            rolled_up: None,
        });
        let partner = &fields[partners[field].as_str()];
        let mut joined: Vec<&str> = Vec::new();
        let mut attempts = 0;
        while joined.len() < options.joins && attempts < 50 {
            attempts += 1;
            let pick = match options.signal {
                Signal::Tacit if rng.chance(options.strength) => partner[rng.below(partner.len())],
                Signal::Tacit => own[rng.below(own.len())],
                Signal::None => &catalog[rng.below(catalog.len())],
            };
            if joined.contains(&pick.id.as_str()) {
                continue;
            }
            joined.push(&pick.id);
            for kind in [FeedbackKind::View, FeedbackKind::Click, FeedbackKind::Join] {
                let ts = stamp(&mut clock);
                events.push(FeedbackEvent {
                    id: format!("sim-{}", events.len()),
                    user_id: id.clone(),
                    community_id: pick.id.clone(),
                    kind,
                    ts: ts.clone(),
                    received_at: ts,
                });
            }
        }
    }
    Ok(Simulation {
        users,
        events,
        partners,
    })
}
