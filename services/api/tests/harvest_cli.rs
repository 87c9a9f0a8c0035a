//! `copmatch harvest --bundle --out FILE` rebuilds the bundled catalog, byte
//! for byte, from the recorded sources and their committed snapshots, and
//! says which sources it left out for their licence.

use std::process::Command;

#[test]
fn the_bundled_catalog_is_reproduced_from_the_recorded_sources() {
    let dir = tempfile::TempDir::new().unwrap();
    let out = dir.path().join("communities.jsonl");
    let run = Command::new(env!("CARGO_BIN_EXE_copmatch"))
        .args(["harvest", "--bundle", "--out", out.to_str().unwrap()])
        .env_remove("RUST_LOG")
        .output()
        .expect("copmatch runs");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let bundled = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/communities.jsonl"
    ))
    .unwrap();
    let rebuilt = std::fs::read(&out).unwrap();
    assert!(
        rebuilt == bundled,
        "data/communities.jsonl differs from what its sources give: run `copmatch harvest --bundle --out data/communities.jsonl`"
    );
    assert!(
        stdout.contains("skipped thrive-stemm-orgs (licence none"),
        "{stdout}"
    );
    assert!(stdout.contains("sherlock-subreddits"), "{stdout}");
}
