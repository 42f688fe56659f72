//! The client credentials grant (RFC 6749 §4.4).

use std::sync::Arc;

use async_trait::async_trait;

use super::{requested_scope, Grant};
use crate::error::OAuthError;
use crate::model::{GrantType, OAuth2Client};
use crate::request::OAuthRequest;
use crate::server::AuthorizationServer;
use crate::token::{NewToken, TokenResponse};

/// `grant_type=client_credentials`: confidential clients only (RFC 6749 §4.4), no refresh
/// token (§4.4.3).
#[derive(Clone, Copy, Debug, Default)]
pub struct ClientCredentialsGrant;

#[async_trait]
impl Grant for ClientCredentialsGrant {
    fn grant_type(&self) -> Option<GrantType> {
        Some(GrantType::ClientCredentials)
    }

    async fn create_token_response(
        &self,
        server: &AuthorizationServer,
        request: &OAuthRequest,
        client: &Arc<dyn OAuth2Client>,
    ) -> Result<TokenResponse, OAuthError> {
        let scope = requested_scope(request.param("scope"), client.as_ref())?;
        let requested = crate::resource_indicator::requested(request)?;
        let audience =
            crate::resource_indicator::grant(server.config(), client.as_ref(), requested)?;
        let (response, _) = server
            .issue_token(
                client.as_ref(),
                NewToken::new(GrantType::ClientCredentials, scope).for_audience(audience),
            )
            .await?;
        Ok(response)
    }
}
