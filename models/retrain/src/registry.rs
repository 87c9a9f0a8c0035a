//! Trained model artifacts on disk: `<dir>/<version>/` holds `manifest.json`
//! (what was trained on what, and how it measured), `adapter.json` (the
//! weights) and `report.html`. A version directory is written under a
//! temporary name and renamed into place, so a crash never leaves half an
//! artifact that looks complete. Versions are `ft1`, `ft2`, ...

use std::path::{Path, PathBuf};

use anyhow::Context;
use copmatch_core::durable::write_atomically;
use copmatch_core::served_model::QueryAdapter;
use serde::{Deserialize, Serialize};

use crate::heldout::Metrics;

/// The name of "no adapter": the embedding model alone.
pub const BASE: &str = "base";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Parameters {
    pub penalty: f64,
    pub blend: f32,
    pub holdout: f64,
    pub seed: u64,
    pub train_users: usize,
    pub heldout_users: usize,
    pub events: usize,
    pub solver_steps: u32,
    /// How far a request with a trained profile text moves toward its segment.
    #[serde(default)]
    pub segment_blend: f32,
    /// Profile texts with a segment.
    #[serde(default)]
    pub segments: usize,
    /// Users held out by profile text and by field.
    #[serde(default)]
    pub heldout_query_users: usize,
    #[serde(default)]
    pub heldout_field_users: usize,
    /// Which validation users chose the blends: `queries` or `users`.
    #[serde(default)]
    pub chosen_on: String,
    /// The position-bias correction used (η, clip).
    #[serde(default)]
    pub propensity: Option<crate::targets::Propensity>,
    /// The cosine within which the global map acts (0: everywhere).
    #[serde(default)]
    pub reach: f32,
}

/// Held-out metrics of the candidate and of what it was compared with, all
/// on the same held-out users.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct HeldOut {
    /// The embedding model alone.
    pub base: Metrics,
    pub candidate: Metrics,
    /// The model that served when this one was trained, if not the base.
    #[serde(default)]
    pub active: Option<(String, Metrics)>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub version: String,
    pub base_model: String,
    /// The community text version of the vectors it was trained on.
    #[serde(default = "copmatch_core::served_model::texts_before_versioning")]
    pub text_version: u32,
    pub method: String,
    pub parameters: Parameters,
    pub data_source: String,
    pub data_hash: String,
    /// Held out by user: people whose profile text some training user typed
    /// (the trained queries).
    pub metrics: HeldOut,
    /// Held out by profile text: people whose text nobody in training typed.
    /// Absent in artifacts from before this split; the gate refuses those.
    #[serde(default)]
    pub heldout_queries: Option<HeldOut>,
    /// Held out by field: people of fields nobody in training belonged to.
    #[serde(default)]
    pub heldout_fields: Option<HeldOut>,
    /// The gate's verdict against the model serving when it was trained.
    #[serde(default)]
    pub verdict: Option<crate::gate::Verdict>,
    pub created_at: String,
}

impl HeldOut {
    /// The metrics of the model named `model` (`None` = the base), when
    /// measured; `own` is the candidate's version.
    pub fn of(&self, own: &str, model: Option<&str>) -> Option<Metrics> {
        match model {
            None => Some(self.base),
            Some(v) if v == own => Some(self.candidate),
            Some(v) => self
                .active
                .as_ref()
                .filter(|(name, _)| name == v)
                .map(|(_, m)| *m),
        }
    }
}

impl Manifest {
    /// The held-out-user metrics of the model named `model` (`None` = the
    /// base), when this manifest measured that model.
    pub fn compared_with(&self, model: Option<&str>) -> Option<Metrics> {
        self.metrics.of(&self.version, model)
    }

    /// The same on the users held out by profile text.
    pub fn queries_compared_with(&self, model: Option<&str>) -> Option<Metrics> {
        self.heldout_queries
            .as_ref()
            .and_then(|h| h.of(&self.version, model))
    }

    /// The same on the users held out by field.
    pub fn fields_compared_with(&self, model: Option<&str>) -> Option<Metrics> {
        self.heldout_fields
            .as_ref()
            .and_then(|h| h.of(&self.version, model))
    }
}

#[derive(Debug, Clone)]
pub struct Registry {
    dir: PathBuf,
}

impl Registry {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Every complete artifact, oldest version first.
    pub fn list(&self) -> anyhow::Result<Vec<Manifest>> {
        let mut out = Vec::new();
        if !self.dir.exists() {
            return Ok(out);
        }
        for entry in std::fs::read_dir(&self.dir)
            .with_context(|| format!("reading {}", self.dir.display()))?
        {
            let path = entry?.path().join("manifest.json");
            if path.is_file() {
                let text = std::fs::read_to_string(&path)?;
                let manifest: Manifest = serde_json::from_str(&text)
                    .with_context(|| format!("reading {}", path.display()))?;
                out.push(manifest);
            }
        }
        out.sort_by_key(|m| version_number(&m.version));
        Ok(out)
    }

    pub fn manifest(&self, version: &str) -> anyhow::Result<Option<Manifest>> {
        Ok(self.list()?.into_iter().find(|m| m.version == version))
    }

    pub fn load_adapter(&self, version: &str) -> anyhow::Result<QueryAdapter> {
        let path = self.dir.join(version).join("adapter.json");
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading the artifact {}", path.display()))?;
        let adapter: QueryAdapter = serde_json::from_str(&text)
            .with_context(|| format!("reading the artifact {}", path.display()))?;
        adapter.check().map_err(anyhow::Error::msg)?;
        Ok(adapter)
    }

    /// The version the next artifact gets.
    pub fn next_version(&self) -> anyhow::Result<String> {
        let mut highest = self
            .list()?
            .iter()
            .map(|m| version_number(&m.version))
            .max()
            .unwrap_or(0);
        // Leftover temporary directories from a crash do not reuse numbers.
        if let Ok(entries) = std::fs::read_dir(&self.dir) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().to_string();
                highest = highest.max(version_number(name.trim_start_matches(".tmp-")));
            }
        }
        Ok(format!("ft{}", highest + 1))
    }

    /// Writes a complete artifact atomically; returns its directory.
    pub fn save(
        &self,
        manifest: &Manifest,
        adapter: &QueryAdapter,
        report_html: &str,
    ) -> anyhow::Result<PathBuf> {
        std::fs::create_dir_all(&self.dir)
            .with_context(|| format!("creating {}", self.dir.display()))?;
        let tmp = self.dir.join(format!(".tmp-{}", manifest.version));
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp)?;
        }
        std::fs::create_dir_all(&tmp)?;
        // Each file is written durably; then the directory is renamed into
        // place and the parent fsynced, so the artifact appears whole or not at all.
        write_file(&tmp.join("adapter.json"), &serde_json::to_vec(adapter)?)?;
        write_file(&tmp.join("report.html"), report_html.as_bytes())?;
        write_file(
            &tmp.join("manifest.json"),
            &serde_json::to_vec_pretty(manifest)?,
        )?;
        let done = self.dir.join(&manifest.version);
        std::fs::rename(&tmp, &done)
            .and_then(|()| std::fs::File::open(&self.dir)?.sync_all())
            .with_context(|| format!("moving the artifact into {}", done.display()))?;
        Ok(done)
    }
}

fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    write_atomically(path, bytes).with_context(|| format!("writing {}", path.display()))
}

fn version_number(version: &str) -> u64 {
    version
        .strip_prefix("ft")
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}
