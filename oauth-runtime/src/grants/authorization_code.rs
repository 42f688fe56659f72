//! The authorization code grant (RFC 6749 §4.1) with PKCE (RFC 7636).

use std::sync::Arc;

use async_trait::async_trait;

use super::{required, AuthorizationRequest, Grant, StorageHooks, ANY_CLIENT};
use crate::error::OAuthError;
use crate::model::{
    now, AuthMethod, AuthorizationCode, CodeChallengeMethod, GrantType, OAuth2Client,
    ResourceOwner, ResponseType, Token,
};
use crate::pkce;
use crate::request::OAuthRequest;
use crate::secret::{generate_token, SecretHash};
use crate::server::AuthorizationServer;
use crate::store::{CodeRedemption, Storage, StorageResult};
use crate::token::{NewToken, TokenResponse};

/// Hooks of the authorization code grant (Authlib's `save_authorization_code`,
/// `query_authorization_code`/`delete_authorization_code`, `authenticate_user`). Override one
/// to change one behaviour; the others keep their storage-backed defaults.
#[async_trait]
pub trait AuthorizationCodeHooks: Send + Sync + 'static {
    /// Saves a newly issued code.
    async fn save_authorization_code(
        &self,
        storage: &dyn Storage,
        code: AuthorizationCode,
    ) -> StorageResult<()> {
        storage.save_authorization_code(code).await
    }

    /// Atomically redeems a code issued to `client_id` (a code of another client stays
    /// unused).
    async fn consume_authorization_code(
        &self,
        storage: &dyn Storage,
        code_hash: &SecretHash,
        client_id: &str,
    ) -> StorageResult<CodeRedemption> {
        storage
            .consume_authorization_code(code_hash, client_id)
            .await
    }

    /// The resource owner a redeemed code was issued for; `None` refuses the request.
    async fn authenticate_user(
        &self,
        storage: &dyn Storage,
        code: &AuthorizationCode,
    ) -> StorageResult<Option<ResourceOwner>> {
        storage.find_user(&code.user_id).await
    }
}

impl AuthorizationCodeHooks for StorageHooks {}

/// `response_type=code` and `grant_type=authorization_code`.
///
/// PKCE is required of public clients (and of all clients with
/// `pkce_required_for_confidential`), `S256` only unless `pkce_allow_plain`.
#[derive(Clone, Debug, Default)]
pub struct AuthorizationCodeGrant<H = StorageHooks> {
    hooks: H,
    pkce_required_for_confidential: Option<bool>,
    pkce_allow_plain: Option<bool>,
}

impl AuthorizationCodeGrant {
    /// The grant with storage-backed hooks.
    pub fn new() -> Self {
        AuthorizationCodeGrant::with_hooks(StorageHooks)
    }
}

impl<H: AuthorizationCodeHooks> AuthorizationCodeGrant<H> {
    /// The grant with custom hooks.
    pub fn with_hooks(hooks: H) -> Self {
        AuthorizationCodeGrant {
            hooks,
            pkce_required_for_confidential: None,
            pkce_allow_plain: None,
        }
    }

    /// Requires PKCE of confidential clients too, overriding `pkce_required_for_confidential`
    /// from configuration. (It is always required of public clients.)
    pub fn require_pkce(mut self, required: bool) -> Self {
        self.pkce_required_for_confidential = Some(required);
        self
    }

    /// Accepts the `plain` method, overriding `pkce_allow_plain` from configuration.
    pub fn allow_plain_pkce(mut self, allow: bool) -> Self {
        self.pkce_allow_plain = Some(allow);
        self
    }
}

#[async_trait]
impl<H: AuthorizationCodeHooks> Grant for AuthorizationCodeGrant<H> {
    fn grant_type(&self) -> Option<GrantType> {
        Some(GrantType::AuthorizationCode)
    }

    fn response_type(&self) -> Option<ResponseType> {
        Some(ResponseType::Code)
    }

