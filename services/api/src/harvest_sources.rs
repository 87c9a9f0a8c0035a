//! Harvest configuration and reading sources: the manifest, the taxonomy,
//! and each source's text from its snapshot or its `fetch_url` (plain HTTP
//! GET with compression, a timeout and a size cap; the address is
//! configuration, so tests point it at loopback).

use std::path::Path;
use std::time::Duration;

use anyhow::{bail, Context};
use copmatch_core::harvesting::Fetched;
use copmatch_harvest::fields::Taxonomy;
use copmatch_harvest::source::{parse_manifest, Source};

pub use crate::settings::HarvestSettings;

impl HarvestSettings {
    /// The field list alone, for browsing.
    pub fn fields(&self) -> anyhow::Result<Vec<copmatch_harvest::fields::Field>> {
        let fields = std::fs::read_to_string(&self.fields)
            .with_context(|| format!("reading harvest.fields {}", self.fields.display()))?;
        Ok(copmatch_harvest::fields::read_fields(&fields)?)
    }

    pub fn taxonomy(&self) -> anyhow::Result<Taxonomy> {
        let fields = std::fs::read_to_string(&self.fields)
            .with_context(|| format!("reading harvest.fields {}", self.fields.display()))?;
        let occupations = std::fs::read_to_string(&self.occupations).with_context(|| {
            format!("reading harvest.occupations {}", self.occupations.display())
        })?;
        Ok(Taxonomy::load(&fields, &occupations)?)
    }

    /// ESCO occupation titles by field name (what simulated people type).
    pub fn occupation_titles(
        &self,
    ) -> anyhow::Result<std::collections::BTreeMap<String, Vec<String>>> {
        let occupations = std::fs::read_to_string(&self.occupations).with_context(|| {
            format!("reading harvest.occupations {}", self.occupations.display())
        })?;
        Ok(copmatch_harvest::titles::occupation_titles(
            &self.fields()?,
            &occupations,
        ))
    }

    /// The manifest's sources, or the named ones (in the manifest's order).
    pub fn sources(&self, names: &[String]) -> anyhow::Result<Vec<Source>> {
        let text = std::fs::read_to_string(&self.sources)
            .with_context(|| format!("reading harvest.sources {}", self.sources.display()))?;
        let all = parse_manifest(&text)?;
        for name in names {
            if !all.iter().any(|s| &s.name == name) {
                let known: Vec<&str> = all.iter().map(|s| s.name.as_str()).collect();
                bail!(
                    "no source named {name:?} in {}; known: {}",
                    self.sources.display(),
                    known.join(", ")
                );
            }
        }
        Ok(all
            .into_iter()
            .filter(|s| names.is_empty() || names.contains(&s.name))
            .collect())
    }

    fn base_dir(&self) -> &Path {
        self.sources.parent().unwrap_or(Path::new("."))
    }

    /// A source's text: its snapshot, or (with `fetch`, or without a
    /// snapshot) a fresh copy from its `fetch_url`, dated today.
    pub async fn read(&self, source: &Source, fetch: bool) -> anyhow::Result<Fetched> {
        let snapshot = source.file.as_ref().map(|f| self.base_dir().join(f));
        let use_snapshot = snapshot.is_some() && !(fetch && source.fetch_url.is_some());
        let (text, harvested_at) = match (&snapshot, &source.fetch_url) {
            (Some(path), _) if use_snapshot => {
                let bytes = std::fs::read(path).with_context(|| {
                    format!(
                        "reading the snapshot of {} at {}",
                        source.name,
                        path.display()
                    )
                })?;
                // Public lists are not always clean UTF-8; a stray byte must not lose the list.
                let text = String::from_utf8_lossy(&bytes).into_owned();
                let date = source
                    .snapshot_date
                    .clone()
                    .unwrap_or_else(copmatch_core::moderator::today);
                (text, date)
            }
            (_, Some(url)) => (self.fetch(url).await?, copmatch_core::moderator::today()),
            _ => bail!(
                "source {} has neither a snapshot nor a fetch_url",
                source.name
            ),
        };
        let join_text = match &source.join {
            Some(join) => {
                let path = self.base_dir().join(&join.file);
                let bytes = std::fs::read(&path).with_context(|| {
                    format!(
                        "reading the join file of {} at {}",
                        source.name,
                        path.display()
                    )
                })?;
                Some(String::from_utf8_lossy(&bytes).into_owned())
            }
            None => None,
        };
        Ok(Fetched {
            source: source.clone(),
            text,
            join_text,
            harvested_at,
        })
    }

    async fn fetch(&self, url: &str) -> anyhow::Result<String> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(self.fetch_timeout_secs))
            .user_agent(concat!("copmatch-harvest/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let mut response = client
            .get(url)
            .send()
            .await
            .with_context(|| format!("fetching {url}"))?;
        let status = response.status();
        if !status.is_success() {
            bail!("fetching {url}: HTTP {status}");
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .with_context(|| format!("reading {url}"))?
        {
            body.extend_from_slice(&chunk);
            if body.len() > self.max_source_bytes {
                bail!(
                    "{url} is larger than harvest.max_source_bytes ({})",
                    self.max_source_bytes
                );
            }
        }
        Ok(String::from_utf8_lossy(&body).into_owned())
    }
}
