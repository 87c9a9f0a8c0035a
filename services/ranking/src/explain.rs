//! Reasons a person can read: what matched, where, and what state the
//! community is in. They are read off the candidate's score breakdown
//! ([`crate::Breakdown`]), never recomputed, so a reason names exactly what
//! the score counted. Deterministic: the same request gives the same reasons.

use crate::fusion::Candidate;
use crate::request::{Query, RankRequest};
use crate::vectors::dot;
use copmatch_domain::community::{Community, Cost, Status};
use copmatch_domain::liveness::Outcome;
use copmatch_domain::profile::ProfileItem;
use copmatch_domain::text::{content_words, normalize_key};

const MAX_PHRASE_CHARS: usize = 90;
/// all-MiniLM-L6-v2 cosines of a profile item and a community: from this one
/// up they are close in meaning (a nurse and a nursing forum score 0.6 to
/// 0.8); between `RELATED` and this they share a field; below, little.
const CLOSE: f32 = 0.5;
const RELATED: f32 = 0.35;
/// Below this cosine two communities of one broad field are merely neighbours.
const LIKED_REASON_MIN: f32 = 0.55;

pub fn reasons(c: &Candidate, request: &RankRequest) -> Vec<String> {
    let mut reasons = Vec::new();
    let breakdown = &c.breakdown;
    match &request.query {
        Query::Profile(items) => {
            for e in breakdown.evidence.iter().take(2) {
                let item = &items[e.item].item;
                reasons.push(if normalize_key(&e.term) == normalize_key(&item.text) {
                    format!(
                        "matches your {} \"{}\" ({})",
                        item.field.noun(),
                        item.text,
                        e.place
                    )
                } else {
                    format!(
                        "matches your {} \"{}\" ({} \"{}\")",
                        item.field.noun(),
                        item.text,
                        e.place,
                        e.term
                    )
                });
            }
            if let Some((n, cos)) = breakdown.best_item {
                let best = &items[n];
                if !breakdown.evidence.iter().any(|e| e.item == n) {
                    reasons.push(format!(
                        "{} your {} \"{}\" (similarity {cos:.2})",
                        closeness(cos),
                        best.item.field.noun(),
                        best.item.text
                    ));
                }
            }
            if let Some((liked, cos)) = request
                .liked
                .iter()
                .map(|l| (l, dot(&l.vector, &c.vector)))
                .filter(|(l, cos)| *cos >= LIKED_REASON_MIN && l.name != c.community.name)
                .max_by(|a, b| a.1.total_cmp(&b.1))
            {
                reasons.push(format!(
                    "related to \"{}\", which you {} (similarity {cos:.2})",
                    liked.name, liked.action
                ));
            }
            let profile: Vec<&ProfileItem> = items.iter().map(|i| &i.item).collect();
            if let Some(phrase) = best_phrase(&c.community, &profile) {
                reasons.push(format!("its description: \"{phrase}\""));
            }
        }
        Query::Similar(source) => {
            let shared: Vec<String> = breakdown
                .shared
                .iter()
                .take(3)
                .map(|(place, t)| format!("{place} \"{t}\""))
                .collect();
            if !shared.is_empty() {
                reasons.push(format!("shares {} with {}", shared.join(", "), source.name));
            }
            reasons.push(format!(
                "similar in meaning to {} (similarity {:.2})",
                source.name, c.dense
            ));
        }
    }
    reasons.push(status_reason(&c.community));
    reasons.push(fact_reason(&c.community));
    reasons
}

/// How a similarity reads: only a high one is called close.
fn closeness(cos: f32) -> &'static str {
    if cos >= CLOSE {
        "close in meaning to"
    } else if cos >= RELATED {
        "related in meaning to"
    } else {
        "only loosely related to"
    }
}

/// The description sentence sharing the most content words with the profile.
fn best_phrase(community: &Community, profile: &[&ProfileItem]) -> Option<String> {
    let wanted: Vec<String> = profile
        .iter()
        .flat_map(|i| content_words(&i.text))
        .collect();
    let description = community.description.as_deref()?;
    let (overlap, sentence) = description
        .split(['.', ';', '!', '?'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            let words = content_words(s);
            (wanted.iter().filter(|w| words.contains(w)).count(), s)
        })
        .fold((0, ""), |best, cur| if cur.0 > best.0 { cur } else { best });
    (overlap > 0).then(|| shorten(sentence))
}