    fn token_endpoint_auth_methods(&self) -> &'static [AuthMethod] {
        ANY_CLIENT
    }

    async fn validate_authorization_request(
        &self,
        server: &AuthorizationServer,
        request: &OAuthRequest,
        authorization: &mut AuthorizationRequest,
    ) -> Result<(), OAuthError> {
        let config = server.config();
        let required_for_confidential = self
            .pkce_required_for_confidential
            .unwrap_or(config.pkce_required_for_confidential);
        let allow_plain = self.pkce_allow_plain.unwrap_or(config.pkce_allow_plain);
        let challenge = request.param("code_challenge");
        let method = request.param("code_challenge_method");
        let Some(challenge) = challenge else {
            if method.is_some() {
                return Err(OAuthError::invalid_request(
                    "code_challenge_method given without code_challenge",
                ));
            }
            // RFC 7636 §4.4.1 and RFC 9700 §2.1.1: PKCE is required of public clients.
            if authorization.client.is_public() || required_for_confidential {
                return Err(OAuthError::invalid_request(
                    "code_challenge is required (PKCE)",
                ));
            }
            return Ok(());
        };
        if !pkce::is_valid_challenge(challenge) {
            return Err(OAuthError::invalid_request("code_challenge is malformed"));
        }
        let method = match pkce::method_or_plain(method) {
            Some(CodeChallengeMethod::Plain) if !allow_plain => {
                return Err(OAuthError::invalid_request(
                    "transform algorithm not supported: use S256",
                ))
            }
            Some(method) => method,
            None => {
                return Err(OAuthError::invalid_request("unknown code_challenge_method"));
            }
        };
        authorization.code_challenge = Some(challenge.to_owned());
        authorization.code_challenge_method = Some(method);
        Ok(())
    }

    async fn create_authorization_response(
        &self,
        server: &AuthorizationServer,
        authorization: &AuthorizationRequest,
        user: &ResourceOwner,
    ) -> Result<Vec<(String, String)>, OAuthError> {
        let code = generate_token(server.config().token_length);
        let issued_at = now();
        let record = AuthorizationCode {
            code_hash: SecretHash::of(&code),
            client_id: authorization.client.client_id().to_owned(),
            redirect_uri: authorization
                .redirect_uri_given
                .then(|| authorization.redirect_uri.clone()),
            scope: authorization.scope.clone(),
            user_id: user.id.clone(),
            code_challenge: authorization.code_challenge.clone(),
            code_challenge_method: authorization.code_challenge_method,
            issued_at,
            expires_at: issued_at + server.config().authorization_code_expires_in,
            nonce: authorization.nonce.clone(),
            auth_time: user.auth_time,
            audience: authorization.resources.clone(),
        };
        self.hooks
            .save_authorization_code(server.storage(), record)
            .await?;
        Ok(vec![("code".to_owned(), code)])
    }

    async fn create_token_response(
        &self,
        server: &AuthorizationServer,
        request: &OAuthRequest,
        client: &Arc<dyn OAuth2Client>,
    ) -> Result<TokenResponse, OAuthError> {
        let code = required(request, "code")?;
        let requested = crate::resource_indicator::requested(request)?;
        let storage = server.storage();
        // RFC 6749 §4.1.3: the code must have been issued to the authenticated client; a code
        // presented by another client is refused without being consumed.
        let code = match self
            .hooks
            .consume_authorization_code(storage, &SecretHash::of(code), client.client_id())
            .await?
        {
            CodeRedemption::Redeemed(code) => code,
            CodeRedemption::AlreadyUsed(code) => {
                // RFC 6749 §4.1.2: a code used twice SHOULD revoke the tokens issued from it.
                // The first redemption may still be issuing: a revoked marker in the family
                // tells it, once its token is saved, that a replay came (see below).
                // One marker suffices: later replays find the family revoked already.
                let family = code.family();
                if !storage.family_revoked(&family).await? {
                    storage.save_token(replay_marker(&code)).await?;
                }
                storage.revoke_family(&family).await?;
                return Err(OAuthError::invalid_grant(
                    "authorization code was already used",
                ));
            }
            CodeRedemption::Unknown => {
                return Err(OAuthError::invalid_grant("authorization code is invalid"))
            }
        };
        if code.is_expired(now()) {
            return Err(OAuthError::invalid_grant("authorization code expired"));
        }
        // RFC 6749 §4.1.3: the code must have been issued to the authenticated client.
        if code.client_id != client.client_id() {
            return Err(OAuthError::invalid_grant("authorization code is invalid"));
        }
        // RFC 6749 §4.1.3: redirect_uri must be identical if the authorization request had one.
        if let Some(expected) = &code.redirect_uri {
            if request.param("redirect_uri") != Some(expected.as_str()) {
                return Err(OAuthError::invalid_grant("redirect_uri does not match"));
            }
        }
        check_verifier(&code, request.param("code_verifier"))?;
        // RFC 8707 §2.2: the token may be for fewer resources than the code, never more.
        let audience = crate::resource_indicator::narrow(
            server.config(),
            client.as_ref(),
            &code.audience,
            requested,
        )?;
        let user = self
            .hooks
            .authenticate_user(storage, &code)
            .await?
            .ok_or_else(|| OAuthError::invalid_grant("the resource owner no longer exists"))?;
        let family = code.family();
        let (mut response, _) = server
            .issue_token(
                client.as_ref(),
                NewToken::new(GrantType::AuthorizationCode, code.scope.clone())
                    .for_user(&user.id)
                    .with_refresh_token()
                    .in_family(family.clone())
                    .for_audience(audience),
            )
            .await?;
        // A replay that came while this token was being issued either revoked the family after
        // the token was saved, or left its marker before this check: either way the token is
        // revoked, and this answer withholds it.
        if storage.family_revoked(&family).await? {
            storage.revoke_family(&family).await?;
            return Err(OAuthError::invalid_grant(
                "authorization code was already used",
            ));
        }
        // OpenID Connect Core §3.1.3.3: with `openid` granted, an ID token comes too.
        if let Some(id_token) =
            crate::id_token::for_code(server, client.as_ref(), &code, &response.access_token)
                .await?
        {
            response.insert_field("id_token", id_token)?;
        }
        Ok(response)
    }
}

