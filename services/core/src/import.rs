//! Import of community catalogs in JSON Lines form.
//!
//! Semantics: every non-blank line is one community; valid lines are upserted
//! by id (importing the same file twice changes nothing), invalid lines are
//! reported with their 1-based line number and reason while the valid ones are
//! stored. Lines are written in batches and each batch is durable once stored,
//! so a crash loses at most the batch in flight and re-running the import
//! completes it.

use serde::Serialize;
use utoipa::ToSchema;

use copmatch_domain::community::Community;
use copmatch_domain::error::CoreError;

/// Why one line was not imported.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ImportLineError {
    /// 1-based line number in the input.
    pub line: usize,
    /// Stable error code, e.g. `invalid_community`.
    pub code: String,
    pub message: String,
}

/// The outcome of an import.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct ImportReport {
    /// Non-blank lines read.
    pub received: usize,
    /// Lines stored (inserted or replaced).
    pub imported: usize,
    /// Lines refused; see `errors`.
    pub failed: usize,
    pub errors: Vec<ImportLineError>,
}

/// A parsed line: the community, or why the line was refused.
pub fn parse_lines(text: &str) -> (Vec<(usize, Community)>, Vec<ImportLineError>, usize) {
    let mut valid = Vec::new();
    let mut errors = Vec::new();
    let mut received = 0;
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        received += 1;
        match Community::from_json_str(line) {
            Ok(c) => valid.push((index + 1, c)),
            Err(CoreError { code, message }) => errors.push(ImportLineError {
                line: index + 1,
                code: code.as_str().to_string(),
                message,
            }),
        }
    }
    (valid, errors, received)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_bad_lines_with_numbers_and_keeps_good_ones() {
        let text = concat!(
            r#"{"id":"a","name":"A","url":"https://a.org","platform":"web"}"#,
            "\n",
            "\n",
            "{not json\n",
            r#"{"id":"b","name":"B","url":"ftp://b.org","platform":"web"}"#,
            "\n",
            r#"{"id":"c","name":"C","url":"https://c.org","platform":"slack"}"#,
            "\n",
        );
        let (valid, errors, received) = parse_lines(text);
        assert_eq!(received, 4);
        assert_eq!(
            valid
                .iter()
                .map(|(n, c)| (*n, c.id.as_str()))
                .collect::<Vec<_>>(),
            vec![(1, "a"), (5, "c")]
        );
        assert_eq!(
            errors.iter().map(|e| e.line).collect::<Vec<_>>(),
            vec![3, 4]
        );
        assert_eq!(errors[1].code, "invalid_community");
    }
}
