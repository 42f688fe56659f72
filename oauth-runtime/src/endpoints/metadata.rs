//! Authorization server metadata (RFC 8414).

use serde::Serialize;

use crate::model::{GrantType, ResponseType};
use crate::server::AuthorizationServer;

/// Where the app mounted the endpoints (absolute URLs).
#[derive(Clone, Debug)]
pub struct EndpointUrls {
    /// The authorization endpoint.
    pub authorization: String,
    /// The token endpoint.
    pub token: String,
    /// The revocation endpoint (RFC 7009), if mounted.
    pub revocation: Option<String>,
    /// The introspection endpoint (RFC 7662), if mounted.
    pub introspection: Option<String>,
    /// The JWK Set of the signing keys (`GET …/jwks` of `oauth_routes()`), if mounted.
    pub jwks: Option<String>,
}

/// The metadata document (RFC 8414 §2), served at `/.well-known/oauth-authorization-server`.
#[derive(Clone, Debug, Serialize)]
pub struct ServerMetadata {
    /// The issuer identifier.
    pub issuer: String,
    /// The authorization endpoint.
    pub authorization_endpoint: String,
    /// The token endpoint.
    pub token_endpoint: String,
    /// The revocation endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revocation_endpoint: Option<String>,
    /// The introspection endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub introspection_endpoint: Option<String>,
    /// The JWK Set of the signing keys.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwks_uri: Option<String>,
    /// Supported response types.
    pub response_types_supported: Vec<&'static str>,
    /// The `response_mode` values a client may ask for.
    pub response_modes_supported: Vec<&'static str>,
    /// Supported grant types.
    pub grant_types_supported: Vec<String>,
    /// Client authentication at the token endpoint.
    pub token_endpoint_auth_methods_supported: Vec<&'static str>,
    /// Client authentication at the revocation endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revocation_endpoint_auth_methods_supported: Option<Vec<&'static str>>,
    /// Client authentication at the introspection endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub introspection_endpoint_auth_methods_supported: Option<Vec<&'static str>>,
    /// PKCE methods (RFC 7636).
    pub code_challenge_methods_supported: Vec<&'static str>,
    /// `iss` in authorization responses (RFC 9207).
    pub authorization_response_iss_parameter_supported: bool,
}

impl AuthorizationServer {
    /// The RFC 8414 metadata of this server, or `None` when no `issuer` is configured (the
    /// document requires one).
    pub fn metadata(&self, urls: &EndpointUrls) -> Option<ServerMetadata> {
        let issuer = self.config().issuer.clone()?;
        let mut response_types: Vec<&'static str> =
            self.response_types().map(ResponseType::as_str).collect();
        response_types.sort_unstable();
        let mut grant_types: Vec<String> =
            self.grant_types().map(|g| g.as_str().to_owned()).collect();
        if self.response_types().any(|r| r == ResponseType::Token) {
            grant_types.push(GrantType::Implicit.as_str().to_owned());
        }
        grant_types.sort();
        let all = vec!["client_secret_basic", "client_secret_post", "none"];
        let mut pkce = vec!["S256"];
        if self.config().pkce_allow_plain {
            pkce.push("plain");
        }
        Some(ServerMetadata {
            issuer,
            authorization_endpoint: urls.authorization.clone(),
            token_endpoint: urls.token.clone(),
            revocation_endpoint: urls.revocation.clone(),
            introspection_endpoint: urls.introspection.clone(),
            jwks_uri: urls.jwks.clone(),
            response_types_supported: response_types,
            response_modes_supported: crate::ResponseMode::SUPPORTED.to_vec(),
            grant_types_supported: grant_types,
            token_endpoint_auth_methods_supported: all.clone(),
            revocation_endpoint_auth_methods_supported: urls
                .revocation
                .as_ref()
                .map(|_| all.clone()),
            introspection_endpoint_auth_methods_supported: urls
                .introspection
                .as_ref()
                .map(|_| vec!["client_secret_basic", "client_secret_post"]),
            code_challenge_methods_supported: pkce,
            authorization_response_iss_parameter_supported: true,
        })
    }
}
