//! `copmatch check` against the loopback fake internet, killed mid-run with
//! SIGKILL: every check it had recorded is still there, whole, and the
//! community it belongs to carries it; the next run of what is due checks
//! only the communities the first never reached, and prints the summary table.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use copmatch_core::liveness::CheckResult;
use copmatch_liveness::fake_internet::{toml_section, FakeInternet};
use copmatch_liveness::LivenessSettings;

fn copmatch(config: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_copmatch"));
    command.arg("--config").arg(config).env_remove("RUST_LOG");
    command
}

fn lines(path: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_a_check_run_loses_no_recorded_check() {
    let internet = FakeInternet::start().await.unwrap();
    let dir = tempfile::TempDir::new().unwrap();
    let mut settings = internet.settings(LivenessSettings::default(), &[]);
    // One check at a time, slowly, so the kill lands mid-run.
    settings.concurrency = 1;
    settings.per_host_interval_ms = 200;
    let config = dir.path().join("copmatch.toml");
    std::fs::write(
        &config,
        format!(
            "data_dir = {:?}\n\n[catalog]\nimport_when_empty = false\n\n{}",
            dir.path().join("data"),
            toml_section(&settings)
        ),
    )
    .unwrap();
    let catalog = dir.path().join("catalog.jsonl");
    std::fs::write(&catalog, internet.catalog_jsonl()).unwrap();
    let imported = copmatch(&config)
        .arg("import")
        .arg(&catalog)
        .output()
        .unwrap();
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );

    let journal = dir.path().join("data/liveness.jsonl");
    let mut child = copmatch(&config)
        .args(["check", "--all"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while lines(&journal).len() < 4 {
        assert!(Instant::now() < deadline, "no checks were recorded in 60 s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().unwrap(); // SIGKILL: no flush, no goodbye
    child.wait().unwrap();

    let recorded: Vec<CheckResult> = lines(&journal)
        .iter()
        .map(|l| serde_json::from_str(l).expect("every recorded line is whole"))
        .collect();
    assert!(
        recorded.len() >= 4 && recorded.len() < internet.cases().len(),
        "{}",
        recorded.len()
    );
    let exported = copmatch(&config).arg("export").output().unwrap();
    assert!(exported.status.success());
    let communities: Vec<serde_json::Value> = String::from_utf8_lossy(&exported.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for check in &recorded {
        let c = communities
            .iter()
            .find(|c| c["id"] == check.community_id.as_str())
            .unwrap();
        assert_eq!(
            c["liveness"]["last_checked_at"],
            check.checked_at.as_str(),
            "{} carries its recorded check",
            check.community_id
        );
    }

    // The next run checks only what is still due, and prints the table.
    let finished = copmatch(&config).args(["check", "--due"]).output().unwrap();
    assert!(
        finished.status.success(),
        "{}",
        String::from_utf8_lossy(&finished.stderr)
    );
    let table = String::from_utf8_lossy(&finished.stdout);
    assert!(table.starts_with("platform"), "{table}");
    let checked_again: usize = table
        .lines()
        .last()
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    // Healthy ones wait a week and suspect ones a day: only the unchecked are
    // due. A community is written before its history line, so the check in
    // flight at the kill may have reached its community but not the history.
    let carried = communities
        .iter()
        .filter(|c| !c["liveness"]["last_checked_at"].is_null())
        .count();
    let checked: std::collections::HashSet<&str> =
        recorded.iter().map(|c| c.community_id.as_str()).collect();
    assert!(
        (checked.len()..=checked.len() + 1).contains(&carried),
        "{carried} communities carry a check, {} are in the history",
        checked.len()
    );
    assert_eq!(checked_again, internet.cases().len() - carried, "{table}");
    internet.stop().await;
}
