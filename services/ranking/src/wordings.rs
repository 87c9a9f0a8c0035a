//! What the embedding model reads: several wordings of one thing, whose
//! embeddings are averaged into one vector ([`crate::vectors::group_means`]).
//!
//! all-MiniLM-L6-v2 is small, and one wording of a text can land it next to
//! look-alikes: "penetration tester" sits near software testing, a long
//! description drowns a sparse entry's name and categories. Averaging the
//! normalized embeddings of a few wordings of the same thing cancels part of
//! that noise.
//! - A community is read as its full text and, when it has a description,
//!   as the same text without it (name, kind, categories, topics), so the
//!   description does not outweigh what the entry is
//!   ([`community_wordings`]).
//! - A profile item of one or two words is read as a request for a
//!   community ("a community for statisticians") and as typed; a longer one
//!   and a free-text "about" only as typed; a vocabulary term in its long
//!   form, placed in its field; a sentence also as a request for the
//!   occupation it names ([`item_wordings`], which gives the measured
//!   effect of each rule).
//!
//! The async side (sending all wordings of a batch to the model in one call,
//! and waiting for room when the model's queue is full) is
//! `copmatch_core::embedding`.

use copmatch_domain::community::Community;
use copmatch_domain::profile::{ProfileField, ProfileItem};

use crate::occupations::Occupations;
use crate::request::is_sentence;
use crate::vocabulary::Vocabulary;

/// Version of [`community_wordings`] (and of how they are combined).
/// Stored vectors are only valid for the texts they were computed from, so a
/// store is kept per version and an older one is re-embedded into the current one.
pub const EMBEDDING_TEXT_VERSION: u32 = 3;

/// Items of this many words or more are read as typed only (see
/// [`item_wordings`]).
pub const SELF_EXPLAINING_WORDS: usize = 3;

/// The text the embedding model reads for a community: a sentence saying
/// what kind of place it is and for which fields, then the description and
/// topics. Many public-list entries have no description; the sentence gives
/// the model context that bare tags do not. Tags such as `c-cpp-csharp` are
/// turned back into words.
pub fn community_text(community: &Community) -> String {
    let mut text = format!("{}: {}", community.name, community.platform.kind_phrase());
    if !community.categories.is_empty() {
        text.push_str(" for ");
        text.push_str(&community.categories.join(", "));
    }
    text.push('.');
    if let Some(d) = &community.description {
        text.push(' ');
        text.push_str(d);
    }
    let tags: Vec<String> = community
        .tags
        .iter()
        .map(|t| t.replace(['-', '_'], " "))
        .collect();
    if !tags.is_empty() {
        text.push_str(" Topics: ");
        text.push_str(&tags.join(", "));
    }
    text
}

/// The texts whose embeddings, averaged, are the community's stored vector:
/// the full text, and without its description when it has one.
pub fn community_wordings(community: &Community) -> Vec<String> {
    let full = community_text(community);
    if community
        .description
        .as_deref()
        .is_none_or(|d| d.trim().is_empty())
    {
        return vec![full];
    }
    let without = Community {
        description: None,
        ..community.clone()
    };
    vec![full, community_text(&without)]
}

/// The texts whose embeddings, averaged, are a profile item's search vector:
/// the item phrased as what the person looks for, and as typed. A free-text
/// description is read only as typed.
///
/// With the vocabulary ([`crate::vocabulary`]) the request wording places
/// the item in its field ("a community for penetration testers in
/// application security"), and a short form, compound or translation is
/// read in its long form only: "SRE" → "a community for site reliability
/// engineers in devops", one wording (an ambiguous one like "PM" gets one
/// per reading). The model does not know "SRE" or "Krankenpfleger", so
/// reading them as typed only added noise: on the development set dropping
/// that wording left nDCG@10 unchanged (0.837) and saved a sixth of the
/// model's work on the load script's profiles.
///
/// A sentence ([`is_sentence`]) is read like an `about`: as typed, and in
/// its long forms. When it names an occupation of the taxonomy
/// ([`crate::occupations`]), also as a request for that trade's community,
/// with half the weight of what was typed: on the development set's 61 free
/// texts +0.036 nDCG@10 [+0.017, +0.058] once what it surfaced was judged
/// (35 of them name one; at equal weight, or with the two longest
/// occupations, it gained the same before judging, with more results nobody
/// had judged).
///
/// An item of [`SELF_EXPLAINING_WORDS`] words or more ("public health
/// student", "rust systems programmer") is read as typed only: it carries
/// its own context, and the request wording mostly helps short, ambiguous
/// items ("R", "nurse", "data scientist"). On the development set that cost
/// 0.002 nDCG@10 (0.836 → 0.834; five-fold held out 0.834 → 0.831) and
/// saves about 40 % of the model's work on such profiles. Reading every
/// item as typed only cost 0.005, as a request only 0.026.
pub fn item_wordings(item: &ProfileItem) -> Vec<String> {
    let vocabulary = Vocabulary::builtin();
    let long_forms = vocabulary.long_forms(&item.text);
    if item.field == ProfileField::About || is_sentence(&item.text) {
        let mut wordings = vec![item.text.clone()];
        wordings.extend(long_forms);
        if let Some(occupation) = Occupations::builtin().named_in(&item.text) {
            // What was typed twice, the trade it names once: the item vector
            // is the wordings' mean, and the model embeds a repeated text once.
            wordings.push(item.text.clone());
            wordings.push(request_for(ProfileField::Role, occupation, None));
        }
        return wordings;
    }
    if long_forms.is_empty() && item.text.split_whitespace().count() >= SELF_EXPLAINING_WORDS {
        return vec![item.text.clone()];
    }
    let field = vocabulary.field(&item.text);
    if long_forms.is_empty() {
        vec![
            request_for(item.field, &item.text, field.as_deref()),
            item.text.clone(),
        ]
    } else {
        long_forms
            .iter()
            .map(|long_form| request_for(item.field, long_form, field.as_deref()))
            .collect()
    }
}

