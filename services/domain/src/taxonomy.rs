//! The occupation table the harvester's classifier and the ranking both read
//! (`data/taxonomy/occupations.tsv`, derived from ESCO by
//! `scripts/derive-occupations.py`): one reader, so they agree on its format.

/// The table's rows as (ISCO-08 unit group, label), in file order. Lines are
/// `code<TAB>label`; a line starting with `#` is a comment, and a line
/// without a tab is skipped.
pub fn occupation_rows(tsv: &str) -> impl Iterator<Item = (&str, &str)> {
    tsv.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split_once('\t'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_skip_comments_and_lines_without_a_tab() {
        let rows: Vec<_> =
            occupation_rows("# header\n2265\tdietitian\nno tab here\n5120\tchef de partie\n")
                .collect();
        assert_eq!(
            rows,
            vec![("2265", "dietitian"), ("5120", "chef de partie")]
        );
    }
}
