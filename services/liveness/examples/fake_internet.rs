//! Runs the loopback fake internet until Ctrl-C and writes what `copmatch`
//! needs to check against it: a catalog of one community per case and a
//! configuration that points the checker's endpoints and names at it.
//!
//! ```text
//! cargo run -p copmatch-liveness --features fake-internet --example fake_internet -- /tmp/fake
//! # in another terminal:
//! copmatch --config /tmp/fake/copmatch.toml import /tmp/fake/catalog.jsonl
//! copmatch --config /tmp/fake/copmatch.toml check --all
//! ```

use std::path::PathBuf;

use copmatch_liveness::fake_internet::{toml_section, FakeInternet};
use copmatch_liveness::LivenessSettings;

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "fake-internet".into()),
    );
    std::fs::create_dir_all(&dir)?;
    let internet = FakeInternet::start().await?;
    let mut settings = internet.settings(LivenessSettings::default(), &[]);
    settings.per_host_interval_ms = 100;
    let config = format!(
        "data_dir = {:?}\n\n[catalog]\nimport_when_empty = false\n\n{}",
        dir.join("data"),
        toml_section(&settings)
    );
    std::fs::write(dir.join("copmatch.toml"), config)?;
    std::fs::write(dir.join("catalog.jsonl"), internet.catalog_jsonl() + "\n")?;
    println!("fake internet on 127.0.0.1:{}", internet.port);
    println!(
        "wrote {0}/copmatch.toml and {0}/catalog.jsonl; Ctrl-C to stop",
        dir.display()
    );
    tokio::signal::ctrl_c().await?;
    internet.stop().await;
    Ok(())
}
