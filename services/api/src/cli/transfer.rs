//! Moving a catalog between stores: `copmatch export` writes every community
//! as one JSON object per line, the format `copmatch import` and
//! `POST /v1/communities/import` read, liveness fields included, so an
//! export imported into another store (embedded or Qdrant) is the same catalog.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use copmatch_core::durable::write_atomically;
use copmatch_core::VectorStore;

const PAGE: usize = 256;

/// Writes every community of `store` to `out` (standard output when `None`);
/// returns how many. The file appears only when complete.
pub async fn export(store: &dyn VectorStore, out: Option<&Path>) -> anyhow::Result<usize> {
    let mut lines = Vec::new();
    let mut cursor = None;
    loop {
        let (page, next) = store.scroll(cursor, PAGE).await?;
        for community in page {
            serde_json::to_writer(&mut lines, &community)?;
            lines.push(b'\n');
        }
        match next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    let count = lines.iter().filter(|b| **b == b'\n').count();
    write_output(&lines, out)?;
    Ok(count)
}

/// Writes `bytes` to `out` (standard output when `None`); a file appears
/// only when complete.
pub fn write_output(bytes: &[u8], out: Option<&Path>) -> anyhow::Result<()> {
    match out {
        Some(path) => {
            write_atomically(path, bytes).with_context(|| format!("writing {}", path.display()))
        }
        None => Ok(std::io::stdout().lock().write_all(bytes)?),
    }
}