/// A token record that is born revoked, saved into a replayed code's family: proof of the
/// replay for a redemption still in flight. It expires at once (housekeeping deletes it).
fn replay_marker(code: &AuthorizationCode) -> Token {
    Token {
        access_token_hash: SecretHash::of(&generate_token(43)),
        refresh_token_hash: None,
        client_id: code.client_id.clone(),
        user_id: Some(code.user_id.clone()),
        scope: crate::scope::Scope::empty(),
        grant_type: GrantType::AuthorizationCode,
        issued_at: now(),
        expires_in: 1,
        refresh_token_expires_at: None,
        family: code.family(),
        access_token_revoked: true,
        refresh_token_revoked: true,
        audience: Vec::new(),
    }
}

/// RFC 7636 §4.6 and RFC 9700 §2.1.1 (no PKCE downgrade).
fn check_verifier(code: &AuthorizationCode, verifier: Option<&str>) -> Result<(), OAuthError> {
    match (&code.code_challenge, verifier) {
        (None, None) => Ok(()),
        (None, Some(_)) => Err(OAuthError::invalid_grant(
            "code_verifier given but the authorization request had no code_challenge",
        )),
        (Some(_), None) => Err(OAuthError::invalid_request(
            "missing `code_verifier` parameter",
        )),
        (Some(challenge), Some(verifier)) => {
            if !pkce::is_valid_verifier(verifier) {
                return Err(OAuthError::invalid_request("code_verifier is malformed"));
            }
            let method = code
                .code_challenge_method
                .unwrap_or(CodeChallengeMethod::Plain);
            if pkce::verify(verifier, challenge, method) {
                Ok(())
            } else {
                Err(OAuthError::invalid_grant(
                    "code_verifier does not match the challenge",
                ))
            }
        }
    }
}
