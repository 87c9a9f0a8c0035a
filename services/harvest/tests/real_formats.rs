//! Each reader on the real lists it was written for (the committed snapshots
//! under data/sources, licences in data/SOURCES.md), not only on hand-made
//! excerpts: the items a person sees on the list are the ones read.

mod common;
use common::data;

use copmatch_harvest::formats;
use copmatch_harvest::source::{parse_manifest, Source};

fn source(name: &str) -> Source {
    parse_manifest(&data("sources.toml"))
        .unwrap()
        .into_iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no source {name} in data/sources.toml"))
}

fn read(name: &str) -> Vec<copmatch_harvest::entry::RawEntry> {
    let s = source(name);
    formats::read(&s, &data(s.file.as_deref().unwrap())).unwrap()
}

#[test]
fn an_awesome_list_written_as_blocks_gives_each_server_its_invite_sections_and_language() {
    let entries = read("awesome-discord-communities");
    assert!(entries.len() >= 250, "{}", entries.len());
    let devcord = entries.iter().find(|e| e.name == "Devcord").unwrap();
    assert_eq!(devcord.url, "https://discord.com/invite/devcord");
    assert!(
        devcord
            .headings
            .contains(&"Support Communities".to_string()),
        "{:?}",
        devcord.headings
    );
    assert_eq!(devcord.language.as_deref(), Some("English"));
}

#[test]
fn the_stack_exchange_site_list_gives_main_sites_with_their_audience() {
    let entries = read("stackexchange-sites");
    assert!(
        entries.iter().all(|e| !e.name.ends_with(" Meta")),
        "meta sites are left out"
    );
    let cooking = entries
        .iter()
        .find(|e| e.name == "Seasoned Advice")
        .unwrap();
    assert!(
        cooking
            .description
            .as_deref()
            .unwrap()
            .starts_with("Questions and answers for "),
        "{cooking:?}"
    );
    assert!(entries.len() >= 140, "{}", entries.len());
}

#[test]
fn a_subreddit_list_reads_the_same_with_either_reader() {
    let mut as_subreddits = source("awesome-subreddits");
    as_subreddits.format = copmatch_harvest::source::Format::Subreddits;
    let text = data(as_subreddits.file.as_deref().unwrap());
    let by_name = formats::read(&as_subreddits, &text).unwrap();
    let by_link = read("awesome-subreddits");
    assert!(by_name.len() >= 170, "{}", by_name.len());
    let django = by_name.iter().find(|e| e.name == "r/django").unwrap();
    assert_eq!(
        django.description.as_deref(),
        Some("News and links for Django developers.")
    );
    let subs = |entries: &[copmatch_harvest::entry::RawEntry]| {
        let mut names: Vec<String> = entries
            .iter()
            .filter_map(|e| {
                e.url
                    .to_lowercase()
                    .split("/r/")
                    .nth(1)
                    .map(|s| s.trim_end_matches('/').to_string())
            })
            .collect();
        names.sort();
        names.dedup();
        names
    };
    assert_eq!(subs(&by_name), subs(&by_link));
}

#[test]
fn tabular_sources_follow_their_column_mapping() {
    let sherlock = read("sherlock-subreddits");
    let nurse = sherlock.iter().find(|e| e.name == "StudentNurse").unwrap();
    assert_eq!(nurse.url, "https://www.reddit.com/r/StudentNurse/");
    assert!(
        nurse.headings.iter().any(|h| h == "Medicine"),
        "{:?}",
        nurse.headings
    );
    let discourse = read("discourse-directory");
    assert!(
        discourse.iter().all(|e| e.url.starts_with("http")),
        "addresses are links"
    );
    assert!(
        discourse.iter().any(|e| e.member_count.is_some()),
        "userCount is read"
    );
}
