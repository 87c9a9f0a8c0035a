//! Index versions as Qdrant collections behind one alias (see the module docs).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use copmatch_core::{IndexCatalog, IndexVersion, StoreError, VectorStore};
use qdrant_client::qdrant::{
    CreateAliasBuilder, CreateCollectionBuilder, CreateFieldIndexCollectionBuilder, Distance,
    FieldType, HnswConfigDiffBuilder, Modifier, QuantizationType, ScalarQuantizationBuilder,
    SparseVectorParamsBuilder, SparseVectorsConfigBuilder, UpdateCollectionBuilder,
    VectorParamsBuilder,
};
use qdrant_client::Qdrant;

use super::keyword_stats::SharedStats;
use super::store::QdrantStore;
use super::{store_error, wait_until_reachable, QdrantOptions};
use crate::keywords::{Keywords, KEYWORD_VECTOR};
use crate::tuning::{IndexTuning, Quantization, FULL_SCAN_THRESHOLD_KB};

/// Collection metadata key holding the version's description.
const METADATA_KEY: &str = "copmatch_index";

#[derive(Clone)]
pub struct QdrantCatalog {
    client: Arc<Qdrant>,
    options: QdrantOptions,
    tuning: IndexTuning,
    keywords: Arc<Keywords>,
    /// Keyword statistics per collection or alias name, shared by every
    /// store of that name in this process.
    stats: Arc<Mutex<HashMap<String, Arc<SharedStats>>>>,
}

impl QdrantCatalog {
    /// Connects, waiting up to `startup_wait_secs` for the server.
    pub async fn connect(options: QdrantOptions, tuning: IndexTuning) -> Result<Self, StoreError> {
        let client = Arc::new(options.connect()?);
        wait_until_reachable(&client, &options).await?;
        let catalog = Self {
            client,
            options,
            tuning,
            keywords: Arc::new(Keywords::new()),
            stats: Arc::default(),
        };
        catalog.drop_server_idf().await?;
        Ok(catalog)
    }

    /// Collections created before copmatch weighed keywords itself ask the
    /// server to apply its own IDF on top; switching that off is one
    /// settings change per collection, and repeating it changes nothing.
    async fn drop_server_idf(&self) -> Result<(), StoreError> {
        for collection in self.version_collections().await? {
            let info = self
                .client
                .collection_info(&collection)
                .await
                .map_err(|e| store_error("reading a collection", e))?;
            let modifier = info
                .result
                .and_then(|r| r.config)
                .and_then(|c| c.params)
                .and_then(|p| p.sparse_vectors_config)
                .and_then(|s| s.map.get(KEYWORD_VECTOR).and_then(|v| v.modifier));
            if modifier == Some(Modifier::Idf as i32) {
                let mut sparse = SparseVectorsConfigBuilder::default();
                sparse.add_named_vector_params(
                    KEYWORD_VECTOR,
                    SparseVectorParamsBuilder::default().modifier(Modifier::None as i32),
                );
                self.client
                    .update_collection(
                        UpdateCollectionBuilder::new(&collection).sparse_vectors_config(sparse),
                    )
                    .await
                    .map_err(|e| store_error("updating a collection's keyword vector", e))?;
                tracing::info!(collection = %collection, "keyword weights are now copmatch's own");
            }
        }
        Ok(())
    }

    /// The names of this catalog's index-version collections.
    async fn version_collections(&self) -> Result<Vec<String>, StoreError> {
        let prefix = self.options.collection_prefix_of_versions();
        let listed = self
            .client
            .list_collections()
            .await
            .map_err(|e| store_error("listing collections", e))?;
        Ok(listed
            .collections
            .into_iter()
            .map(|c| c.name)
            .filter(|name| name.starts_with(&prefix))
            .collect())
    }

    async fn exists(&self, collection: &str) -> Result<bool, StoreError> {
        self.client
            .collection_exists(collection)
            .await
            .map_err(|e| store_error("checking a collection", e))
    }

    fn shared_stats(&self, name: &str) -> Arc<SharedStats> {
        self.stats
            .lock()
            .expect("not poisoned")
            .entry(name.to_string())
            .or_default()
            .clone()
    }

    fn forget_stats(&self, name: &str) {
        self.stats.lock().expect("not poisoned").remove(name);
    }

    pub fn client(&self) -> Arc<Qdrant> {
        self.client.clone()
    }

    fn collection(&self, version: &IndexVersion) -> String {
        format!(
            "{}{}",
            self.options.collection_prefix_of_versions(),
            version.name
        )
    }

    fn store_for(&self, collection: String) -> QdrantStore {
        QdrantStore {
            client: self.client.clone(),
            stats: self.shared_stats(&collection),
            collection,
            keywords: self.keywords.clone(),
            search_ef: self.tuning.search_ef as u64,
        }
    }

