//! One guarded, polite HTTP exchange with reqwest: redirects are followed
//! here, hop by hop, so that every hop is checked by the guard, waits its
//! host's turn, and a permanent redirect can be reported as a move. Bodies
//! are read up to a cap; no cookies are kept (reqwest's client has no cookie
//! store unless asked for one).

use std::collections::HashSet;
use std::error::Error as _;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, LOCATION, RETRY_AFTER};
use reqwest::{Client, Method, StatusCode};
use url::Url;

use crate::guard::{forbidden, DnsError};
use crate::polite::HostGate;

/// What came back from the last hop.
#[derive(Debug)]
pub struct Fetched {
    pub status: StatusCode,
    pub final_url: Url,
    /// Where a chain of permanent redirects (301, 308) leads, when the link
    /// itself redirected permanently.
    pub moved_to: Option<Url>,
    /// The last hop's headers (a compressed body was already decoded, and
    /// its `Content-Encoding` removed).
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    pub latency: Duration,
}

impl Fetched {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The body, gunzipped when it is gzip that arrived without a
    /// `Content-Encoding` (the Stack Exchange API documents that it
    /// compresses every answer and says to assume gzip when the header is
    /// missing).
    pub fn json_assuming_gzip(&self) -> Option<serde_json::Value> {
        if !self.body.starts_with(&[0x1f, 0x8b]) {
            return self.json();
        }
        let mut plain = Vec::new();
        let decoder = flate2::read::GzDecoder::new(self.body.as_slice());
        std::io::Read::read_to_end(
            &mut std::io::Read::take(decoder, MAX_DECODED_BYTES),
            &mut plain,
        )
        .ok()?;
        serde_json::from_slice(&plain).ok()
    }

    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// The most a hand-decoded body may grow to (a gzip bomb stops here).
const MAX_DECODED_BYTES: u64 = 4 * 1024 * 1024;

/// Why no response came.
#[derive(Debug, Clone, PartialEq)]
pub enum FetchError {
    /// The guard refused an address (never evidence of death).
    Blocked(String),
    /// The host name does not exist.
    NoSuchHost(String),
    Timeout,
    Refused(String),
    Tls(String),
    RedirectLoop(String),
    TooManyRedirects,
    Other(String),
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FetchError::Blocked(why) => write!(f, "not checked: {why}"),
            FetchError::NoSuchHost(host) => write!(f, "no such host: {host}"),
            FetchError::Timeout => write!(f, "timed out"),
            FetchError::Refused(e) => write!(f, "connection failed: {e}"),
            FetchError::Tls(e) => write!(f, "TLS failed: {e}"),
            FetchError::RedirectLoop(url) => write!(f, "redirect loop at {url}"),
            FetchError::TooManyRedirects => write!(f, "too many redirects"),
            FetchError::Other(e) => write!(f, "{e}"),
        }
    }
}

fn classify(err: reqwest::Error) -> FetchError {
    let mut source = err.source();
    while let Some(s) = source {
        if let Some(dns) = s.downcast_ref::<DnsError>() {
            return match dns {
                DnsError::NoSuchHost(host) => FetchError::NoSuchHost(host.clone()),
                DnsError::Blocked(why) => FetchError::Blocked(why.clone()),
                DnsError::Offline(_) => FetchError::Other(dns.to_string()),
            };
        }
        let text = s.to_string().to_ascii_lowercase();
        if ["certificate", "tls", "handshake", "corrupt message"]
            .iter()
            .any(|w| text.contains(w))
        {
            return FetchError::Tls(s.to_string());
        }
        source = s.source();
    }
    if err.is_timeout() {
        FetchError::Timeout
    } else if err.is_connect() {
        FetchError::Refused(err.to_string())
    } else {
        FetchError::Other(err.to_string())
    }
}

/// `Retry-After` in seconds (an HTTP date is read as a minute: it is rare,
/// and a short polite pause is all it needs here).
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    Some(
        value
            .parse::<u64>()
            .map(Duration::from_secs)
            .unwrap_or(Duration::from_secs(60)),
    )
}

/// The guard and the politeness every request obeys.
pub struct Fetcher<'a> {
    pub client: &'a Client,
    pub gate: &'a HostGate,
    pub allow_loopback: bool,
    pub max_redirects: usize,
    pub max_body_bytes: usize,
    /// The longest `Retry-After` honoured; a longer one is cut to this.
    pub max_pause: Duration,
}

impl Fetcher<'_> {
    /// `method` on `url`, following redirects under the guard.
    pub async fn fetch(&self, method: Method, url: &Url) -> Result<Fetched, FetchError> {
        let started = Instant::now();
        let mut url = url.clone();
        let mut seen = HashSet::new();
        let mut moved_to = None;
        let mut permanent_so_far = true;
        for hop in 0..=self.max_redirects {
            self.check_literal(&url)?;
            if !seen.insert(url.clone()) {
                return Err(FetchError::RedirectLoop(url.to_string()));
            }
            let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
            self.gate.wait(&host).await;
            let response = self
                .client
                .request(method.clone(), url.clone())
                .send()
                .await
                .map_err(classify)?;
            let status = response.status();
            if status == StatusCode::TOO_MANY_REQUESTS
                || response.headers().contains_key(RETRY_AFTER)
            {
                let pause = retry_after(response.headers()).unwrap_or(Duration::from_secs(60));
                self.gate.defer(&host, pause.min(self.max_pause)).await;
            }
            if status.is_redirection() {
                if let Some(next) = response
                    .headers()
                    .get(LOCATION)
                    .and_then(|l| l.to_str().ok())
                    .and_then(|l| url.join(l).ok())
                {
                    if hop == self.max_redirects {
                        return Err(FetchError::TooManyRedirects);
                    }
                    permanent_so_far &= matches!(
                        status,
                        StatusCode::MOVED_PERMANENTLY | StatusCode::PERMANENT_REDIRECT
                    );
                    if permanent_so_far {
                        moved_to = Some(next.clone());
                    }
                    url = next;
                    continue;
                }
            }
            let headers = response.headers().clone();
            let body = self.read_body(response).await?;
            return Ok(Fetched {
                status,
                final_url: url,
                moved_to,
                headers,
                body,
                latency: started.elapsed(),
            });
        }
        Err(FetchError::TooManyRedirects)
    }

    /// Keeps every request off `host` for `pause` (at most `max_pause`): a
    /// platform asked for it in its answer's body (Stack Exchange's
    /// `backoff`) or headers (GitHub's rate-limit reset).
    pub async fn pause(&self, host: &str, pause: Duration) {
        self.gate
            .defer(&host.to_ascii_lowercase(), pause.min(self.max_pause))
            .await;
    }

    fn check_literal(&self, url: &Url) -> Result<(), FetchError> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(FetchError::Blocked(format!(
                "{} is not an http(s) link",
                url
            )));
        }
        let ip = match url.host() {
            Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
            Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip),
            _ => return Ok(()),
        };
        match forbidden(ip, self.allow_loopback) {
            Some(why) => Err(FetchError::Blocked(format!("{url} names {ip}, {why}"))),
            None => Ok(()),
        }
    }

    async fn read_body(&self, mut response: reqwest::Response) -> Result<Vec<u8>, FetchError> {
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            let room = self.max_body_bytes.saturating_sub(body.len());
            body.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if body.len() >= self.max_body_bytes {
                break;
            }
        }
        Ok(body)
    }
}
