//! The sign-in session (a private — encrypted and signed — cookie) and CSRF tokens.

use oauth_runtime::secret::{constant_time_eq, generate_token};
use oauth_runtime::{AuthorizationServer, ResourceOwner};
use rocket::http::{Cookie, CookieJar, SameSite};
use rocket::request::{FromRequest, Outcome, Request};

const SESSION: &str = "session";
const CSRF: &str = "csrf";

/// Whether cookies get `Secure`: everywhere but plain-HTTP loopback.
fn secure(request: &Request<'_>) -> bool {
    let issuer = request
        .rocket()
        .state::<AuthorizationServer>()
        .and_then(|s| s.config().issuer.clone())
        .unwrap_or_default();
    !(issuer.starts_with("http://127.0.0.1") || issuer.starts_with("http://localhost"))
}

fn cookie(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .build()
}

/// The signed-in resource owner.
pub struct SignedIn(pub ResourceOwner);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for SignedIn {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        let Some(id) = request
            .cookies()
            .get_private(SESSION)
            .map(|c| c.value().to_owned())
        else {
            return Outcome::Forward(rocket::http::Status::Unauthorized);
        };
        let Some(server) = request.rocket().state::<AuthorizationServer>() else {
            return Outcome::Forward(rocket::http::Status::Unauthorized);
        };
        match server.storage().find_user(&id).await {
            Ok(Some(owner)) => Outcome::Success(SignedIn(owner)),
            _ => Outcome::Forward(rocket::http::Status::Unauthorized),
        }
    }
}

/// Starts a session for `owner`, with a fresh CSRF token (no fixation across sign-in).
pub fn sign_in(request_secure: bool, cookies: &CookieJar<'_>, owner: &ResourceOwner) {
    cookies.add_private(cookie(SESSION, owner.id.clone(), request_secure));
    cookies.add_private(cookie(CSRF, generate_token(32), request_secure));
}

/// Ends the session.
pub fn sign_out(cookies: &CookieJar<'_>) {
    cookies.remove_private(Cookie::from(SESSION));
}

/// The CSRF token of this browser (made on first use), for hidden form fields.
pub struct Csrf(pub String);

/// Whether cookies should be `Secure` for this request.
pub struct SecureCookies(pub bool);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for SecureCookies {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        Outcome::Success(SecureCookies(secure(request)))
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for Csrf {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        let cookies = request.cookies();
        if let Some(token) = cookies.get_private(CSRF) {
            return Outcome::Success(Csrf(token.value().to_owned()));
        }
        let token = generate_token(32);
        cookies.add_private(cookie(CSRF, token.clone(), secure(request)));
        Outcome::Success(Csrf(token))
    }
}

/// Whether a submitted form carries this browser's CSRF token.
pub fn csrf_ok(cookies: &CookieJar<'_>, submitted: Option<&str>) -> bool {
    match (cookies.get_private(CSRF), submitted) {
        (Some(expected), Some(submitted)) => constant_time_eq(expected.value(), submitted),
        _ => false,
    }
}
