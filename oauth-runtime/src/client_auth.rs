//! Client authentication at the token, revocation and introspection endpoints
//! (RFC 6749 §2.3, §3.2.1).

use std::sync::Arc;

use crate::error::OAuthError;
use crate::model::{AuthMethod, Endpoint, OAuth2Client};
use crate::request::{ClientCredentials, OAuthRequest};
use crate::server::AuthorizationServer;
use crate::throttle::Credential;

/// Authenticates the client of `request` at `endpoint`, accepting only `allowed` methods and
/// only the method the client registered.
///
/// Every failure is `invalid_client` (401 with `WWW-Authenticate: Basic`), except a request
/// presenting two methods, which is `invalid_request` (RFC 6749 §2.3: "MUST NOT use more than
/// one authentication method in each request").
pub(crate) async fn authenticate_client(
    server: &AuthorizationServer,
    request: &OAuthRequest,
    endpoint: Endpoint,
    allowed: &[AuthMethod],
) -> Result<Arc<dyn OAuth2Client>, OAuthError> {
    let (client_id, secret, method) = match request.client_credentials()? {
        ClientCredentials::Basic { client_id, secret } => {
            (client_id, Some(secret), AuthMethod::ClientSecretBasic)
        }
        ClientCredentials::Post { client_id, secret } => {
            (client_id, Some(secret), AuthMethod::ClientSecretPost)
        }
        ClientCredentials::None { client_id } => (client_id, None, AuthMethod::None),
        ClientCredentials::Absent => {
            return Err(OAuthError::invalid_client(
                "client authentication is required",
            ))
        }
    };
    let failed = || OAuthError::invalid_client("client authentication failed");
    let address = request.remote_addr();
    // A secret check reserves its place in the throttle's counts before anything is looked
    // up, so concurrent guesses cannot all pass the limit.
    let attempt = match secret {
        Some(_) => Some(
            server
                .throttle()
                .begin(Credential::ClientSecret, &client_id, address)
                .await?,
        ),
        None => None,
    };
    let Some(client) = server.find_client(&client_id).await? else {
        if let (Some(secret), Some(attempt)) = (&secret, attempt) {
            // Spend the time of a secret check so unknown ids are not told apart by timing.
            crate::secret::SecretHash::of("").verify(secret);
            attempt.failed();
        }
        return Err(failed());
    };
    if !allowed.contains(&method) || !client.check_endpoint_auth_method(method, endpoint) {
        return Err(failed());
    }
    match (secret, attempt) {
        (Some(secret), Some(attempt)) => {
            if client.check_client_secret(&secret) {
                attempt.succeeded();
                Ok(client)
            } else {
                attempt.failed();
                Err(failed())
            }
        }
        _ if !client.is_public() => Err(failed()),
        _ => Ok(client),
    }
}
