//! The Qdrant server store, over gRPC with `qdrant-client`.
//!
//! Design: copmatch keeps no state of its own in this mode (only keyword
//! statistics derived from the collection, `keyword_stats.rs`). Communities live in
//! one collection per index version (`<prefix>communities__<model>__<n>`,
//! described in the collection's metadata) behind the alias
//! `<prefix>communities`, which requests read through; switching versions is
//! one alias update, atomic on the server, so every replica of copmatch sees
//! the switch at once. The moderation queue is the `<prefix>moderation`
//! collection, users and feedback are `<prefix>users` and `<prefix>feedback`,
//! and the liveness history is `<prefix>liveness`. Every call has a deadline (`timeout_ms`); a server that cannot
//! be reached becomes `StoreError::Unavailable` (HTTP 503 with Retry-After)
//! and the client reconnects by itself on a later call.

mod catalog;
mod convert;
mod keyword_stats;
mod liveness;
mod queue;
mod store;
mod users;
mod users_retention;

use std::time::Duration;

use copmatch_core::StoreError;
use qdrant_client::{Qdrant, QdrantError};
use serde::{Deserialize, Serialize};

pub use catalog::QdrantCatalog;
pub use liveness::QdrantLiveness;
pub use queue::QdrantQueue;
pub use users::QdrantUsers;

/// The `store.qdrant` configuration section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QdrantOptions {
    /// gRPC address of the server (port 6334 by default), or of any node of a cluster.
    pub url: String,
    /// Sent as the `api-key` header; empty = none.
    pub api_key: String,
    /// Deadline of every call.
    pub timeout_ms: u64,
    pub connect_timeout_ms: u64,
    /// Prepended to every collection and alias name, to share a server.
    pub collection_prefix: String,
    /// How long start-up waits for the server to answer before giving up.
    pub startup_wait_secs: u64,
    /// Shards per collection (spread over the cluster's nodes).
    pub shard_number: u32,
    /// Copies of each shard; a cluster survives `replication_factor - 1` lost nodes.
    pub replication_factor: u32,
    /// Copies that must acknowledge a write before it succeeds.
    pub write_consistency_factor: u32,
    /// Keep payloads on disk (vectors follow `store.index.on_disk`).
    pub on_disk_payload: bool,
}

impl Default for QdrantOptions {
    fn default() -> Self {
        Self {
            url: "http://127.0.0.1:6334".into(),
            api_key: String::new(),
            timeout_ms: 5_000,
            connect_timeout_ms: 2_000,
            collection_prefix: String::new(),
            startup_wait_secs: 30,
            shard_number: 1,
            replication_factor: 1,
            write_consistency_factor: 1,
            on_disk_payload: false,
        }
    }
}

impl QdrantOptions {
    pub(crate) fn alias(&self) -> String {
        format!("{}communities", self.collection_prefix)
    }

    pub(crate) fn collection_prefix_of_versions(&self) -> String {
        format!("{}communities__", self.collection_prefix)
    }

    pub(crate) fn moderation_collection(&self) -> String {
        format!("{}moderation", self.collection_prefix)
    }

    /// A client for the server; connects lazily, on the first call.
    pub fn connect(&self) -> Result<Qdrant, StoreError> {
        let mut builder = Qdrant::from_url(&self.url)
            .timeout(Duration::from_millis(self.timeout_ms))
            .connect_timeout(Duration::from_millis(self.connect_timeout_ms))
            // The check is a blocking call at build time; `ready` checks instead.
            .skip_compatibility_check();
        if !self.api_key.is_empty() {
            builder = builder.api_key(self.api_key.clone());
        }
        builder.build().map_err(|e| {
            StoreError::Internal(format!("invalid Qdrant settings ({}): {e}", self.url))
        })
    }
}

/// Writes are ordered through each shard's leader, so replicas never
/// disagree about which of two writes to a community came last.
pub(crate) fn strong_ordering() -> qdrant_client::qdrant::WriteOrdering {
    qdrant_client::qdrant::WriteOrdering {
        r#type: qdrant_client::qdrant::WriteOrderingType::Strong as i32,
    }
}

