use super::*;
use crate::source::parse_manifest;

const FIELDS: &str = r#"
[[field]]
id = "nursing"
name = "Nursing and midwifery"
isco = ["222"]
terms = ["nursing"]
[[field]]
id = "electrical-trades"
name = "Electrical trades"
isco = ["741"]
"#;

fn taxonomy() -> Taxonomy {
    Taxonomy::load(FIELDS, "2221\tnurse\n7411\telectrician\n").unwrap()
}

fn source(extra: &str) -> Source {
    source_on("discord", extra)
}

fn source_on(platform: &str, extra: &str) -> Source {
    let manifest = format!(
        "[[source]]\nname = \"fixture\"\nformat = \"markdown\"\nfile = \"x.md\"\n\
         page = \"https://github.com/example/list/blob/abc/README.md\"\nlicence = \"CC0-1.0\"\n\
         platform = \"{platform}\"\nlanguage = \"English\"\n{extra}"
    );
    parse_manifest(&manifest).unwrap().remove(0)
}

/// The catalog a list alone harvests into, and the source's report.
fn harvested(source: &Source, list: &str) -> (Catalog, SourceReport) {
    let mut catalog = Catalog::default();
    let report = harvest(source, list, None, &taxonomy(), &mut catalog, "2026-12-03").unwrap();
    (catalog, report)
}

const LIST: &str = "# Awesome Trades\n## Health\n\
    - [Nurse Hub](https://discord.gg/nursehub) - A server for nurses and nursing students.\n\
    - [Nurse Hub again](https://discord.com/invite/nursehub) - Same invite, other words.\n\
    ## Trades\n\
    - [Sparky](https://sparky.example.org/) - Electricians helping electricians.\n\
    - [Memes](https://discord.gg/memes) - Jokes.\n\
    - [Broken](ftp://old.example.org) - Nurses on FTP.\n";

#[test]
fn a_list_becomes_entries_with_fields_provenance_and_no_duplicates() {
    let mut catalog = Catalog::default();
    let report = harvest(
        &source(""),
        LIST,
        None,
        &taxonomy(),
        &mut catalog,
        "2026-12-03",
    )
    .unwrap();
    assert_eq!(
        (report.read, report.added, report.merged),
        (4, 3, 1),
        "{report:?}"
    );
    let hub = catalog.get("discord-nurse-hub").unwrap();
    assert_eq!(hub.categories, ["Nursing and midwifery"]);
    assert_eq!(hub.platform, Platform::Discord);
    assert_eq!(hub.cost.as_str(), "free");
    assert_eq!(hub.languages, ["English"]);
    assert_eq!(hub.tags, ["Health"]);
    assert_eq!(hub.provenance[0].source, "fixture");
    assert_eq!(hub.provenance[0].licence, "CC0-1.0");
    assert_eq!(hub.provenance[0].harvested_at, "2026-12-03");
    let sparky = catalog.get("discord-sparky").unwrap();
    assert_eq!(sparky.categories, ["Electrical trades"]);
    assert_eq!(
        sparky.url, "https://sparky.example.org",
        "a link keeps its host; the platform comes from the source"
    );
    assert!(catalog.get("discord-memes").unwrap().categories.is_empty());
}

#[test]
fn a_source_that_requires_a_field_leaves_out_what_fits_none() {
    let mut catalog = Catalog::default();
    let report = harvest(
        &source("require_field = true"),
        LIST,
        None,
        &taxonomy(),
        &mut catalog,
        "2026-12-03",
    )
    .unwrap();
    assert_eq!((report.added, report.no_field), (2, 1), "{report:?}");
    assert!(catalog.get("discord-memes").is_none());
}

