//! The sign-in session and CSRF tokens.
//!
//! A session is a random id in a private (encrypted and signed) cookie that names an entry in
//! the server's [`Sessions`]: the server decides when it ends. Sessions expire after
//! [`SESSION_LIFETIME`] whatever the cookie says, and signing out deletes the entry, so a
//! copied cookie stops working at sign-out. Sessions live in this process's memory: a restart
//! signs everyone out (the safe direction), and the provider is one process on SQLite.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use oauth_runtime::secret::{constant_time_eq, generate_token};
use oauth_runtime::{AuthorizationServer, ResourceOwner};
use rocket::http::{Cookie, CookieJar, SameSite};
use rocket::request::{FromRequest, Outcome, Request};

const SESSION: &str = "session";
const CSRF: &str = "csrf";

/// How long a sign-in lasts.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(8 * 3600);

/// Sessions kept at most; beyond it, the oldest are ended first.
const MAX_SESSIONS: usize = 100_000;

/// The live sessions: id → (owner id, end).
#[derive(Default)]
pub struct Sessions(Mutex<HashMap<String, (String, Instant)>>);

impl Sessions {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (String, Instant)>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A new session for `owner_id`; its id.
    fn start(&self, owner_id: &str) -> String {
        let id = generate_token(43);
        let now = Instant::now();
        let mut sessions = self.lock();
        if sessions.len() >= MAX_SESSIONS {
            sessions.retain(|_, (_, end)| *end > now);
        }
        if sessions.len() >= MAX_SESSIONS {
            if let Some(oldest) = sessions
                .iter()
                .min_by_key(|(_, (_, end))| *end)
                .map(|(k, _)| k.clone())
            {
                sessions.remove(&oldest);
            }
        }
        sessions.insert(id.clone(), (owner_id.to_owned(), now + SESSION_LIFETIME));
        id
    }

    /// The owner of a live session.
    fn owner(&self, id: &str) -> Option<String> {
        let mut sessions = self.lock();
        match sessions.get(id) {
            Some((owner, end)) if *end > Instant::now() => Some(owner.clone()),
            Some(_) => {
                sessions.remove(id);
                None
            }
            None => None,
        }
    }

    fn end(&self, id: &str) {
        self.lock().remove(id);
    }
}

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
        let signed_out = Outcome::Forward(rocket::http::Status::Unauthorized);
        let Some(session) = request
            .cookies()
            .get_private(SESSION)
            .map(|c| c.value().to_owned())
        else {
            return signed_out;
        };
        let (Some(server), Some(sessions)) = (
            request.rocket().state::<AuthorizationServer>(),
            request.rocket().state::<Sessions>(),
        ) else {
            return signed_out;
        };
        let Some(id) = sessions.owner(&session) else {
            return signed_out;
        };
        match server.storage().find_user(&id).await {
            Ok(Some(owner)) => Outcome::Success(SignedIn(owner)),
            _ => Outcome::Forward(rocket::http::Status::Unauthorized),
        }
    }
}

/// Starts a session for `owner`, with a fresh id and CSRF token (no fixation across sign-in).
pub fn sign_in(
    sessions: &Sessions,
    request_secure: bool,
    cookies: &CookieJar<'_>,
    owner: &ResourceOwner,
) {
    if let Some(old) = cookies.get_private(SESSION) {
        sessions.end(old.value());
    }
    let id = sessions.start(&owner.id);
    cookies.add_private(cookie(SESSION, id, request_secure));
    cookies.add_private(cookie(CSRF, generate_token(32), request_secure));
}

/// Ends the session on the server, then drops the cookie.
pub fn sign_out(sessions: &Sessions, cookies: &CookieJar<'_>) {
    if let Some(session) = cookies.get_private(SESSION) {
        sessions.end(session.value());
    }
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
