//! The refresh token grant (RFC 6749 §6) with rotation and reuse detection (RFC 9700 §4.14.2).

use std::sync::Arc;

use async_trait::async_trait;

use super::{required, Grant, StorageHooks, ANY_CLIENT};
use crate::error::OAuthError;
use crate::model::{now, AuthMethod, GrantType, OAuth2Client, ResourceOwner, Token};
use crate::request::OAuthRequest;
use crate::scope::Scope;
use crate::secret::SecretHash;
use crate::server::AuthorizationServer;
use crate::store::{Rotation, Storage, StorageResult};
use crate::token::{NewToken, TokenResponse};

/// Hooks of the refresh token grant (Authlib's `authenticate_refresh_token`,
/// `authenticate_user`).
#[async_trait]
pub trait RefreshTokenHooks: Send + Sync + 'static {
    /// The token holding this refresh token digest.
    async fn authenticate_refresh_token(
        &self,
        storage: &dyn Storage,
        hash: &SecretHash,
    ) -> StorageResult<Option<Token>> {
        storage.find_refresh_token(hash).await
    }

    /// The resource owner of a token; `None` refuses the refresh.
    async fn authenticate_user(
        &self,
        storage: &dyn Storage,
        user_id: &str,
    ) -> StorageResult<Option<ResourceOwner>> {
        storage.find_user(user_id).await
    }
}

impl RefreshTokenHooks for StorageHooks {}

/// `grant_type=refresh_token`. Each use rotates the refresh token; presenting a rotated one
/// revokes every token of its family.
#[derive(Clone, Debug, Default)]
pub struct RefreshTokenGrant<H = StorageHooks> {
    hooks: H,
}

impl RefreshTokenGrant {
    /// The grant with storage-backed hooks.
    pub fn new() -> Self {
        RefreshTokenGrant {
            hooks: StorageHooks,
        }
    }
}

impl<H: RefreshTokenHooks> RefreshTokenGrant<H> {
    /// The grant with custom hooks.
    pub fn with_hooks(hooks: H) -> Self {
        RefreshTokenGrant { hooks }
    }
}

#[async_trait]
impl<H: RefreshTokenHooks> Grant for RefreshTokenGrant<H> {
    fn grant_type(&self) -> Option<GrantType> {
        Some(GrantType::RefreshToken)
    }

    fn token_endpoint_auth_methods(&self) -> &'static [AuthMethod] {
        ANY_CLIENT
    }

    async fn create_token_response(
        &self,
        server: &AuthorizationServer,
        request: &OAuthRequest,
        client: &Arc<dyn OAuth2Client>,
    ) -> Result<TokenResponse, OAuthError> {
        let presented = SecretHash::of(required(request, "refresh_token")?);
        let requested = crate::resource_indicator::requested(request)?;
        let storage = server.storage();
        let invalid = || OAuthError::invalid_grant("refresh token is invalid");
        let token = self
            .hooks
            .authenticate_refresh_token(storage, &presented)
            .await?
            .ok_or_else(invalid)?;
        // RFC 6749 §6: the refresh token is bound to the client it was issued to.
        if token.client_id != client.client_id() {
            return Err(invalid());
        }
        if token.refresh_token_revoked {
            // RFC 9700 §4.14.2: a rotated refresh token presented again revokes the family.
            storage.revoke_family(&token.family).await?;
            return Err(invalid());
        }
        if !token.refresh_token_active(now()) {
            return Err(OAuthError::invalid_grant("refresh token expired"));
        }
        // RFC 6749 §6: the scope may only narrow.
        let scope = match request.param("scope") {
            Some(s) => {
                let asked = Scope::parse(s)?;
                if !token.scope.contains_all(&asked) {
                    return Err(OAuthError::invalid_scope(
                        "scope exceeds the scope originally granted",
                    ));
                }
                asked
            }
            None => token.scope.clone(),
        };
        // RFC 8707 §2.2: the audience may narrow, never widen. The rotated refresh token keeps
        // the narrowed audience.
        let audience = crate::resource_indicator::narrow(
            server.config(),
            client.as_ref(),
            &token.audience,
            requested,
        )?;
        if let Some(user_id) = &token.user_id {
            self.hooks
                .authenticate_user(storage, user_id)
                .await?
                .ok_or_else(|| OAuthError::invalid_grant("the resource owner no longer exists"))?;
        }
        let mut new = NewToken::new(GrantType::RefreshToken, scope)
            .with_refresh_token()
            .in_family(token.family.clone())
            .for_audience(audience);
        new.user_id = token.user_id.as_deref();
        let (mut response, record) = server.generate_token(client.as_ref(), new).await?;
        match storage
            .rotate_refresh_token(&presented, record.clone())
            .await?
        {
            Rotation::Rotated => {
                server.process_token(&record, &mut response).await?;
                Ok(response)
            }
            Rotation::Reused | Rotation::Unknown => Err(invalid()),
        }
    }
}
