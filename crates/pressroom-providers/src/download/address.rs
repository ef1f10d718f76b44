//! Which addresses a provider URL may make us connect to, and the DNS resolver that applies
//! the rule to the very addresses a connection uses.

use crate::error::DownloadError;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// Is `ip` an address a provider URL must never make us connect to?
pub fn is_forbidden(ip: IpAddr, allow_loopback: bool) -> bool {
    is_forbidden_with(ip, allow_loopback, false)
}

/// [`is_forbidden`], with private networks (RFC 1918, CGNAT, IPv6 unique local) allowed when
/// `allow_private`: a destination on a person's own network. Link-local never is.
pub fn is_forbidden_with(ip: IpAddr, allow_loopback: bool, allow_private: bool) -> bool {
    if allow_private && is_private(ip) {
        return false;
    }
    match ip {
        IpAddr::V4(v4) => v4_forbidden(v4, allow_loopback),
        IpAddr::V6(v6) => {
            if v6.is_loopback() {
                return !allow_loopback;
            }
            let s = v6.segments();
            // IPv4 embedded in IPv6 is judged as that IPv4 address: mapped ::ffff:a.b.c.d,
            // translated ::ffff:0:a.b.c.d (SIIT), NAT64 64:ff9b::/96, 6to4 2002::/16.
            if let Some(v4) = v6.to_ipv4_mapped() {
                return v4_forbidden(v4, allow_loopback);
            }
            if s[0..6] == [0, 0, 0, 0, 0xffff, 0] {
                return v4_forbidden(embedded_v4(s[6], s[7]), allow_loopback);
            }
            if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
                return v4_forbidden(embedded_v4(s[6], s[7]), allow_loopback);
            }
            // Local-use NAT64 64:ff9b:1::/48 (RFC 8215) and the rest of 64:ff9b::/32: the
            // translator is inside some operator's network and its prefix length (so where the
            // IPv4 address sits) is unknown, so none of it is reachable safely.
            if s[0] == 0x64 && s[1] == 0xff9b {
                return true;
            }
            if s[0] == 0x2002 {
                return v4_forbidden(embedded_v4(s[1], s[2]), allow_loopback);
            }
            v6.is_unspecified()
                || v6.is_multicast()
                || s[0..6] == [0, 0, 0, 0, 0, 0] // IPv4-compatible ::a.b.c.d (deprecated)
                || (s[0] & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (s[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (s[0] & 0xffc0) == 0xfec0 // site-local fec0::/10 (deprecated)
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || (s[0] == 0x2001 && s[1] == 0) // Teredo tunnels reach arbitrary IPv4
        }
    }
}

/// RFC 1918, CGNAT 100.64/10 and unique local fc00::/7 (IPv4-mapped forms included).
fn is_private(ip: IpAddr) -> bool {
    let v4 = match ip {
        IpAddr::V4(v4) => v4,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4,
            None => return (v6.segments()[0] & 0xfe00) == 0xfc00,
        },
    };
    let o = v4.octets();
    o[0] == 10
        || (o[0] == 172 && (o[1] & 0xf0) == 16)
        || (o[0] == 192 && o[1] == 168)
        || (o[0] == 100 && (o[1] & 0xc0) == 64)
}

fn embedded_v4(hi: u16, lo: u16) -> Ipv4Addr {
    let [a, b] = hi.to_be_bytes();
    let [c, d] = lo.to_be_bytes();
    Ipv4Addr::new(a, b, c, d)
}

fn v4_forbidden(ip: Ipv4Addr, allow_loopback: bool) -> bool {
    let o = ip.octets();
    if ip.is_loopback() {
        return !allow_loopback;
    }
    o[0] == 0 // "this network", includes 0.0.0.0
        || o[0] == 10
        || (o[0] == 100 && (o[1] & 0xc0) == 64) // CGNAT 100.64/10
        || (o[0] == 169 && o[1] == 254) // link-local, cloud metadata
        || (o[0] == 172 && (o[1] & 0xf0) == 16)
        || (o[0] == 192 && o[1] == 168)
        || (o[0] == 192 && o[1] == 0 && o[2] == 0) // IETF protocol assignments
        || (o[0] == 192 && o[1] == 0 && o[2] == 2) // documentation
        || (o[0] == 198 && (o[1] & 0xfe) == 18) // benchmarking 198.18/15
        || (o[0] == 198 && o[1] == 51 && o[2] == 100)
        || (o[0] == 203 && o[1] == 0 && o[2] == 113)
        || o[0] >= 224 // multicast, reserved, broadcast
}

/// The DNS resolver the download client connects through: a host name whose addresses
/// include a forbidden one is refused, so the check applies to the very addresses used.
pub(super) struct GuardedResolver {
    pub(super) allow_loopback: bool,
    pub(super) allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let (allow, private) = (self.allow_loopback, self.allow_private);
        Box::pin(async move {
            let host = name.as_str().to_string();
            let addrs = resolve_checked(&host, allow, private).await?;
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

async fn resolve_checked(
    host: &str,
    allow_loopback: bool,
    allow_private: bool,
) -> Result<Vec<SocketAddr>, DownloadError> {
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, 0))
        .await
        .map_err(|e| DownloadError::Resolve {
            host: host.to_string(),
            message: e.to_string(),
        })?
        .collect();
    if addrs.is_empty() {
        return Err(DownloadError::Resolve {
            host: host.to_string(),
            message: "no addresses".into(),
        });
    }
    // All or nothing: one internal address among public ones is a rebinding attempt.
    if let Some(bad) = addrs
        .iter()
        .find(|a| is_forbidden_with(a.ip(), allow_loopback, allow_private))
    {
        return Err(DownloadError::ForbiddenAddress {
            host: host.to_string(),
            ip: bad.ip(),
        });
    }
    Ok(addrs)
}
