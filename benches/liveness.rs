//! Liveness checks at scale: 10,000 communities spread over 50 hosts of the
//! loopback fake internet, checked with the configured politeness (one
//! request per host per `per_host_interval_ms`) and recorded durably (the
//! embedded store's journal, fsynced per check). Prints checks per second,
//! the bound the politeness sets, and peak RSS. One run, not a criterion
//! loop: a run is the unit an operator waits for.
//!
//! `cargo bench -p copmatch-benches --bench liveness`
//! (`COPMATCH_BENCH_INTERVAL_MS`, default 100; `COPMATCH_BENCH_COMMUNITIES`, default 10000)
//!
//! `COPMATCH_BENCH_CATALOG=data/communities.jsonl` instead spreads one check
//! per community of that catalog over hosts the way the real checks would
//! fall (every subreddit on reddit's API host, every invite on Discord's,
//! every Stack Exchange site on its API host, the rest on their own hosts),
//! with the default concurrency: how long a full pass of the bundled catalog
//! takes, scaled by the interval.

use std::sync::Arc;
use std::time::Instant;

use copmatch_core::fakes::{memory_service, MemoryQueue};
use copmatch_core::liveness_checks::LivenessService;
use copmatch_core::moderator::Moderator;
use copmatch_core::progress::NoProgress;
use copmatch_core::time::SystemClock;
use copmatch_liveness::fake_internet::FakeInternet;
use copmatch_liveness::{run, Checker, LivenessSettings, Selection};
use copmatch_store::LivenessJournal;

const HOSTS: usize = 50;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// The host each community's check would reach, by the platform adapters'
/// rules: one API host per platform that has one, else the link's own host.
fn check_hosts(path: &str) -> Vec<String> {
    use copmatch_core::Platform;
    use copmatch_harvest::normalize::platform_of_url;
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let c: serde_json::Value = serde_json::from_str(line).unwrap();
            let url = c["url"].as_str().unwrap_or_default();
            match platform_of_url(url) {
                Some(Platform::Reddit) => "www.reddit.com".into(),
                Some(Platform::Discord) => "discord.com".into(),
                Some(Platform::Stackexchange) => "api.stackexchange.com".into(),
                Some(Platform::Github) => "api.github.com".into(),
                _ => url::Url::parse(url)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
                    .unwrap_or_default(),
            }
        })
        .collect()
}

#[actix_web::main]
async fn main() {
    let communities = env_or("COPMATCH_BENCH_COMMUNITIES", 10_000) as usize;
    let interval_ms = env_or("COPMATCH_BENCH_INTERVAL_MS", 100);
    let internet = FakeInternet::start()
        .await
        .expect("the fake internet starts");
    let real_hosts = std::env::var("COPMATCH_BENCH_CATALOG")
        .ok()
        .map(|path| check_hosts(&path));
    let (hosts, host_of): (Vec<String>, Vec<usize>) = match &real_hosts {
        Some(per_community) => {
            let mut names: Vec<String> = per_community.clone();
            names.sort();
            names.dedup();
            let index = |h: &String| names.binary_search(h).unwrap();
            let host_of = per_community.iter().map(index).collect();
            (
                (0..names.len()).map(|h| format!("h{h}.test")).collect(),
                host_of,
            )
        }
        None => (
            (0..HOSTS).map(|h| format!("h{h}.test")).collect(),
            (0..communities).map(|i| i % HOSTS).collect(),
        ),
    };
    let communities = host_of.len();
    let catalog: Vec<String> = (0..communities)
        .map(|i| {
            serde_json::json!({
                "id": format!("c{i}"),
                "name": format!("Community {i}"),
                "url": internet.url(&hosts[host_of[i]], &format!("/c{i}")),
                "platform": "web",
            })
            .to_string()
        })
        .collect();
    let (services, _, _) = memory_service(32).await;
    let service = services.catalog;
    service
        .import(&catalog.join("\n"), &NoProgress)
        .await
        .unwrap();
    let dir = tempfile::TempDir::new().unwrap();
    let mut settings = internet.settings(LivenessSettings::default(), &hosts);
    settings.per_host_interval_ms = interval_ms;
    if real_hosts.is_none() {
        settings.concurrency = 64;
    }
    settings.max_checks_per_run = communities;
    let journal = LivenessJournal::open(dir.path(), settings.history_cap).unwrap();
    let liveness = LivenessService::new(
        service.clone(),
        Arc::new(journal),
        Moderator::new(service, Arc::new(MemoryQueue::default())),
        settings.policy(),
        Arc::new(SystemClock),
    );
    let checker = Checker::new(settings.clone(), settings.lookup(), Arc::new(SystemClock)).unwrap();
    let rss_before = peak_rss_mib();
    let started = Instant::now();
    let report = run(&checker, &liveness, &Selection::All, &NoProgress, None)
        .await
        .unwrap();
    let seconds = started.elapsed().as_secs_f64();
    let busiest = (0..hosts.len())
        .map(|h| host_of.iter().filter(|&&x| x == h).count())
        .max()
        .unwrap_or(0);
    let bound = if real_hosts.is_some() {
        communities as f64 / (busiest as f64 * interval_ms as f64 / 1000.0)
    } else {
        HOSTS as f64 * 1000.0 / interval_ms as f64
    };
    println!(
        "liveness: {} checks over {} hosts (the busiest holds {busiest}), one request per host per {interval_ms} ms, concurrency {}",
        report.checked,
        hosts.len(),
        settings.concurrency
    );
    if real_hosts.is_some() {
        let scale = 1000.0 / interval_ms as f64;
        println!(
            "  at the default 1,000 ms per host: a full pass in {:.1} h, {:.0} checks per hour",
            started.elapsed().as_secs_f64() * scale / 3600.0,
            report.checked as f64 / (started.elapsed().as_secs_f64() * scale) * 3600.0
        );
    }
    println!(
        "  {:.1} s, {:.0} checks/s (politeness allows at most {bound:.0}/s)",
        seconds,
        report.checked as f64 / seconds
    );
    println!(
        "  peak RSS {:.0} MiB (after import, before checks: {:.0} MiB)",
        peak_rss_mib(),
        rss_before
    );
    println!("{}", report.render());
    assert_eq!(report.checked, communities);
    assert_eq!(report.not_recorded, 0);
    internet.stop().await;
}