#[test]
fn harvesting_twice_changes_nothing_but_the_date() {
    let mut catalog = Catalog::default();
    harvest(
        &source(""),
        LIST,
        None,
        &taxonomy(),
        &mut catalog,
        "2026-12-03",
    )
    .unwrap();
    let first: Vec<_> = catalog.communities().to_vec();
    let report = harvest(
        &source(""),
        LIST,
        None,
        &taxonomy(),
        &mut catalog,
        "2026-12-04",
    )
    .unwrap();
    assert_eq!((report.added, report.merged), (0, 4));
    assert_eq!(catalog.len(), first.len());
    assert_eq!(
        catalog.get("discord-nurse-hub").unwrap().provenance.len(),
        1,
        "one record per source"
    );
    assert_eq!(
        catalog.get("discord-nurse-hub").unwrap().provenance[0].harvested_at,
        "2026-12-04"
    );
}

#[test]
fn ids_stay_unique_when_names_collide() {
    let list = "- [Nurses](https://a.example.org) - nurses\n- [Nurses](https://b.example.org) - other nurses\n";
    let mut catalog = Catalog::default();
    // Same name on one platform is one community: use two platforms' links.
    let list = list.replace("https://b.example.org", "https://t.me/nurses");
    let report = harvest(
        &source(""),
        &list,
        None,
        &taxonomy(),
        &mut catalog,
        "2026-12-03",
    )
    .unwrap();
    assert_eq!(report.added, 2);
    assert!(catalog.get("discord-nurses").is_some());
    assert!(catalog.get("telegram-nurses").is_some());
}

#[test]
fn licences_decide_what_may_be_bundled() {
    assert!(source("").redistributable());
    let mut none = source("");
    none.licence = "none".into();
    assert!(!none.redistributable());
    none.redistribute = Some(true);
    assert!(none.redistributable(), "a stated override wins");
    let mut nc = source("");
    nc.licence = "CC-BY-NC-4.0".into();
    assert!(!nc.redistributable());
}

#[test]
fn manifests_are_checked() {
    let bad = |text: &str| parse_manifest(text).unwrap_err().to_string();
    assert!(bad("[[source]]\nname = \"a b\"\nformat = \"markdown\"\nfile = \"x\"\npage = \"https://x\"\nlicence = \"MIT\"\n").contains("name"));
    assert!(bad("[[source]]\nname = \"a\"\nformat = \"markdown\"\npage = \"https://x\"\nlicence = \"MIT\"\n").contains("snapshot"));
    assert!(bad("[[source]]\nname = \"a\"\nformat = \"csv\"\nfile = \"x\"\npage = \"https://x\"\nlicence = \"MIT\"\n").contains("columns.name"));
    assert!(bad("[[source]]\nname = \"a\"\nformat = \"yaml\"\nfile = \"x\"\npage = \"https://x\"\nlicence = \"MIT\"\n").contains("format"));
    assert!(bad("[[source]]\nname = \"a\"\nformat = \"markdown\"\nfile = \"x\"\npage = \"https://x\"\nlicence = \"MIT\"\nevery_hours = 0.1\n").contains("every_hours"));
}

#[test]
fn a_join_file_confirms_rows_and_adds_member_counts_and_its_provenance() {
    let manifest = r#"
[[source]]
name = "categories"
format = "csv"
file = "c.csv"
has_header = false
page = "https://github.com/example/cats/blob/abc/subreddits.csv"
licence = "MIT"
platform = "reddit"
skip_headings = ["Adult and NSFW"]
[source.columns]
name = "0"
category = "1,2,3"
url_template = "https://www.reddit.com/r/{name}/"
[source.join]
name = "members"
file = "m.csv"
page = "https://github.com/example/members/blob/def/subreddits.csv"
licence = "0BSD"
key = "name"
members = "n_members"
required = true
"#;
    let source = parse_manifest(manifest).unwrap().remove(0);
    let rows = "StudentNurse,Science,Medicine,Nursing\nElectricians,Business,Jobs and Careers,\nGoneSub,Science,Medicine,Nursing\nnsfwnurse,Adult and NSFW,,\n";
    let members = "name,n_members\nstudentnurse,48000\nElectricians,310000\nnsfwnurse,5\n";
    let mut catalog = Catalog::default();
    let report = harvest(
        &source,
        rows,
        Some(members),
        &taxonomy(),
        &mut catalog,
        "2026-12-03",
    )
    .unwrap();
    assert_eq!((report.added, report.unconfirmed), (2, 1), "{report:?}");
    let nurse = catalog.get("reddit-studentnurse").unwrap();
    assert_eq!(
        nurse.name, "r/StudentNurse",
        "a subreddit is called by its r/ name"
    );
    assert_eq!(nurse.member_count, Some(48_000));
    assert_eq!(nurse.url, "https://www.reddit.com/r/studentnurse/");
    assert_eq!(nurse.categories, ["Nursing and midwifery"]);
    let sources: Vec<_> = nurse
        .provenance
        .iter()
        .map(|p| (p.source.as_str(), p.licence.as_str()))
        .collect();
    assert_eq!(sources, [("categories", "MIT"), ("members", "0BSD")]);
    assert!(
        harvest(&source, rows, None, &taxonomy(), &mut catalog, "2026-12-03").is_err(),
        "a join needs its file"
    );
}

