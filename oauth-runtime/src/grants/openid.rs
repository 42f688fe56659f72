//! OpenID Connect's implicit (Core §3.2) and hybrid (§3.3) flows: ID tokens (and access tokens,
//! and codes) from the authorization endpoint. Legacy like the OAuth implicit grant (RFC 9700
//! §2.1.2): register them only for relying parties that need them.

use async_trait::async_trait;

use super::{AuthorizationCodeHooks, AuthorizationRequest, Grant, StorageHooks};
use crate::error::{ErrorCode, OAuthError};
use crate::id_token::{IdTokenFor, OPENID};
use crate::model::{GrantType, ResourceOwner, ResponseType};
use crate::request::OAuthRequest;
use crate::server::AuthorizationServer;
use crate::token::{NewToken, TokenResponse};
use crate::AuthorizationCodeGrant;

/// `response_type` `id_token` and `id_token token` (OpenID Connect Core §3.2): the ID token
/// (and the access token) in the redirect's fragment. `id_token` alone carries the claims the
/// scope releases (§5.4). `nonce` is required.
#[derive(Clone, Copy, Debug, Default)]
pub struct OpenIdImplicitGrant;

/// `response_type` `code id_token`, `code token` and `code id_token token` (OpenID Connect
/// Core §3.3): a code with an ID token (with `c_hash`) and/or an access token in the fragment.
/// The code is redeemed at the token endpoint by the [`AuthorizationCodeGrant`], which must be
/// registered too; PKCE follows its rules. `nonce` is required.
#[derive(Clone, Debug, Default)]
pub struct OpenIdHybridGrant<H = StorageHooks> {
    code: AuthorizationCodeGrant<H>,
}

impl OpenIdHybridGrant {
    /// The hybrid flow, with codes kept by the storage.
    pub fn new() -> Self {
        OpenIdHybridGrant {
            code: AuthorizationCodeGrant::new(),
        }
    }
}

impl<H: AuthorizationCodeHooks> OpenIdHybridGrant<H> {
    /// The hybrid flow saving its codes through `hooks` (as
    /// [`AuthorizationCodeGrant::with_hooks`]); `grants![OpenIdHybrid(hooks = …)]`.
    pub fn with_hooks(hooks: H) -> Self {
        OpenIdHybridGrant::with_code_grant(AuthorizationCodeGrant::with_hooks(hooks))
    }

    /// The hybrid flow issuing its codes through `code` (its hooks and PKCE rules).
    pub fn with_code_grant(code: AuthorizationCodeGrant<H>) -> Self {
        OpenIdHybridGrant { code }
    }
}

/// Core §3.2.2.1, §3.3.2.11: these response types are OpenID Connect's: `openid` and a `nonce`
/// are required.
fn check_openid(
    request: &OAuthRequest,
    authorization: &AuthorizationRequest,
) -> Result<(), OAuthError> {
    if !authorization.scope.contains(OPENID) {
        return Err(OAuthError::new(ErrorCode::InvalidScope)
            .with_description("this response_type needs the openid scope"));
    }
    if request.param("nonce").is_none() {
        return Err(OAuthError::invalid_request(
            "nonce is required for this response_type (OpenID Connect Core §3.2.2.1)",
        ));
    }
    Ok(())
}

/// The access token parameters of a fragment response (RFC 6749 §4.2.2), with the fields a
/// `TokenHooks::process_token` added (text as is, anything else as JSON).
pub(crate) fn token_params(token: &TokenResponse) -> Vec<(String, String)> {
    let mut params = vec![
        ("access_token".to_owned(), token.access_token.clone()),
        ("token_type".to_owned(), token.token_type.to_owned()),
        ("expires_in".to_owned(), token.expires_in.to_string()),
    ];
    if !token.scope.is_empty() {
        params.push(("scope".to_owned(), token.scope.to_string()));
    }
    for (name, value) in token.extra_fields() {
        let value = match value {
            serde_json::Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        params.push((name.clone(), value));
    }
    params
}

/// Adds the access token and the ID token the response type asks for to `params` (which hold
/// the code, if any).
async fn respond(
    server: &AuthorizationServer,
    authorization: &AuthorizationRequest,
    user: &ResourceOwner,
    mut params: Vec<(String, String)>,
) -> Result<Vec<(String, String)>, OAuthError> {
    let response_type = authorization.response_type;
    let client = authorization.client.as_ref();
    let code = params
        .iter()
        .find(|(name, _)| name == "code")
        .map(|(_, code)| code.clone());
    let mut access_token = None;
    if response_type.has_token() {
        // RFC 6749 §4.2.2: no refresh token from the authorization endpoint.
        let (token, _) = server
            .issue_token(
                client,
                NewToken::new(GrantType::Implicit, authorization.scope.clone())
                    .for_user(&user.id)
                    .for_audience(authorization.resources.clone()),
            )
            .await?;
        access_token = Some(token.access_token.clone());
        params.extend(token_params(&token));
    }
    if response_type.has_id_token() {
        let about = IdTokenFor {
            client,
            user_id: &user.id,
            scope: &authorization.scope,
            nonce: authorization.nonce.as_deref(),
            auth_time: user.auth_time,
            access_token: access_token.as_deref(),
            code: code.as_deref(),
            release_claims_of: (!response_type.has_token() && !response_type.has_code())
                .then_some(user),
        };
        params.push((
            "id_token".to_owned(),
            crate::id_token::issue(server, about).await?,
        ));
    }
    Ok(params)
}

#[async_trait]
impl Grant for OpenIdImplicitGrant {
    fn response_types(&self) -> Vec<ResponseType> {
        vec![ResponseType::IdToken, ResponseType::IdTokenToken]
    }

    async fn validate_authorization_request(
        &self,
        _server: &AuthorizationServer,
        request: &OAuthRequest,
        authorization: &mut AuthorizationRequest,
    ) -> Result<(), OAuthError> {
        check_openid(request, authorization)
    }

    async fn create_authorization_response(
        &self,
        server: &AuthorizationServer,
        authorization: &AuthorizationRequest,
        user: &ResourceOwner,
    ) -> Result<Vec<(String, String)>, OAuthError> {
        respond(server, authorization, user, Vec::new()).await
    }
}

#[async_trait]
impl<H: AuthorizationCodeHooks> Grant for OpenIdHybridGrant<H> {
    fn response_types(&self) -> Vec<ResponseType> {
        vec![
            ResponseType::CodeIdToken,
            ResponseType::CodeToken,
            ResponseType::CodeIdTokenToken,
        ]
    }

    async fn validate_authorization_request(
        &self,
        server: &AuthorizationServer,
        request: &OAuthRequest,
        authorization: &mut AuthorizationRequest,
    ) -> Result<(), OAuthError> {
        check_openid(request, authorization)?;
        self.code
            .validate_authorization_request(server, request, authorization)
            .await
    }

    async fn create_authorization_response(
        &self,
        server: &AuthorizationServer,
        authorization: &AuthorizationRequest,
        user: &ResourceOwner,
    ) -> Result<Vec<(String, String)>, OAuthError> {
        let code = self
            .code
            .create_authorization_response(server, authorization, user)
            .await?;
        respond(server, authorization, user, code).await
    }
}
