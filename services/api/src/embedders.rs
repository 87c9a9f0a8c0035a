//! Starting the embedding models: the served one ([`start_embedder`], the one
//! way the service, the commands and the tests load it) and the second one
//! that re-reads free text ([`start_second_opinion`]).

use std::sync::Arc;

use anyhow::Context;
use copmatch_core::Embedder;
use copmatch_embed::SentenceEmbedder;

use crate::settings::Settings;

/// Loads the model described by the settings, on the blocking pool (a few
/// seconds): the one way the service and the commands start the model.
pub async fn start_embedder(settings: &Settings) -> anyhow::Result<Arc<dyn Embedder>> {
    let settings = settings.clone();
    tokio::task::spawn_blocking(move || load_embedder(&settings)).await?
}

/// [`start_embedder`] for a caller outside the async runtime (tests share one model).
pub fn load_embedder(settings: &Settings) -> anyhow::Result<Arc<dyn Embedder>> {
    let name = &settings.model.name;
    // The name becomes part of a shard directory and a Qdrant collection name.
    anyhow::ensure!(
        crate::model_folder::is_valid_model_id(name),
        "model.name {name:?} must be letters, digits, '-', '_' and '.' only (for example all-MiniLM-L6-v2 or all-mpnet-base-v2)"
    );
    let mut options = settings.embedder_options();
    options.model_id = crate::model_folder::model_id(&options.model_dir, name)?;
    let embedder = SentenceEmbedder::start(&options).with_context(|| {
        format!(
            "loading the embedding model from {}",
            settings.model_dir().display()
        )
    })?;
    Ok(Arc::new(embedder))
}

/// The second model that re-reads free text (`model.second_opinion`), unless
/// it is off (empty, or `none`: an empty environment variable is ignored) or
/// is the served model itself.
pub async fn start_second_opinion(
    settings: &Settings,
    served: &str,
) -> anyhow::Result<Option<Arc<dyn Embedder>>> {
    let name = settings.model.second_opinion.trim();
    if name.is_empty()
        || name.eq_ignore_ascii_case("none")
        || name == served
        || name == settings.model.name
    {
        return Ok(None);
    }
    let mut second = settings.clone();
    second.model.name = name.to_string();
    second.model.dir = None;
    let embedder = start_embedder(&second).await.with_context(|| {
        format!(
            "model.second_opinion {name:?} re-reads free text; run `make setup` to install it, or set it to `none` to turn it off"
        )
    })?;
    tracing::info!(model = name, "free text gets a second reading");
    Ok(Some(embedder))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_second(name: &str) -> Settings {
        let mut settings = Settings::default();
        settings.model.second_opinion = name.to_string();
        settings
    }

    #[tokio::test]
    async fn none_empty_or_the_served_model_start_no_second_model() {
        for name in ["none", "NONE", "", "  ", "all-MiniLM-L6-v2"] {
            let second = start_second_opinion(&with_second(name), "all-MiniLM-L6-v2")
                .await
                .unwrap();
            assert!(second.is_none(), "{name:?}");
        }
    }

    #[tokio::test]
    async fn a_second_model_that_is_not_installed_fails_start_up_saying_how_to_fix_it() {
        let err = start_second_opinion(&with_second("no-such-model"), "all-MiniLM-L6-v2")
            .await
            .err()
            .expect("no folder, no model");
        let message = format!("{err:#}");
        assert!(message.contains("make setup"), "{message}");
        assert!(message.contains("none"), "{message}");
    }
}
