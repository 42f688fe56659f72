//! The provider's routes: metadata, sign-in, authorization (consent), the API.

use oauth_runtime::{
    require_oauth, AuthorizationServer, ClientAddress, CurrentToken, EndpointUrls, ErrorTarget,
    OAuth2, OAuthRequest, OAuthResponse,
};
use rocket::form::{Form, FromForm};
use rocket::http::uri::Origin;
use rocket::http::{CookieJar, Status};
use rocket::response::Redirect;
use rocket::serde::json::Json;
use rocket::{get, post, routes, Build, Either, Rocket, State};
use serde_json::{json, Value};

use crate::pages::{self, Page};
use crate::session::{csrf_ok, sign_in, sign_out, Csrf, SecureCookies, Sessions, SignedIn};

/// The public base URL.
pub struct Issuer(pub String);

pub fn mount(rocket: Rocket<Build>, fairing: OAuth2, issuer: String) -> Rocket<Build> {
    rocket
        .attach(fairing)
        .manage(Issuer(issuer))
        .manage(Sessions::default())
        .mount("/", routes![home, metadata, login_page, login, logout])
        .mount("/oauth", oauth_runtime::oauth_routes())
        .mount("/oauth", routes![authorize, authorize_signed_out, decide])
        .mount("/api", routes![me, ping])
}

#[get("/")]
fn home(issuer: &State<Issuer>, user: Option<SignedIn>, csrf: Csrf) -> Page {
    let signed_in = user
        .as_ref()
        .map(|u| (u.0.username.as_str(), csrf.0.as_str()));
    pages::home(&issuer.0, signed_in)
}

/// RFC 8414 authorization server metadata.
#[get("/.well-known/oauth-authorization-server")]
fn metadata(server: &State<AuthorizationServer>, issuer: &State<Issuer>) -> Option<Json<Value>> {
    let base = &issuer.0;
    let urls = EndpointUrls {
        authorization: format!("{base}/oauth/authorize"),
        token: format!("{base}/oauth/token"),
        revocation: Some(format!("{base}/oauth/revoke")),
        introspection: Some(format!("{base}/oauth/introspect")),
    };
    server
        .metadata(&urls)
        .and_then(|m| serde_json::to_value(m).ok())
        .map(Json)
}

/// Only this site's authorization endpoint is followed after sign-in (no open redirect), and
/// only as a well-formed origin URI (anything else, malformed included, goes home).
fn safe_next(next: Option<&str>) -> String {
    next.and_then(|next| Origin::parse(next).ok())
        .filter(|origin| origin.path().as_str() == "/oauth/authorize")
        .map_or_else(|| "/".to_owned(), |origin| origin.to_string())
}

#[get("/login?<next>")]
fn login_page(next: Option<&str>, csrf: Csrf) -> Page {
    pages::login(&safe_next(next), &csrf.0, None)
}

#[derive(FromForm)]
struct LoginForm<'r> {
    username: &'r str,
    password: &'r str,
    csrf: &'r str,
    next: Option<&'r str>,
}

#[post("/login", data = "<form>")]
async fn login(
    form: Form<LoginForm<'_>>,
    cookies: &CookieJar<'_>,
    server: &State<AuthorizationServer>,
    secure: SecureCookies,
    csrf: Csrf,
    address: ClientAddress,
    sessions: &State<Sessions>,
) -> Result<Redirect, Page> {
    if !csrf_ok(cookies, Some(form.csrf)) {
        return Err(pages::forbidden(
            "The form expired or was not sent by this site. Go back and try again.",
        ));
    }
    let next = safe_next(form.next);
    // Throttled and under the password hashing limit, exactly as at the token endpoint.
    match server
        .authenticate_user(form.username, form.password, address.0)
        .await
    {
        Ok(Some(owner)) => {
            sign_in(sessions, secure.0, cookies, &owner);
            Ok(Redirect::to(next))
        }
        Ok(None) => Err(pages::login(
            &next,
            &csrf.0,
            Some("Wrong username or password."),
        )),
        Err(refused) if refused.status() == 429 => Err(pages::throttled(retry_after(&refused))),
        Err(error) => Err(pages::error(&error)),
    }
}

