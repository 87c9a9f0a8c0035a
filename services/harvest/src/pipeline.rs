//! One source's text to catalog entries: read, normalise, give fields, record
//! provenance, and merge into the catalog.

use copmatch_domain::community::{Community, CommunityInput, Platform, Provenance};

use crate::dedup::{Catalog, Merge};
use crate::entry::RawEntry;
use crate::error::HarvestError;
use crate::fields::Taxonomy;
use crate::formats;
use crate::normalize::{canonical_url, cost_of, language_of, platform_of_url};
use crate::not_community::{not_a_community, GENERIC_NAMES};
use crate::source::{Format, Source};

const MAX_NAME: usize = 200;
const MAX_DESCRIPTION: usize = 5000;
const MAX_TAG: usize = 100;
const MAX_SECTION_TAGS: usize = 6;

/// What one source gave.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct SourceReport {
    pub source: String,
    /// Items read from the list.
    pub read: usize,
    /// New communities (into the catalog, or into moderation by trust).
    pub added: usize,
    /// Items that repeated a catalog entry and merged into it.
    pub merged: usize,
    /// Items that fit no field while the source requires one.
    pub no_field: usize,
    /// Items below the source's `min_members`.
    pub too_small: usize,
    /// Items the source's required `join` file does not list.
    pub unconfirmed: usize,
    /// Items that are not valid communities (no name, no http(s) link…).
    pub invalid: usize,
    /// A few reasons for invalid items, for the summary.
    pub invalid_examples: Vec<String>,
    /// Ids of the communities this source added, in order.
    pub added_ids: Vec<String>,
}

/// Reads `text` as `source` (and `join_text` as its join file) and merges
/// its entries into `catalog`.
pub fn harvest(
    source: &Source,
    text: &str,
    join_text: Option<&str>,
    taxonomy: &Taxonomy,
    catalog: &mut Catalog,
    harvested_at: &str,
) -> Result<SourceReport, HarvestError> {
    if source.format == Format::Catalog {
        return harvest_catalog(source, text, taxonomy, catalog, harvested_at);
    }
    let entries = formats::read(source, text)?;
    let mut report = SourceReport {
        source: source.name.clone(),
        read: entries.len(),
        ..SourceReport::default()
    };
    let join = match (&source.join, join_text) {
        (Some(join), Some(text)) => Some((join, join_table(source, join, text)?)),
        (Some(join), None) => {
            return Err(HarvestError::Parse {
                source_name: source.name.clone(),
                format: source.format.as_str(),
                message: format!("its join file {:?} was not given", join.file),
            })
        }
        _ => None,
    };
    for mut raw in entries {
        let skipped = raw.headings.iter().any(|h| {
            source
                .skip_headings
                .iter()
                .any(|s| s.eq_ignore_ascii_case(h.trim()))
        });
        if skipped {
            continue;
        }
        let mut extra_provenance = None;
        if let Some((join, table)) = &join {
            let key = raw
                .name
                .trim_start_matches("/r/")
                .trim_start_matches("r/")
                .to_lowercase();
            match table.get(&key) {
                Some(members) => {
                    if members.is_some() {
                        raw.member_count = *members;
                    }
                    extra_provenance = Some(Provenance {
                        source: join.name.clone(),
                        source_url: join.page.clone(),
                        licence: join.licence.clone(),
                        harvested_at: harvested_at.to_string(),
                    });
                }
                None if join.required => {
                    report.unconfirmed += 1;
                    continue;
                }
                None => {}
            }
        }
        if let (Some(min), Some(n)) = (source.min_members, raw.member_count) {
            if n < min {
                report.too_small += 1;
                continue;
            }
        }
        match community_of(source, raw, taxonomy, catalog, harvested_at) {
            Ok(Some(mut community)) => {
                community.provenance.extend(extra_provenance);
                let id = community.id.to_string();
                match catalog.merge(community) {
                    Merge::Added => {
                        report.added += 1;
                        report.added_ids.push(id);
                    }
                    Merge::Merged { .. } => report.merged += 1,
                }
            }
            Ok(None) => report.no_field += 1,
            Err(why) => {
                report.invalid += 1;
                if report.invalid_examples.len() < 5 {
                    report.invalid_examples.push(why);
                }
            }
        }
    }
    Ok(report)
}

