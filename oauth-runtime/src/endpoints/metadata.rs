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
    /// The OpenID Connect UserInfo endpoint (`GET|POST …/userinfo` of `oauth_routes()`), if
    /// mounted.
    pub userinfo: Option<String>,
    /// The end-session endpoint (OpenID Connect RP-Initiated Logout; your route with
    /// [`EndSessionRequest`](crate::rocket::EndSessionRequest)), if mounted.
    pub end_session: Option<String>,
    /// The registration endpoint (RFC 7591), if registration is enabled.
    pub registration: Option<String>,
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
    /// The registration endpoint (RFC 7591 §3, RFC 8414 §2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registration_endpoint: Option<String>,
    /// Client ID Metadata Documents are accepted (draft-ietf-oauth-client-id-metadata-document
    /// §6): a client may use an `https` URL as its `client_id`.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub client_id_metadata_document_supported: bool,
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
    /// OpenID Connect Discovery §3: the UserInfo endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub userinfo_endpoint: Option<String>,
    /// RP-Initiated Logout §2.1: where relying parties send the browser to sign out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_session_endpoint: Option<String>,
    /// OpenID Connect Discovery §3: `public` or `pairwise` (Core §8).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject_types_supported: Option<Vec<&'static str>>,
    /// OpenID Connect Discovery §3: the algorithm ID tokens are signed with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token_signing_alg_values_supported: Option<Vec<&'static str>>,
    /// OpenID Connect Discovery §3: scopes this server knows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scopes_supported: Option<Vec<&'static str>>,
    /// OpenID Connect Discovery §3: claims it may release.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claims_supported: Option<Vec<&'static str>>,
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
        if self
            .response_types()
            .any(|r| r.has_token() || r.has_id_token())
        {
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
            registration_endpoint: urls.registration.clone(),
            client_id_metadata_document_supported: self.config().client_metadata_documents.enabled,
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
            userinfo_endpoint: None,
            end_session_endpoint: None,
            subject_types_supported: None,
            id_token_signing_alg_values_supported: None,
            scopes_supported: None,
            claims_supported: None,
        })
    }

    /// The OpenID Connect Discovery document (`/.well-known/openid-configuration`): the RFC 8414
    /// metadata, the same values, and what OpenID Connect adds. `None` without an `issuer`.
    pub fn openid_configuration(&self, urls: &EndpointUrls) -> Option<ServerMetadata> {
        let mut metadata = self.metadata(urls)?;
        metadata.userinfo_endpoint = urls.userinfo.clone();
        metadata.end_session_endpoint = urls.end_session.clone();
        metadata.subject_types_supported = Some(vec![self.config().openid.subject_type.as_str()]);
        metadata.id_token_signing_alg_values_supported =
            Some(vec![self.config().signing.algorithm.as_str()]);
        let mut scopes = vec![crate::id_token::OPENID];
        scopes.extend(crate::claims::SCOPE_CLAIMS.iter().map(|(scope, _)| *scope));
        metadata.scopes_supported = Some(scopes);
        let mut claims = vec![
            "iss",
            "sub",
            "aud",
            "exp",
            "iat",
            "auth_time",
            "nonce",
            "at_hash",
        ];
        for (_, names) in crate::claims::SCOPE_CLAIMS {
            claims.extend(names.iter().copied());
        }
        metadata.claims_supported = Some(claims);
        Some(metadata)
    }
}
