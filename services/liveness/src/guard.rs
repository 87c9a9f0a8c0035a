//! Where a check may connect. Community links come from public submissions,
//! so a link could point the checker at this machine or its network (SSRF).
//! Every address is checked after DNS resolution, on every redirect hop: the
//! resolver reqwest uses drops forbidden addresses (a name resolving only to
//! them fails), and a URL naming an IP literal is checked before any request.
//! Loopback is allowed only when a test configuration says so; private,
//! link-local (including the 169.254.169.254 metadata service), shared,
//! multicast and unspecified addresses never are.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Why an address may not be reached, or `None` when it may.
pub fn forbidden(ip: IpAddr, allow_loopback: bool) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4, allow_loopback),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => forbidden_v4(v4, allow_loopback),
            None => forbidden_v6(v6, allow_loopback),
        },
    }
}

fn forbidden_v4(ip: Ipv4Addr, allow_loopback: bool) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() {
        (!allow_loopback).then_some("a loopback address")
    } else if ip.is_link_local() {
        Some("a link-local or metadata address")
    } else if ip.is_private() || (a == 100 && (64..128).contains(&b)) {
        Some("a private address")
    } else if ip.is_unspecified() || ip.is_broadcast() || ip.is_multicast() || a == 0 {
        Some("not a host address")
    } else {
        None
    }
}

fn forbidden_v6(ip: Ipv6Addr, allow_loopback: bool) -> Option<&'static str> {
    let first = ip.segments()[0];
    if ip.is_loopback() {
        (!allow_loopback).then_some("a loopback address")
    } else if first & 0xffc0 == 0xfe80 {
        Some("a link-local address")
    } else if first & 0xfe00 == 0xfc00 {
        Some("a private address")
    } else if ip.is_unspecified() || ip.is_multicast() {
        Some("not a host address")
    } else {
        None
    }
}

/// A failed name lookup, told apart for the outcome: a name that does not
/// exist is evidence of a dead link, an address we refuse is not.
#[derive(Debug)]
pub enum DnsError {
    NoSuchHost(String),
    Blocked(String),
    /// The system resolver denies a name before it has resolved any: the
    /// machine is more likely offline than the host gone.
    Offline(String),
}

impl std::fmt::Display for DnsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DnsError::NoSuchHost(host) => write!(f, "no such host: {host}"),
            DnsError::Blocked(why) => write!(f, "refused: {why}"),
            DnsError::Offline(host) => write!(
                f,
                "{host} does not resolve, and no name has resolved yet: is this machine offline?"
            ),
        }
    }
}

impl std::error::Error for DnsError {}

type Lookup = Pin<Box<dyn Future<Output = std::io::Result<Vec<IpAddr>>> + Send>>;

/// Where names are looked up: the system's resolver, or a fixed table (the
/// fake internet of the tests and the benchmark, where every name is a
/// loopback server).
#[derive(Clone)]
pub enum Hosts {
    System,
    Table(Arc<HashMap<String, IpAddr>>),
}

impl Hosts {
    fn lookup(&self, host: String) -> Lookup {
        match self {
            Hosts::System => Box::pin(async move {
                let addrs = tokio::net::lookup_host((host.as_str(), 0)).await?;
                Ok(addrs.map(|a| a.ip()).collect())
            }),
            Hosts::Table(table) => {
                let found = table.get(&host.to_ascii_lowercase()).copied();
                Box::pin(async move {
                    found.map(|ip| vec![ip]).ok_or_else(|| {
                        std::io::Error::new(
                            std::io::ErrorKind::NotFound,
                            "Name or service not known",
                        )
                    })
                })
            }
        }
    }
}

/// The resolver every check's connections go through.
pub struct GuardedResolver {
    hosts: Hosts,
    allow_loopback: bool,
    /// Whether the system resolver has answered any name: until it has, a
    /// denied name says more about this machine than about the host.
    resolved_any: Arc<std::sync::atomic::AtomicBool>,
}

impl GuardedResolver {
    pub fn new(hosts: Hosts, allow_loopback: bool) -> Self {
        Self {
            hosts,
            allow_loopback,
            resolved_any: Arc::default(),
        }
    }
}

