//! `load`: drives `POST /v1/recommendations` on a running copmatch with a
//! unique profile text on every request (no embedding-cache hits), the way
//! `../shared/tools/peer/compare.sh` does with wrk, and prints what came back.
//!
//! Two ways to load:
//! - closed loop (`--concurrency N`): N clients, each sending its next
//!   request when the last one is answered; measures the most the service
//!   sustains;
//! - open loop (`--rate R`): R requests per second on a fixed schedule,
//!   whatever the answers take, as independent users arrive; shows what
//!   overload does (accepted latency, refusals, how fast they come back).
//!
//! Several `--url`s are used in turn (a trivial round-robin over replicas),
//! and `--phases 20,40` also reports the windows 0–20 s, 20–40 s and 40 s to
//! the end apart (`benches/cluster.sh` kills a node at a phase boundary).
//!
//! ```text
//! load --url http://127.0.0.1:8080 --concurrency 16 --seconds 20
//! load --url http://127.0.0.1:8080 --rate 600 --seconds 20
//! load --url http://127.0.0.1:8081 --url http://127.0.0.1:8082 --rate 100 --seconds 60 --phases 20,40
//! ```
//! The last line is JSON, for scripts (`benches/overload.sh`, `benches/soak.sh`).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use copmatch_benches::ROLES;
use parking_lot::Mutex;
use serde_json::json;

#[derive(Default)]
struct Outcomes {
    /// status (or "error") → latencies in ms.
    by_status: BTreeMap<String, Vec<f64>>,
    /// (seconds since the start when sent, answered 200, latency in ms).
    timeline: Vec<(f64, bool, f64)>,
}

struct Args {
    urls: Vec<String>,
    seconds: f64,
    rate: Option<f64>,
    concurrency: usize,
    phases: Vec<f64>,
}

fn parse_args() -> Args {
    let mut args = Args {
        urls: Vec::new(),
        seconds: 20.0,
        rate: None,
        concurrency: 16,
        phases: Vec::new(),
    };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < argv.len() {
        let value = argv.get(i + 1).cloned().unwrap_or_default();
        match argv[i].as_str() {
            "--url" => args.urls.push(value),
            "--phases" => {
                args.phases = value
                    .split(',')
                    .map(|t| t.parse().expect("--phases T1,T2,..."))
                    .collect()
            }
            "--seconds" => args.seconds = value.parse().expect("--seconds N"),
            "--rate" => args.rate = Some(value.parse().expect("--rate R")),
            "--concurrency" => args.concurrency = value.parse().expect("--concurrency N"),
            "--help" | "-h" => {
                eprintln!(
                    "load --url URL [--url URL2 ...] [--seconds S] (--rate R | --concurrency N) [--phases T1,T2]"
                );
                std::process::exit(0);
            }
            other => panic!("unknown argument {other}"),
        }
        i += 2;
    }
    if args.urls.is_empty() {
        args.urls.push("http://127.0.0.1:8080".into());
    }
    args
}

async fn one(client: &reqwest::Client, urls: &[String], n: u64, outcomes: &Mutex<Outcomes>) {
    let url = &urls[(n as usize) % urls.len()];
    let role = ROLES[(n as usize) % ROLES.len()];
    let body = json!({"profile": {"roles": [format!("{role} {n}")]}, "limit": 10});
    let started = Instant::now();
    let sent_at = started
        .duration_since(*START.get().expect("set in main"))
        .as_secs_f64();
    let status = match client.post(url).json(&body).send().await {
        Ok(r) => {
            let status = r.status().as_u16();
            let text = r.text().await.unwrap_or_default();
            if status == 200 {
                "200".to_string()
            } else {
                let code = serde_json::from_str::<serde_json::Value>(&text)
                    .ok()
                    .and_then(|v| v["error"]["code"].as_str().map(str::to_string))
                    .unwrap_or_default();
                format!("{status} {code}")
            }
        }
        Err(e) if e.is_timeout() => "timeout".to_string(),
        Err(_) => "connection error".to_string(),
    };
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let mut outcomes = outcomes.lock();
    outcomes.timeline.push((sent_at, status == "200", ms));
    outcomes.by_status.entry(status).or_default().push(ms);
}

static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();

