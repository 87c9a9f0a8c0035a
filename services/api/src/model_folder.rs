//! What a model folder says about itself. The installed folders
//! (`.deps/models/<model.name>`) are the published weights, named by
//! `model.name`. A folder of trained weights (`scripts/distil.py` writes one)
//! carries `copmatch-model.json` with its own id and the architecture it was
//! trained from: other weights make other vectors, so the index is named after
//! the id and a store built from other weights is re-embedded on start.

use std::path::Path;

use anyhow::Context;

/// The file a trained model folder names itself in.
pub const MODEL_FILE: &str = "copmatch-model.json";

#[derive(Debug, serde::Deserialize)]
struct TrainedModel {
    id: String,
    architecture: String,
}

/// Whether a model id may become part of a shard directory and a Qdrant
/// collection name.
pub fn is_valid_model_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// The id the model in `dir` serves under: `name` for published weights, the
/// recorded id for trained ones, which must have been trained from `name`.
pub fn model_id(dir: &Path, name: &str) -> anyhow::Result<String> {
    let path = dir.join(MODEL_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(name.to_string()),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let trained: TrainedModel =
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    anyhow::ensure!(
        trained.architecture == name,
        "{} holds weights trained from {}, but model.name is {name:?}: set model.name = {:?}",
        dir.display(),
        trained.architecture,
        trained.architecture
    );
    anyhow::ensure!(
        is_valid_model_id(&trained.id),
        "{}: the id {:?} must be letters, digits, '-', '_' and '.' only",
        path.display(),
        trained.id
    );
    Ok(trained.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A folder whose `copmatch-model.json` holds `text`.
    fn folder_with(text: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(MODEL_FILE), text).unwrap();
        dir
    }

    #[test]
    fn published_weights_serve_under_the_model_name() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            model_id(dir.path(), "all-MiniLM-L6-v2").unwrap(),
            "all-MiniLM-L6-v2"
        );
    }

    #[test]
    fn trained_weights_serve_under_their_own_id_and_only_as_their_architecture() {
        let dir = folder_with(
            r#"{"id": "all-MiniLM-L6-v2-distilled-0123abcd", "architecture": "all-MiniLM-L6-v2", "steps": 600}"#,
        );
        assert_eq!(
            model_id(dir.path(), "all-MiniLM-L6-v2").unwrap(),
            "all-MiniLM-L6-v2-distilled-0123abcd"
        );
        let wrong = model_id(dir.path(), "all-mpnet-base-v2").unwrap_err();
        assert!(
            format!("{wrong:#}").contains("set model.name = \"all-MiniLM-L6-v2\""),
            "{wrong:#}"
        );
    }

    #[test]
    fn a_trained_id_that_cannot_name_an_index_is_refused() {
        let escaping = folder_with(r#"{"id": "../escape", "architecture": "all-MiniLM-L6-v2"}"#);
        assert!(model_id(escaping.path(), "all-MiniLM-L6-v2").is_err());
        let garbled = folder_with("not json");
        assert!(model_id(garbled.path(), "all-MiniLM-L6-v2").is_err());
    }
}
