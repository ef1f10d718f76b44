//! The HTTP client every destination request goes through: no redirects, no proxy, and a
//! DNS resolver that refuses internal addresses, so a destination URL cannot reach inside.

use pressroom_providers::download::is_forbidden;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// Which otherwise forbidden addresses a destination may use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboundPolicy {
    /// 127.0.0.0/8 and ::1 (tests, a WordPress on the same machine).
    pub allow_loopback: bool,
    /// 10/8, 172.16/12, 192.168/16 and fc00::/7, for a self-hosted WordPress on a private
    /// network. Link-local (cloud metadata) and the rest stay refused.
    pub allow_private: bool,
}

impl OutboundPolicy {
    pub fn permits(&self, ip: IpAddr) -> bool {
        !is_forbidden(ip, self.allow_loopback) || (self.allow_private && is_private(ip))
    }
}

fn is_private(ip: IpAddr) -> bool {
    let v4 = |v4: Ipv4Addr| {
        let o = v4.octets();
        o[0] == 10 || (o[0] == 172 && (o[1] & 0xf0) == 16) || (o[0] == 192 && o[1] == 168)
    };
    match ip {
        IpAddr::V4(a) => v4(a),
        IpAddr::V6(a) => match a.to_ipv4_mapped() {
            Some(m) => v4(m),
            None => (a.segments()[0] & 0xfe00) == 0xfc00,
        },
    }
}

/// A refused destination address: the host and, when it resolved, the address.
#[derive(Debug, Clone, thiserror::Error)]
#[error("refused to connect to {host}{}: {reason}", ip.map(|i| format!(" ({i})")).unwrap_or_default())]
pub struct GuardRefused {
    pub host: String,
    pub ip: Option<IpAddr>,
    pub reason: String,
}

/// Checks what the resolver cannot see: the scheme, and hosts written as IP addresses
/// (reqwest connects to those without resolving).
pub fn check_url(policy: OutboundPolicy, url: &Url) -> Result<(), GuardRefused> {
    let host = url.host_str().unwrap_or_default().to_string();
    let refuse = |ip, reason: &str| GuardRefused {
        host: host.clone(),
        ip,
        reason: reason.into(),
    };
    if !matches!(url.scheme(), "http" | "https") {
        return Err(refuse(None, "only http and https URLs are allowed"));
    }
    match url.host() {
        Some(url::Host::Ipv4(ip)) if !policy.permits(ip.into()) => {
            Err(refuse(Some(ip.into()), "internal address"))
        }
        Some(url::Host::Ipv6(ip)) if !policy.permits(ip.into()) => {
            Err(refuse(Some(ip.into()), "internal address"))
        }
        None => Err(refuse(None, "the URL has no host")),
        _ => Ok(()),
    }
}

struct GuardedResolver {
    policy: OutboundPolicy,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy;
        Box::pin(async move {
            let host = name.as_str().to_string();
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            // All or nothing: one internal address among public ones is a rebinding attempt.
            if let Some(bad) = addrs.iter().find(|a| !policy.permits(a.ip())) {
                return Err(Box::new(GuardRefused {
                    host,
                    ip: Some(bad.ip()),
                    reason: "internal address".into(),
                })
                    as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// The guarded client; `timeout` bounds each whole request (uploads included).
pub fn guarded_client(
    policy: OutboundPolicy,
    timeout: Duration,
) -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        // A proxy would connect on our behalf to addresses we never checked.
        .no_proxy()
        .dns_resolver(Arc::new(GuardedResolver { policy }))
        .connect_timeout(Duration::from_secs(10))
        .timeout(timeout)
        .user_agent(concat!("pressroom/", env!("CARGO_PKG_VERSION")))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_networks_only_when_allowed() {
        let open = OutboundPolicy::default();
        let private = OutboundPolicy {
            allow_loopback: false,
            allow_private: true,
        };
        for ip in [
            "10.1.2.3",
            "172.20.0.1",
            "192.168.1.10",
            "fd00::1",
            "::ffff:10.0.0.1",
        ] {
            let ip: IpAddr = ip.parse().unwrap();
            assert!(!open.permits(ip), "{ip}");
            assert!(private.permits(ip), "{ip}");
        }
        for ip in [
            "169.254.169.254",
            "127.0.0.1",
            "100.64.0.1",
            "fe80::1",
            "0.0.0.0",
        ] {
            assert!(!private.permits(ip.parse().unwrap()), "{ip}");
        }
        assert!(open.permits("93.184.216.34".parse().unwrap()));
    }

    #[test]
    fn literal_addresses_are_checked() {
        let url = Url::parse("http://169.254.169.254/latest/meta-data").unwrap();
        let policy = OutboundPolicy {
            allow_loopback: true,
            allow_private: true,
        };
        assert!(check_url(policy, &url).is_err());
        assert!(check_url(policy, &Url::parse("http://127.0.0.1:8080/").unwrap()).is_ok());
        assert!(
            check_url(
                OutboundPolicy::default(),
                &Url::parse("http://[::1]/").unwrap()
            )
            .is_err()
        );
        assert!(check_url(policy, &Url::parse("file:///etc/passwd").unwrap()).is_err());
    }
}
