//! Which addresses a metadata document may be fetched from: public unicast ones only, so a
//! `client_id` cannot make this server reach its own network (draft-ietf-oauth-client-id-
//! metadata-document §8.6, Server-Side Request Forgery).
//!
//! The check is made on the addresses the name resolves to, by the resolver the HTTP client
//! connects with: the address checked is the address connected to (no DNS rebinding between a
//! check and the connection).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use ipnet::{Ipv4Net, Ipv6Net};

/// IPv4 networks that are not public unicast (IANA special-purpose registry).
const V4_SPECIAL: &[(Ipv4Addr, u8)] = &[
    (Ipv4Addr::new(0, 0, 0, 0), 8),       // "this network"
    (Ipv4Addr::new(10, 0, 0, 0), 8),      // private
    (Ipv4Addr::new(100, 64, 0, 0), 10),   // shared address space (carrier-grade NAT)
    (Ipv4Addr::new(127, 0, 0, 0), 8),     // loopback
    (Ipv4Addr::new(169, 254, 0, 0), 16),  // link-local (cloud metadata services)
    (Ipv4Addr::new(172, 16, 0, 0), 12),   // private
    (Ipv4Addr::new(192, 0, 0, 0), 24),    // IETF protocol assignments
    (Ipv4Addr::new(192, 0, 2, 0), 24),    // documentation
    (Ipv4Addr::new(192, 88, 99, 0), 24),  // 6to4 relay anycast
    (Ipv4Addr::new(192, 168, 0, 0), 16),  // private
    (Ipv4Addr::new(198, 18, 0, 0), 15),   // benchmarking
    (Ipv4Addr::new(198, 51, 100, 0), 24), // documentation
    (Ipv4Addr::new(203, 0, 113, 0), 24),  // documentation
    (Ipv4Addr::new(224, 0, 0, 0), 4),     // multicast
    (Ipv4Addr::new(240, 0, 0, 0), 4),     // reserved, broadcast
];

/// IPv6 networks inside global unicast (`2000::/3`) that are not public.
const V6_SPECIAL: &[(Ipv6Addr, u8)] = &[
    (Ipv6Addr::new(0x2001, 0, 0, 0, 0, 0, 0, 0), 23), // IETF protocol assignments, Teredo
    (Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32), // documentation
    (Ipv6Addr::new(0x3fff, 0, 0, 0, 0, 0, 0, 0), 20), // documentation
];

fn in_v4(address: Ipv4Addr, nets: &[(Ipv4Addr, u8)]) -> bool {
    nets.iter()
        .any(|&(net, len)| Ipv4Net::new(net, len).is_ok_and(|net| net.contains(&address)))
}

/// Whether `address` is a public unicast address a metadata document may come from.
pub(super) fn is_public(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => !in_v4(v4, V4_SPECIAL),
        IpAddr::V6(v6) => {
            // IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) name an IPv4 host.
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let segments = v6.segments();
            if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                let octets = v6.octets();
                return is_public(IpAddr::V4(Ipv4Addr::new(
                    octets[12], octets[13], octets[14], octets[15],
                )));
            }
            // 6to4 (2002::/16) carries an IPv4 address in its next 32 bits.
            if segments[0] == 0x2002 {
                let octets = v6.octets();
                return is_public(IpAddr::V4(Ipv4Addr::new(
                    octets[2], octets[3], octets[4], octets[5],
                )));
            }
            // Only global unicast (2000::/3) is public: this leaves out ::, ::1, unique local
            // (fc00::/7), link-local (fe80::/10), multicast (ff00::/8) and the rest.
            let global = Ipv6Net::new(Ipv6Addr::new(0x2000, 0, 0, 0, 0, 0, 0, 0), 3)
                .is_ok_and(|net| net.contains(&v6));
            global
                && !V6_SPECIAL
                    .iter()
                    .any(|&(net, len)| Ipv6Net::new(net, len).is_ok_and(|net| net.contains(&v6)))
        }
    }
}

/// A resolver that answers only a name's public addresses, and an error when it has none.
pub(super) struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = found.into_iter().filter(|a| is_public(a.ip())).collect();
            if public.is_empty() {
                return Err(format!(
                    "{host} has no public address (private, loopback and link-local addresses \
                     are refused)"
                )
                .into());
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The resolver itself refuses a name with only loopback addresses (the client id check
    /// refuses `localhost` earlier, so this is the path of any other such name).
    #[test]
    fn the_resolver_answers_no_private_address() {
        use reqwest::dns::Resolve;
        use std::str::FromStr;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let name = reqwest::dns::Name::from_str("localhost").unwrap();
        let error = runtime
            .block_on(PublicOnly.resolve(name))
            .err()
            .expect("localhost has no public address");
        assert!(error.to_string().contains("no public address"), "{error}");
    }

    #[test]
    fn only_public_unicast_is_public() {
        for public in [
            "93.184.215.14",
            "8.8.8.8",
            "2606:4700::1111",
            "64:ff9b::808:808",
        ] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::",
            "::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a00:1",
            "2002:7f00:1::",
            "fc00::1",
            "fd12::1",
            "fe80::1",
            "ff02::1",
            "2001:db8::1",
            "2001::1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
    }
}
