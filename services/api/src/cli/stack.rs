//! The one way a command opens copmatch: start the model, open the configured
//! backend (importing the bundled catalog into an empty store when the
//! settings say so, with a progress bar), run the command, and close the store
//! whatever the command returned, so its writes are flushed.

use std::future::Future;

use crate::app::{open_stack, start_embedder, Stack};
use crate::progress::TerminalProgress;
use crate::settings::Settings;

/// Runs `command` on the stack the settings describe, then closes the store.
pub async fn with_stack<T, F, Fut>(settings: &Settings, command: F) -> anyhow::Result<T>
where
    F: FnOnce(Stack) -> Fut,
    Fut: Future<Output = anyhow::Result<T>>,
{
    let embedder = start_embedder(settings).await?;
    let progress = TerminalProgress::new("importing the bundled catalog");
    let stack = open_stack(settings, embedder, &progress).await?;
    let store = stack.services.catalog.store().clone();
    let outcome = command(stack).await;
    store.close().await?;
    outcome
}
