//! What a ranking is asked: the query (a profile's embedded items, or a
//! community to find neighbours of), its vector, the person's history and
//! "not for me" communities, and which signals count.

use copmatch_domain::community::Community;
use copmatch_domain::profile::{ProfileField, ProfileItem};

use crate::vocabulary::Vocabulary;

/// Which signals rank the results: copmatch's hybrid, or one of the plain
/// baselines it is evaluated against.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RetrievalMode {
    #[default]
    Hybrid,
    /// Cosine similarity of the profile vector only.
    DenseOnly,
    /// BM25 over the profile's words only.
    KeywordOnly,
}

/// A profile item with its embedding.
#[derive(Debug, Clone)]
pub struct EmbeddedItem {
    pub item: ProfileItem,
    pub vector: Vec<f32>,
    /// The item's content words as typed, then with each short form or
    /// translation replaced by the other terms of its group
    /// ([`crate::vocabulary`]), for keyword evidence; read once per request,
    /// not once per candidate.
    pub phrasings: Vec<Vec<String>>,
}

impl EmbeddedItem {
    pub fn new(item: ProfileItem, vector: Vec<f32>) -> Self {
        let phrasings = Vocabulary::builtin().phrasings(&item.text);
        Self {
            item,
            vector,
            phrasings,
        }
    }
}

/// What a ranking is for.
pub enum Query<'a> {
    /// A person's profile.
    Profile(&'a [EmbeddedItem]),
    /// Communities like this one.
    Similar(&'a Community),
}

/// A community from a person's history that pulls related ones up.
#[derive(Debug, Clone)]
pub struct Liked {
    pub name: String,
    pub vector: Vec<f32>,
    /// "joined" or "clicked", for the explanation.
    pub action: &'static str,
    /// How strongly it pulls (joins more than clicks).
    pub weight: f32,
}

/// Everything a ranking needs besides the candidates.
pub struct RankRequest<'a> {
    pub query: Query<'a>,
    pub query_vector: &'a [f32],
    /// Vectors of communities marked "not for me".
    pub negatives: &'a [Vec<f32>],
    /// Communities the person joined or clicked (they steer the query vector;
    /// here they only explain).
    pub liked: &'a [Liked],
    pub mode: RetrievalMode,
    pub diversity: f32,
    /// Demote inactive and unverified communities (off when the caller asked
    /// to include inactive ones).
    pub demote_status: bool,
    /// How many ranked results are needed (offset + limit).
    pub wanted: usize,
}

/// Items of this many words or more are a sentence, not a role or skill.
pub const FREE_TEXT_WORDS: usize = 6;

/// Whether an item is a sentence rather than a role or skill
/// ([`FREE_TEXT_WORDS`] words or more): read as typed, like
/// an `about`, never wrapped in a request or placed in a field ("a community
/// for DevOps engineer running Kubernetes clusters on AWSs in system
/// administration" is what the request wording made of one).
pub fn is_sentence(text: &str) -> bool {
    text.split_whitespace().count() >= crate::request::FREE_TEXT_WORDS
}

/// Whether a profile reads as free text: an `about`, or an item of
/// [`FREE_TEXT_WORDS`] words or more ("DevOps engineer running Kubernetes
/// clusters on AWS"). Its many words share some word with many communities
/// outside the trade, so keywords get their own, learned weights
/// (`RankingWeights::free_text_keyword_weight`).
pub fn reads_as_free_text(items: &[EmbeddedItem]) -> bool {
    items
        .iter()
        .any(|i| i.item.field == ProfileField::About || is_sentence(&i.item.text))
}