fn no_such_host(e: &std::io::Error) -> bool {
    let text = e.to_string();
    e.kind() == std::io::ErrorKind::NotFound
        || text.contains("Name or service not known")
        || text.contains("No address associated")
        || text.contains("nodename nor servname")
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        let lookup = self.hosts.lookup(host.clone());
        let allow_loopback = self.allow_loopback;
        let authoritative = matches!(self.hosts, Hosts::Table(_));
        let resolved_any = self.resolved_any.clone();
        Box::pin(async move {
            use std::sync::atomic::Ordering;
            let ips = match lookup.await {
                Ok(ips) => {
                    resolved_any.store(true, Ordering::SeqCst);
                    ips
                }
                Err(e) if no_such_host(&e) => {
                    return Err(if authoritative || resolved_any.load(Ordering::SeqCst) {
                        DnsError::NoSuchHost(host).into()
                    } else {
                        DnsError::Offline(host).into()
                    })
                }
                Err(e) => return Err(e.into()),
            };
            let mut refused = None;
            let allowed: Vec<SocketAddr> = ips
                .into_iter()
                .filter(|ip| match forbidden(*ip, allow_loopback) {
                    Some(why) => {
                        refused = Some(format!("{host} resolves to {ip}, {why}"));
                        false
                    }
                    None => true,
                })
                .map(|ip| SocketAddr::new(ip, 0))
                .collect();
            if allowed.is_empty() {
                let why = refused.unwrap_or_else(|| format!("{host} has no address"));
                return Err(DnsError::Blocked(why).into());
            }
            let addrs: Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_link_local_and_metadata_addresses_are_refused_always() {
        for ip in [
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "fe80::1",
            "fd00::1",
            "::ffff:10.0.0.1",
        ] {
            let ip: IpAddr = ip.parse().unwrap();
            assert!(forbidden(ip, true).is_some(), "{ip}");
        }
    }

    #[test]
    fn loopback_only_when_allowed_and_public_addresses_always() {
        for ip in ["127.0.0.1", "::1", "::ffff:127.0.0.1"] {
            let ip: IpAddr = ip.parse().unwrap();
            assert!(forbidden(ip, false).is_some(), "{ip}");
            assert!(forbidden(ip, true).is_none(), "{ip}");
        }
        for ip in ["93.184.216.34", "2606:2800:220:1::1"] {
            assert!(forbidden(ip.parse().unwrap(), false).is_none(), "{ip}");
        }
    }

    #[tokio::test]
    async fn the_system_resolver_refuses_localhost_unless_loopback_is_allowed() {
        let name: Name = "localhost".parse().unwrap();
        let strict = GuardedResolver::new(Hosts::System, false);
        let err = strict.resolve(name).await.err().expect("refused");
        assert!(err.to_string().contains("loopback"), "{err}");
        let lenient = GuardedResolver::new(Hosts::System, true);
        let addrs: Vec<_> = lenient
            .resolve("localhost".parse().unwrap())
            .await
            .unwrap()
            .collect();
        assert!(addrs.iter().all(|a| a.ip().is_loopback()) && !addrs.is_empty());
    }

    #[tokio::test]
    async fn a_denied_name_is_dead_only_once_the_resolver_has_answered_another() {
        let resolver = GuardedResolver::new(Hosts::System, true);
        // `.invalid` never resolves (RFC 6761); whether the resolver says
        // "no such name" or "try again" depends on the machine.
        let first = resolver
            .resolve("no-such-host.invalid".parse().unwrap())
            .await
            .err()
            .unwrap();
        assert!(!first.to_string().starts_with("no such host"), "{first}");
        let resolved = resolver
            .resolve("localhost".parse().unwrap())
            .await
            .unwrap();
        assert!(resolved.count() > 0);
        let then = resolver
            .resolve("no-such-host.invalid".parse().unwrap())
            .await
            .err()
            .unwrap();
        if first.to_string().contains("offline") {
            assert!(then.to_string().starts_with("no such host"), "{then}");
        }
    }
}