/// The item phrased as what the person looks for. all-MiniLM-L6-v2 was
/// trained on sentence pairs, and a bare role ("penetration tester") sits
/// closer to look-alike words ("testing") than "a community for
/// penetration testers" does; measured on the development set.
pub fn item_request(item: &ProfileItem) -> String {
    request_for(item.field, &item.text, None)
}

fn request_for(kind: ProfileField, text: &str, field: Option<&str>) -> String {
    let request = match kind {
        ProfileField::Role if text.ends_with('s') => format!("a community for {text}"),
        ProfileField::Role => format!("a community for {text}s"),
        ProfileField::Skill | ProfileField::Interest => format!("a community about {text}"),
        ProfileField::About => text.to_string(),
    };
    match field {
        Some(field) => format!("{request} in {field}"),
        None => request,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PUBLIC_LIST_LINE: &str = r#"{"id": "discord-devcord", "name": "Devcord", "url": "https://discord.com/invite/devcord", "platform": "discord", "categories": ["Programming in General"], "tags": ["javascript", "code-review"], "description": null}"#;

    #[test]
    fn a_community_without_description_reads_as_kind_fields_and_topics() {
        let c = Community::from_json_str(PUBLIC_LIST_LINE).unwrap();
        assert_eq!(
            community_wordings(&c),
            vec![
                "Devcord: a Discord server for Programming in General. Topics: javascript, code review"
            ]
        );
    }

    #[test]
    fn a_description_gets_a_second_wording_without_it() {
        let mut c = Community::from_json_str(PUBLIC_LIST_LINE).unwrap();
        c.description = Some("Help with code.".into());
        let wordings = community_wordings(&c);
        assert_eq!(wordings.len(), 2);
        assert!(wordings[0].contains("Help with code."));
        assert!(!wordings[1].contains("Help with code."));
    }

    fn role(text: &str) -> ProfileItem {
        ProfileItem {
            field: ProfileField::Role,
            text: text.into(),
        }
    }

    #[test]
    fn short_items_are_read_as_requests_and_as_typed_longer_ones_as_typed() {
        assert_eq!(
            item_wordings(&role("statistician")),
            vec!["a community for statisticians", "statistician"]
        );
        assert_eq!(
            item_wordings(&role("rust systems programmer")),
            vec!["rust systems programmer"]
        );
        // A sentence is read as typed and in its long forms, never placed in
        // a field; this one names no occupation, so it is not wrapped in a request.
        let sentence = "SRE running k8s clusters on AWS at scale";
        let wordings = item_wordings(&role(sentence));
        assert_eq!(wordings[0], sentence);
        assert!(wordings.contains(
            &"site reliability engineer running k8s clusters on aws at scale".to_string()
        ));
        assert!(
            wordings.iter().all(|w| !w.starts_with("a community")),
            "{wordings:?}"
        );
        // A vocabulary term is read in its long form whatever its length.
        assert_eq!(
            item_wordings(&role("SRE")),
            vec!["a community for site reliability engineers in devops"]
        );
    }

    #[test]
    fn a_sentence_naming_an_occupation_is_also_read_as_a_request_for_its_trade() {
        let sentence = "Registered dietitian in private practice wanting to grow my client base";
        assert_eq!(
            item_wordings(&role(sentence)),
            vec![sentence, sentence, "a community for dietitians"]
        );
        // A sentence that names no occupation is read as before.
        let about = ProfileItem {
            field: ProfileField::About,
            text: "I run Linux servers at home and want to learn self-hosting".into(),
        };
        let wordings = item_wordings(&about);
        assert_eq!(wordings[0], about.text);
        assert!(
            wordings.iter().all(|w| !w.starts_with("a community")),
            "{wordings:?}"
        );
    }
}
