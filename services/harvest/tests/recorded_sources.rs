//! The recorded sources (data/sources.toml and its snapshots) harvest into
//! the catalog data/SOURCES.md describes. Fails, naming the file, when a
//! snapshot is missing: the numbers in the docs depend on every one.

mod common;
use common::data;

use std::collections::{HashMap, HashSet};

use copmatch_harvest::dedup::Catalog;
use copmatch_harvest::fields::Taxonomy;
use copmatch_harvest::pipeline::harvest;
use copmatch_harvest::source::parse_manifest;

/// Section names of the recorded lists that hold posts, guides, books,
/// awards, films or other lists.
const READING_SECTIONS: &[&str] = &[
    "Posts",
    "Articles",
    "Books",
    "Actionable Resources",
    "Ally Resources",
    "Documentaries/Movies",
    "Awards",
    "Organisation toolkits",
    "Other Lists",
    "Miscellaneous Resources",
    "Looking for more lists like this?",
    "Motivation",
    "Supplemental Materials",
    "Scholarship Programs",
    "Bot Stores",
    "Telegram Directory",
];

#[test]
fn the_redistributable_snapshots_harvest_into_thousands_of_distinct_communities_with_provenance() {
    let taxonomy = Taxonomy::load(&data("fields.toml"), &data("taxonomy/occupations.tsv")).unwrap();
    let sources = parse_manifest(&data("sources.toml")).unwrap();
    let mut catalog = Catalog::default();
    for source in sources.iter().filter(|s| s.redistributable()) {
        let file = source
            .file
            .as_ref()
            .expect("a bundled source has a snapshot");
        let join = source.join.as_ref().map(|j| data(&j.file));
        harvest(
            source,
            &data(file),
            join.as_deref(),
            &taxonomy,
            &mut catalog,
            "2026-12-03",
        )
        .unwrap();
    }
    let communities = catalog.communities();
    assert!(
        communities.len() >= 6000,
        "{} communities",
        communities.len()
    );
    let mut per_field: HashMap<&str, usize> = HashMap::new();
    for c in communities {
        assert!(!c.provenance.is_empty(), "{} has no provenance", c.id);
        // Lists mix communities with reading about them; the reading
        // sections are skipped in sources.toml, and must stay skipped.
        assert!(
            !c.tags
                .iter()
                .any(|t| READING_SECTIONS.contains(&t.as_str())),
            "{} comes from a section of reading, not of communities: {:?}",
            c.id,
            c.tags
        );
        assert!(
            !c.url.contains("wikipedia.org/wiki/") || c.url.contains("/wiki/Wikipedia:"),
            "{} links an article: {}",
            c.id,
            c.url
        );
        assert!(
            c.provenance.iter().all(|p| p.licence != "none"),
            "{} comes from an unlicensed source",
            c.id
        );
        for f in &c.categories {
            assert!(
                taxonomy.field_named(f).is_some(),
                "{}: {f:?} is not a field",
                c.id
            );
            *per_field.entry(f.as_str()).or_default() += 1;
        }
    }
    let deep = per_field.values().filter(|n| **n >= 10).count();
    assert!(
        deep >= 60,
        "only {deep} fields hold ten communities or more"
    );
    let ids: HashSet<&str> = communities.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids.len(), communities.len(), "ids are unique");
    let links: HashSet<String> = communities
        .iter()
        .map(|c| copmatch_domain::community::url_key(&c.url))
        .collect();
    assert_eq!(
        links.len(),
        communities.len(),
        "no two entries share a link"
    );
}
