//! The source manifest (`data/sources.toml`): every public list the catalog is
//! harvested from, with its format, licence, trust and schedule.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::error::HarvestError;

/// Licences whose terms allow the harvested entries to ship in the bundled
/// catalog (with attribution in `data/SOURCES.md` where the licence asks).
/// Anything else — `none` included — is harvested at run time only.
pub const REDISTRIBUTABLE: &[&str] = &[
    "CC0-1.0",
    "CC-BY-4.0",
    "CC-BY-SA-4.0",
    "CC-BY-3.0",
    "CC-BY-SA-3.0",
    "MIT",
    "Apache-2.0",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "ISC",
    "Unlicense",
    "WTFPL",
    "ODbL-1.0",
    "PDDL-1.0",
    "0BSD",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// An awesome list: `- [Name](link) - description` items under headings
    /// (Markdown tables too).
    Markdown,
    /// The Stack Exchange API's `/2.3/sites` answer.
    StackexchangeSites,
    /// Text or Markdown naming subreddits as `r/name`, under headings.
    Subreddits,
    Csv,
    Jsonl,
    /// A JSON array, at `items` (a JSON pointer) when nested.
    Json,
    /// copmatch's own catalog documents, one per line (`data/curated.jsonl`):
    /// kept as written, given fields from the taxonomy.
    Catalog,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Markdown => "markdown",
            Format::StackexchangeSites => "stackexchange-sites",
            Format::Subreddits => "subreddits",
            Format::Csv => "csv",
            Format::Jsonl => "jsonl",
            Format::Json => "json",
            Format::Catalog => "catalog",
        }
    }
}

/// Where a source's entries go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trust {
    /// Straight into the catalog.
    Catalog,
    /// Into the moderation queue, one item per new community.
    #[default]
    Moderation,
}

/// Which columns (CSV) or keys (JSON) hold what, for tabular sources.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Columns {
    pub name: Option<String>,
    pub url: Option<String>,
    pub description: Option<String>,
    pub category: Option<String>,
    pub tags: Option<String>,
    pub members: Option<String>,
    pub language: Option<String>,
    pub platform: Option<String>,
    pub homepage: Option<String>,
    /// Several columns may hold sections: `category = "1,2,3"`.
    /// Builds the link from another column when the source has none, e.g.
    /// `https://www.reddit.com/r/{name}/`.
    pub url_template: Option<String>,
}

/// A second file that confirms and completes a tabular source's rows, e.g.
/// recent member counts by subreddit name. Its own provenance is recorded on
/// every entry it completes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Join {
    pub name: String,
    pub file: String,
    pub page: String,
    pub licence: String,
    /// The join file's column that holds the entry's name (without `r/`).
    pub key: String,
    pub members: Option<String>,
    /// Leave out entries the join file does not list.
    #[serde(default)]
    pub required: bool,
}

/// One public list.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Short, stable name: the provenance `source` of its entries.
    pub name: String,
    pub format: Format,
    /// A snapshot of the source, relative to the manifest's folder.
    pub file: Option<String>,
    /// Where a fresh copy is fetched (scheduled harvests, or no `file`).
    pub fetch_url: Option<String>,
    /// The page a person reads to check an entry: the provenance `source_url`.
    pub page: String,
    /// SPDX identifier of the source's licence, or `none`.
    pub licence: String,
    /// Overrides the licence table ([`REDISTRIBUTABLE`]), e.g. for a list of
    /// bare facts published without a licence file.
    pub redistribute: Option<bool>,
    /// The platform of items whose link does not say.
    pub platform: Option<String>,
    pub language: Option<String>,
    pub cost: Option<String>,
    #[serde(default)]
    pub trust: Trust,
    /// Leave out items that fit no field of the taxonomy (a general list of
    /// subreddits holds far more than communities of practice).
    #[serde(default)]
    pub require_field: bool,
    /// Headings whose items are not communities ("Contents", "License").
    #[serde(default)]
    pub skip_headings: Vec<String>,
    /// JSON pointer to the array of items (`/items`), for `json`.
    pub items: Option<String>,
    #[serde(default)]
    pub columns: Columns,
    /// CSV without a header row: columns are named `0`, `1`, `2`…
    #[serde(default = "yes")]
    pub has_header: bool,
    pub join: Option<Join>,
    /// When a snapshot was taken: its entries' `harvested_at`. A fetched copy
    /// is dated when it is fetched.
    pub snapshot_date: Option<String>,
    /// Minimum member count, for sources that give one.
    pub min_members: Option<u64>,
    /// Scheduled refresh in `serve`, in hours; never when absent.
    pub every_hours: Option<f64>,
}

