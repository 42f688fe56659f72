//! Grants: one file per grant, each a [`Grant`] with hooks that default to [`Storage`](crate::Storage).
//!
//! A grant serves the token endpoint (it has a [`Grant::grant_type`]), the authorization
//! endpoint (it has a [`Grant::response_type`]), or both. Register grants with
//! [`AuthorizationServer::register_grant`](crate::AuthorizationServer::register_grant). An
//! extension grant (RFC 6749 §4.5) is a type implementing [`Grant`] whose grant type is
//! [`GrantType::Extension`]; it issues tokens with
//! [`AuthorizationServer::issue_token`](crate::AuthorizationServer::issue_token).

mod authorization_code;
mod client_credentials;
mod implicit;
mod openid;
mod password;
mod refresh_token;

pub use authorization_code::{AuthorizationCodeGrant, AuthorizationCodeHooks};
pub use client_credentials::ClientCredentialsGrant;
pub use implicit::ImplicitGrant;
pub use openid::{OpenIdHybridGrant, OpenIdImplicitGrant};
pub use password::{PasswordGrant, PasswordHooks};
pub use refresh_token::{RefreshTokenGrant, RefreshTokenHooks};

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;

use crate::error::{ErrorCode, OAuthError};
use crate::model::{
    AuthMethod, CodeChallengeMethod, GrantType, OAuth2Client, ResourceOwner, ResponseType,
};
use crate::request::OAuthRequest;
use crate::response::ResponseMode;
use crate::scope::Scope;
use crate::server::AuthorizationServer;
use crate::token::TokenResponse;

/// The hooks' default implementation: everything from [`Storage`](crate::Storage).
#[derive(Clone, Copy, Debug, Default)]
pub struct StorageHooks;

/// Authentication methods of confidential clients.
pub(crate) const CONFIDENTIAL: &[AuthMethod] =
    &[AuthMethod::ClientSecretBasic, AuthMethod::ClientSecretPost];

/// Authentication methods of confidential and public clients.
pub(crate) const ANY_CLIENT: &[AuthMethod] = &[
    AuthMethod::ClientSecretBasic,
    AuthMethod::ClientSecretPost,
    AuthMethod::None,
];

/// A validated authorization request: what a consent page shows and what the approval acts on.
#[derive(Clone)]
pub struct AuthorizationRequest {
    /// The verified client.
    pub client: Arc<dyn OAuth2Client>,
    /// The requested response type.
    pub response_type: ResponseType,
    /// The verified redirect URI (the request's, or the client's only registered one).
    pub redirect_uri: String,
    /// Whether the request carried `redirect_uri` (then the token request must repeat it).
    pub redirect_uri_given: bool,
    /// The requested scope (within the client's allowed scope).
    pub scope: Scope,
    /// The client's `state`, echoed exactly.
    pub state: Option<String>,
    /// PKCE challenge (RFC 7636).
    pub code_challenge: Option<String>,
    /// PKCE method.
    pub code_challenge_method: Option<CodeChallengeMethod>,
    /// OpenID Connect `nonce` (Core §3.1.2.1), echoed in the ID token.
    pub nonce: Option<String>,
    /// The resources the tokens will be for (RFC 8707 §2): the request's `resource` values,
    /// or the default audience.
    pub resources: Vec<String>,
    /// Where the response parameters go: decided by the server from the response type and an
    /// allowed `response_mode`, never by a grant.
    pub(crate) response_mode: ResponseMode,
    /// Whether the client is known by its Client ID Metadata Document (not registered).
    pub(crate) from_metadata_document: bool,
}

impl AuthorizationRequest {
    /// `error` redirected to the client, with `state` and `iss` (RFC 6749 §4.1.2.1, RFC 9207).
    pub fn error_response(&self, error: OAuthError, issuer: Option<&str>) -> crate::OAuthResponse {
        error
            .redirect_to(
                &self.redirect_uri,
                self.response_mode,
                self.state.as_deref(),
                issuer,
            )
            .to_response()
    }

    /// Where the response parameters go (RFC 6749 §4.1.2 query for `code`, §4.2.2 fragment
    /// for `token`, or the `response_mode` the request asked for where allowed).
    pub fn response_mode(&self) -> ResponseMode {
        self.response_mode
    }

