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
    pub metrics: HeldOut,
    pub created_at: String,
}

impl Manifest {
    /// The candidate's held-out metrics against the model named `active`
    /// (`None` = the base), when this manifest measured that model.
    pub fn compared_with(&self, active: Option<&str>) -> Option<Metrics> {
        match active {
            None => Some(self.metrics.base),
            Some(v) if v == self.version => Some(self.metrics.candidate),
            Some(v) => self
                .metrics
                .active
                .as_ref()
                .filter(|(name, _)| name == v)
                .map(|(_, m)| *m),
        }
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
