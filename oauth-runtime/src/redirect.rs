//! Matching a requested redirect URI against a registered one.
//!
//! Exact string comparison (RFC 9700 §4.1.3), with the one exception RFC 8252 §7.3 makes for
//! native apps: a loopback IP redirect URI (`http://127.0.0.1/…`, `http://[::1]/…`) matches
//! whatever port the request names, because the app listens on an ephemeral port.

/// Whether `requested` may be used for a client that registered `registered`.
pub(crate) fn matches(registered: &str, requested: &str) -> bool {
    if registered == requested {
        return true;
    }
    // RFC 8252 §7.3: "The authorization server MUST allow any port to be specified at the
    // time of the request for loopback IP redirect URIs". Everything but the port must still
    // be identical, character for character.
    match (
        without_loopback_port(registered),
        without_loopback_port(requested),
    ) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// `http://127.0.0.1:PORT/rest` → (`http://127.0.0.1`, `/rest`), likewise for `[::1]`;
/// `None` for any other URI. Only IP literals count (RFC 8252 §8.3: not `localhost`).
fn without_loopback_port(uri: &str) -> Option<(&str, &str)> {
    let hosts = ["http://127.0.0.1", "http://[::1]"];
    let host = hosts.iter().find(|h| uri.starts_with(**h))?;
    let rest = &uri[host.len()..];
    let rest = match rest.strip_prefix(':') {
        Some(after) => {
            let digits = after.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 || digits > 5 {
                return None;
            }
            &after[digits..]
        }
        None => rest,
    };
    if !(rest.is_empty() || rest.starts_with('/') || rest.starts_with('?')) {
        return None;
    }
    Some((host, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_uris_match_exactly() {
        assert!(matches("https://a.example/cb", "https://a.example/cb"));
        assert!(!matches("https://a.example/cb", "https://a.example/cb/"));
        assert!(!matches("https://a.example/cb", "https://a.example:444/cb"));
        assert!(!matches("http://localhost/cb", "http://localhost:9/cb"));
    }

    #[test]
    fn loopback_ip_redirects_match_any_port_rfc8252_7_3() {
        assert!(matches("http://127.0.0.1/cb", "http://127.0.0.1:51004/cb"));
        assert!(matches("http://127.0.0.1:8000/cb", "http://127.0.0.1:9/cb"));
        assert!(matches("http://[::1]/cb?x=1", "http://[::1]:6000/cb?x=1"));
        assert!(!matches("http://127.0.0.1/cb", "http://127.0.0.1:5/other"));
        assert!(!matches(
            "http://127.0.0.1/cb",
            "http://127.0.0.1.evil.example/cb"
        ));
        assert!(!matches(
            "http://127.0.0.1/cb",
            "http://127.0.0.1:80@evil.example/cb"
        ));
        assert!(!matches("http://127.0.0.1/cb", "http://[::1]:5/cb"));
        assert!(!matches("http://127.0.0.1/cb", "https://127.0.0.1:5/cb"));
        assert!(!matches("http://127.0.0.1/cb", "http://127.0.0.1:/cb"));
    }
}
