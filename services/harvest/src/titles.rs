//! Occupation titles by field: the ESCO labels of every occupation whose
//! ISCO group belongs to a field (the most specific group wins, as in
//! [`crate::fields::Taxonomy`]). `copmatch feedback simulate` types roles
//! from them, so simulated people word one need the many ways a public
//! taxonomy lists, not the way copmatch's own vocabulary does.

use std::collections::BTreeMap;

use copmatch_domain::taxonomy::occupation_rows;

use crate::fields::{owner_of, Field};

/// Titles longer than this are rarely what people type as a role.
const MAX_TITLE_WORDS: usize = 4;

/// Field name → its occupation titles, in table order, without repeats.
pub fn occupation_titles(fields: &[Field], occupations_tsv: &str) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (code, label) in occupation_rows(occupations_tsv) {
        let label = label.trim();
        if label.is_empty() || label.split_whitespace().count() > MAX_TITLE_WORDS {
            continue;
        }
        if let Some(f) = owner_of(fields, code).map(|i| &fields[i]) {
            let titles = out.entry(f.name.clone()).or_default();
            if !titles.iter().any(|t| t == label) {
                titles.push(label.to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_occupation_goes_to_the_field_with_the_most_specific_group() {
        let fields = crate::fields::read_fields(
            r#"
[[field]]
id = "health"
name = "Health"
isco = ["22"]
[[field]]
id = "nursing"
name = "Nursing"
isco = ["222"]
"#,
        )
        .unwrap();
        let tsv = "# header\n2221\tspecialist nurse\n2211\tgeneral practitioner\n2221\tspecialist nurse\n9999\tastronaut\n2212\ta title with far too many words\n";
        let titles = occupation_titles(&fields, tsv);
        assert_eq!(titles["Nursing"], vec!["specialist nurse"]);
        assert_eq!(titles["Health"], vec!["general practitioner"]);
        assert_eq!(titles.len(), 2);
    }
}
