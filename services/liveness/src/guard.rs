//! Where a check may connect. Community links come from public submissions,
//! so a link could point the checker at this machine or its network (SSRF).
//! Every address is checked after DNS resolution, on every redirect hop: the
//! resolver reqwest uses drops forbidden addresses (a name resolving only to
//! them fails), and a URL naming an IP literal is checked before any request.
//! Loopback is allowed only when a test configuration says so; private,
//! link-local (including the 169.254.169.254 metadata service), shared,
//! reserved, benchmarking, documentation, multicast and unspecified addresses
//! never are, nor IPv6 outside global unicast or embedding IPv4 (NAT64, 6to4,
//! Teredo, IPv4-compatible). The checker's client ignores `HTTP(S)_PROXY`
//! (`no_proxy`): behind a proxy the guard would never see the address the
//! proxy connects to. A proxy set in `liveness.proxy` is outside its reach.

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
    let [a, b, c, _] = ip.octets();
    if ip.is_loopback() {
        (!allow_loopback).then_some("a loopback address")
    } else if ip.is_link_local() {
        Some("a link-local or metadata address")
    } else if ip.is_private() || (a == 100 && (64..128).contains(&b)) {
        Some("a private address")
    } else if ip.is_unspecified() || ip.is_broadcast() || ip.is_multicast() || a == 0 {
        Some("not a host address")
    } else if a >= 240 {
        Some("a reserved address (240.0.0.0/4)")
    } else if (a == 192 && b == 0 && c == 0) || (a == 192 && b == 88 && c == 99) {
        Some("a protocol-assignment or relay address (192.0.0.0/24, 192.88.99.0/24)")
    } else if a == 198 && (b == 18 || b == 19) {
        Some("a benchmarking address (198.18.0.0/15)")
    } else if matches!((a, b, c), (192, 0, 2) | (198, 51, 100) | (203, 0, 113)) {
        Some("a documentation address")
    } else {
        None
    }
}

/// IPv6 is reached only in global unicast (`2000::/3`), and not in the parts
/// of it that embed an IPv4 address (6to4, Teredo) or are reserved. So NAT64
/// (`64:ff9b::/96`, `64:ff9b:1::/48`), IPv4-compatible `::a.b.c.d`, site-local
/// `fec0::/10`, unique-local and link-local addresses are all refused: each
/// can lead back to an address the IPv4 rules refuse.
fn forbidden_v6(ip: Ipv6Addr, allow_loopback: bool) -> Option<&'static str> {
    let s = ip.segments();
    if ip.is_loopback() {
        (!allow_loopback).then_some("a loopback address")
    } else if s[0] & 0xffc0 == 0xfe80 {
        Some("a link-local address")
    } else if s[0] & 0xfe00 == 0xfc00 || s[0] & 0xffc0 == 0xfec0 {
        Some("a private or site-local address")
    } else if ip.is_unspecified() || ip.is_multicast() {
        Some("not a host address")
    } else if s[0] == 0x64 && s[1] == 0xff9b {
        Some("a NAT64 address (64:ff9b::/96), which embeds an IPv4 address")
    } else if s[0] == 0 && s[1..6] == [0; 5] {
        Some("an IPv4-compatible address (::a.b.c.d)")
    } else if s[0] == 0x2002 {
        Some("a 6to4 address (2002::/16), which embeds an IPv4 address")
    } else if s[0] == 0x2001 && s[1] == 0 {
        Some("a Teredo address (2001::/32), which embeds an IPv4 address")
    } else if (s[0] == 0x2001 && s[1] == 0x0db8) || (s[0] == 0x3fff && s[1] & 0xf000 == 0) {
        Some("a documentation address")
    } else if s[0] == 0x2001
        && (s[1] == 0x0002 || s[1] & 0xfff0 == 0x0010 || s[1] & 0xfff0 == 0x0020)
    {
        Some("a benchmarking or ORCHID address")
    } else if s[0] & 0xe000 != 0x2000 {
        Some("not a global unicast address")
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
            // The ranges a check once reached.
            "64:ff9b::a00:1",
            "64:ff9b::5db8:d822",
            "64:ff9b:1::1",
            "::10.0.0.1",
            "::93.184.216.34",
            "2002:a00:1::1",
            "2002:5db8:d822::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "fec0::1",
            "198.18.0.1",
            "198.19.255.254",
            "192.0.0.8",
            "192.88.99.1",
            "240.0.0.1",
            "255.255.255.254",
            "192.0.2.1",
            "198.51.100.7",
            "203.0.113.9",
            "2001:db8::1",
            "3fff::1",
            "2001:2::1",
            "100::1",
            "::ffff:198.18.0.1",
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
        for ip in [
            "93.184.216.34",
            "2606:2800:220:1::1",
            "198.17.255.1",
            "198.20.0.1",
            "192.0.1.1",
            "2a00:1450:4001::1",
        ] {
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
