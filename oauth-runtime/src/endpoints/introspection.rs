//! Token introspection (RFC 7662).

use async_trait::async_trait;
use serde::Serialize;

use super::{find_token, Found};
use crate::client_auth::authenticate_client;
use crate::error::OAuthError;
use crate::grants::{required, CONFIDENTIAL};
use crate::model::{now, Endpoint, OAuth2Client, Token};
use crate::request::OAuthRequest;
use crate::response::OAuthResponse;
use crate::server::{check_post_form, AuthorizationServer};
use crate::store::{Storage, StorageResult};

/// Who may introspect what (Authlib's `check_permission`; RFC 7662 §2.2, §4: the server
/// decides which protected resources may learn about a token, and answers `{"active":
/// false}` to a caller that may not).
///
/// ```
/// use oauth_runtime::endpoints::IntrospectionPolicy;
/// use oauth_runtime::{OAuth2Client, Storage, StorageResult, Token};
///
/// /// Resource servers, and clients of the same tenant (a prefix of the client id).
/// struct SameTenant;
///
/// #[oauth_runtime::async_trait]
/// impl IntrospectionPolicy for SameTenant {
///     async fn check_permission(
///         &self,
///         _storage: &dyn Storage,
///         caller: &dyn OAuth2Client,
///         token: &Token,
///     ) -> StorageResult<bool> {
///         let tenant = |id: &str| id.split('.').next().map(str::to_owned);
///         Ok(caller.is_resource_server() || tenant(caller.client_id()) == tenant(&token.client_id))
///     }
/// }
/// ```
#[async_trait]
pub trait IntrospectionPolicy: Send + Sync + 'static {
    /// Whether the authenticated `caller` may learn about `token` (active, unexpired).
    async fn check_permission(
        &self,
        storage: &dyn Storage,
        caller: &dyn OAuth2Client,
        token: &Token,
    ) -> StorageResult<bool>;
}

/// The default policy: a client may introspect the tokens issued to it; a client registered
/// as a resource server ([`OAuth2Client::is_resource_server`]) may introspect any token.
#[derive(Clone, Copy, Debug, Default)]
pub struct OwnTokensOrResourceServer;

#[async_trait]
impl IntrospectionPolicy for OwnTokensOrResourceServer {
    async fn check_permission(
        &self,
        _storage: &dyn Storage,
        caller: &dyn OAuth2Client,
        token: &Token,
    ) -> StorageResult<bool> {
        Ok(caller.is_resource_server() || token.client_id == caller.client_id())
    }
}

/// An introspection response (RFC 7662 §2.2); only `active` when the token is not active.
#[derive(Debug, Default, Serialize)]
struct Introspection {
    active: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    client_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    token_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exp: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    iat: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sub: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    iss: Option<String>,
    /// RFC 7662 §2.2 `aud`: the resources the token is for (RFC 8707), one string or an array.
    #[serde(skip_serializing_if = "Option::is_none")]
    aud: Option<serde_json::Value>,
}

impl AuthorizationServer {
    /// Answers an introspection request (RFC 7662 §2).
    ///
    /// The caller must authenticate as a confidential client (§2.1: the endpoint MUST require
    /// authorization). Unknown, expired and revoked tokens are `{"active": false}` (§2.2), and
    /// so is a token the caller may not learn about under the server's
    /// [`IntrospectionPolicy`] (by default: its own tokens, or any if it is a resource server).
    pub async fn create_introspection_response(&self, request: &OAuthRequest) -> OAuthResponse {
        OAuthResponse::from_result(self.introspect(request).await)
    }

    async fn introspect(&self, request: &OAuthRequest) -> Result<Introspection, OAuthError> {
        check_post_form(request)?;
        let caller =
            authenticate_client(self, request, Endpoint::Introspection, CONFIDENTIAL).await?;
        let token = required(request, "token")?;
        let now = now();
        let hint = request.param("token_type_hint");
        let (token, is_access) = match find_token(self.storage(), token, hint).await? {
            // The resource servers' own rule: what the validator calls revoked or expired is
            // inactive here too (RFC 7662 §2.2).
            Some(Found::Access(t)) => {
                let validator = self.validator();
                if validator.token_revoked(self.storage(), &t).await? || validator.token_expired(&t)
                {
                    return Ok(Introspection::default());
                }
                (t, true)
            }
            Some(Found::Refresh(t)) if t.refresh_token_active(now) => (t, false),
            _ => return Ok(Introspection::default()),
        };
        // RFC 7662 §4: a caller not allowed to know about the token learns nothing of it.
        if !self
            .introspection_policy()
            .check_permission(self.storage(), caller.as_ref(), &token)
            .await?
        {
            return Ok(Introspection::default());
        }
        let username = match &token.user_id {
            Some(id) => self.storage().find_user(id).await?.map(|u| u.username),
            None => None,
        };
        Ok(Introspection {
            active: true,
            scope: Some(token.scope.to_string()),
            client_id: Some(token.client_id.clone()),
            username,
            // A refresh token is active too, but is not a bearer access token: it is labelled
            // with its RFC 8693 §3 type identifier, so that a resource server cannot take it
            // for one.
            token_type: Some(if is_access {
                "Bearer"
            } else {
                "urn:ietf:params:oauth:token-type:refresh_token"
            }),
            exp: if is_access {
                Some(token.expires_at())
            } else {
                token.refresh_token_expires_at
            },
            iat: Some(token.issued_at),
            sub: token.user_id.clone(),
            iss: self.config().issuer.clone(),
            aud: match token.audience.as_slice() {
                [] => None,
                [one] => Some(serde_json::Value::from(one.as_str())),
                many => Some(serde_json::Value::from(many.to_vec())),
            },
        })
    }
}
