//! The client's network address, for throttling: the peer of the connection, unless that peer
//! is a configured trusted proxy.
//!
//! Forwarding headers are written by whoever sends the request, so they are believed only when
//! the connection comes from a proxy the operator listed in `trusted_proxies`. Then the headers
//! are read right to left (each proxy appends the address it received the request from), and
//! the first address that is not itself a trusted proxy is the client (the right-most
//! untrusted address: nothing to its left can be verified).

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use ipnet::IpNet;
use serde::{Deserialize, Deserializer};

/// A trusted proxy: a network in CIDR notation (`10.0.0.0/8`, `fd00::/8`) or one address
/// (`127.0.0.1`), as written in `[oauth2] trusted_proxies`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrustedProxy(IpNet);

impl TrustedProxy {
    /// Whether `address` is in this network.
    pub fn contains(&self, address: IpAddr) -> bool {
        self.0.contains(&canonical(address))
    }
}

impl FromStr for TrustedProxy {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if let Ok(net) = s.parse::<IpNet>() {
            return Ok(TrustedProxy(net.trunc()));
        }
        s.parse::<IpAddr>()
            .map(|ip| TrustedProxy(IpNet::from(canonical(ip))))
            .map_err(|_| format!("`{s}` is not an IP address or CIDR network"))
    }
}

impl fmt::Display for TrustedProxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<'de> Deserialize<'de> for TrustedProxy {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`, how a dual-stack socket reports IPv4 peers)
/// as the IPv4 address they are.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

/// The forwarding headers of a request, each as all its values in order.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Forwarding<'a> {
    /// `Forwarded` (RFC 7239) values.
    pub(crate) forwarded: &'a [&'a str],
    /// `X-Forwarded-For` values.
    pub(crate) x_forwarded_for: &'a [&'a str],
    /// `X-Real-IP` values.
    pub(crate) x_real_ip: &'a [&'a str],
}

/// The client address of a request that arrived from `peer`.
///
/// Without trusted proxies, or when `peer` is not one, the peer is the client and every
/// forwarding header is ignored. From a trusted proxy, the first header present among
/// `Forwarded`, `X-Forwarded-For` and `X-Real-IP` is read right to left, and the first address
/// that is not a trusted proxy is the client; an entry that is not an address (`unknown`, an
/// obfuscated node) ends the walk at the last verified hop.
pub(crate) fn resolve(
    peer: Option<IpAddr>,
    headers: Forwarding<'_>,
    trusted: &[TrustedProxy],
) -> Option<IpAddr> {
    let peer = canonical(peer?);
    let is_trusted = |ip: IpAddr| trusted.iter().any(|t| t.contains(ip));
    if !is_trusted(peer) {
        return Some(peer);
    }
    let hops: Vec<Option<IpAddr>> = if !headers.forwarded.is_empty() {
        headers
            .forwarded
            .iter()
            .flat_map(|v| v.split(','))
            .map(forwarded_for)
            .collect()
    } else if !headers.x_forwarded_for.is_empty() {
        headers
            .x_forwarded_for
            .iter()
            .flat_map(|v| v.split(','))
            .map(node)
            .collect()
    } else {
        headers.x_real_ip.iter().map(|v| node(v)).collect()
    };
    let mut client = peer;
    for hop in hops.into_iter().rev() {
        match hop.map(canonical) {
            Some(ip) if is_trusted(ip) => client = ip,
            Some(ip) => return Some(ip),
            None => return Some(client),
        }
    }
    Some(client)
}

/// The `for=` node of one `Forwarded` element (RFC 7239 §4, §6).
fn forwarded_for(element: &str) -> Option<IpAddr> {
    element.split(';').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("for")
            .then(|| node(value))
            .flatten()
    })
}

/// An address as forwarding headers write it: `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`,
/// `[2001:db8::1]:4711`, optionally in double quotes.
fn node(text: &str) -> Option<IpAddr> {
    let text = text.trim().trim_matches('"');
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(socket) = text.parse::<SocketAddr>() {
        return Some(socket.ip());
    }
    let inner = text.strip_prefix('[')?.split(']').next()?;
    inner.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn proxies(list: &[&str]) -> Vec<TrustedProxy> {
        list.iter().map(|s| s.parse().unwrap()).collect()
    }

    #[test]
    fn without_trusted_proxies_headers_are_ignored() {
        let h = Forwarding {
            x_real_ip: &["1.2.3.4"],
            x_forwarded_for: &["5.6.7.8"],
            forwarded: &["for=9.9.9.9"],
        };
        assert_eq!(resolve(Some(ip("10.0.0.1")), h, &[]), Some(ip("10.0.0.1")));
        let trusted = proxies(&["127.0.0.1"]);
        assert_eq!(
            resolve(Some(ip("10.0.0.1")), h, &trusted),
            Some(ip("10.0.0.1"))
        );
    }

    #[test]
    fn right_most_untrusted_address_is_the_client() {
        let trusted = proxies(&["10.0.0.0/8", "127.0.0.1"]);
        let xff = ["6.6.6.6, 1.2.3.4", "10.1.1.1"];
        let h = Forwarding {
            x_forwarded_for: &xff,
            ..Default::default()
        };
        assert_eq!(
            resolve(Some(ip("127.0.0.1")), h, &trusted),
            Some(ip("1.2.3.4"))
        );
    }

    #[test]
    fn forwarded_wins_and_is_parsed_per_rfc7239() {
        let trusted = proxies(&["127.0.0.1"]);
        let fwd = [r#"for=192.0.2.60;proto=http, For="[2001:db8:cafe::17]:4711""#];
        let h = Forwarding {
            forwarded: &fwd,
            x_real_ip: &["8.8.8.8"],
            ..Default::default()
        };
        assert_eq!(
            resolve(Some(ip("127.0.0.1")), h, &trusted),
            Some(ip("2001:db8:cafe::17"))
        );
    }

    #[test]
    fn unknown_hop_stops_at_the_last_verified_one() {
        let trusted = proxies(&["10.0.0.0/8"]);
        let h = Forwarding {
            x_forwarded_for: &["1.2.3.4, unknown, 10.0.0.2"],
            ..Default::default()
        };
        assert_eq!(
            resolve(Some(ip("10.0.0.1")), h, &trusted),
            Some(ip("10.0.0.2"))
        );
    }

    #[test]
    fn x_real_ip_from_a_trusted_proxy() {
        let trusted = proxies(&["::1", "127.0.0.0/8"]);
        let h = Forwarding {
            x_real_ip: &["203.0.113.9"],
            ..Default::default()
        };
        assert_eq!(
            resolve(Some(ip("::ffff:127.0.0.1")), h, &trusted),
            Some(ip("203.0.113.9"))
        );
        assert_eq!(
            resolve(Some(ip("::1")), h, &trusted),
            Some(ip("203.0.113.9"))
        );
        assert_eq!(resolve(None, h, &trusted), None);
    }

    #[test]
    fn bad_proxy_entries_are_refused() {
        assert!("10.0.0.0/33".parse::<TrustedProxy>().is_err());
        assert!("example.com".parse::<TrustedProxy>().is_err());
        assert!("10.1.2.3/8"
            .parse::<TrustedProxy>()
            .unwrap()
            .contains(ip("10.200.0.1")));
    }
}
