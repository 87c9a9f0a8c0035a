//! The shard layout and moving older shards to it.
//!
//! Current layout: an unnamed dense vector (cosine) plus the sparse `bm25`
//! keyword vector without Qdrant's IDF modifier (copmatch weighs query terms
//! itself, see `keywords.rs`), and keyword payload indexes on every filter
//! field. qdrant-edge cannot add a vector to an existing shard or change its
//! modifier, so a shard from before keyword vectors, or with Qdrant's IDF, is
//! migrated into a fresh directory. The migration is
//! crash-safe: the old shard is first renamed aside (atomic), the new one is
//! built from it, and only then is the old one removed; a crash in between
//! leaves the renamed old shard, and the next open starts the copy again.

use std::path::{Path, PathBuf};

use copmatch_core::StoreError;
use qdrant_edge::{
    CreateIndex, Distance, EdgeConfigBuilder, EdgeShard, EdgeSparseVectorParams, EdgeVectorParams,
    FieldIndexOperations, Modifier, PayloadFieldSchema, PointInsertOperations, PointOperations,
    PointStruct, ScrollRequest, UpdateOperation, VectorInternal, VectorStructInternal, Vectors,
    WithPayloadInterface, WithVector,
};

use super::points::{self, indexed_fields};
use crate::keywords::{Keywords, KEYWORD_VECTOR};
use crate::tuning::IndexTuning;

fn unavailable(path: &Path, e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(format!(
        "cannot open the store at {} (is another copmatch process using this data directory?): {e}",
        path.display()
    ))
}

fn internal(e: impl std::fmt::Display) -> StoreError {
    StoreError::Internal(e.to_string())
}

fn previous_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".previous-layout");
    path.with_file_name(name)
}

fn is_current(shard: &EdgeShard) -> bool {
    shard
        .config()
        .sparse_vectors
        .get(KEYWORD_VECTOR)
        .is_some_and(|params| params.modifier.unwrap_or_default() == Modifier::None)
}

/// Builds a point in the current layout, and returns its keyword terms too.
pub fn point(
    keywords: &Keywords,
    community: &copmatch_core::Community,
    dense: Vec<f32>,
) -> (qdrant_edge::PointStructPersisted, Vec<u32>) {
    let document = keywords.document(&copmatch_ranking::wordings::community_text(community));
    let terms = document.indices.clone();
    let vectors = Vectors(VectorStructInternal::Named(
        [
            (String::new(), VectorInternal::Dense(dense)),
            (KEYWORD_VECTOR.to_string(), VectorInternal::Sparse(document)),
        ]
        .into_iter()
        .collect(),
    ));
    let point = PointStruct::new(
        points::point_id(&community.id),
        vectors,
        crate::payload::to_payload(community),
    );
    (point.into(), terms)
}

fn create(path: &Path, dimension: usize, tuning: &IndexTuning) -> Result<EdgeShard, StoreError> {
    std::fs::create_dir_all(path).map_err(|e| unavailable(path, e))?;
    let mut dense = EdgeVectorParams::builder(dimension, Distance::Cosine)
        .on_disk(tuning.on_disk)
        .hnsw_config(tuning.edge_hnsw());
    if let Some(quantization) = tuning.edge_quantization() {
        dense = dense.quantization_config(quantization);
    }
    let config = EdgeConfigBuilder::new()
        .vector("", dense.build())
        .sparse_vector(
            KEYWORD_VECTOR,
            EdgeSparseVectorParams::builder()
                .modifier(Modifier::None)
                .build(),
        )
        .build();
    let shard = EdgeShard::new(path, config).map_err(|e| unavailable(path, e))?;
    for (field, kind) in indexed_fields() {
        shard
            .update(UpdateOperation::FieldIndexOperation(
                FieldIndexOperations::CreateIndex(CreateIndex {
                    field_name: field
                        .try_into()
                        .expect("static field names are valid JSON paths"),
                    field_schema: Some(PayloadFieldSchema::FieldType(kind)),
                }),
            ))
            .map_err(internal)?;
    }
    shard.flush();
    Ok(shard)
}

/// Opens (creating or migrating as needed) the shard at `path`.
pub fn open_current(
    path: &Path,
    dimension: usize,
    keywords: &Keywords,
    tuning: &IndexTuning,
) -> Result<EdgeShard, StoreError> {
    let previous = previous_path(path);
    if previous.exists() {
        tracing::warn!(path = %path.display(), "resuming an interrupted store migration");
        if path.exists() {
            std::fs::remove_dir_all(path).map_err(internal)?;
        }
        return migrate(&previous, path, dimension, keywords, tuning);
    }
    if !path.join("edge_config.json").exists() {
        return create(path, dimension, tuning);
    }
    let shard = EdgeShard::load(path, None).map_err(|e| unavailable(path, e))?;
    if is_current(&shard) {
        return Ok(shard);
    }
    drop(shard);
    tracing::info!(path = %path.display(), "moving the store to the current keyword-vector layout");
    std::fs::rename(path, &previous).map_err(internal)?;
    migrate(&previous, path, dimension, keywords, tuning)
}

fn migrate(
    previous: &Path,
    path: &Path,
    dimension: usize,
    keywords: &Keywords,
    tuning: &IndexTuning,
) -> Result<EdgeShard, StoreError> {
    let old = EdgeShard::load(previous, None).map_err(|e| unavailable(previous, e))?;
    let new = create(path, dimension, tuning)?;
    let mut offset = None;
    let mut moved = 0usize;
    loop {
        let (records, next) = old
            .scroll(ScrollRequest {
                offset,
                limit: Some(256),
                filter: None,
                with_payload: Some(WithPayloadInterface::Bool(true)),
                with_vector: WithVector::Bool(true),
                order_by: None,
            })
            .map_err(internal)?;
        let points = records
            .iter()
            .map(|r| {
                points::record_from_point(r)
                    .map(|rec| point(keywords, &rec.community, rec.vector).0)
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::Internal)?;
        moved += points.len();
        if !points.is_empty() {
            new.update(UpdateOperation::PointOperation(
                PointOperations::UpsertPoints(PointInsertOperations::PointsList(points)),
            ))
            .map_err(internal)?;
        }
        match next {
            Some(n) => offset = Some(n),
            None => break,
        }
    }
    new.flush();
    drop(old);
    std::fs::remove_dir_all(previous).map_err(internal)?;
    tracing::info!(communities = moved, "store migration finished");
    Ok(new)
}
