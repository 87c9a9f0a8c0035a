//! JSON Lines journals on local disk, shared by the moderation queue and the
//! users and feedback journal: read with torn-line detection, append with
//! fsync before returning, and compact by an atomic rewrite.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;

use copmatch_core::StoreError;
use serde::{de::DeserializeOwned, Serialize};

/// Every readable line of a JSON Lines file, and whether one was torn (only
/// a crash mid-append leaves a bad line, and only at the end).
pub fn read_lines<T: DeserializeOwned>(path: &Path) -> Result<(Vec<T>, bool), StoreError> {
    let mut out = Vec::new();
    let mut torn = false;
    if path.exists() {
        let reader = BufReader::new(File::open(path).map_err(|e| internal(path, e))?);
        for line in reader.lines() {
            let line = line.map_err(|e| internal(path, e))?;
            match serde_json::from_str(&line) {
                Ok(v) => out.push(v),
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "dropping a torn journal line");
                    torn = true;
                }
            }
        }
    }
    Ok((out, torn))
}

/// Replaces `path` with `lines`, atomically.
pub fn rewrite<T: Serialize>(
    path: &Path,
    lines: impl Iterator<Item = T>,
) -> Result<(), StoreError> {
    let mut text = Vec::new();
    for item in lines {
        serde_json::to_writer(&mut text, &item).map_err(|e| internal(path, e))?;
        text.push(b'\n');
    }
    copmatch_core::durable::write_atomically(path, &text).map_err(|e| internal(path, e))
}

pub fn append_file(path: &Path) -> Result<File, StoreError> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| internal(path, e))
}

/// Appends `items`, one line each, and fsyncs before returning.
pub fn append<T: Serialize>(file: &mut File, path: &Path, items: &[T]) -> Result<(), StoreError> {
    let mut text = String::new();
    for item in items {
        text.push_str(&serde_json::to_string(item).map_err(|e| internal(path, e))?);
        text.push('\n');
    }
    file.write_all(text.as_bytes())
        .map_err(|e| internal(path, e))?;
    file.sync_data().map_err(|e| internal(path, e))
}

pub fn internal(path: &Path, e: impl std::fmt::Display) -> StoreError {
    StoreError::Internal(format!("{}: {e}", path.display()))
}
