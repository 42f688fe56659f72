//! OpenID Connect RP-Initiated Logout 1.0: a relying party sends the browser to the end-session
//! endpoint; the provider signs the user out and sends the browser back to a registered
//! `post_logout_redirect_uri`.

use std::sync::Arc;

use crate::error::OAuthError;
use crate::model::OAuth2Client;
use crate::request::OAuthRequest;
use crate::response::OAuthResponse;
use crate::server::AuthorizationServer;

/// A validated end-session request (RP-Initiated Logout §2).
#[derive(Clone)]
pub struct EndSession {
    /// The relying party, from `client_id` or the hint's audience.
    pub client: Option<Arc<dyn OAuth2Client>>,
    /// The `sub` of the `id_token_hint` (as the client saw it: pairwise or public).
    pub subject: Option<String>,
    /// Where the browser goes after signing out, `state` appended.
    redirect: Option<String>,
}

impl std::fmt::Debug for EndSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EndSession")
            .field(
                "client",
                &self.client.as_ref().map(|c| c.client_id().to_owned()),
            )
            .field("subject", &self.subject)
            .field("redirect", &self.redirect)
            .finish()
    }
}

impl EndSession {
    /// The registered `post_logout_redirect_uri` with `state`, if the request named one.
    pub fn redirect_uri(&self) -> Option<&str> {
        self.redirect.as_deref()
    }

    /// The answer after signing the user out: a `303` to the `post_logout_redirect_uri`, or
    /// `None` (then show your own "signed out" page).
    pub fn response(&self) -> Option<OAuthResponse> {
        self.redirect.as_deref().map(|uri| {
            let mut response = OAuthResponse::redirect(uri.to_owned());
            response.status = 303;
            response
        })
    }

    /// Whether the hint names `user_id` (the signed-in user) for this client: then the user
    /// need not be asked to confirm (§2: a logout the user did not ask for is what the
    /// confirmation prevents).
    pub fn names(&self, server: &AuthorizationServer, user_id: &str) -> bool {
        match (&self.client, &self.subject) {
            (Some(client), Some(sub)) => server.subject_for(user_id, client.as_ref()) == *sub,
            _ => false,
        }
    }
}

/// Never redirected (errors are direct unless a grant says where to redirect): the redirect URI
/// is what may be wrong (§3: the OP MUST NOT redirect to an unregistered URI).
fn invalid(description: &'static str) -> OAuthError {
    OAuthError::invalid_request(description)
}

impl AuthorizationServer {
    /// Validates an end-session request (RP-Initiated Logout §2, §3): `id_token_hint` must be
    /// an ID token this server signed (expired or not), `client_id` must agree with its
    /// audience, and `post_logout_redirect_uri` must be one the client registered
    /// ([`OAuth2Client::post_logout_redirect_uris`]); an error is shown to the user, never
    /// redirected.
    pub async fn validate_end_session_request(
        &self,
        request: &OAuthRequest,
    ) -> Result<EndSession, OAuthError> {
        if let Some(error) = request.malformed() {
            return Err(error.clone());
        }
        let (subject, audience) = match request.param("id_token_hint") {
            Some(hint) => {
                let hint = crate::id_token::read_hint(self, hint).await?;
                (Some(hint.sub), hint.aud)
            }
            None => (None, Vec::new()),
        };
        let client_id = match (request.param("client_id"), audience.as_slice()) {
            (Some(id), []) => Some(id.to_owned()),
            (Some(id), aud) if aud.iter().any(|a| a == id) => Some(id.to_owned()),
            (Some(_), _) => return Err(invalid("client_id is not the id_token_hint's audience")),
            (None, [only]) => Some(only.clone()),
            (None, _) => None,
        };
        let client = match &client_id {
            Some(id) => Some(
                self.find_client(id)
                    .await?
                    .ok_or_else(|| invalid("unknown client"))?,
            ),
            None => None,
        };
        let redirect = match request.param("post_logout_redirect_uri") {
            None => None,
            Some(uri) => {
                let Some(client) = &client else {
                    return Err(invalid(
                        "post_logout_redirect_uri needs client_id or id_token_hint",
                    ));
                };
                if !client
                    .post_logout_redirect_uris()
                    .iter()
                    .any(|registered| registered == uri)
                {
                    return Err(invalid(
                        "post_logout_redirect_uri is not registered for the client",
                    ));
                }
                Some(match request.param("state") {
                    Some(state) => crate::response::redirect_with(
                        uri,
                        crate::response::ResponseMode::Query,
                        &[("state", state)],
                    ),
                    None => uri.to_owned(),
                })
            }
        };
        Ok(EndSession {
            client,
            subject,
            redirect,
        })
    }
}
