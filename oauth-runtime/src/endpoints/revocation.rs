//! Token revocation (RFC 7009).

use super::{find_token, Found};
use crate::client_auth::authenticate_client;
use crate::error::OAuthError;
use crate::grants::{required, ANY_CLIENT};
use crate::model::Endpoint;
use crate::request::OAuthRequest;
use crate::response::OAuthResponse;
use crate::server::{check_post_form, AuthorizationServer};

impl AuthorizationServer {
    /// Answers a revocation request (RFC 7009 §2).
    ///
    /// The client authenticates; `token` is required; `token_type_hint` orders the search.
    /// Revoking a refresh token revokes every token of its grant (§2.1 SHOULD); revoking an
    /// access token revokes that token. An unknown token is answered 200 (§2.2); a token issued
    /// to another client is refused with `invalid_grant` and left untouched (§2.1).
    pub async fn create_revocation_response(&self, request: &OAuthRequest) -> OAuthResponse {
        match self.revoke(request).await {
            Ok(()) => OAuthResponse::json(200, "{}".to_owned()),
            Err(error) => error.to_response(),
        }
    }

    async fn revoke(&self, request: &OAuthRequest) -> Result<(), OAuthError> {
        check_post_form(request)?;
        let client = authenticate_client(self, request, Endpoint::Revocation, ANY_CLIENT).await?;
        let token = required(request, "token")?;
        let hint = request.param("token_type_hint");
        let Some(found) = find_token(self.storage(), token, hint).await? else {
            return Ok(());
        };
        let record = match &found {
            Found::Access(t) | Found::Refresh(t) => t,
        };
        // RFC 7009 §2.1: the server verifies the token was issued to the requesting client.
        if record.client_id != client.client_id() {
            return Err(OAuthError::invalid_grant(
                "the token was issued to another client",
            ));
        }
        match found {
            Found::Refresh(token) => self.storage().revoke_family(&token.family).await?,
            Found::Access(token) => {
                self.storage()
                    .revoke_access_token(&token.access_token_hash)
                    .await?
            }
        }
        Ok(())
    }
}
