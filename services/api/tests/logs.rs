//! JSON logs: one object per line, the request id on the request's lines,
//! and no access lines for the probes.

mod support;

use serde_json::Value;
use support::start_with;

#[tokio::test]
async fn json_logs_carry_the_request_id_and_leave_probes_out() {
    let dir = tempfile::TempDir::new().unwrap();
    let mut server = start_with(dir.path(), &[("COPMATCH__LOG_FORMAT", "json")]);
    let client = reqwest::Client::new();
    for path in ["/v1/communities/nope", "/health", "/ready"] {
        client
            .get(server.url(path))
            .header("x-request-id", format!("req{}", path.replace('/', "-")))
            .send()
            .await
            .unwrap();
    }
    server.kill();
    let log = std::fs::read_to_string(&server.log).unwrap();
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let access: Vec<&Value> = lines
        .iter()
        .filter(|l| l["target"] == "copmatch::http")
        .collect();
    assert_eq!(
        access.len(),
        1,
        "only the API request is logged: {access:?}"
    );
    assert_eq!(access[0]["span"]["request_id"], "req-v1-communities-nope");
    assert_eq!(access[0]["status"], 404);
    assert!(access[0]["ms"].as_f64().is_some());
}
