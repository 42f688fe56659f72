//! Hooks around the token endpoint that apply to every grant (Authlib's `process_token` and
//! a grant's `validate_token_request` extension points), with the storage and async.
//!
//! Per-grant steps (authenticating the user, finding a code or a refresh token) are the
//! grants' own hooks: [`AuthorizationCodeHooks`](crate::AuthorizationCodeHooks),
//! [`PasswordHooks`](crate::PasswordHooks), [`RefreshTokenHooks`](crate::RefreshTokenHooks).

use async_trait::async_trait;

use crate::error::OAuthError;
use crate::model::{GrantType, OAuth2Client, Token};
use crate::request::OAuthRequest;
use crate::store::Storage;
use crate::token::TokenResponse;

/// Hooks every token request and every issued token goes through. Each method has a default
/// that does nothing; override the ones you need and register them with
/// [`OAuth2::token_hooks`](crate::OAuth2::token_hooks).
///
/// ```
/// use oauth_runtime::{async_trait, OAuthError, Storage, Token, TokenHooks, TokenResponse};
///
/// /// Tells first-party apps which account the token is for.
/// struct AccountHint;
///
/// #[async_trait]
/// impl TokenHooks for AccountHint {
///     async fn process_token(
///         &self,
///         storage: &dyn Storage,
///         token: &Token,
///         response: &mut TokenResponse,
///     ) -> Result<(), OAuthError> {
///         if let Some(user_id) = &token.user_id {
///             if let Some(owner) = storage.find_user(user_id).await? {
///                 response.insert_field("username", owner.username)?;
///             }
///         }
///         Ok(())
///     }
/// }
/// ```
#[async_trait]
pub trait TokenHooks: Send + Sync + 'static {
    /// Runs after the client is authenticated and allowed the grant type, before the grant:
    /// an error refuses the request with that error (e.g. `invalid_request`, or
    /// `unauthorized_client` for a client you have suspended).
    async fn validate_token_request(
        &self,
        storage: &dyn Storage,
        request: &OAuthRequest,
        client: &dyn OAuth2Client,
        grant_type: &GrantType,
    ) -> Result<(), OAuthError> {
        let _ = (storage, request, client, grant_type);
        Ok(())
    }

    /// Runs after a token is saved, before it is sent, at the token endpoint and in implicit
    /// grant redirects: add fields with [`TokenResponse::insert_field`]. `token` is the saved
    /// record (client, user, scope, grant type, family). An error is sent instead of the token,
    /// which stays saved (revoke it if you must).
    async fn process_token(
        &self,
        storage: &dyn Storage,
        token: &Token,
        response: &mut TokenResponse,
    ) -> Result<(), OAuthError> {
        let _ = (storage, token, response);
        Ok(())
    }
}

/// No hooks.
pub(crate) struct NoHooks;

impl TokenHooks for NoHooks {}