/// One line per phase: requests, failures and the latency of the answered ones.
fn report_phases(outcomes: &Outcomes, phases: &[f64], elapsed: f64) {
    let mut bounds = vec![0.0];
    bounds.extend(phases.iter().copied());
    bounds.push(elapsed);
    for window in bounds.windows(2) {
        let (from, to) = (window[0], window[1]);
        let inside: Vec<&(f64, bool, f64)> = outcomes
            .timeline
            .iter()
            .filter(|(t, _, _)| *t >= from && *t < to)
            .collect();
        let failed = inside.iter().filter(|(_, ok, _)| !ok).count();
        let mut ok: Vec<f64> = inside
            .iter()
            .filter(|(_, ok, _)| *ok)
            .map(|e| e.2)
            .collect();
        ok.sort_by(f64::total_cmp);
        println!(
            "phase {from:>5.1}–{to:>5.1} s: {:>6} requests, {:>5} failed, answered p50 {:>7.1} ms  p99 {:>7.1} ms  max {:>7.1} ms",
            inside.len(),
            failed,
            percentile(&ok, 0.5),
            percentile(&ok, 0.99),
            ok.last().copied().unwrap_or(f64::NAN),
        );
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

#[tokio::main]
async fn main() {
    let args = parse_args();
    let urls: Arc<Vec<String>> = Arc::new(
        args.urls
            .iter()
            .map(|u| format!("{}/v1/recommendations", u.trim_end_matches('/')))
            .collect(),
    );
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(4096)
        .build()
        .unwrap();
    let outcomes = Arc::new(Mutex::new(Outcomes::default()));
    // Different texts on every run, so a warm cache never helps.
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
        % 1_000_000
        * 1_000_000;
    let counter = Arc::new(AtomicU64::new(seed));
    let started = *START.get_or_init(Instant::now);
    let deadline = started + Duration::from_secs_f64(args.seconds);
    let mut tasks = Vec::new();
    match args.rate {
        Some(rate) => {
            let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            while Instant::now() < deadline {
                tick.tick().await;
                let (client, urls, outcomes) = (client.clone(), urls.clone(), outcomes.clone());
                let n = counter.fetch_add(1, Ordering::Relaxed);
                tasks.push(tokio::spawn(async move {
                    one(&client, &urls, n, &outcomes).await
                }));
            }
        }
        None => {
            for _ in 0..args.concurrency {
                let (client, urls, outcomes) = (client.clone(), urls.clone(), outcomes.clone());
                let counter = counter.clone();
                tasks.push(tokio::spawn(async move {
                    while Instant::now() < deadline {
                        let n = counter.fetch_add(1, Ordering::Relaxed);
                        one(&client, &urls, n, &outcomes).await;
                    }
                }));
            }
        }
    }
    for task in tasks {
        let _ = task.await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let outcomes = outcomes.lock();
    let mut summary = serde_json::Map::new();
    let mut total = 0;
    for (status, latencies) in &outcomes.by_status {
        let mut sorted = latencies.clone();
        sorted.sort_by(f64::total_cmp);
        total += sorted.len();
        println!(
            "{status:>24}: {:>7} ({:>7.1}/s)  p50 {:>7.1} ms  p90 {:>7.1} ms  p99 {:>7.1} ms  max {:>7.1} ms",
            sorted.len(),
            sorted.len() as f64 / elapsed,
            percentile(&sorted, 0.5),
            percentile(&sorted, 0.9),
            percentile(&sorted, 0.99),
            sorted.last().copied().unwrap_or(f64::NAN),
        );
        summary.insert(
            status.clone(),
            json!({
                "count": sorted.len(),
                "per_second": sorted.len() as f64 / elapsed,
                "p50_ms": percentile(&sorted, 0.5),
                "p99_ms": percentile(&sorted, 0.99),
                "max_ms": sorted.last().copied(),
            }),
        );
    }
    if !args.phases.is_empty() {
        report_phases(&outcomes, &args.phases, elapsed);
    }
    println!(
        "{total} requests in {elapsed:.1} s ({:.1}/s offered{})",
        total as f64 / elapsed,
        args.rate
            .map(|r| format!(", {r}/s scheduled"))
            .unwrap_or_default()
    );
    println!(
        "{}",
        json!({"seconds": elapsed, "total": total, "by_status": summary})
    );
}
