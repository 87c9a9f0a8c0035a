//! Politeness: at most one request per host per interval, and a host that
//! answers 429 or `Retry-After` is left alone for as long as it asks.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

pub struct HostGate {
    interval: Duration,
    next: Mutex<HashMap<String, Instant>>,
}

impl HostGate {
    pub fn new(interval: Duration) -> Self {
        Self {
            interval,
            next: Mutex::new(HashMap::new()),
        }
    }

    /// Waits for this host's turn and takes it.
    pub async fn wait(&self, host: &str) {
        loop {
            let wait = {
                let mut next = self.next.lock().await;
                let now = Instant::now();
                match next.get(host) {
                    Some(at) if *at > now => Some(*at - now),
                    _ => {
                        next.insert(host.to_string(), now + self.interval);
                        None
                    }
                }
            };
            match wait {
                None => return,
                Some(d) => tokio::time::sleep(d).await,
            }
        }
    }

    /// Keeps every request off `host` for `pause`.
    pub async fn defer(&self, host: &str, pause: Duration) {
        let mut next = self.next.lock().await;
        let until = Instant::now() + pause;
        let at = next.entry(host.to_string()).or_insert(until);
        *at = (*at).max(until);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_host_waits_its_interval_and_others_do_not() {
        let gate = HostGate::new(Duration::from_millis(80));
        let start = Instant::now();
        gate.wait("a").await;
        gate.wait("b").await;
        assert!(start.elapsed() < Duration::from_millis(40));
        gate.wait("a").await;
        assert!(start.elapsed() >= Duration::from_millis(80));
        gate.defer("b", Duration::from_millis(150)).await;
        gate.wait("b").await;
        assert!(start.elapsed() >= Duration::from_millis(150));
    }
}