/// A join file as `bare name → member count`.
fn join_table(
    source: &Source,
    join: &crate::source::Join,
    text: &str,
) -> Result<std::collections::HashMap<String, Option<u64>>, HarvestError> {
    let rows =
        crate::formats::tabular::csv_rows(text, true).map_err(|message| HarvestError::Parse {
            source_name: format!("{} (join {})", source.name, join.name),
            format: "csv",
            message,
        })?;
    let text_of = crate::formats::tabular::text;
    Ok(rows
        .iter()
        .filter_map(|row| {
            let key = text_of(row, Some(&join.key))?.to_lowercase();
            let members = text_of(row, join.members.as_ref()).and_then(|m| m.parse::<u64>().ok());
            Some((key, members))
        })
        .collect())
}

/// copmatch's own documents: kept as written (id, text, cost), their
/// categories replaced by the taxonomy's fields, their provenance recorded.
fn harvest_catalog(
    source: &Source,
    text: &str,
    taxonomy: &Taxonomy,
    catalog: &mut Catalog,
    harvested_at: &str,
) -> Result<SourceReport, HarvestError> {
    let mut report = SourceReport {
        source: source.name.clone(),
        ..SourceReport::default()
    };
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        report.read += 1;
        let mut community = match Community::from_json_str(line) {
            Ok(c) => c,
            Err(e) => {
                report.invalid += 1;
                if report.invalid_examples.len() < 5 {
                    report
                        .invalid_examples
                        .push(format!("line {}: {}", n + 1, e.message));
                }
                continue;
            }
        };
        let sections: Vec<String> = community
            .categories
            .iter()
            .chain(&community.tags)
            .cloned()
            .collect();
        let fields = taxonomy.assign(
            &community.name,
            &sections,
            community.description.as_deref().unwrap_or_default(),
        );
        if fields.is_empty() && source.require_field {
            report.no_field += 1;
            continue;
        }
        community.categories = fields.into_iter().map(|f| f.name.clone()).collect();
        // One record per source: a document that already names this source
        // gets its reading replaced, not repeated.
        community.provenance.retain(|p| p.source != source.name);
        community.provenance.push(Provenance {
            source: source.name.clone(),
            source_url: source.page.clone(),
            licence: source.licence.clone(),
            harvested_at: harvested_at.to_string(),
        });
        let id = community.id.to_string();
        match catalog.merge(community) {
            Merge::Added => {
                report.added += 1;
                report.added_ids.push(id);
            }
            Merge::Merged { .. } => report.merged += 1,
        }
    }
    Ok(report)
}

