//! Request guards for protected routes.
//!
//! Rocket hands a failing guard's status, not its value, to catchers; so a failing guard
//! records its [`BearerError`] in the request-local cache and the fairing ([`OAuth2`](super::OAuth2)
//! or [`ResourceServer`](super::ResourceServer)) writes the RFC 6750 response (status, `WWW-Authenticate`, JSON body) over the
//! catcher's.

use std::marker::PhantomData;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

use std::io::Cursor;

use ::rocket::http::{Header, Status};
use ::rocket::request::{self, FromRequest, Request};
use ::rocket::{Ignite, Response, Rocket, Sentinel};

use crate::resource::{
    BearerError, BearerErrorKind, CurrentToken, ResourceProtector, ResourceRequest,
    ScopeRequirement,
};

/// The refusal a guard recorded for this request.
#[derive(Default)]
pub(crate) struct GuardFailure(pub(crate) OnceLock<BearerError>);

/// The token of this request, authenticated once however many guards ask.
async fn authenticate<'r>(request: &'r Request<'_>) -> &'r Result<Arc<CurrentToken>, BearerError> {
    request
        .local_cache_async(async {
            let Some(protector) = request.rocket().state::<ResourceProtector>() else {
                log::error!("oauth2: the OAuth2 fairing is not attached");
                return Err(unavailable());
            };
            let authorization: Vec<&str> = request.headers().get("Authorization").collect();
            let resource = ResourceRequest {
                authorization: &authorization,
                query: request.uri().query().map(|q| q.as_str()),
            };
            protector.authenticate_shared(&resource).await
        })
        .await
}

/// Writes the RFC 6750 answer of a refused guard (status, `WWW-Authenticate`, JSON body) over
/// the catcher's; what both fairings do on every response.
pub(crate) fn write_refusal<'r>(request: &'r Request<'_>, response: &mut Response<'r>) {
    let failure = request.local_cache(GuardFailure::default);
    let Some(error) = failure.0.get() else { return };
    // Only the catcher's answer to the refused guard is rewritten: a route that ran (for
    // example with an `Option<CurrentToken>` guard) keeps its own response.
    if response.status() != Status::new(error.status()) {
        return;
    }
    let answer = error.to_response();
    response.set_status(Status::new(answer.status));
    for (name, value) in answer.headers {
        response.set_header(Header::new(name, value));
    }
    match answer.body {
        Some(body) => response.set_sized_body(body.len(), Cursor::new(body)),
        None => {
            response.remove_header("Content-Type");
            response.set_sized_body(0, Cursor::new(Vec::new()));
        }
    }
}

fn unavailable() -> BearerError {
    BearerError::new(BearerErrorKind::Unavailable, "api")
}

fn fail<T>(request: &Request<'_>, error: BearerError) -> request::Outcome<T, BearerError> {
    let status = Status::new(error.status());
    let _ = request
        .local_cache(GuardFailure::default)
        .0
        .set(error.clone());
    request::Outcome::Error((status, error))
}

/// Any valid bearer token: the route gets the [`CurrentToken`] (a copy; `&CurrentToken`
/// borrows it instead); no token or a bad one is refused with 401 and an RFC 6750 challenge.
#[::rocket::async_trait]
impl<'r> FromRequest<'r> for CurrentToken {
    type Error = BearerError;

    async fn from_request(request: &'r Request<'_>) -> request::Outcome<Self, Self::Error> {
        match authenticate(request).await {
            Ok(token) => request::Outcome::Success(CurrentToken::clone(token)),
            Err(error) => fail(request, error.clone()),
        }
    }
}

/// The same as the [`CurrentToken`] guard, borrowed from the request rather than copied: the
/// cheaper choice when the route only reads the token.
///
/// ```no_run
/// use oauth_runtime::{require_oauth, CurrentToken};
///
/// #[require_oauth(scope = "profile")]
/// #[rocket::get("/me")]
/// fn me(token: &CurrentToken) -> String {
///     token.user_id().unwrap_or("a service").to_owned()
/// }
/// ```
#[::rocket::async_trait]
impl<'r> FromRequest<'r> for &'r CurrentToken {
    type Error = BearerError;

    async fn from_request(request: &'r Request<'_>) -> request::Outcome<Self, Self::Error> {
        match authenticate(request).await {
            Ok(token) => request::Outcome::Success(token.as_ref()),
            Err(error) => fail(request, error.clone()),
        }
    }
}

