//! Index versions of the embedded store.
//!
//! Layout under the root (`<data_dir>/communities`): one shard directory per
//! version, a `<name>.version.json` beside each describing it, and `ACTIVE`
//! holding the served version's name. `activate` writes `ACTIVE` to a temporary
//! file, fsyncs it, renames it over the old one (atomic on POSIX) and fsyncs the
//! directory, so after a crash `ACTIVE` names either the old version or the new
//! one. A version's description is written before its shard, so a directory
//! without one is a leftover and never served. Shards of copmatch versions that
//! predate this layout (`<model>` and `<model>.text-v<n>`) are adopted.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use copmatch_core::{IndexCatalog, IndexVersion, StoreError, VectorStore};
use parking_lot::Mutex;

use super::store::{EdgeStore, EdgeStoreOptions};

/// Replaces a small file so that a crash leaves the old or the new content.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    copmatch_core::durable::write_atomically(path, bytes).map_err(|e| io(path, e))
}

const ACTIVE: &str = "ACTIVE";
const DESCRIPTION: &str = ".version.json";

fn io(path: &Path, e: impl std::fmt::Display) -> StoreError {
    StoreError::Internal(format!("{}: {e}", path.display()))
}

struct Catalog {
    root: PathBuf,
    options: EdgeStoreOptions,
    /// Shards this process opened, by version name; a shard directory may be
    /// opened only once (its write-ahead log is locked).
    open: Mutex<HashMap<String, EdgeStore>>,
}

impl Catalog {
    fn open(root: &Path, options: EdgeStoreOptions) -> Result<Self, StoreError> {
        std::fs::create_dir_all(root).map_err(|e| io(root, e))?;
        let catalog = Self {
            root: root.to_path_buf(),
            options,
            open: Mutex::new(HashMap::new()),
        };
        if !root.join(ACTIVE).exists() {
            catalog.adopt_older_layout()?;
        }
        Ok(catalog)
    }

    fn shard_path(&self, version: &IndexVersion) -> PathBuf {
        self.root.join(&version.name)
    }

    fn description_path(&self, name: &str) -> PathBuf {
        self.root.join(format!("{name}{DESCRIPTION}"))
    }

    fn read_versions(&self) -> Result<Vec<IndexVersion>, StoreError> {
        let mut versions = Vec::new();
        for entry in std::fs::read_dir(&self.root).map_err(|e| io(&self.root, e))? {
            let path = entry.map_err(|e| io(&self.root, e))?.path();
            if path.to_string_lossy().ends_with(DESCRIPTION) {
                let text = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
                versions
                    .push(serde_json::from_str::<IndexVersion>(&text).map_err(|e| io(&path, e))?);
            }
        }
        versions.sort_by_key(|v| v.generation);
        Ok(versions)
    }

    fn read_active(&self) -> Result<Option<IndexVersion>, StoreError> {
        let path = self.root.join(ACTIVE);
        let name = match std::fs::read_to_string(&path) {
            Ok(name) => name.trim().to_string(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io(&path, e)),
        };
        Ok(self.read_versions()?.into_iter().find(|v| v.name == name))
    }

    /// The store of `version`, opening it once.
    fn store(&self, version: &IndexVersion) -> Result<EdgeStore, StoreError> {
        let mut open = self.open.lock();
        if let Some(store) = open.get(&version.name) {
            return Ok(store.clone());
        }
        let store = EdgeStore::open(
            &self.shard_path(version),
            version.dimension,
            self.options.clone(),
        )?;
        open.insert(version.name.clone(), store.clone());
        Ok(store)
    }

