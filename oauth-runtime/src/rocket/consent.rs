//! The authorization endpoint's two routes in a few lines: [`AuthorizationPrompt`] (the
//! consent page's `GET`) and [`AuthorizationDecision`] (the form's `POST`), for a user type the
//! application describes with [`SignedInUser`], with CSRF protection ([`CsrfToken`]) built in.
//!
//! ```no_run
//! use oauth_runtime::rocket::{AuthorizationDecision, AuthorizationPrompt, SignedInUser};
//! use oauth_runtime::{OAuthResponse, ResourceOwner};
//! use rocket::response::content::RawHtml;
//! use rocket::{get, post, Request};
//!
//! struct User(ResourceOwner);
//!
//! #[rocket::async_trait]
//! impl SignedInUser for User {
//!     async fn signed_in(request: &Request<'_>) -> Option<Self> {
//!         // Your session: here a (demo only) header.
//!         let name = request.headers().get_one("X-Demo-User")?;
//!         Some(User(ResourceOwner::new(name, name)))
//!     }
//!     fn resource_owner(&self) -> ResourceOwner {
//!         self.0.clone()
//!     }
//!     fn sign_in_url(return_to: &str) -> String {
//!         format!("/login?next={}", oauth_runtime::rocket::url_encode(return_to))
//!     }
//! }
//!
//! #[get("/authorize")]
//! fn authorize(prompt: AuthorizationPrompt<User>) -> Result<RawHtml<String>, OAuthResponse> {
//!     let consent = prompt.consent()?; // else: sign-in, an error redirect, or an error page
//!     Ok(RawHtml(format!(
//!         "<form method=post>{}<p>{} asks for {}</p>\
//!          <button name=decision value=allow>Allow</button>\
//!          <button name=decision value=deny>Deny</button></form>",
//!         consent.hidden_fields(),
//!         consent.client_name_html(),
//!         consent.scope_html(),
//!     )))
//! }
//!
//! #[post("/authorize", data = "<decision>")]
//! async fn decide(decision: AuthorizationDecision<'_, User>) -> OAuthResponse {
//!     let allow = decision.param("decision") == Some("allow");
//!     decision.respond(allow).await
//! }
//! ```

use ::rocket::data::{self, Data, FromData};
use ::rocket::http::{Cookie, SameSite};
use ::rocket::request::{self, FromRequest, Request};

use crate::error::{ErrorCode, ErrorTarget, OAuthError};
use crate::grants::AuthorizationRequest;
use crate::model::ResourceOwner;
use crate::request::OAuthRequest;
use crate::response::OAuthResponse;
use crate::secret::{constant_time_eq, generate_token};
use crate::server::AuthorizationServer;

/// The form field that carries the CSRF token.
pub const CSRF_FIELD: &str = "csrf_token";

/// The application's signed-in user, as its session knows it. Implement it once; the
/// authorization guards use it.
#[::rocket::async_trait]
pub trait SignedInUser: Sized + Send + Sync + 'static {
    /// The user signed in on this request (from your session cookie, say); `None` for a
    /// visitor, who is sent to [`sign_in_url`](Self::sign_in_url).
    async fn signed_in(request: &Request<'_>) -> Option<Self>;

    /// The resource owner tokens are issued for.
    fn resource_owner(&self) -> ResourceOwner;

    /// Where a visitor signs in; `return_to` is this site's authorization URL (path and
    /// query) to come back to afterwards. Percent-encode it into your URL
    /// ([`url_encode`]), and after sign-in redirect only to this site's paths.
    fn sign_in_url(return_to: &str) -> String;
}

pub use crate::response::url_encode;