impl Sentinel for CurrentToken {
    /// Launch aborts when the fairing is missing, rather than every request failing.
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        rocket.state::<ResourceProtector>().is_none()
    }
}

/// A scope requirement known at compile time, for [`Authorized`].
///
/// ```
/// use oauth_runtime::{RequiredScope, ScopeRequirement};
///
/// struct Profile;
/// impl RequiredScope for Profile {
///     const REQUIRED: ScopeRequirement<'static> = ScopeRequirement::AllOf(&["profile"]);
/// }
/// ```
pub trait RequiredScope: Send + Sync + 'static {
    /// The requirement.
    const REQUIRED: ScopeRequirement<'static>;
}

/// A valid bearer token with the scope `R` requires; 403 `insufficient_scope` otherwise.
///
/// ```no_run
/// use oauth_runtime::{Authorized, RequiredScope, ScopeRequirement};
///
/// struct Profile;
/// impl RequiredScope for Profile {
///     const REQUIRED: ScopeRequirement<'static> = ScopeRequirement::AllOf(&["profile"]);
/// }
///
/// #[rocket::get("/me")]
/// fn me(token: Authorized<Profile>) -> String {
///     token.user_id().unwrap_or("").to_owned()
/// }
/// ```
pub struct Authorized<R: RequiredScope> {
    token: Arc<CurrentToken>,
    requirement: PhantomData<fn() -> R>,
}

impl<R: RequiredScope> Authorized<R> {
    /// The token.
    pub fn into_inner(self) -> CurrentToken {
        Arc::unwrap_or_clone(self.token)
    }
}

impl<R: RequiredScope> Deref for Authorized<R> {
    type Target = CurrentToken;

    fn deref(&self) -> &CurrentToken {
        &self.token
    }
}

impl<R: RequiredScope> std::fmt::Debug for Authorized<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Authorized").field(&self.token).finish()
    }
}

#[::rocket::async_trait]
impl<'r, R: RequiredScope> FromRequest<'r> for Authorized<R> {
    type Error = BearerError;

    async fn from_request(request: &'r Request<'_>) -> request::Outcome<Self, Self::Error> {
        let token = match authenticate(request).await {
            Ok(token) => token,
            Err(error) => return fail(request, error.clone().with_required_scope(&R::REQUIRED)),
        };
        let Some(protector) = request.rocket().state::<ResourceProtector>() else {
            return fail(request, unavailable());
        };
        match protector.check_scope(token, &R::REQUIRED) {
            Ok(()) => request::Outcome::Success(Authorized {
                token: token.clone(),
                requirement: PhantomData,
            }),
            Err(error) => fail(request, error),
        }
    }
}

impl<R: RequiredScope> Sentinel for Authorized<R> {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        rocket.state::<ResourceProtector>().is_none()
    }
}

/// Like [`Authorized`], but a request without any token passes with `None` (Authlib's
/// `require_oauth(optional=True)`); a bad token or a missing scope is still refused.
pub struct OptionalAuthorized<R: RequiredScope> {
    token: Option<Arc<CurrentToken>>,
    requirement: PhantomData<fn() -> R>,
}

impl<R: RequiredScope> OptionalAuthorized<R> {
    /// The token, if the request carried one.
    pub fn into_inner(self) -> Option<CurrentToken> {
        self.token.map(Arc::unwrap_or_clone)
    }
}

impl<R: RequiredScope> std::fmt::Debug for OptionalAuthorized<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("OptionalAuthorized")
            .field(&self.token)
            .finish()
    }
}

#[::rocket::async_trait]
impl<'r, R: RequiredScope> FromRequest<'r> for OptionalAuthorized<R> {
    type Error = BearerError;

    async fn from_request(request: &'r Request<'_>) -> request::Outcome<Self, Self::Error> {
        match authenticate(request).await {
            Err(error) if error.kind == BearerErrorKind::MissingToken => {
                request::Outcome::Success(OptionalAuthorized {
                    token: None,
                    requirement: PhantomData,
                })
            }
            Err(error) => fail(request, error.clone()),
            Ok(_) => Authorized::<R>::from_request(request)
                .await
                .map(|authorized| OptionalAuthorized {
                    token: Some(authorized.token),
                    requirement: PhantomData,
                }),
        }
    }
}

impl<R: RequiredScope> Sentinel for OptionalAuthorized<R> {
    fn abort(rocket: &Rocket<Ignite>) -> bool {
        rocket.state::<ResourceProtector>().is_none()
    }
}
