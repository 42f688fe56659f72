//! The sign-in session. (CSRF tokens are the runtime's `CsrfToken`.)
//!
//! A session is a random id in a private (encrypted and signed) cookie that names an entry in
//! the server's [`Sessions`]: the server decides when it ends. Sessions expire after
//! [`SESSION_LIFETIME`] whatever the cookie says, and signing out deletes the entry, so a
//! copied cookie stops working at sign-out. Sessions live in this process's memory: a restart
//! signs everyone out (the safe direction), and the provider is one process on SQLite.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use oauth_runtime::secret::generate_token;
use oauth_runtime::{AuthorizationServer, ResourceOwner, SignedInUser};
use rocket::http::{Cookie, CookieJar, SameSite};
use rocket::request::{FromRequest, Outcome, Request};

const SESSION: &str = "session";

/// How long a sign-in lasts.
pub const SESSION_LIFETIME: Duration = Duration::from_secs(8 * 3600);

/// Sessions kept at most; beyond it, the oldest are ended first.
const MAX_SESSIONS: usize = 100_000;

/// A live session: the owner's id, when it ends, and when the owner signed in (Unix time, an
/// ID token's `auth_time`).
struct Session {
    owner: String,
    end: Instant,
    signed_in_at: u64,
}

/// The live sessions by id.
#[derive(Default)]
pub struct Sessions(Mutex<HashMap<String, Session>>);

impl Sessions {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
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
            sessions.retain(|_, session| session.end > now);
        }
        if sessions.len() >= MAX_SESSIONS {
            if let Some(oldest) = sessions
                .iter()
                .min_by_key(|(_, session)| session.end)
                .map(|(k, _)| k.clone())
            {
                sessions.remove(&oldest);
            }
        }
        let session = Session {
            owner: owner_id.to_owned(),
            end: now + SESSION_LIFETIME,
            signed_in_at: crate::cli::unix_now(),
        };
        sessions.insert(id.clone(), session);
        id
    }

    /// The owner of a live session, and when they signed in.
    fn owner(&self, id: &str) -> Option<(String, u64)> {
        let mut sessions = self.lock();
        match sessions.get(id) {
            Some(session) if session.end > Instant::now() => {
                Some((session.owner.clone(), session.signed_in_at))
            }
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

/// The owner of this request's live session, if any.
async fn session_owner(request: &Request<'_>) -> Option<ResourceOwner> {
    let session = request.cookies().get_private(SESSION)?.value().to_owned();
    let server = request.rocket().state::<AuthorizationServer>()?;
    let (id, signed_in_at) = request.rocket().state::<Sessions>()?.owner(&session)?;
    let owner = server.storage().find_user(&id).await.ok().flatten()?;
    Some(owner.with_auth_time(signed_in_at))
}

#[rocket::async_trait]
impl SignedInUser for SignedIn {
    async fn signed_in(request: &Request<'_>) -> Option<Self> {
        session_owner(request).await.map(SignedIn)
    }

    fn resource_owner(&self) -> ResourceOwner {
        self.0.clone()
    }

    fn sign_in_url(return_to: &str) -> String {
        format!(
            "/login?next={}",
            oauth_runtime::rocket::url_encode(return_to)
        )
    }
}

#[rocket::async_trait]
impl<'r> FromRequest<'r> for SignedIn {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        match session_owner(request).await {
            Some(owner) => Outcome::Success(SignedIn(owner)),
            None => Outcome::Forward(rocket::http::Status::Unauthorized),
        }
    }
}

/// Starts a session for `owner`, with a fresh id (no fixation across sign-in).
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
}

/// Ends the session on the server, then drops the cookie.
pub fn sign_out(sessions: &Sessions, cookies: &CookieJar<'_>) {
    if let Some(session) = cookies.get_private(SESSION) {
        sessions.end(session.value());
    }
    cookies.remove_private(Cookie::from(SESSION));
}

/// Whether cookies should be `Secure` for this request.
pub struct SecureCookies(pub bool);

#[rocket::async_trait]
impl<'r> FromRequest<'r> for SecureCookies {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        Outcome::Success(SecureCookies(secure(request)))
    }
}
