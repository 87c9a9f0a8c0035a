//! The `copmatch` command line: import a file, answer from the terminal, help.

use std::process::Command;

fn copmatch(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_copmatch"))
        .args(args)
        .env("COPMATCH__CATALOG__IMPORT_WHEN_EMPTY", "false")
        .env_remove("RUST_LOG")
        .output()
        .expect("copmatch runs")
}

#[test]
fn import_reports_bad_lines_and_recommend_answers_from_the_imported_data() {
    let dir = tempfile::TempDir::new().unwrap();
    let file = dir.path().join("catalog.jsonl");
    std::fs::write(
        &file,
        concat!(
            r#"{"id":"welders","name":"Welders United","url":"https://example.org/w","platform":"forum","categories":["Skilled trades"],"description":"Welders and fabricators share TIG and MIG technique."}"#, "\n",
            r#"{"id":"bad","name":"No URL","platform":"forum"}"#, "\n",
            r#"{"id":"teachers","name":"Teachers Lounge","url":"https://example.org/t","platform":"slack","categories":["Education"],"description":"Primary school teachers swap lesson plans."}"#, "\n",
        ),
    )
    .unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let out = copmatch(&["--data-dir", data, "import", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("3 lines read, 2 imported, 1 refused"),
        "{stdout}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 2: `url` is required"));

    let out = copmatch(&["--data-dir", data, "recommend", "welder", "--limit", "1"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with(" 1. Welders United"), "{stdout}");
    assert!(stdout.contains("· "), "reasons are printed: {stdout}");

    let out = copmatch(&["--data-dir", data, "recommend", "teacher", "--json"]);
    let body: serde_json::Value = serde_json::from_slice(&out.stdout).expect("--json prints JSON");
    assert_eq!(body["recommendations"][0]["community"]["id"], "teachers");
}

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["import", "--help"],
        vec!["recommend", "--help"],
    ] {
        let out = copmatch(&args);
        assert!(out.status.success());
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Usage: copmatch"),
            "{args:?}"
        );
    }
}

#[test]
fn a_bad_configuration_is_reported_and_exits_with_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_copmatch"))
        .args(["recommend", "nurse"])
        .env("COPMATCH__HTTP__NO_SUCH_KEY", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no_such_key"));
}

#[test]
fn feedback_is_simulated_imported_exported_retrained_on_and_the_gate_refuses_noise() {
    let dir = tempfile::TempDir::new().unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let run = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_copmatch"))
            .args(["--data-dir", &path("data")])
            .args(args)
            .env("COPMATCH__CATALOG__IMPORT_WHEN_EMPTY", "true")
            .env("COPMATCH__MODELS__DIR", path("models"))
            .env_remove("RUST_LOG")
            .output()
            .expect("copmatch runs");
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            stderr,
        )
    };
    let (ok, _, err) = run(&[
        "feedback",
        "simulate",
        "--users",
        "300",
        "--signal",
        "none",
        "--out",
        &path("sim.jsonl"),
    ]);
    assert!(ok, "{err}");
    // "300 users and N events written to …": every view, click and join.
    let events: usize = err
        .split("300 users and ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count of written events: {err}"));
    assert!(events > 300 * 10, "each person sees 10 results: {events}");
    let written = std::fs::read_to_string(path("sim.jsonl")).unwrap();
    assert!(
        written.contains("\"position\":1}"),
        "simulated events carry positions"
    );

    let (ok, out, err) = run(&["retrain", "--from", &path("sim.jsonl"), "--json"]);
    assert!(ok, "{err}");
    let manifest: serde_json::Value =
        serde_json::from_str(&out).expect("--json prints the manifest");
    assert_eq!(manifest["version"], "ft1");
    assert!(manifest["data_hash"]
        .as_str()
        .unwrap()
        .starts_with("fnv1a64:"));
    assert!(dir.path().join("models/ft1/report.html").is_file());

    let (ok, out, err) = run(&["models", "list", "--json"]);
    assert!(ok, "{err}");
    let list: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(list["active"], "base");
    assert_eq!(list["models"][0]["version"], "ft1");

    let (ok, _, err) = run(&["models", "activate", "ft1"]);
    assert!(!ok, "the gate let noise through");
    assert!(err.contains("model_gate_refused"), "{err}");

    let (ok, _, err) = run(&["feedback", "import", &path("sim.jsonl")]);
    assert!(ok, "{err}");
    assert!(
        err.contains(&format!(
            "300 users and {events} events imported; 0 events were already stored"
        )),
        "{err}"
    );
    let (ok, _, err) = run(&["feedback", "export", "--out", &path("export.jsonl")]);
    assert!(ok, "{err}");
    let exported = std::fs::read_to_string(path("export.jsonl")).unwrap();
    assert_eq!(exported.lines().count(), 300 + events);

    // Importing the export again stores no event twice.
    let (ok, _, err) = run(&["feedback", "import", &path("export.jsonl")]);
    assert!(ok, "{err}");
    assert!(
        err.contains(&format!(
            "300 users and 0 events imported; {events} events were already stored"
        )),
        "{err}"
    );
    let (ok, _, err) = run(&["feedback", "export", "--out", &path("again.jsonl")]);
    assert!(ok, "{err}");
    let again = std::fs::read_to_string(path("again.jsonl")).unwrap();
    assert_eq!(again.lines().count(), 300 + events);
}