#[test]
fn catalog_documents_keep_their_text_and_get_taxonomy_fields() {
    let manifest = "[[source]]\nname = \"editors\"\nformat = \"catalog\"\nfile = \"curated.jsonl\"\n\
                    page = \"https://github.com/example/copmatch/blob/main/data/curated.jsonl\"\nlicence = \"Apache-2.0\"\n";
    let source = parse_manifest(manifest).unwrap().remove(0);
    let text = "{\"id\":\"allnurses\",\"name\":\"allnurses\",\"url\":\"https://allnurses.com\",\"platform\":\"forum\",\"categories\":[\"Nursing\"],\"cost\":\"free\",\"description\":\"Nurses' forum.\"}\n{bad\n";
    let mut catalog = Catalog::default();
    let report = harvest(&source, text, None, &taxonomy(), &mut catalog, "2026-12-03").unwrap();
    assert_eq!((report.read, report.added, report.invalid), (2, 1, 1));
    let c = catalog.get("allnurses").unwrap();
    assert_eq!(c.categories, ["Nursing and midwifery"]);
    assert_eq!(c.cost.as_str(), "free");
    assert_eq!(c.provenance[0].source, "editors");
}

#[test]
fn platform_names_social_profiles_and_home_pages_are_not_communities() {
    let list = "## Elixir\n- [Reddit](https://www.reddit.com/r/elixir/) - discussions\n\
                - [Mailing list](https://groups.google.com/group/elixir-lang-talk)\n\
                - [Twitter](https://twitter.com/elixirlang)\n- [Meetup](https://meetup.com)\n- [Reddit](https://reddit)\n";
    let (catalog, report) = harvested(&source(""), list);
    let names: Vec<_> = catalog
        .communities()
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, ["r/elixir", "Elixir Mailing list"]);
    assert_eq!(report.invalid, 3, "{report:?}");
}

#[test]
fn encyclopedia_articles_are_not_communities_but_project_pages_are() {
    // A section's introduction links the word it explains ("Continuous
    // development" under "DevOps"); a WikiProject is where editors meet.
    let list = "## DevOps\n- [Continuous development](https://en.wikipedia.org/wiki/DevOps#Toolchains), discussions on networks\n\
                - [Women in Red](https://en.wikipedia.org/wiki/Wikipedia:WikiProject_Women_in_Red) - writing articles\n";
    let (catalog, report) = harvested(&source(""), list);
    let names: Vec<_> = catalog
        .communities()
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, ["Women in Red"]);
    assert_eq!(report.invalid, 1, "{report:?}");
}

#[test]
fn a_link_off_reddit_in_a_list_of_subreddits_is_not_a_subreddit() {
    let list = "## Nursing\n- [nursing](https://www.reddit.com/r/nursing) - nurses\n\
                - [Nursing Subreddit Dashboard](https://dashboard.example.io/nursing-subreddits/) - tracks nursing subreddits\n";
    let (catalog, report) = harvested(&source_on("reddit", ""), list);
    let urls: Vec<_> = catalog
        .communities()
        .iter()
        .map(|c| c.url.as_str())
        .collect();
    assert_eq!(urls, ["https://www.reddit.com/r/nursing/"]);
    assert_eq!(report.invalid, 1, "{report:?}");
}