    fn create_request(
        &self,
        version: &IndexVersion,
    ) -> Result<CreateCollectionBuilder, StoreError> {
        let t = &self.tuning;
        let o = &self.options;
        let mut dense =
            VectorParamsBuilder::new(version.dimension as u64, Distance::Cosine).on_disk(t.on_disk);
        if t.quantization == Quantization::Int8 {
            dense = dense.quantization_config(
                ScalarQuantizationBuilder::default()
                    .r#type(QuantizationType::Int8.into())
                    .quantile(0.99)
                    .always_ram(true),
            );
        }
        let mut sparse = SparseVectorsConfigBuilder::default();
        sparse.add_named_vector_params(
            KEYWORD_VECTOR,
            // copmatch weighs query terms itself (see `keywords.rs`).
            SparseVectorParamsBuilder::default().modifier(Modifier::None as i32),
        );
        let description =
            serde_json::to_value(version).map_err(|e| StoreError::Internal(e.to_string()))?;
        Ok(CreateCollectionBuilder::new(self.collection(version))
            .vectors_config(dense)
            .sparse_vectors_config(sparse)
            .hnsw_config(
                HnswConfigDiffBuilder::default()
                    .m(t.hnsw_m as u64)
                    .ef_construct(t.hnsw_ef_construct as u64)
                    .full_scan_threshold(FULL_SCAN_THRESHOLD_KB as u64)
                    .on_disk(t.on_disk),
            )
            .shard_number(o.shard_number)
            .replication_factor(o.replication_factor)
            .write_consistency_factor(o.write_consistency_factor)
            .on_disk_payload(o.on_disk_payload)
            .metadata(HashMap::from([(METADATA_KEY.to_string(), description)])))
    }

    async fn describe(&self, collection: &str) -> Result<Option<IndexVersion>, StoreError> {
        let info = self
            .client
            .collection_info(collection)
            .await
            .map_err(|e| store_error("reading a collection", e))?;
        let metadata = info
            .result
            .and_then(|r| r.config)
            .map(|c| c.metadata)
            .unwrap_or_default();
        Ok(metadata.get(METADATA_KEY).and_then(|v| {
            serde_json::from_value::<IndexVersion>(serde_json::Value::from(v.clone())).ok()
        }))
    }
}

#[async_trait]
impl IndexCatalog for QdrantCatalog {
    async fn versions(&self) -> Result<Vec<IndexVersion>, StoreError> {
        let mut versions = Vec::new();
        for collection in self.version_collections().await? {
            match self.describe(&collection).await {
                Ok(Some(version)) => versions.push(version),
                Ok(None) => {}
                // Removed between the listing and now (a re-index drops the
                // version before last): not a version any more.
                Err(_) if !self.exists(&collection).await? => {}
                Err(e) => return Err(e),
            }
        }
        versions.sort_by_key(|v| v.generation);
        Ok(versions)
    }

    async fn active(&self) -> Result<Option<IndexVersion>, StoreError> {
        let alias = self.options.alias();
        let aliases = self
            .client
            .list_aliases()
            .await
            .map_err(|e| store_error("listing aliases", e))?;
        match aliases.aliases.into_iter().find(|a| a.alias_name == alias) {
            Some(a) => self.describe(&a.collection_name).await,
            None => Ok(None),
        }
    }

    async fn create(&self, version: &IndexVersion) -> Result<Arc<dyn VectorStore>, StoreError> {
        let collection = self.collection(version);
        // Generations only grow, so an existing name is another replica's
        // index being built right now, never ours to replace.
        if self.exists(&collection).await? {
            return Err(StoreError::Busy(format!(
                "the collection {collection} already exists: another copmatch is building it"
            )));
        }
        self.client
            .create_collection(self.create_request(version)?)
            .await
            .map_err(|e| store_error("creating a collection", e))?;
        for field in crate::payload::INDEXED_FIELDS {
            self.client
                .create_field_index(
                    CreateFieldIndexCollectionBuilder::new(&collection, field, FieldType::Keyword)
                        .wait(true),
                )
                .await
                .map_err(|e| store_error("creating a payload index", e))?;
        }
        Ok(Arc::new(self.store_for(collection)))
    }

    async fn activate(&self, version: &IndexVersion) -> Result<(), StoreError> {
        // Creating an alias that exists re-points it: one atomic server-side change.
        self.client
            .create_alias(CreateAliasBuilder::new(
                self.collection(version),
                self.options.alias(),
            ))
            .await
            .map_err(|e| store_error("switching the alias", e))?;
        // What the alias's statistics counted is the previous collection.
        self.forget_stats(&self.options.alias());
        Ok(())
    }

    async fn serving(&self, _version: &IndexVersion) -> Result<Arc<dyn VectorStore>, StoreError> {
        // Through the alias, so a switch made by any replica applies at once.
        Ok(Arc::new(self.store_for(self.options.alias())))
    }

    async fn delete_inactive(&self, version: &IndexVersion) -> Result<(), StoreError> {
        self.client
            .delete_collection(self.collection(version))
            .await
            .map_err(|e| store_error("removing a collection", e))?;
        self.forget_stats(&self.collection(version));
        Ok(())
    }

    async fn close(&self) -> Result<(), StoreError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collections_follow_the_documented_names() {
        let options = QdrantOptions {
            collection_prefix: "t1_".into(),
            ..Default::default()
        };
        let catalog = QdrantCatalog {
            client: Arc::new(options.connect().unwrap()),
            options,
            tuning: IndexTuning::default(),
            keywords: Arc::new(Keywords::new()),
            stats: Arc::default(),
        };
        let version = IndexVersion::new("all-MiniLM-L6-v2", 2, 3, 384);
        assert_eq!(
            catalog.collection(&version),
            "t1_communities__all-minilm-l6-v2__3"
        );
        assert_eq!(catalog.options.alias(), "t1_communities");
        assert!(catalog.create_request(&version).is_ok());
    }
}