/// The `login_hint` (OpenID Connect Core §3.1.2.1) of the authorization request a sign-in page
/// returns to (the `return_to` of [`SignedInUser::sign_in_url`]): the account the client
/// suggests, to pre-fill the username with. A hint, never an identity: the user may change it.
///
/// ```
/// use oauth_runtime::rocket::login_hint;
///
/// let next = "/oauth/authorize?client_id=app&login_hint=ada%40example.com";
/// assert_eq!(login_hint(next).as_deref(), Some("ada@example.com"));
/// assert_eq!(login_hint("/oauth/authorize?client_id=app"), None);
/// ```
pub fn login_hint(return_to: &str) -> Option<String> {
    let query = return_to.split_once('?')?.1;
    let params = crate::request::Params::parse(query.as_bytes()).ok()?;
    params.get("login_hint").map(str::to_owned)
}

/// This browser's CSRF token (made and set as a cookie on first use), for hidden fields of your
/// own forms (sign-in, sign-out); [`matches`](Self::matches) checks what a form sent back. The
/// cookie is `HttpOnly`, `SameSite=Lax`, and on an `https` issuer `Secure` with the `__Host-`
/// prefix (no subdomain can set it).
#[derive(Clone, PartialEq, Eq)]
pub struct CsrfToken(String);

impl std::fmt::Debug for CsrfToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CsrfToken(***)")
    }
}

impl CsrfToken {
    /// The token, for a hidden form field named [`CSRF_FIELD`].
    pub fn value(&self) -> &str {
        &self.0
    }

    /// Whether a form sent back this token (compared in constant time).
    pub fn matches(&self, submitted: Option<&str>) -> bool {
        submitted.is_some_and(|s| constant_time_eq(&self.0, s))
    }

    /// `<input type=hidden name=csrf_token value=…>`.
    pub fn hidden_field(&self) -> String {
        hidden(CSRF_FIELD, &self.0)
    }

    /// The cookie's token, if the browser sent one.
    pub(super) fn existing(request: &Request<'_>) -> Option<CsrfToken> {
        Self::sent(request, cookie_name(request).0)
    }

    /// The token in the cookie `name`, if the browser sent one.
    fn sent(request: &Request<'_>, name: &str) -> Option<CsrfToken> {
        request
            .cookies()
            .get(name)
            .map(|c| CsrfToken(c.value().to_owned()))
            .filter(|t| !t.0.is_empty())
    }

    /// The browser's token, or a new one set as a cookie.
    pub(super) fn of(request: &Request<'_>) -> CsrfToken {
        let (name, secure) = cookie_name(request);
        if let Some(token) = Self::sent(request, name) {
            return token;
        }
        if let Some(pending) = request.cookies().get_pending(name) {
            return CsrfToken(pending.value().to_owned());
        }
        let token = generate_token(43);
        request.cookies().add(
            Cookie::build((name, token.clone()))
                .path("/")
                .http_only(true)
                .same_site(SameSite::Lax)
                .secure(secure)
                .build(),
        );
        CsrfToken(token)
    }
}

/// The cookie's name and whether it is `Secure`: `__Host-` on an https issuer.
fn cookie_name(request: &Request<'_>) -> (&'static str, bool) {
    let secure = request
        .rocket()
        .state::<AuthorizationServer>()
        .and_then(|s| s.config().issuer.as_deref())
        .is_some_and(|issuer| issuer.starts_with("https://"));
    if secure {
        ("__Host-oauth2_csrf", true)
    } else {
        ("oauth2_csrf", false)
    }
}

#[::rocket::async_trait]
impl<'r> FromRequest<'r> for CsrfToken {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> request::Outcome<Self, Self::Error> {
        request::Outcome::Success(CsrfToken::of(request))
    }
}

pub(super) fn hidden(name: &str, value: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
        html_escape::encode_double_quoted_attribute(name),
        html_escape::encode_double_quoted_attribute(value)
    )
}

/// What the consent page shows and sends back.
pub struct Consent<U> {
    /// The validated request: client, redirect URI, scope, state.
    pub authorization: AuthorizationRequest,
    /// The signed-in user.
    pub user: U,
    csrf: CsrfToken,
    request: OAuthRequest,
}

