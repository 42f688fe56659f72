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
                NewToken::new(GrantType::Implicit, authorization.scope.clone()).for_user(&user.id),
            )
            .await?;
        let mut params = vec![
            ("access_token".to_owned(), token.access_token.clone()),
            ("token_type".to_owned(), token.token_type.to_owned()),
            ("expires_in".to_owned(), token.expires_in.to_string()),
        ];
        if !token.scope.is_empty() {
            params.push(("scope".to_owned(), token.scope.to_string()));
        }
        // Fields a `TokenHooks::process_token` added: text as is, anything else as JSON.
        for (name, value) in token.extra_fields() {
            let value = match value {
                serde_json::Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            params.push((name.clone(), value));
        }
        Ok(params)
    }
}