impl Source {
    /// Whether entries from this source may ship in the bundled catalog.
    pub fn redistributable(&self) -> bool {
        self.redistribute.unwrap_or_else(|| {
            REDISTRIBUTABLE
                .iter()
                .any(|l| l.eq_ignore_ascii_case(&self.licence))
        })
    }
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    #[serde(default)]
    source: Vec<Source>,
}

/// Reads a manifest: unique names, a snapshot or a fetch address for each,
/// http(s) pages, and the settings the format needs.
pub fn parse_manifest(text: &str) -> Result<Vec<Source>, HarvestError> {
    let manifest: Manifest =
        toml::from_str(text).map_err(|e| HarvestError::Manifest(e.to_string()))?;
    let mut seen = BTreeMap::new();
    for (index, source) in manifest.source.iter().enumerate() {
        let bad = |why: String| HarvestError::Manifest(format!("source {:?}: {why}", source.name));
        let valid_name = !source.name.is_empty()
            && source.name.len() <= 64
            && source
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
        if !valid_name {
            return Err(bad("a name is 1-64 of A-Z a-z 0-9 . _ -".into()));
        }
        if seen.insert(source.name.clone(), index).is_some() {
            return Err(bad("the name is used twice".into()));
        }
        if source.file.is_none() && source.fetch_url.is_none() {
            return Err(bad("needs `file` (a snapshot) or `fetch_url`".into()));
        }
        for (key, value) in [
            ("page", Some(&source.page)),
            ("fetch_url", source.fetch_url.as_ref()),
        ] {
            if let Some(v) = value {
                if !(v.starts_with("https://") || v.starts_with("http://")) {
                    return Err(bad(format!("`{key}` must be an http(s) URL, got {v:?}")));
                }
            }
        }
        if source.licence.trim().is_empty() {
            return Err(bad("`licence` is required (an SPDX id, or `none`)".into()));
        }
        if matches!(source.format, Format::Csv | Format::Jsonl | Format::Json)
            && source.columns.name.is_none()
        {
            return Err(bad("a tabular source needs `columns.name`".into()));
        }
        if matches!(source.format, Format::Csv | Format::Jsonl | Format::Json)
            && source.columns.url.is_none()
            && source.columns.url_template.is_none()
        {
            return Err(bad(
                "a tabular source needs `columns.url` or `columns.url_template`".into(),
            ));
        }
        if let Some(date) = &source.snapshot_date {
            if copmatch_domain::time::parse_time(date).is_none() {
                return Err(bad(format!(
                    "`snapshot_date` must be a date like 2026-12-03, got {date:?}"
                )));
            }
        }
        if let Some(join) = &source.join {
            if !matches!(source.format, Format::Csv | Format::Jsonl | Format::Json) {
                return Err(bad("`join` completes tabular sources only".into()));
            }
            if !join.page.starts_with("http") {
                return Err(bad("`join.page` must be an http(s) URL".into()));
            }
        }
        if let Some(hours) = source.every_hours {
            if !(hours.is_finite() && hours >= 1.0) {
                return Err(bad(format!(
                    "`every_hours` must be at least 1, got {hours}"
                )));
            }
        }
    }
    Ok(manifest.source)
}