/// The catalog entry an item becomes; `None` when it fits no field and the
/// source requires one.
pub fn community_of(
    source: &Source,
    raw: RawEntry,
    taxonomy: &Taxonomy,
    catalog: &Catalog,
    harvested_at: &str,
) -> Result<Option<Community>, String> {
    let name = raw.name.trim().chars().take(MAX_NAME).collect::<String>();
    if name.is_empty() {
        return Err(format!("an item without a name ({})", raw.url));
    }
    let url = canonical_url(&raw.url)
        .ok_or_else(|| format!("{name:?}: not an http(s) link: {:?}", raw.url))?;
    if let Some(why) = not_a_community(&url) {
        return Err(format!("{name:?}: {why}: {url}"));
    }
    // Lists that name an item by its platform (`[Reddit](…/r/elixir)` under
    // "Elixir"): the subreddit, or the section and the platform.
    let name = if GENERIC_NAMES.contains(&name.to_lowercase().as_str()) {
        match url.strip_prefix("https://www.reddit.com/r/") {
            Some(sub) => format!("r/{}", sub.trim_end_matches('/')),
            // With no section to say whose, the name is the community's own
            // ("Stack Overflow" in the Stack Exchange list).
            None => match raw.headings.last() {
                Some(section) => format!("{section} {name}"),
                None => name,
            },
        }
    } else {
        name
    };
    // A subreddit is called by its `r/` name, however its list wrote it.
    let name = match url.strip_prefix("https://www.reddit.com/r/") {
        Some(sub) if sub.trim_end_matches('/').eq_ignore_ascii_case(&name) => format!("r/{name}"),
        _ => name,
    };
    let listed_as = raw
        .platform
        .as_deref()
        .and_then(Platform::parse)
        .or_else(|| source.platform.as_deref().and_then(Platform::parse));
    let platform = match platform_of_url(&url) {
        Some(platform) => platform,
        // A subreddit lives on reddit.com and nowhere else; a link elsewhere
        // in a list of subreddits is a tool about them (a dashboard).
        None if listed_as == Some(Platform::Reddit) => {
            return Err(format!(
                "{name:?}: listed as a subreddit, but not on reddit: {url}"
            ));
        }
        None => listed_as.unwrap_or(Platform::Web),
    };
    let description = raw
        .description
        .map(|d| d.chars().take(MAX_DESCRIPTION).collect::<String>());
    let text = [
        description.as_deref().unwrap_or_default(),
        &raw.tags.join(" "),
    ]
    .join(" ");
    let fields: Vec<String> = taxonomy
        .assign(&name, &raw.headings, &text)
        .into_iter()
        .map(|f| f.name.clone())
        .collect();
    if fields.is_empty() && source.require_field {
        return Ok(None);
    }
    let language = language_of(
        raw.language.as_deref(),
        &raw.headings,
        source.language.as_deref(),
    );
    let cost = cost_of(source.cost.as_deref(), description.as_deref(), platform);
    // A list's sections say what an item is about; its title section does not.
    let sections = if raw.headings.len() > 1 {
        &raw.headings[1..]
    } else {
        &raw.headings[..]
    };
    let tags: Vec<String> = raw
        .tags
        .iter()
        .chain(sections.iter().rev().take(MAX_SECTION_TAGS))
        .filter(|t| crate::normalize::language_name(t).is_none())
        .map(|t| t.chars().take(MAX_TAG).collect())
        .take(50)
        .collect();
    let id = free_id(catalog, platform, &name, &url);
    let input = serde_json::json!({
        "id": id,
        "name": name,
        "url": url,
        "platform": platform.as_str(),
        "categories": fields,
        "tags": tags,
        "languages": language.into_iter().collect::<Vec<_>>(),
        "cost": cost.as_str(),
        "description": description,
        "homepage": raw.homepage.filter(|h| h.starts_with("http")),
        "member_count": raw.member_count,
        "provenance": [Provenance {
            source: source.name.clone(),
            source_url: source.page.clone(),
            licence: source.licence.clone(),
            harvested_at: harvested_at.to_string(),
        }],
    });
    let input: CommunityInput =
        serde_json::from_value(input).map_err(|e| format!("{name:?}: {e}"))?;
    input
        .into_community()
        .map(Some)
        .map_err(|e| format!("{name:?}: {}", e.message))
}

/// `platform-name-slug`, or with `-2`, `-3`… when another community has it.
fn free_id(catalog: &Catalog, platform: Platform, name: &str, url: &str) -> String {
    let slug = slug(name);
    let slug = if slug.is_empty() {
        slug_of_url(url)
    } else {
        slug
    };
    let base: String = format!("{}-{}", platform.as_str().replace('_', "-"), slug)
        .chars()
        .take(120)
        .collect();
    let base = base.trim_end_matches('-').to_string();
    if !catalog.contains_id(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|id| !catalog.contains_id(id))
        .expect("some suffix is free")
}

fn slug(text: &str) -> String {
    let mut out = String::new();
    for ch in text
        .trim_start_matches("r/")
        .chars()
        .flat_map(char::to_lowercase)
    {
        if ch.is_ascii_alphanumeric() {
            out.push(ch);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

fn slug_of_url(url: &str) -> String {
    slug(
        url.trim_start_matches("https://")
            .trim_start_matches("http://"),
    )
}

#[cfg(test)]
#[path = "pipeline_tests.rs"]
mod tests;