    /// For a client known only by its Client ID Metadata Document, the host of its client id
    /// URL (in ASCII, as [`redirect_host`](Self::redirect_host)): the name in such a document
    /// is the client's own claim, so a consent page should show where the document lives
    /// beside it. `None` for a registered client.
    pub fn metadata_document_host(&self) -> Option<String> {
        if !self.from_metadata_document {
            return None;
        }
        url::Url::parse(self.client.client_id())
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
    }

    /// The host of the redirect URI in ASCII — internationalised names in punycode
    /// (`xn--…`) — for consent pages: a look-alike host written in another script cannot pass
    /// for a familiar one. `None` for URIs without a host (private-use schemes).
    pub fn redirect_host(&self) -> Option<String> {
        url::Url::parse(&self.redirect_uri)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
    }
}

impl fmt::Debug for AuthorizationRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizationRequest")
            .field("client_id", &self.client.client_id())
            .field("response_type", &self.response_type)
            .field("redirect_uri", &self.redirect_uri)
            .field("scope", &self.scope)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

/// An OAuth 2.0 grant.
///
/// Every method has a default, so a grant implements only the endpoint it serves.
#[async_trait]
pub trait Grant: Send + Sync + 'static {
    /// The `grant_type` served at the token endpoint, if any.
    fn grant_type(&self) -> Option<GrantType> {
        None
    }

    /// The `response_type` served at the authorization endpoint, if any.
    fn response_type(&self) -> Option<ResponseType> {
        None
    }

    /// Every `response_type` served (a grant serving several, like OpenID Connect's hybrid
    /// flow, overrides this); by default [`response_type`](Self::response_type).
    fn response_types(&self) -> Vec<ResponseType> {
        self.response_type().into_iter().collect()
    }

    /// Client authentication methods accepted at the token endpoint for this grant.
    fn token_endpoint_auth_methods(&self) -> &'static [AuthMethod] {
        CONFIDENTIAL
    }

    /// Handles a token request from an authenticated client allowed to use this grant.
    async fn create_token_response(
        &self,
        server: &AuthorizationServer,
        request: &OAuthRequest,
        client: &Arc<dyn OAuth2Client>,
    ) -> Result<TokenResponse, OAuthError> {
        let _ = (server, request, client);
        Err(OAuthError::new(ErrorCode::UnsupportedGrantType))
    }

    /// Grant-specific checks of an authorization request whose client, redirect URI, response
    /// type and scope are already verified; errors are redirected to the client.
    async fn validate_authorization_request(
        &self,
        server: &AuthorizationServer,
        request: &OAuthRequest,
        authorization: &mut AuthorizationRequest,
    ) -> Result<(), OAuthError> {
        let _ = (server, request, authorization);
        Ok(())
    }

    /// Issues what the resource owner approved; returns the response parameters (the server
    /// adds `state` and `iss`).
    async fn create_authorization_response(
        &self,
        server: &AuthorizationServer,
        authorization: &AuthorizationRequest,
        user: &ResourceOwner,
    ) -> Result<Vec<(String, String)>, OAuthError> {
        let _ = (server, authorization, user);
        Err(OAuthError::new(ErrorCode::UnsupportedResponseType))
    }
}

/// The scope of a token request: the `scope` parameter, or the client's default when omitted
/// (RFC 6749 §3.3); it must lie within the client's allowed scope.
pub(crate) fn requested_scope(
    requested: Option<&str>,
    client: &dyn OAuth2Client,
) -> Result<Scope, OAuthError> {
    let scope = match requested {
        Some(s) => Scope::parse(s)?,
        None => client.default_scope(),
    };
    if !client.scope().contains_all(&scope) {
        return Err(OAuthError::invalid_scope(
            "the requested scope exceeds what the client may request",
        ));
    }
    Ok(scope)
}

/// A required parameter, or `invalid_request` naming it.
pub(crate) fn required<'r>(
    request: &'r OAuthRequest,
    name: &'static str,
) -> Result<&'r str, OAuthError> {
    request
        .param(name)
        .ok_or_else(|| OAuthError::invalid_request(format!("missing `{name}` parameter")))
}
