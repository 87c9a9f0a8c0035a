//! Which retrained model serves: listing artifacts, the evaluation gate,
//! activation and rollback.
//!
//! A model is `base` (the embedding model alone) or a `copmatch retrain`
//! artifact `ftN`. Activating one re-indexes into a new index version recorded
//! with that model and switches index and model together (see
//! [`copmatch_core::reindex::reindex_to`]), so requests never fail during the
//! switch. The gate ([`crate::gate`]) compares held-out nDCG@10 measured on
//! the same held-out users: the candidate's manifest records the base model's
//! and the then serving model's numbers, on trained queries (held out by
//! user) and on new ones (held out by profile text). A candidate must not
//! lower the new queries' figure by more than `retrain.max_heldout_drop` and
//! must beat the serving model on trained queries by `models.gate_min_gain`;
//! when its manifest never measured the serving model the gate refuses too. `force` skips the gate, but never the check
//! that the model was trained on the serving embedding model and community
//! text version. Rollback returns to the model of the previous index version
//! (kept by every re-index), ungated.

use std::sync::Arc;

use crate::gate::{judge, GateRules, Measured};
use crate::registry::{Manifest, Registry, BASE};
use copmatch_core::served_model::{QueryAdapter, ServedModel};
use copmatch_core::{ActiveIndex, CoreError, ErrorCode, Recommender};
use copmatch_ranking::wordings::EMBEDDING_TEXT_VERSION;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ModelEntry {
    pub version: String,
    pub base_model: String,
    /// The community text version it was trained on; it serves only while
    /// copmatch embeds that version.
    pub text_version: u32,
    pub created_at: String,
    /// Held-out nDCG@10 of this model and of the base model, same users.
    pub heldout_ndcg_at_10: f64,
    pub base_heldout_ndcg_at_10: f64,
    pub heldout_recall_at_10: f64,
    pub heldout_coverage: f64,
    pub active: bool,
}

/// `GET /v1/admin/models`, `copmatch models list`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ModelsStatus {
    /// `base` or an artifact version.
    pub active: String,
    /// What `rollback` would return to.
    pub previous: Option<String>,
    pub models: Vec<ModelEntry>,
}

#[derive(Clone)]
pub struct ModelManager {
    registry: Registry,
    service: Recommender,
    index: Arc<ActiveIndex>,
    gate: GateRules,
}

fn name_of(adapter: Option<&str>) -> String {
    adapter.unwrap_or(BASE).to_string()
}

fn internal(e: anyhow::Error) -> CoreError {
    CoreError::new(ErrorCode::Internal, format!("{e:#}"))
}

impl ModelManager {
    pub fn new(
        registry: Registry,
        service: Recommender,
        index: Arc<ActiveIndex>,
        gate: GateRules,
    ) -> Self {
        Self {
            registry,
            service,
            index,
            gate,
        }
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    fn active(&self) -> Option<String> {
        self.service.model_slot().get().adapter_version()
    }

    /// The model of the newest non-active index version.
    pub async fn previous(&self) -> Result<Option<String>, CoreError> {
        let active = self.index.active_version();
        let versions = self.index.catalog().versions().await?;
        Ok(versions
            .into_iter()
            .filter(|v| v.name != active.name)
            .max_by_key(|v| v.generation)
            .map(|v| name_of(v.adapter.as_deref())))
    }

    pub async fn status(&self) -> Result<ModelsStatus, CoreError> {
        let active = self.active();
        let models = self
            .registry
            .list()
            .map_err(internal)?
            .into_iter()
            .map(|m| ModelEntry {
                active: active.as_deref() == Some(m.version.as_str()),
                heldout_ndcg_at_10: m.metrics.candidate.ndcg_at_10,
                base_heldout_ndcg_at_10: m.metrics.base.ndcg_at_10,
                heldout_recall_at_10: m.metrics.candidate.recall_at_10,
                heldout_coverage: m.metrics.candidate.coverage,
                version: m.version,
                base_model: m.base_model,
                text_version: m.text_version,
                created_at: m.created_at,
            })
            .collect();
        Ok(ModelsStatus {
            active: name_of(active.as_deref()),
            previous: self.previous().await?,
            models,
        })
    }

    /// The served model `version` names, checked against the gate unless `force`.
    pub fn target(&self, version: &str, force: bool) -> Result<ServedModel, CoreError> {
        let base = self.service.model_slot().get().base;
        if version == BASE {
            if !force {
                if let Some(active) = self.active() {
                    let manifest = self.manifest(&active)?;
                    let queries = manifest.heldout_queries.as_ref();
                    let fields = manifest.heldout_fields.as_ref();
                    self.gate(
                        &Measured {
                            name: &active,
                            by_user: manifest.metrics.candidate,
                            by_query: queries.map(|h| h.candidate),
                            by_field: fields.map(|h| h.candidate),
                        },
                        &Measured {
                            name: BASE,
                            by_user: manifest.metrics.base,
                            by_query: queries.map(|h| h.base),
                            by_field: fields.map(|h| h.base),
                        },
                    )?;
                }
            }
            return Ok(ServedModel {
                base,
                adapter: None,
            });
        }
        let manifest = self.manifest(version)?;
        let adapter: QueryAdapter = self.registry.load_adapter(version).map_err(internal)?;
        let embedder = self.service.embedder();
        if let Some(why) = adapter.mismatch(&base, EMBEDDING_TEXT_VERSION, embedder.dimension()) {
            return Err(CoreError::new(ErrorCode::ModelGateRefused, why));
        }
        if !force {
            let active = self.active();
            let serving = manifest.compared_with(active.as_deref()).ok_or_else(|| {
                CoreError::new(
                    ErrorCode::ModelGateRefused,
                    format!(
                        "{version} was not measured against the serving model {}; retrain to compare them, or force",
                        name_of(active.as_deref())
                    ),
                )
            })?;
            self.gate(
                &Measured {
                    name: &name_of(active.as_deref()),
                    by_user: serving,
                    by_query: manifest.queries_compared_with(active.as_deref()),
                    by_field: manifest.fields_compared_with(active.as_deref()),
                },
                &Measured {
                    name: version,
                    by_user: manifest.metrics.candidate,
                    by_query: manifest.heldout_queries.as_ref().map(|h| h.candidate),
                    by_field: manifest.heldout_fields.as_ref().map(|h| h.candidate),
                },
            )?;
        }
        Ok(ServedModel {
            base,
            adapter: Some(Arc::new(adapter)),
        })
    }

    fn manifest(&self, version: &str) -> Result<Manifest, CoreError> {
        self.registry
            .manifest(version)
            .map_err(internal)?
            .ok_or_else(|| {
                CoreError::new(
                    ErrorCode::ModelNotFound,
                    format!(
                        "no model {version:?} in {}; `copmatch models list` shows them",
                        self.registry.dir().display()
                    ),
                )
            })
    }

    fn gate(&self, serving: &Measured, candidate: &Measured) -> Result<(), CoreError> {
        let verdict = judge(self.gate, serving, candidate);
        if verdict.passed {
            Ok(())
        } else {
            Err(CoreError::new(
                ErrorCode::ModelGateRefused,
                format!("{}; force to activate anyway", verdict.reason),
            ))
        }
    }

    /// The model rollback returns to.
    pub async fn rollback_target(&self) -> Result<ServedModel, CoreError> {
        let previous = self.previous().await?.ok_or_else(|| {
            CoreError::new(
                ErrorCode::NoPreviousModel,
                "there is no previous index version to roll back to",
            )
        })?;
        self.target(&previous, true)
    }
}
