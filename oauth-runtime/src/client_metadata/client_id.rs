//! Which client ids are metadata document URLs (draft-ietf-oauth-client-id-metadata-document
//! §3): `https`, with a path, no dot segments, no fragment, no user information.

use url::{Host, Url};

/// Whether `client_id` is meant as a metadata document URL: it starts with `https://` (or,
/// with `allow_private`, `http://`). Other ids are ordinary, registered ones.
pub(super) fn is_url(client_id: &str, allow_private: bool) -> bool {
    client_id.starts_with("https://") || (allow_private && client_id.starts_with("http://"))
}

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(name) => *name == "localhost" || name.ends_with(".localhost"),
        Host::Ipv4(ip) => ip.is_loopback(),
        Host::Ipv6(ip) => ip.is_loopback(),
    }
}

/// The URL of a client id that follows the rules, or why it does not. `allow_private` (a
/// development setting) lets it name a loopback or private address, and use `http` on a
/// loopback host.
pub(super) fn parse(client_id: &str, allow_private: bool) -> Result<Url, String> {
    let url = Url::parse(client_id).map_err(|e| format!("the client id is not a URL: {e}"))?;
    // The id is compared as a string with the document's `client_id`, and later with the ids
    // tokens record: it must be the one spelling a URL parser produces (lowercase scheme and
    // host, no default port, no `.` or `..` segments, percent-encoding normalised).
    if url.as_str() != client_id {
        return Err(format!(
            "the client id must be a URL in normal form (it reads as {url})"
        ));
    }
    let host = url
        .host()
        .ok_or_else(|| "the client id URL has no host".to_owned())?;
    match url.scheme() {
        "https" => {}
        "http" if allow_private && is_loopback(&host) => {}
        _ => return Err("the client id URL must use https".to_owned()),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("the client id URL must not contain user information".to_owned());
    }
    if url.fragment().is_some() {
        return Err("the client id URL must not contain a fragment".to_owned());
    }
    if url.path() == "/" {
        return Err("the client id URL must contain a path".to_owned());
    }
    if !allow_private {
        let private = match host {
            Host::Ipv4(ip) => !super::address::is_public(ip.into()),
            Host::Ipv6(ip) => !super::address::is_public(ip.into()),
            Host::Domain(_) => is_loopback(&host),
        };
        if private {
            return Err(
                "the client id URL names a private or loopback address, which is refused"
                    .to_owned(),
            );
        }
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_id_url_rules() {
        for ok in [
            "https://app.example/client.json",
            "https://app.example:8443/oauth/client",
            "https://app.example/client?v=2",
        ] {
            assert!(parse(ok, false).is_ok(), "{ok}");
        }
        for bad in [
            "https://app.example/",
            "https://app.example",
            "https://APP.example/client",
            "https://app.example:443/client",
            "https://app.example/a/../client",
            "https://app.example/./client",
            "https://user:pw@app.example/client",
            "https://app.example/client#frag",
            "http://app.example/client",
            "https://127.0.0.1/client",
            "https://[::1]/client",
            "https://10.0.0.8/client",
            "https://169.254.169.254/latest",
            "https://localhost/client",
            "https://api.localhost/client",
            "https://app.example/client json",
        ] {
            assert!(parse(bad, false).is_err(), "{bad}");
        }
        assert!(parse("http://127.0.0.1:8000/client", true).is_ok());
        assert!(parse("https://10.0.0.8/client", true).is_ok());
        assert!(parse("http://10.0.0.8/client", true).is_err());
    }
}
