//! The authorization server's endpoints: from configuration, else from its metadata (RFC 8414
//! §3, then OpenID Connect Discovery §4).

use serde::Deserialize;

use super::config::ResourceServerConfig;
use super::http::{get_json, Failure};

/// The endpoints a resource server calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Endpoints {
    pub(crate) jwks_uri: Option<String>,
    pub(crate) introspection_endpoint: Option<String>,
}

#[derive(Deserialize)]
struct Metadata {
    issuer: String,
    jwks_uri: Option<String>,
    introspection_endpoint: Option<String>,
}

/// RFC 8414 §3.1: the well-known suffix goes between the host and the issuer's path.
fn well_known(issuer: &str, suffix: &str) -> String {
    let (scheme, rest) = issuer.split_once("://").unwrap_or(("https", issuer));
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    format!(
        "{scheme}://{authority}/.well-known/{suffix}{}",
        path.trim_end_matches('/')
    )
}

/// The endpoints; asks the metadata only for those not configured.
pub(crate) async fn discover(
    http: &reqwest::Client,
    config: &ResourceServerConfig,
) -> Result<Endpoints, Failure> {
    if config.jwks_uri.is_some() && config.introspection_endpoint.is_some() {
        return Ok(Endpoints {
            jwks_uri: config.jwks_uri.clone(),
            introspection_endpoint: config.introspection_endpoint.clone(),
        });
    }
    let issuer = config.issuer.as_str();
    let oauth = well_known(issuer, "oauth-authorization-server");
    // OpenID Connect Discovery §4: appended to the issuer, path and all.
    let openid = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    let metadata: Metadata = match get_json(http, &oauth).await {
        Ok(metadata) => metadata,
        Err(first) => get_json(http, &openid)
            .await
            .map_err(|second| Failure(format!("no metadata: {first}; {second}")))?,
    };
    // RFC 8414 §3.3: the issuer in the metadata MUST be identical to the one asked about, or the
    // metadata MUST NOT be used.
    if metadata.issuer != issuer {
        return Err(Failure(format!(
            "the metadata names issuer {:?}, not {issuer:?}",
            metadata.issuer
        )));
    }
    Ok(Endpoints {
        jwks_uri: config.jwks_uri.clone().or(metadata.jwks_uri),
        introspection_endpoint: config
            .introspection_endpoint
            .clone()
            .or(metadata.introspection_endpoint),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_known_goes_before_the_issuer_path() {
        assert_eq!(
            well_known("https://as.example", "oauth-authorization-server"),
            "https://as.example/.well-known/oauth-authorization-server"
        );
        assert_eq!(
            well_known("https://as.example/tenant/1", "oauth-authorization-server"),
            "https://as.example/.well-known/oauth-authorization-server/tenant/1"
        );
    }
}