impl<U> Consent<U> {
    /// Hidden inputs for the consent form: the request's parameters and the CSRF token,
    /// HTML-escaped. The form posts them back (with your `decision` button) to the same path.
    pub fn hidden_fields(&self) -> String {
        let mut html: String = self
            .request
            .query()
            .iter()
            .filter(|(name, _)| *name != CSRF_FIELD && *name != "decision")
            .map(|(name, value)| hidden(name, value))
            .collect();
        html.push_str(&self.csrf.hidden_field());
        html
    }

    /// The client's name (else its id), HTML-escaped; for a client known by its metadata
    /// document, followed by the document's host in parentheses (the name is the client's
    /// own claim).
    pub fn client_name_html(&self) -> String {
        let client = &self.authorization.client;
        let name = client.client_name().unwrap_or(client.client_id());
        match self.authorization.metadata_document_host() {
            Some(host) => html_escape::encode_text(&format!("{name} ({host})")).into_owned(),
            None => html_escape::encode_text(name).into_owned(),
        }
    }

    /// The requested scope, space-separated and HTML-escaped (`nothing` when empty).
    pub fn scope_html(&self) -> String {
        if self.authorization.scope.is_empty() {
            return "nothing".to_owned();
        }
        html_escape::encode_text(&self.authorization.scope.to_string()).into_owned()
    }

    /// The CSRF token.
    pub fn csrf_token(&self) -> &CsrfToken {
        &self.csrf
    }
}

/// Where a consent page request stands.
pub enum Prompt<U> {
    /// A valid request from a signed-in user: show the consent page.
    Consent(Box<Consent<U>>),
    /// A visitor: send them to sign in (a `303` to [`SignedInUser::sign_in_url`]).
    SignIn(OAuthResponse),
    /// An error about the request, redirected to the client (RFC 6749 §4.1.2.1).
    Redirect(OAuthResponse),
    /// An error about the client or redirect URI: show it to the user, never redirect.
    Error(OAuthError),
}

/// The request guard of the authorization endpoint's `GET` route: the request validated
/// (client, redirect URI, response type, scope, PKCE), the user signed in, a CSRF token set.
/// The client and redirect URI are checked before anyone is asked to sign in.
pub struct AuthorizationPrompt<U>(Prompt<U>);

impl<U> AuthorizationPrompt<U> {
    /// The consent to ask for, or the response to send instead (the sign-in redirect, an error
    /// redirect, or the error as a JSON page): `let consent = prompt.consent()?;`.
    pub fn consent(self) -> Result<Consent<U>, OAuthResponse> {
        match self.0 {
            Prompt::Consent(consent) => Ok(*consent),
            Prompt::SignIn(response) | Prompt::Redirect(response) => Err(response),
            Prompt::Error(error) => Err(error.to_response()),
        }
    }

    /// Every case, to render your own pages.
    pub fn into_inner(self) -> Prompt<U> {
        self.0
    }
}

pub(super) fn server_of<'r>(
    request: &'r Request<'_>,
) -> Result<&'r AuthorizationServer, OAuthError> {
    request
        .rocket()
        .state::<AuthorizationServer>()
        .ok_or_else(|| {
            log::error!("oauth2: the OAuth2 fairing is not attached");
            OAuthError::new(ErrorCode::ServerError).with_status(500)
        })
}

#[::rocket::async_trait]
impl<'r, U: SignedInUser> FromRequest<'r> for AuthorizationPrompt<U> {
    type Error = std::convert::Infallible;

    async fn from_request(request: &'r Request<'_>) -> request::Outcome<Self, Self::Error> {
        request::Outcome::Success(AuthorizationPrompt(prompt(request).await))
    }
}