fn shorten(sentence: &str) -> String {
    if sentence.chars().count() <= MAX_PHRASE_CHARS {
        return sentence.to_string();
    }
    let cut: String = sentence.chars().take(MAX_PHRASE_CHARS).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut}…")
}

fn status_reason(c: &Community) -> String {
    let checked = c
        .last_verified_at
        .as_deref()
        .map(|d| format!(", checked {}", when(d)))
        .unwrap_or_default();
    let tried = c
        .liveness
        .last_checked_at
        .as_deref()
        .map(|d| format!(" ({})", when(d)))
        .unwrap_or_default();
    let active = c
        .last_activity_at
        .as_deref()
        .map(|d| format!(", last active {}", &d[..10.min(d.len())]))
        .unwrap_or_default();
    match c.status {
        Status::Active => match activity_phrase(c) {
            Some(phrase) => format!("active: {phrase}{checked}"),
            None => format!("status: active{checked}"),
        },
        Status::Inactive => format!("status: inactive, little recent activity{active}{checked}"),
        Status::DeadLink => format!("status: dead link reported, the link may not work{checked}"),
        Status::Unknown => match c.liveness.last_outcome {
            // A failed check does not verify anything, so say when it ran.
            _ if c.liveness.last_checked_at.is_none() => "status: not verified yet".to_string(),
            Some(Outcome::Dead) => {
                format!("status: the link failed its last check{tried}; not confirmed dead yet")
            }
            Some(Outcome::Transient) => {
                format!("status: the last check could not reach it{tried}; it will be retried")
            }
            Some(Outcome::Unverifiable) => {
                "status: cannot be verified automatically (behind a login)".to_string()
            }
            _ => "status: not verified yet".to_string(),
        },
    }
}

/// "today", "yesterday", "3 days ago" for a recent time; the date otherwise.
fn when(raw: &str) -> String {
    let date = &raw[..10.min(raw.len())];
    let Some(at) = copmatch_domain::time::parse_time(raw) else {
        return date.to_string();
    };
    match jiff::Timestamp::now().duration_since(at).as_hours() / 24 {
        d if d < 0 => date.to_string(),
        0 => "today".into(),
        1 => "yesterday".into(),
        d @ 2..=30 => format!("{d} days ago"),
        _ => date.to_string(),
    }
}

/// What the last check saw of a community's activity, for a person to read.
fn activity_phrase(c: &Community) -> Option<String> {
    let s = &c.liveness.signals;
    let mut parts = Vec::new();
    if let Some(posts) = s.posts_7d {
        parts.push(format!("{} posts this week", group_thousands(posts)));
    }
    if let Some(online) = s.online {
        parts.push(format!("{} members online", group_thousands(online)));
    }
    if let Some(next) = &s.next_event_at {
        parts.push(format!("next event {}", &next[..10.min(next.len())]));
    } else if parts.is_empty() {
        if let Some(last) = &s.last_activity_at {
            parts.push(format!("last activity {}", when(last)));
        }
    }
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn fact_reason(community: &Community) -> String {
    let kind = community.platform.kind_phrase();
    let members = community
        .member_count
        .map(|n| format!(", about {} members", group_thousands(n)))
        .unwrap_or_default();
    match community.cost {
        Cost::Free => format!("{kind}, free to join{members}"),
        Cost::Paid => format!("{kind}, paid membership{members}"),
        Cost::Unknown => format!("{kind}{members}"),
    }
}

fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_sentences_are_cut_at_a_word() {
        let s = "word ".repeat(40);
        let short = shorten(s.trim());
        assert!(short.ends_with('…') && short.chars().count() <= MAX_PHRASE_CHARS + 1);
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(group_thousands(1234567), "1,234,567");
        assert_eq!(group_thousands(999), "999");
    }

    #[test]
    fn a_low_similarity_is_never_called_close() {
        assert_eq!(closeness(0.23), "only loosely related to");
        assert_eq!(closeness(0.41), "related in meaning to");
        assert_eq!(closeness(0.72), "close in meaning to");
    }
}