/// gRPC codes that mean "the server could not be reached or is overloaded
/// right now", which a client should retry later.
fn is_transient(code: i32) -> bool {
    // Cancelled, Unknown (transport failures), DeadlineExceeded,
    // ResourceExhausted, Aborted, Unavailable.
    matches!(code, 1 | 2 | 4 | 8 | 10 | 14)
}

/// qdrant-client reports a refused connection as `Internal` with this message.
fn is_connect_failure(message: &str) -> bool {
    message.starts_with("Failed to connect") || message.contains("tcp connect error")
}

/// The payloads of every point of `collection` matching `filter` (all points
/// when `None`), a page at a time.
pub(crate) async fn scroll_payloads(
    client: &Qdrant,
    collection: &str,
    filter: Option<qdrant_client::qdrant::Filter>,
    context: &str,
) -> Result<Vec<std::collections::HashMap<String, qdrant_client::qdrant::Value>>, StoreError> {
    let mut payloads = Vec::new();
    let mut offset: Option<qdrant_client::qdrant::PointId> = None;
    loop {
        let mut request = qdrant_client::qdrant::ScrollPointsBuilder::new(collection)
            .limit(512)
            .with_payload(true)
            .with_vectors(false);
        if let Some(filter) = &filter {
            request = request.filter(filter.clone());
        }
        if let Some(offset) = offset.take() {
            request = request.offset(offset);
        }
        let response = client
            .scroll(request)
            .await
            .map_err(|e| store_error(context, e))?;
        payloads.extend(response.result.into_iter().map(|p| p.payload));
        match response.next_page_offset {
            Some(next) => offset = Some(next),
            None => return Ok(payloads),
        }
    }
}

pub(crate) fn store_error(context: &str, e: QdrantError) -> StoreError {
    match &e {
        QdrantError::ResponseError { status }
            if is_transient(status.code() as i32) || is_connect_failure(status.message()) =>
        {
            StoreError::Unavailable(format!(
                "Qdrant did not answer ({context}): {}",
                status.message()
            ))
        }
        QdrantError::ResourceExhaustedError { .. } | QdrantError::Io(_) => {
            StoreError::Unavailable(format!("Qdrant did not answer ({context}): {e}"))
        }
        _ => StoreError::Internal(format!("Qdrant failed ({context}): {e}")),
    }
}

/// Waits until the server answers a health check, up to `startup_wait_secs`.
pub async fn wait_until_reachable(
    client: &Qdrant,
    options: &QdrantOptions,
) -> Result<(), StoreError> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(options.startup_wait_secs);
    loop {
        match client.health_check().await {
            Ok(reply) => {
                tracing::info!(url = %options.url, version = %reply.version, "connected to Qdrant");
                return Ok(());
            }
            Err(e) if tokio::time::Instant::now() < deadline => {
                tracing::warn!(url = %options.url, error = %e, "Qdrant is not reachable yet; retrying");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(e) => return Err(store_error(&format!("connecting to {}", options.url), e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: i32, message: &str) -> QdrantError {
        QdrantError::ResponseError {
            status: tonic_status(code, message),
        }
    }

    fn tonic_status(code: i32, message: &str) -> tonic::Status {
        tonic::Status::new(tonic::Code::from(code), message)
    }

    #[test]
    fn an_unreachable_server_is_unavailable_and_a_bad_request_is_not() {
        let refused = status(13, "Failed to connect to http://127.0.0.1:1/: tonic::transport::Error(Transport, ConnectError)");
        assert!(matches!(
            store_error("search", refused),
            StoreError::Unavailable(_)
        ));
        assert!(matches!(
            store_error("search", status(14, "transport error")),
            StoreError::Unavailable(_)
        ));
        assert!(matches!(
            store_error("search", status(4, "deadline")),
            StoreError::Unavailable(_)
        ));
        assert!(matches!(
            store_error("search", status(3, "Wrong input: bad vector")),
            StoreError::Internal(_)
        ));
        assert!(matches!(
            store_error("search", status(13, "Service internal error: disk")),
            StoreError::Internal(_)
        ));
    }
}