/// This request's path and query, without `login` in its `prompt` parameter.
fn without_prompt_login(request: &Request<'_>) -> String {
    let uri = request.uri();
    let Some(query) = uri.query() else {
        return uri.to_string();
    };
    let kept: Vec<String> = query
        .as_str()
        .split('&')
        .filter_map(|pair| match pair.split_once('=') {
            Some(("prompt", value)) => {
                let value = percent_encoding::percent_decode_str(value)
                    .decode_utf8_lossy()
                    .replace('+', " ");
                let rest: Vec<&str> = value.split(' ').filter(|p| *p != "login").collect();
                (!rest.is_empty()).then(|| format!("prompt={}", url_encode(&rest.join(" "))))
            }
            _ => Some(pair.to_owned()),
        })
        .collect();
    format!("{}?{}", uri.path(), kept.join("&"))
}

async fn prompt<U: SignedInUser>(request: &Request<'_>) -> Prompt<U> {
    let server = match server_of(request) {
        Ok(server) => server,
        Err(error) => return Prompt::Error(error),
    };
    let oauth = super::request::build(request, b"");
    let authorization = match server.validate_authorization_request(&oauth).await {
        Ok(authorization) => authorization,
        Err(error) if error.target() == &ErrorTarget::Direct => return Prompt::Error(error),
        Err(error) => return Prompt::Redirect(error.to_response()),
    };
    // OpenID Connect Core §3.1.2.1: `prompt` and `max_age` decide whether the user must sign
    // in (again) and whether a page may be shown at all.
    let prompts: Vec<&str> = oauth.param("prompt").unwrap_or("").split(' ').collect();
    let user = U::signed_in(request).await;
    // Core §3.1.2.1 `id_token_hint`: the user the client believes is signed in. Another user
    // signed in here must sign in as that one (or, with `prompt=none`, `login_required`).
    let hinted_user = match oauth.param("id_token_hint") {
        None => true,
        Some(hint) => {
            let client = authorization.client.as_ref();
            match crate::id_token::hinted_subject(server, hint, client.client_id()).await {
                Ok(sub) => user.as_ref().is_none_or(|user| {
                    server.subject_for(&user.resource_owner().id, client) == sub
                }),
                Err(error) => {
                    return Prompt::Redirect(
                        authorization.error_response(error, server.config().issuer.as_deref()),
                    )
                }
            }
        }
    };
    let fresh_enough = match (&user, oauth.param("max_age").map(str::parse::<u64>)) {
        (_, None) => true,
        (_, Some(Err(_))) => {
            return Prompt::Redirect(authorization.error_response(
                OAuthError::invalid_request("max_age is not a number of seconds"),
                server.config().issuer.as_deref(),
            ))
        }
        // Without the sign-in time (the app's `SignedInUser` does not give `auth_time`),
        // `max_age` cannot be checked; the ID token then carries no `auth_time` either.
        (Some(user), Some(Ok(max_age))) => user
            .resource_owner()
            .auth_time
            .is_none_or(|at| crate::model::now().saturating_sub(at) <= max_age),
        (None, Some(Ok(_))) => true,
    };
    if prompts.contains(&"none") {
        // §3.1.2.6: no page may be shown: say what would have been needed.
        let code = if prompts.len() > 1 {
            ErrorCode::InvalidRequest
        } else if user.is_none() || !fresh_enough || !hinted_user {
            ErrorCode::LoginRequired
        } else {
            // No consent is remembered yet: the user would have to be asked.
            ErrorCode::ConsentRequired
        };
        return Prompt::Redirect(
            authorization.error_response(OAuthError::new(code), server.config().issuer.as_deref()),
        );
    }
    let user = match user {
        Some(user) if fresh_enough && hinted_user && !prompts.contains(&"login") => user,
        _ => {
            // Sign in, then come back without `prompt=login` (it has been honoured).
            let return_to = without_prompt_login(request);
            let mut sign_in = OAuthResponse::redirect(U::sign_in_url(&return_to));
            sign_in.status = 303;
            return Prompt::SignIn(sign_in);
        }
    };
    Prompt::Consent(Box::new(Consent {
        authorization,
        user,
        csrf: CsrfToken::of(request),
        request: oauth,
    }))
}

