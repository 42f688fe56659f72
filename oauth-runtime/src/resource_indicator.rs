//! Resource indicators (RFC 8707): which resources a token is for — its audience.
//!
//! A client names the resources with `resource` (repeatable) at the authorization endpoint, the
//! token endpoint, or both. The server accepts only the resources it knows (`resource` and
//! `resources` in the configuration; anything well-formed when neither is set) that the client
//! may use ([`OAuth2Client::allowed_resources`]), and records the result with the code and the
//! token. A token request may narrow what the authorization granted, never widen it (§2.2).

use crate::config::Config;
use crate::error::OAuthError;
use crate::model::OAuth2Client;
use crate::request::OAuthRequest;

/// RFC 8707 §2: an absolute URI without a fragment. Whitespace is refused too: audiences are
/// stored space-separated.
pub(crate) fn check(uri: &str) -> Result<(), &'static str> {
    if uri.is_empty() || uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("a resource must be an absolute URI without whitespace");
    }
    if uri.contains('#') {
        return Err("a resource must not include a fragment (RFC 8707 §2)");
    }
    match url::Url::parse(uri) {
        // `Url::parse` accepts only absolute URIs (a scheme and what follows).
        Ok(_) => Ok(()),
        Err(_) => Err("a resource must be an absolute URI (RFC 8707 §2)"),
    }
}

/// The request's `resource` values, each well-formed (else `invalid_target`), without repeats.
pub(crate) fn requested(request: &OAuthRequest) -> Result<Vec<String>, OAuthError> {
    let mut resources: Vec<String> = Vec::new();
    for value in request.params().get_all("resource") {
        check(value).map_err(OAuthError::invalid_target)?;
        if !resources.iter().any(|r| r == value) {
            resources.push(value.to_owned());
        }
    }
    Ok(resources)
}

/// The audience of a new grant: the requested resources, each one the server knows and the
/// client may use (else `invalid_target`); when none is requested, the client's allowed
/// resources if it has a list, else this server's own `resource`, else no audience.
pub(crate) fn grant(
    config: &Config,
    client: &dyn OAuth2Client,
    requested: Vec<String>,
) -> Result<Vec<String>, OAuthError> {
    let allowed_by_client = client.allowed_resources();
    if requested.is_empty() {
        if !allowed_by_client.is_empty() {
            return Ok(allowed_by_client);
        }
        return Ok(config.resource.iter().cloned().collect());
    }
    let known = |r: &String| {
        (config.resource.is_none() && config.resources.is_empty())
            || config.resource.as_ref() == Some(r)
            || config.resources.contains(r)
    };
    for resource in &requested {
        if !known(resource) {
            return Err(OAuthError::invalid_target(
                "the resource is unknown to this authorization server",
            ));
        }
        if !allowed_by_client.is_empty() && !allowed_by_client.contains(resource) {
            return Err(OAuthError::invalid_target(
                "the client may not request tokens for this resource",
            ));
        }
    }
    Ok(requested)
}

/// The audience of a token issued from an earlier grant (a code or a refresh token) whose
/// audience was `granted`: what the request names, which must be within the grant (RFC 8707
/// §2.2: a token request may narrow, never widen); all of it when the request names nothing.
/// A grant without an audience is narrowed as a new grant is made.
pub(crate) fn narrow(
    config: &Config,
    client: &dyn OAuth2Client,
    granted: &[String],
    requested: Vec<String>,
) -> Result<Vec<String>, OAuthError> {
    if requested.is_empty() {
        return Ok(granted.to_vec());
    }
    if granted.is_empty() {
        return grant(config, client, requested);
    }
    if requested.iter().any(|r| !granted.contains(r)) {
        return Err(OAuthError::invalid_target(
            "the resource was not part of the original grant",
        ));
    }
    Ok(requested)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use crate::model::Client;

    fn config(resource: Option<&str>, resources: &[&str]) -> Config {
        Config {
            resource: resource.map(str::to_owned),
            resources: resources.iter().map(|r| (*r).to_owned()).collect(),
            ..Config::default()
        }
    }

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn only_absolute_uris_without_fragments() {
        for ok in [
            "https://api.example.com",
            "https://a.example/api?v=1",
            "urn:x:y",
        ] {
            assert!(check(ok).is_ok(), "{ok}");
        }
        for bad in ["/api", "api", "https://a.example/#top", "https://a b", ""] {
            assert!(check(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn requested_values_are_checked_and_deduplicated() {
        let request = OAuthRequest::post_form(&[
            ("resource", "https://a.example/"),
            ("resource", "https://b.example/"),
            ("resource", "https://a.example/"),
        ]);
        assert_eq!(
            requested(&request).unwrap(),
            strings(&["https://a.example/", "https://b.example/"])
        );
        let request = OAuthRequest::post_form(&[("resource", "/relative")]);
        assert_eq!(
            requested(&request).unwrap_err().code(),
            ErrorCode::InvalidTarget
        );
    }

    #[test]
    fn a_grant_takes_known_allowed_resources_or_the_default() {
        let client = Client::public("c");
        let cfg = config(Some("https://me.example/api"), &["https://notes.example/"]);
        assert_eq!(
            grant(&cfg, &client, Vec::new()).unwrap(),
            strings(&["https://me.example/api"])
        );
        assert_eq!(
            grant(&cfg, &client, strings(&["https://notes.example/"])).unwrap(),
            strings(&["https://notes.example/"])
        );
        let refused = grant(&cfg, &client, strings(&["https://evil.example/"])).unwrap_err();
        assert_eq!(refused.code(), ErrorCode::InvalidTarget);
        // Nothing configured: anything well-formed, and no audience by default.
        let open = config(None, &[]);
        assert!(grant(&open, &client, Vec::new()).unwrap().is_empty());
        assert!(grant(&open, &client, strings(&["https://x.example/"])).is_ok());
        // A client with its own list: only those, and all of them by default.
        let mut limited = Client::public("l");
        limited.resources = strings(&["https://notes.example/"]);
        assert_eq!(
            grant(&cfg, &limited, Vec::new()).unwrap(),
            strings(&["https://notes.example/"])
        );
        let refused = grant(&cfg, &limited, strings(&["https://me.example/api"])).unwrap_err();
        assert_eq!(refused.code(), ErrorCode::InvalidTarget);
    }

    #[test]
    fn token_requests_narrow_never_widen() {
        let client = Client::public("c");
        let cfg = config(None, &["https://a.example/", "https://b.example/"]);
        let granted = strings(&["https://a.example/", "https://b.example/"]);
        assert_eq!(
            narrow(&cfg, &client, &granted, Vec::new()).unwrap(),
            granted
        );
        assert_eq!(
            narrow(&cfg, &client, &granted, strings(&["https://b.example/"])).unwrap(),
            strings(&["https://b.example/"])
        );
        let narrowed = strings(&["https://b.example/"]);
        let widened = narrow(&cfg, &client, &narrowed, strings(&["https://a.example/"]));
        assert_eq!(widened.unwrap_err().code(), ErrorCode::InvalidTarget);
    }
}