    /// Describes shards written by copmatch before versions existed and
    /// activates the newest, so the start-up check re-indexes it if needed.
    fn adopt_older_layout(&self) -> Result<(), StoreError> {
        let mut found = Vec::new();
        for entry in std::fs::read_dir(&self.root).map_err(|e| io(&self.root, e))? {
            let path = entry.map_err(|e| io(&self.root, e))?.path();
            let config = path.join("edge_config.json");
            let Some(name) = path
                .file_name()
                .and_then(|n| n.to_str())
                .map(str::to_string)
            else {
                continue;
            };
            if name.contains("__") || !config.is_file() {
                continue;
            }
            let text = std::fs::read_to_string(&config).map_err(|e| io(&config, e))?;
            let json: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| io(&config, e))?;
            let Some(dimension) = json["vectors"][""]["size"].as_u64() else {
                continue;
            };
            let (model, text_version) = match name.rsplit_once(".text-v") {
                Some((model, v)) => (model.to_string(), v.parse().unwrap_or(1)),
                None => (name.clone(), 1),
            };
            found.push(IndexVersion {
                name,
                model,
                text_version,
                generation: 0,
                dimension: dimension as usize,
                adapter: None,
            });
        }
        let Some(newest) = found.iter().max_by_key(|v| v.text_version).cloned() else {
            return Ok(());
        };
        for version in &found {
            self.describe(version)?;
        }
        tracing::info!(version = %newest.name, "adopted a store from an earlier copmatch");
        write_atomically(&self.root.join(ACTIVE), newest.name.as_bytes())
    }

    fn describe(&self, version: &IndexVersion) -> Result<(), StoreError> {
        let json =
            serde_json::to_vec_pretty(version).map_err(|e| StoreError::Internal(e.to_string()))?;
        write_atomically(&self.description_path(&version.name), &json)
    }

    fn remove_files(&self, version: &IndexVersion) -> Result<(), StoreError> {
        let shard = self.shard_path(version);
        if shard.exists() {
            std::fs::remove_dir_all(&shard).map_err(|e| io(&shard, e))?;
        }
        let description = self.description_path(&version.name);
        if description.exists() {
            std::fs::remove_file(&description).map_err(|e| io(&description, e))?;
        }
        Ok(())
    }

    async fn blocking<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&Catalog) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let this = self.clone();
        tokio::task::spawn_blocking(move || f(&this))
            .await
            .map_err(|e| StoreError::Internal(format!("a store task failed: {e}")))?
    }
}

/// The index versions under one directory.
#[derive(Clone)]
pub struct EdgeCatalog(Arc<Catalog>);

impl EdgeCatalog {
    /// Opens (creating) the catalog at `root`; blocking.
    pub fn open(root: &Path, options: EdgeStoreOptions) -> Result<Self, StoreError> {
        Catalog::open(root, options).map(|c| Self(Arc::new(c)))
    }
}

#[async_trait]
impl IndexCatalog for EdgeCatalog {
    async fn versions(&self) -> Result<Vec<IndexVersion>, StoreError> {
        self.0.blocking(|c| c.read_versions()).await
    }

    async fn active(&self) -> Result<Option<IndexVersion>, StoreError> {
        self.0.blocking(|c| c.read_active()).await
    }

    async fn create(&self, version: &IndexVersion) -> Result<Arc<dyn VectorStore>, StoreError> {
        let version = version.clone();
        let store = self
            .0
            .blocking(move |c| {
                // A leftover of the same name is closed before its files go.
                c.open.lock().remove(&version.name);
                c.remove_files(&version)?;
                c.describe(&version)?;
                c.store(&version)
            })
            .await?;
        Ok(Arc::new(store))
    }

    async fn activate(&self, version: &IndexVersion) -> Result<(), StoreError> {
        let name = version.name.clone();
        self.0
            .blocking(move |c| {
                if !c.description_path(&name).exists() {
                    return Err(StoreError::Internal(format!(
                        "there is no index version {name:?}"
                    )));
                }
                write_atomically(&c.root.join(ACTIVE), name.as_bytes())
            })
            .await
    }

    async fn serving(&self, version: &IndexVersion) -> Result<Arc<dyn VectorStore>, StoreError> {
        let version = version.clone();
        Ok(Arc::new(self.0.blocking(move |c| c.store(&version)).await?))
    }

    async fn delete_inactive(&self, version: &IndexVersion) -> Result<(), StoreError> {
        let opened = self.0.open.lock().remove(&version.name);
        if let Some(store) = opened {
            store.close().await?;
        }
        let version = version.clone();
        self.0.blocking(move |c| c.remove_files(&version)).await
    }

    async fn close(&self) -> Result<(), StoreError> {
        let stores: Vec<EdgeStore> = self.0.open.lock().drain().map(|(_, s)| s).collect();
        for store in stores {
            store.close().await?;
        }
        Ok(())
    }
}
