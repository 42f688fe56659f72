//! The end-session endpoint's guard (OpenID Connect RP-Initiated Logout 1.0).

use ::rocket::data::{self, Data, FromData};
use ::rocket::request::{self, FromRequest, Request};

use super::consent::{hidden, same_origin, server_of, CsrfToken, SignedInUser, CSRF_FIELD};
use crate::end_session::EndSession;
use crate::error::OAuthError;
use crate::request::OAuthRequest;
use crate::response::OAuthResponse;

/// The end-session request, on your `GET` route (as a request guard: the relying party sends
/// the browser there) and on the `POST` of your confirmation form (as a data guard). The request
/// is validated ([`AuthorizationServer::validate_end_session_request`]): an unknown client or an
/// unregistered `post_logout_redirect_uri` is an error shown to the user, never redirected.
///
/// Sign the user out (your session) when [`confirmed`](Self::confirmed), else ask them with a
/// form carrying [`hidden_fields`](Self::hidden_fields); then [`respond`](Self::respond).
///
/// ```ignore
/// #[get("/logout")]
/// async fn end_session(request: EndSessionRequest<User>, cookies: &CookieJar<'_>) -> Result<OAuthResponse, RawHtml<String>> {
///     if let Err(error) = request.end_session() {
///         return Err(RawHtml(format!("<p>{}</p>", error)));
///     }
///     if !request.confirmed() {
///         return Err(RawHtml(format!(
///             r#"<form method="post">{}<button>Sign out</button></form>"#,
///             request.hidden_fields()
///         )));
///     }
///     cookies.remove_private("session");
///     request.respond().ok_or_else(|| RawHtml("<p>Signed out.</p>".into()))
/// }
/// ```
///
/// [`AuthorizationServer::validate_end_session_request`]: crate::AuthorizationServer::validate_end_session_request
pub struct EndSessionRequest<U> {
    outcome: Result<EndSession, OAuthError>,
    request: OAuthRequest,
    user: Option<U>,
    csrf: Option<CsrfToken>,
    confirmed: bool,
}

impl<U: SignedInUser> EndSessionRequest<U> {
    /// The validated request, or why it is refused.
    pub fn end_session(&self) -> Result<&EndSession, &OAuthError> {
        self.outcome.as_ref()
    }

    /// The signed-in user, if any.
    pub fn user(&self) -> Option<&U> {
        self.user.as_ref()
    }

    /// Whether to sign the user out without asking: the request is valid and either nobody is
    /// signed in, or its `id_token_hint` names the signed-in user (the relying party knows who
    /// it is signing out), or it is your confirmation form, posted from this site with this
    /// browser's CSRF token. Anything else (a bare link from any site) must ask first, or any
    /// page could sign your users out.
    pub fn confirmed(&self) -> bool {
        self.outcome.is_ok() && (self.user.is_none() || self.confirmed)
    }

    /// Hidden inputs for the confirmation form: the request's parameters and the CSRF token,
    /// HTML-escaped. The form posts them back to the same path.
    pub fn hidden_fields(&self) -> String {
        let mut html: String = self
            .request
            .params()
            .iter()
            .filter(|(name, _)| *name != CSRF_FIELD)
            .map(|(name, value)| hidden(name, value))
            .collect();
        if let Some(csrf) = &self.csrf {
            html.push_str(&csrf.hidden_field());
        }
        html
    }

    /// After you signed the user out: a `303` to the registered `post_logout_redirect_uri`
    /// (with `state`), or `None` when the request named none (show your own page). An invalid
    /// request answers its error.
    pub fn respond(self) -> Option<OAuthResponse> {
        match self.outcome {
            Ok(end) => end.response(),
            Err(error) => Some(error.to_response()),
        }
    }
}

async fn build<U: SignedInUser>(
    request: &Request<'_>,
    oauth: OAuthRequest,
    form_confirmed: bool,
) -> EndSessionRequest<U> {
    let user = U::signed_in(request).await;
    let outcome = match server_of(request) {
        Ok(server) => server.validate_end_session_request(&oauth).await,
        Err(error) => Err(error),
    };
    let hinted = match (&outcome, &user, server_of(request)) {
        (Ok(end), Some(user), Ok(server)) => end.names(server, &user.resource_owner().id),
        _ => false,
    };
    EndSessionRequest {
        outcome,
        request: oauth,
        user,
        csrf: Some(CsrfToken::of(request)),
        confirmed: hinted || form_confirmed,
    }
}

#[::rocket::async_trait]
impl<'r, U: SignedInUser> FromRequest<'r> for EndSessionRequest<U> {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> request::Outcome<Self, Self::Error> {
        let oauth = super::request::build(request, b"");
        request::Outcome::Success(build(request, oauth, false).await)
    }
}

#[::rocket::async_trait]
impl<'r, U: SignedInUser> FromData<'r> for EndSessionRequest<U> {
    type Error = std::convert::Infallible;

    async fn from_data(request: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        let oauth = super::request::read_form(request, data).await;
        let server = server_of(request).ok();
        let confirmed = same_origin(request, server)
            && CsrfToken::existing(request)
                .is_some_and(|token| token.matches(oauth.param(CSRF_FIELD)));
        data::Outcome::Success(build(request, oauth, confirmed).await)
    }
}
