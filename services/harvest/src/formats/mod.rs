//! One reader per source format; each returns the list's items as written.

pub mod markdown;
pub mod stackexchange;
pub mod subreddits;
pub mod tabular;

use crate::entry::RawEntry;
use crate::error::HarvestError;
use crate::source::{Format, Source};

/// Reads a source's text in its format.
pub fn read(source: &Source, text: &str) -> Result<Vec<RawEntry>, HarvestError> {
    let parse_error = |message: String| HarvestError::Parse {
        source_name: source.name.clone(),
        format: source.format.as_str(),
        message,
    };
    match source.format {
        Format::Markdown => Ok(markdown::read(text, &source.skip_headings)),
        Format::Subreddits => Ok(subreddits::read(text, &source.skip_headings)),
        Format::StackexchangeSites => stackexchange::read(text).map_err(parse_error),
        Format::Csv => {
            tabular::read_csv(text, source.has_header, &source.columns).map_err(parse_error)
        }
        Format::Jsonl => tabular::read_jsonl(text, &source.columns).map_err(parse_error),
        Format::Json => {
            tabular::read_json(text, source.items.as_deref(), &source.columns).map_err(parse_error)
        }
        // Catalog documents are read whole by the pipeline, not as list items.
        Format::Catalog => Ok(Vec::new()),
    }
}
