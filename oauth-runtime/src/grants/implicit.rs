//! The implicit grant (RFC 6749 §4.2). Legacy (RFC 9700 §2.1.2): register it only when needed.

use async_trait::async_trait;

use super::{AuthorizationRequest, Grant};
use crate::error::OAuthError;
use crate::model::{GrantType, ResourceOwner, ResponseType};
use crate::server::AuthorizationServer;
use crate::token::NewToken;

/// `response_type=token`: the access token is returned in the redirect URI fragment.
#[derive(Clone, Copy, Debug, Default)]
pub struct ImplicitGrant;

#[async_trait]
impl Grant for ImplicitGrant {
    fn response_type(&self) -> Option<ResponseType> {
        Some(ResponseType::Token)
    }

    async fn create_authorization_response(
        &self,
        server: &AuthorizationServer,
        authorization: &AuthorizationRequest,
        user: &ResourceOwner,
    ) -> Result<Vec<(String, String)>, OAuthError> {
        // RFC 6749 §4.2.2: the server MUST NOT issue a refresh token.
        let (token, _) = server
            .issue_token(
                authorization.client.as_ref(),
                NewToken::new(GrantType::Implicit, authorization.scope.clone())
                    .for_user(&user.id)
                    .for_audience(authorization.resources.clone()),
            )
            .await?;
        Ok(super::openid::token_params(&token))
    }
}
