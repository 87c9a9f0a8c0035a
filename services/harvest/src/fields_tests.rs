//! Tests of the field taxonomy (`fields.rs`).

use super::*;

const FIELDS: &str = r#"
ignore = ["assistant"]
[[field]]
id = "nursing"
name = "Nursing and midwifery"
isco = ["222", "322"]
terms = ["nursing"]
[[field]]
id = "electrical-trades"
name = "Electrical trades"
isco = ["741"]
[[field]]
id = "medicine"
name = "Medicine"
isco = ["221"]
[[field]]
id = "software"
name = "Software development"
isco = ["2512"]
terms = ["python"]
"#;
const OCCUPATIONS: &str = "2221\tnurse\n2221\tspecialist nurse\n3221\tnursing assistant\n7411\telectrician\n2211\tgeneral practitioner\n2211\tdoctor\n2512\tsoftware developer\n7411\tassistant\n2221\tassistant\n2211\tassistant\n";

fn taxonomy() -> Taxonomy {
    Taxonomy::load(FIELDS, OCCUPATIONS).unwrap()
}

#[test]
fn occupation_labels_in_names_sections_and_text_give_fields() {
    let t = taxonomy();
    let ids = |fields: Vec<&Field>| fields.iter().map(|f| f.id.clone()).collect::<Vec<_>>();
    assert_eq!(
        ids(t.assign("r/nursing", &[], "Nurses talk shop")),
        ["nursing"]
    );
    assert_eq!(
        ids(t.assign(
            "Sparky Chat",
            &["Trades".into()],
            "for electricians and apprentices"
        )),
        ["electrical-trades"]
    );
    assert_eq!(
        ids(t.assign("r/electricians", &[], "")),
        ["electrical-trades"]
    );
    assert_eq!(
        ids(t.assign(
            "Python Discord",
            &["Programming".into()],
            "software developers"
        )),
        ["software"]
    );
    assert_eq!(
        ids(t.assign("r/funny", &[], "Jokes and memes")),
        Vec::<String>::new()
    );
    assert_eq!(
        ids(t.assign("r/AskElectricians", &[], "")),
        ["electrical-trades"]
    );
    assert_eq!(ids(t.assign("r/nursingstudents", &[], "")), ["nursing"]);
}

#[test]
fn a_name_word_the_taxonomy_uses_as_a_word_is_not_read_as_a_label_inside_it() {
    let fields = r#"
[[field]]
id = "games"
name = "Game development"
terms = ["unity"]
[[field]]
id = "social"
name = "Social work"
isco = ["3412"]
"#;
    let t = Taxonomy::load(fields, "3412\tcommunity worker\n").unwrap();
    // "community" ends with "unity", but the labels use it as a word.
    assert!(t
        .assign("community.mydevices.com", &["Community".into()], "")
        .is_empty());
    // Nor inside a longer word at the end of a compound name.
    assert!(t.assign("r/analogcommunity", &[], "").is_empty());
    // A run of words the labels do not use is still read as one.
    let ids: Vec<&str> = t
        .assign("r/askunity", &[], "")
        .iter()
        .map(|f| f.id.as_str())
        .collect();
    assert_eq!(ids, ["games"]);
}

#[test]
fn ambiguous_and_ignored_labels_are_no_evidence() {
    let t = taxonomy();
    assert!(t.assign("Assistant", &[], "").is_empty());
    assert!(Taxonomy::load("[[field]]\nid = \"A\"\nname = \"x\"\n", "").is_err());
    assert!(Taxonomy::load(
        "[[field]]\nid = \"a\"\nname = \"x\"\n[[field]]\nid = \"a\"\nname = \"y\"\n",
        ""
    )
    .is_err());
}

#[test]
fn plurals_fold_only_for_matching() {
    assert_eq!(key("Nurses' Stations"), "nurse station");
    assert_eq!(fold("bus"), "bus");
    assert_eq!(fold("analysis"), "analysis");
    assert_eq!(fold("bakeries"), "bakery");
}
