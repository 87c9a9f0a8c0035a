//! Why harvesting could not go on.

/// Why a source could not be read.
#[derive(Debug, thiserror::Error)]
pub enum HarvestError {
    #[error("the source manifest is invalid: {0}")]
    Manifest(String),
    #[error("source {source_name:?} could not be parsed as {format}: {message}")]
    Parse {
        source_name: String,
        format: &'static str,
        message: String,
    },
    #[error("the field taxonomy is invalid: {0}")]
    Taxonomy(String),
}
