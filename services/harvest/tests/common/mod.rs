//! What the harvest tests share: the repository's data files.

use std::path::Path;

/// A file under `data/`; a missing one fails loudly, since it is part of the repository.
pub fn data(path: &str) -> String {
    let full = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data")
        .join(path);
    std::fs::read(&full)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_else(|e| {
            panic!(
                "{} is missing ({e}); it is part of the repository",
                full.display()
            )
        })
}