fn retry_after(refused: &oauth_runtime::OAuthError) -> u64 {
    refused
        .to_response()
        .header("Retry-After")
        .and_then(|v| v.parse().ok())
        .unwrap_or(60)
}

#[derive(FromForm)]
struct LogoutForm<'r> {
    csrf: &'r str,
}

#[post("/logout", data = "<form>")]
fn logout(
    form: Form<LogoutForm<'_>>,
    cookies: &CookieJar<'_>,
    sessions: &State<Sessions>,
) -> Result<Redirect, Page> {
    if !csrf_ok(cookies, Some(form.csrf)) {
        return Err(pages::forbidden(
            "The form expired or was not sent by this site.",
        ));
    }
    sign_out(sessions, cookies);
    Ok(Redirect::to("/"))
}

type AuthorizeAnswer = Result<Page, Either<OAuthResponse, Page>>;

fn untrusted_or_redirect(error: oauth_runtime::OAuthError) -> Either<OAuthResponse, Page> {
    if error.target() == &ErrorTarget::Direct {
        Either::Right(pages::error(&error))
    } else {
        Either::Left(error.to_response())
    }
}

/// The authorization endpoint for a signed-in user: the consent page.
#[get("/authorize", rank = 1)]
async fn authorize(
    server: &State<AuthorizationServer>,
    request: OAuthRequest,
    user: SignedIn,
    csrf: Csrf,
) -> AuthorizeAnswer {
    let auth = server
        .validate_authorization_request(&request)
        .await
        .map_err(untrusted_or_redirect)?;
    Ok(pages::consent(
        &auth,
        request.query(),
        &user.0.username,
        &csrf.0,
    ))
}

/// The authorization endpoint for a visitor: check the request, then sign in and come back.
#[get("/authorize", rank = 2)]
async fn authorize_signed_out(
    server: &State<AuthorizationServer>,
    request: OAuthRequest,
    uri: &Origin<'_>,
) -> Result<Redirect, Either<OAuthResponse, Page>> {
    // An unknown client or unregistered redirect URI is shown before asking anyone to sign in.
    server
        .validate_authorization_request(&request)
        .await
        .map_err(untrusted_or_redirect)?;
    let next = uri.to_string();
    Ok(Redirect::to(format!("/login?next={}", urlencode(&next))))
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The consent form: CSRF-checked, then the user's decision goes back to the client.
#[post("/authorize", data = "<request>")]
async fn decide(
    server: &State<AuthorizationServer>,
    request: OAuthRequest,
    user: Option<SignedIn>,
    cookies: &CookieJar<'_>,
) -> Result<OAuthResponse, Page> {
    if !csrf_ok(cookies, request.param("csrf")) {
        return Err(pages::forbidden(
            "The form expired or was not sent by this site. Go back and try again.",
        ));
    }
    let Some(SignedIn(owner)) = user else {
        return Err(Page {
            status: Status::Unauthorized,
            ..pages::forbidden("Sign in first.")
        });
    };
    let approved = request.param("decision") == Some("allow");
    server
        .create_authorization_response(&request, approved.then_some(&owner))
        .await
        .map_err(|e| pages::error(&e))
}

/// The signed-in user's profile.
#[require_oauth(scope = "profile")]
#[get("/me")]
async fn me(
    token: CurrentToken,
    server: &State<AuthorizationServer>,
) -> Result<Json<Value>, Status> {
    let username = match token.user_id() {
        Some(id) => server
            .storage()
            .find_user(id)
            .await
            .map_err(|_| Status::ServiceUnavailable)?
            .map(|u| u.username),
        None => None,
    };
    Ok(Json(json!({
        "username": username,
        "client_id": token.client_id(),
        "scope": token.scope().to_string(),
    })))
}

/// Unprotected, to measure what protection costs.
#[get("/ping")]
fn ping() -> Json<Value> {
    Json(json!({ "pong": true }))
}
