//! A community's categories, tags and name as keyword evidence reads them:
//! each with its content words (lower-cased, plural-folded, stopwords out).
//!
//! Every request reads them for each of its 100–200 candidates, and folding
//! the words was about a twentieth of the service's CPU under load (perf,
//! c=16), for words that change only when the community is edited. So they
//! are kept per community id, with a fingerprint of the words they came
//! from: an edited community misses and is folded again, never served stale.

use std::hash::{BuildHasher, Hash, Hasher};
use std::num::NonZeroUsize;
use std::sync::{Arc, LazyLock, Mutex};

use lru::LruCache;
use rustc_hash::FxBuildHasher;

use copmatch_domain::community::Community;
use copmatch_domain::text::content_words;
use copmatch_domain::CommunityId;

/// One category, tag or name: where it is, as written, and its content words.
#[derive(Debug, PartialEq)]
pub struct Term {
    pub place: &'static str,
    pub text: String,
    pub words: Vec<String>,
}

/// Communities whose terms are kept (about 20 MB at most).
const CAPACITY: usize = 50_000;

type Kept = LruCache<CommunityId, (u64, Arc<[Term]>), FxBuildHasher>;

static KEPT: LazyLock<Mutex<Kept>> = LazyLock::new(|| {
    Mutex::new(LruCache::with_hasher(
        NonZeroUsize::new(CAPACITY).expect("capacity is not zero"),
        FxBuildHasher,
    ))
});

/// The community's categories, tags and name (in that order) with their
/// content words.
pub fn terms_of(community: &Community) -> Arc<[Term]> {
    let fingerprint = fingerprint(community);
    if let Some((kept, terms)) = KEPT
        .lock()
        .ok()
        .and_then(|mut k| k.get(&community.id).cloned())
    {
        if kept == fingerprint {
            return terms;
        }
    }
    let terms = fold(community);
    if let Ok(mut kept) = KEPT.lock() {
        kept.put(community.id.clone(), (fingerprint, terms.clone()));
    }
    terms
}

fn fingerprint(community: &Community) -> u64 {
    let mut hasher = FxBuildHasher.build_hasher();
    community.categories.hash(&mut hasher);
    community.tags.hash(&mut hasher);
    community.name.hash(&mut hasher);
    hasher.finish()
}

fn fold(community: &Community) -> Arc<[Term]> {
    community
        .categories
        .iter()
        .map(|c| ("category", c))
        .chain(community.tags.iter().map(|t| ("tag", t)))
        .chain(std::iter::once(("name", &community.name)))
        .map(|(place, text)| Term {
            place,
            text: text.clone(),
            words: content_words(&text.replace(['-', '_'], " ")),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn community(id: &str, tags: &[&str]) -> Community {
        Community::from_json_value(serde_json::json!({
            "id": id,
            "name": "Night Nurses",
            "url": format!("https://{id}.example.org"),
            "platform": "forum",
            "categories": ["Nursing"],
            "tags": tags,
        }))
        .expect("a valid community")
    }

    #[test]
    fn terms_are_folded_in_order_and_an_edit_is_never_served_stale() {
        let before = community("terms-edit", &["ICU-nurses"]);
        let terms = terms_of(&before);
        let read: Vec<(&str, &str, Vec<&str>)> = terms
            .iter()
            .map(|t| {
                (
                    t.place,
                    t.text.as_str(),
                    t.words.iter().map(String::as_str).collect(),
                )
            })
            .collect();
        assert_eq!(
            read,
            vec![
                ("category", "Nursing", vec!["nursing"]),
                ("tag", "ICU-nurses", vec!["icu", "nurse"]),
                ("name", "Night Nurses", vec!["night", "nurse"]),
            ]
        );
        assert!(
            Arc::ptr_eq(&terms, &terms_of(&before)),
            "kept, not folded again"
        );
        let after = community("terms-edit", &["midwives"]);
        assert_eq!(terms_of(&after)[1].words, vec!["midwive"]);
    }
}
