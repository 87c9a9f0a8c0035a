//! Where a catalog entry came from: which public list, under which licence,
//! and when it was read. An entry listed by several sources keeps one record
//! per source, so a correction can be traced and a licence honoured.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::input::invalid;
use crate::error::CoreError;

const MAX_RECORDS: usize = 20;
const MAX_TEXT: usize = 200;

/// One source that lists the community.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Provenance {
    /// The source's short name, as in `data/sources.toml`.
    #[schema(
        example = "awesome-discord-communities",
        min_length = 1,
        max_length = 200,
        pattern = "[^ \\t\\r\\n]"
    )]
    pub source: String,
    /// Where the source is published (the exact file, at a commit where known).
    #[schema(max_length = 2048, pattern = "^https?://[^\\s]+$")]
    pub source_url: String,
    /// The source's licence, an SPDX identifier (e.g. `CC0-1.0`) or `none`.
    #[schema(
        example = "CC0-1.0",
        min_length = 1,
        max_length = 200,
        pattern = "[^ \\t\\r\\n]"
    )]
    pub licence: String,
    /// When the source was read (`YYYY-MM-DD` or RFC 3339).
    #[schema(schema_with = crate::time::time_schema)]
    pub harvested_at: String,
}

impl Provenance {
    pub(super) fn validated(list: Vec<Provenance>) -> Result<Vec<Provenance>, CoreError> {
        if list.len() > MAX_RECORDS {
            return Err(invalid(format!(
                "`provenance` has more than {MAX_RECORDS} records"
            )));
        }
        let mut out: Vec<Provenance> = Vec::with_capacity(list.len());
        for mut p in list {
            // Blank is what the document's pattern says: space, tab, CR, LF.
            let blank = |c: char| matches!(c, ' ' | '\t' | '\r' | '\n');
            for (field, value) in [("source", &mut p.source), ("licence", &mut p.licence)] {
                *value = value.trim_matches(blank).to_string();
                if value.is_empty() || value.chars().count() > MAX_TEXT {
                    return Err(invalid(format!(
                        "`provenance.{field}` must be 1 to {MAX_TEXT} characters"
                    )));
                }
            }
            super::input::check_url("provenance.source_url", &p.source_url)?;
            p.harvested_at =
                super::input::check_timestamp("provenance.harvested_at", Some(p.harvested_at))?
                    .ok_or_else(|| invalid("`provenance.harvested_at` is required".into()))?;
            // One record per source: a re-harvest replaces the older reading.
            match out.iter_mut().find(|q| q.source == p.source) {
                Some(q) => *q = p,
                None => out.push(p),
            }
        }
        Ok(out)
    }
}
