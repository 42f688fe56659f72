//! The resource owner password credentials grant (RFC 6749 §4.3). Legacy (RFC 9700 §2.4):
//! register it only for first-party clients that need it.

use std::sync::Arc;

use async_trait::async_trait;

use super::{requested_scope, required, Grant, StorageHooks};
use crate::error::OAuthError;
use crate::model::{GrantType, OAuth2Client, ResourceOwner};
use crate::request::OAuthRequest;
use crate::server::AuthorizationServer;
use crate::store::{Storage, StorageResult};
use crate::token::{NewToken, TokenResponse};

/// Hooks of the password grant (Authlib's `authenticate_user`).
#[async_trait]
pub trait PasswordHooks: Send + Sync + 'static {
    /// The resource owner with these credentials; `None` refuses with `invalid_grant`.
    async fn authenticate_user(
        &self,
        storage: &dyn Storage,
        username: &str,
        password: &str,
    ) -> StorageResult<Option<ResourceOwner>> {
        storage.authenticate_user(username, password).await
    }
}

impl PasswordHooks for StorageHooks {}

/// `grant_type=password`, for confidential clients.
#[derive(Clone, Debug, Default)]
pub struct PasswordGrant<H = StorageHooks> {
    hooks: H,
}

impl PasswordGrant {
    /// The grant with storage-backed hooks.
    pub fn new() -> Self {
        PasswordGrant {
            hooks: StorageHooks,
        }
    }
}

impl<H: PasswordHooks> PasswordGrant<H> {
    /// The grant with custom hooks.
    pub fn with_hooks(hooks: H) -> Self {
        PasswordGrant { hooks }
    }
}

#[async_trait]
impl<H: PasswordHooks> Grant for PasswordGrant<H> {
    fn grant_type(&self) -> Option<GrantType> {
        Some(GrantType::Password)
    }

    async fn create_token_response(
        &self,
        server: &AuthorizationServer,
        request: &OAuthRequest,
        client: &Arc<dyn OAuth2Client>,
    ) -> Result<TokenResponse, OAuthError> {
        let username = required(request, "username")?;
        let password = required(request, "password")?;
        let scope = requested_scope(request.param("scope"), client.as_ref())?;
        let requested = crate::resource_indicator::requested(request)?;
        let audience =
            crate::resource_indicator::grant(server.config(), client.as_ref(), requested)?;
        // Throttled, and under the password hashing limit, like every password check.
        let user = server
            .check_password(username, request.remote_addr(), || {
                self.hooks
                    .authenticate_user(server.storage(), username, password)
            })
            .await?;
        // RFC 6749 §5.2: wrong credentials are invalid_grant, the same for an unknown user.
        let Some(user) = user else {
            return Err(OAuthError::invalid_grant("invalid username or password"));
        };
        let (response, _) = server
            .issue_token(
                client.as_ref(),
                NewToken::new(GrantType::Password, scope)
                    .for_user(&user.id)
                    .with_refresh_token()
                    .for_audience(audience),
            )
            .await?;
        Ok(response)
    }
}