/// The data guard of the authorization endpoint's `POST` route: the consent form, with its
/// CSRF token and origin checked, and the signed-in user.
pub struct AuthorizationDecision<'r, U> {
    server: Result<&'r AuthorizationServer, OAuthError>,
    request: OAuthRequest,
    user: Option<U>,
    /// Why the form is refused (CSRF token or origin), if it is.
    forged: Option<&'static str>,
}

impl<U: SignedInUser> AuthorizationDecision<'_, U> {
    /// A parameter of the form (your `decision` button, say).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.request.param(name)
    }

    /// The signed-in user, if any.
    pub fn user(&self) -> Option<&U> {
        self.user.as_ref()
    }

    /// The answer to the user's decision: with `allow`, the grant (a code or, for the implicit
    /// grant, a token) redirected to the client; without, `access_denied` redirected. The
    /// request is validated again, so the form cannot change what the page showed. A form
    /// without this browser's CSRF token, from another origin, or from a visitor who is not
    /// signed in is refused with 403 / 401 and redirects nowhere.
    pub async fn respond(self, allow: bool) -> OAuthResponse {
        let server = match self.server {
            Ok(server) => server,
            Err(error) => return error.to_response(),
        };
        // A form that does not parse (a parameter twice, say) is that error, not a forgery.
        if let Some(error) = self.request.malformed() {
            return error.to_response();
        }
        if let Some(why) = self.forged {
            return OAuthError::new(ErrorCode::AccessDenied)
                .with_description(why)
                .with_status(403)
                .to_response();
        }
        let Some(user) = &self.user else {
            return OAuthError::new(ErrorCode::AccessDenied)
                .with_description("sign in first")
                .with_status(401)
                .to_response();
        };
        let owner = allow.then(|| user.resource_owner());
        match server
            .create_authorization_response(&self.request, owner.as_ref())
            .await
        {
            Ok(response) => response,
            Err(error) => error.to_response(),
        }
    }
}

/// Whether the browser's `Origin` (sent with every cross-origin `POST`, and same-origin ones by
/// current browsers) is this site: the configured `issuer`'s origin, else the `Host` the
/// request names (behind a proxy that rewrites `Host`, set `issuer`). A form posted from
/// elsewhere is refused even if it carried a stolen token. No `Origin` (older browsers), or
/// `null` (what browsers send from a page with `Referrer-Policy: no-referrer`, as consent pages
/// should have) leaves the decision to the CSRF token.
pub(super) fn same_origin(request: &Request<'_>, server: Option<&AuthorizationServer>) -> bool {
    let origin = match request.headers().get_one("Origin") {
        None | Some("null") => return true,
        Some(origin) => origin,
    };
    let Ok(origin) = url::Url::parse(origin) else {
        return false;
    };
    let issuer = server.and_then(|s| s.config().issuer.as_deref());
    if let Some(issuer) = issuer.and_then(|i| url::Url::parse(i).ok()) {
        return origin.origin() == issuer.origin();
    }
    let Some(host) = request.headers().get_one("Host") else {
        return false;
    };
    let authority = match (origin.host_str(), origin.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_owned(),
        _ => return false,
    };
    authority.eq_ignore_ascii_case(host)
}

#[::rocket::async_trait]
impl<'r, U: SignedInUser> FromData<'r> for AuthorizationDecision<'r, U> {
    type Error = std::convert::Infallible;

    async fn from_data(request: &'r Request<'_>, data: Data<'r>) -> data::Outcome<'r, Self> {
        let oauth = super::request::read_form(request, data).await;
        let csrf = CsrfToken::existing(request);
        let server = server_of(request);
        let forged = if !same_origin(request, server.as_ref().ok().copied()) {
            Some("the form was sent from another site")
        } else if !csrf.is_some_and(|token| token.matches(oauth.param(CSRF_FIELD))) {
            Some("the form expired or was not sent by this site; go back and try again")
        } else {
            None
        };
        data::Outcome::Success(AuthorizationDecision {
            server,
            user: U::signed_in(request).await,
            request: oauth,
            forged,
        })
    }
}
