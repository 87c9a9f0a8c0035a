//! Harvesting into a running catalog: the sources' entries are merged with
//! what the store holds (and what waits in moderation), then new entries
//! from trusted sources are stored, new entries from the others are queued
//! for moderators, and entries a source completed are updated in place.
//! Entries a source no longer lists are never deleted here: whether they
//! still live is the liveness checker's question.

use std::collections::{HashMap, HashSet};

use copmatch_domain::community::Community;
use copmatch_domain::error::CoreError;
use copmatch_harvest::dedup::Catalog as HarvestCatalog;
use copmatch_harvest::fields::Taxonomy;
use copmatch_harvest::pipeline::{harvest, SourceReport};
use copmatch_harvest::source::{Source, Trust};

use crate::moderator::Moderator;
use crate::progress::JobProgress;
use crate::service::Catalog;
use crate::submissions::ItemKind;

const SCROLL_PAGE: usize = 500;
const STORE_BATCH: usize = 64;

/// One source's text, ready to harvest.
#[derive(Debug)]
pub struct Fetched {
    pub source: Source,
    pub text: String,
    pub join_text: Option<String>,
    /// The entries' `harvested_at`.
    pub harvested_at: String,
}

/// What a harvest did to the store.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct HarvestSummary {
    pub sources: Vec<SourceReport>,
    /// New communities stored (trusted sources).
    pub stored: usize,
    /// New communities queued for moderation (other sources).
    pub queued: usize,
    /// Catalog entries completed by a source (new facts or provenance).
    pub updated: usize,
}

/// Every community in the store, a page at a time.
pub async fn whole_catalog(catalog: &Catalog) -> Result<Vec<Community>, CoreError> {
    let store = catalog.store();
    let mut all = Vec::new();
    let mut cursor = None;
    loop {
        let (page, next) = store.scroll(cursor, SCROLL_PAGE).await?;
        all.extend(page);
        match next {
            Some(n) => cursor = Some(n),
            None => return Ok(all),
        }
    }
}

fn harvest_one(
    f: &Fetched,
    taxonomy: &Taxonomy,
    into: &mut HarvestCatalog,
) -> Result<SourceReport, CoreError> {
    harvest(
        &f.source,
        &f.text,
        f.join_text.as_deref(),
        taxonomy,
        into,
        &f.harvested_at,
    )
    .map_err(|e| {
        CoreError::new(
            copmatch_domain::error::ErrorCode::InvalidHarvestSource,
            e.to_string(),
        )
    })
}

/// Harvests `fetched` into the catalog and the moderation queue.
pub async fn harvest_into_store(
    catalog: &Catalog,
    moderator: &Moderator,
    taxonomy: &Taxonomy,
    fetched: &[Fetched],
    progress: &dyn JobProgress,
) -> Result<HarvestSummary, CoreError> {
    let stored = whole_catalog(catalog).await?;
    let before: HashMap<String, Community> = stored
        .iter()
        .map(|c| (c.id.to_string(), c.clone()))
        .collect();
    // What already waits for (or was refused by) a moderator is known: a
    // harvest must not queue it again, nor store it behind the moderator's back.
    let moderated: Vec<Community> = moderator
        .list(None)
        .await?
        .into_iter()
        .filter(|item| item.kind == ItemKind::Community)
        .map(|item| item.community)
        .filter(|c| !before.contains_key(c.id.as_str()))
        .collect();
    let moderated_ids: HashSet<String> = moderated.iter().map(|c| c.id.to_string()).collect();
    let mut merged = HarvestCatalog::new(stored.into_iter().chain(moderated).collect());

    // Trusted sources first, into the catalog as it will be stored; then the
    // others into a copy of it, so that what they say about entries already
    // there changes nothing a moderator has not seen: only their new entries
    // count, and those go to moderation.
    let mut summary = HarvestSummary::default();
    let mut queued_from: Vec<(String, String)> = Vec::new();
    progress.start(fetched.len());
    let (trusted, untrusted): (Vec<&Fetched>, Vec<&Fetched>) = fetched
        .iter()
        .partition(|f| f.source.trust == Trust::Catalog);
    for f in &trusted {
        summary.sources.push(harvest_one(f, taxonomy, &mut merged)?);
        progress.advance(1);
    }
    let mut proposed = merged.clone();
    for f in &untrusted {
        let report = harvest_one(f, taxonomy, &mut proposed)?;
        for id in &report.added_ids {
            queued_from.push((id.clone(), f.source.name.clone()));
        }
        summary.sources.push(report);
        progress.advance(1);
    }

    let mut to_store = Vec::new();
    for community in merged.into_communities() {
        let id = community.id.to_string();
        if moderated_ids.contains(&id) {
            continue;
        }
        match before.get(&id) {
            Some(old) if *old != community => {
                summary.updated += 1;
                to_store.push(community);
            }
            Some(_) => {}
            None => {
                summary.stored += 1;
                to_store.push(community);
            }
        }
    }
    for (id, source) in &queued_from {
        if let Some(community) = proposed.get(id) {
            moderator
                .queue_harvested(community.clone(), format!("harvested from {source}"))
                .await?;
            summary.queued += 1;
        }
    }
    for batch in to_store.chunks(STORE_BATCH) {
        catalog.store_communities(batch.to_vec()).await?;
    }
    progress.finish();
    Ok(summary)
}
