//! JSON Lines journals on local disk, shared by the moderation queue, the
//! users and feedback journal and the liveness history: read strictly (only
//! a torn last line is repaired), append with fsync before returning, and
//! compact as they go ([`mostly_history`]) by an atomic rewrite of the
//! current state.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;

use copmatch_core::StoreError;
use serde::{de::DeserializeOwned, Serialize};

/// Every line of a JSON Lines file, strictly. Only a crash mid-append can
/// leave a bad line, and only as the last one: such a torn last line is cut
/// off (the file is truncated to the line before it and fsynced). Any other
/// line that cannot be read stops the caller with an error naming the file
/// and the line: a schema change or a corrupt byte must never silently
/// delete moderation items, users, feedback or checks.
pub fn read_lines<T: DeserializeOwned>(path: &Path) -> Result<Vec<T>, StoreError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(internal(path, e)),
    };
    let mut out = Vec::new();
    let mut start = 0;
    let mut number = 0;
    while start < bytes.len() {
        number += 1;
        let end = bytes[start..]
            .iter()
            .position(|b| *b == b'\n')
            .map_or(bytes.len(), |i| start + i);
        let line = &bytes[start..end];
        let last = end + 1 >= bytes.len();
        match serde_json::from_slice(line) {
            Ok(v) => out.push(v),
            Err(_) if line.iter().all(u8::is_ascii_whitespace) => {}
            Err(e) if last => {
                tracing::warn!(path = %path.display(), line = number, error = %e, "cutting off a torn last journal line");
                let file = OpenOptions::new()
                    .write(true)
                    .open(path)
                    .map_err(|e| internal(path, e))?;
                file.set_len(start as u64)
                    .and_then(|()| file.sync_all())
                    .map_err(|e| internal(path, e))?;
                break;
            }
            Err(e) => {
                return Err(StoreError::Internal(format!(
                    "{}, line {number}: cannot be read ({e}); copmatch does not drop journal lines, so fix or move this line and start again",
                    path.display()
                )))
            }
        }
        start = end + 1;
    }
    Ok(out)
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

/// Whether a journal holding `lines` lines for `live` records is mostly
/// history and should be rewritten: past twice its records (plus a little,
/// so small journals are not rewritten on every write). Checked after every
/// append, so a journal's file stays within a constant factor of its state
/// and each rewrite is paid for by as many appends.
pub fn mostly_history(lines: usize, live: usize) -> bool {
    lines > live.saturating_mul(2).saturating_add(64)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn journal(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j.jsonl");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn a_torn_last_line_is_cut_off_and_the_rest_kept() {
        let (_dir, path) = journal("{\"a\":1}\n{\"a\":2}\n{\"a\":");
        let lines: Vec<serde_json::Value> = read_lines(&path).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "{\"a\":1}\n{\"a\":2}\n"
        );
    }

    #[test]
    fn an_unreadable_line_before_the_end_stops_with_its_file_and_line() {
        let (_dir, path) = journal("{\"a\":1}\nnot json\n{\"a\":3}\n");
        let before = std::fs::read_to_string(&path).unwrap();
        let err = read_lines::<serde_json::Value>(&path)
            .unwrap_err()
            .to_string();
        assert!(err.contains("j.jsonl, line 2"), "{err}");
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            before,
            "nothing rewritten"
        );
    }

    #[test]
    fn a_line_of_another_shape_is_an_error_not_a_loss() {
        #[derive(serde::Deserialize)]
        #[allow(dead_code)]
        struct Item {
            id: String,
        }
        let (_dir, path) = journal("{\"id\":\"x\"}\n{\"name\":\"y\"}\n{\"id\":\"z\"}\n");
        assert!(read_lines::<Item>(&path).is_err());
    }
}
