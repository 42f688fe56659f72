//! The provider's routes: metadata, sign-in, authorization (consent), the API.

use oauth_runtime::rocket::Prompt;
use oauth_runtime::{
    require_oauth, AuthorizationDecision, AuthorizationPrompt, AuthorizationServer, ClientAddress,
    CsrfToken, CurrentToken, EndSessionRequest, OAuth2, OAuthResponse,
};
use rocket::form::{Form, FromForm};
use rocket::http::uri::Origin;
use rocket::http::{CookieJar, Status};
use rocket::response::Redirect;
use rocket::serde::json::Json;
use rocket::{get, post, routes, Build, Either, Rocket, State};
use serde_json::{json, Value};

use crate::pages::{self, Page};
use crate::session::{sign_in, sign_out, SecureCookies, Sessions, SignedIn};

/// The public base URL.
pub struct Issuer(pub String);

pub fn mount(rocket: Rocket<Build>, fairing: OAuth2, issuer: String) -> Rocket<Build> {
    rocket
        .attach(fairing)
        .manage(Issuer(issuer))
        .manage(Sessions::default())
        .mount("/", routes![home, login_page, login, logout])
        // RFC 8414 and OpenID Connect Discovery, describing the endpoints mounted under /oauth.
        .mount("/", oauth_runtime::rocket::discovery_routes("/oauth"))
        .mount("/oauth", oauth_runtime::oauth_routes())
        .mount(
            "/oauth",
            routes![authorize, decide, end_session, end_session_confirmed],
        )
        .mount("/api", routes![me, ping])
}

#[get("/")]
fn home(issuer: &State<Issuer>, user: Option<SignedIn>, csrf: CsrfToken) -> Page {
    let signed_in = user.as_ref().map(|u| (u.0.username.as_str(), csrf.value()));
    pages::home(&issuer.0, signed_in)
}

/// Only this site's authorization endpoint is followed after sign-in (no open redirect), and
/// only as a well-formed origin URI (anything else, malformed included, goes home).
fn safe_next(next: Option<&str>) -> String {
    next.and_then(|next| Origin::parse(next).ok())
        .filter(|origin| origin.path().as_str() == "/oauth/authorize")
        .map_or_else(|| "/".to_owned(), |origin| origin.to_string())
}

#[get("/login?<next>")]
fn login_page(next: Option<&str>, csrf: CsrfToken) -> Page {
    let next = safe_next(next);
    // OpenID Connect `login_hint`: the account the client suggests, pre-filled.
    let hint = oauth_runtime::rocket::login_hint(&next).unwrap_or_default();
    pages::login(&next, &hint, csrf.value(), None)
}

#[derive(FromForm)]
struct LoginForm<'r> {
    username: &'r str,
    password: &'r str,
    csrf_token: &'r str,
    next: Option<&'r str>,
}

#[post("/login", data = "<form>")]
async fn login(
    form: Form<LoginForm<'_>>,
    cookies: &CookieJar<'_>,
    server: &State<AuthorizationServer>,
    secure: SecureCookies,
    csrf: CsrfToken,
    address: ClientAddress,
    sessions: &State<Sessions>,
) -> Result<Redirect, Page> {
    if !csrf.matches(Some(form.csrf_token)) {
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
            form.username,
            csrf.value(),
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
    csrf_token: &'r str,
}

#[post("/logout", data = "<form>")]
fn logout(
    form: Form<LogoutForm<'_>>,
    csrf: CsrfToken,
    cookies: &CookieJar<'_>,
    sessions: &State<Sessions>,
) -> Result<Redirect, Page> {
    if !csrf.matches(Some(form.csrf_token)) {
        return Err(pages::forbidden(
            "The form expired or was not sent by this site.",
        ));
    }
    sign_out(sessions, cookies);
    Ok(Redirect::to("/"))
}

/// OpenID Connect RP-initiated logout: a relying party sends the browser here (`GET`) to sign
/// the user out; unless its `id_token_hint` names the signed-in user, the user confirms
/// (`POST`, CSRF-checked by the guard). Then back to the registered `post_logout_redirect_uri`.
#[get("/logout")]
fn end_session(
    request: EndSessionRequest<SignedIn>,
    cookies: &CookieJar<'_>,
    sessions: &State<Sessions>,
) -> Either<OAuthResponse, Page> {
    end_session_answer(request, cookies, sessions)
}

#[post("/logout", data = "<request>")]
fn end_session_confirmed(
    request: EndSessionRequest<SignedIn>,
    cookies: &CookieJar<'_>,
    sessions: &State<Sessions>,
) -> Either<OAuthResponse, Page> {
    end_session_answer(request, cookies, sessions)
}

fn end_session_answer(
    request: EndSessionRequest<SignedIn>,
    cookies: &CookieJar<'_>,
    sessions: &State<Sessions>,
) -> Either<OAuthResponse, Page> {
    let client_name = match request.end_session() {
        Err(error) => return Either::Right(pages::error(error)),
        Ok(end) => end
            .client
            .as_ref()
            .map(|c| c.client_name().unwrap_or(c.client_id()).to_owned()),
    };
    if !request.confirmed() {
        let username = request.user().map_or("", |u| u.0.username.as_str());
        return Either::Right(pages::confirm_sign_out(
            username,
            client_name.as_deref(),
            &request.hidden_fields(),
        ));
    }
    sign_out(sessions, cookies);
    match request.respond() {
        Some(redirect) => Either::Left(redirect),
        None => Either::Right(pages::signed_out()),
    }
}

/// The authorization endpoint: the request is checked (an unknown client or unregistered
/// redirect URI is shown before anyone is asked to sign in), a visitor signs in and comes
/// back, a signed-in user sees the consent page.
#[get("/authorize")]
fn authorize(prompt: AuthorizationPrompt<SignedIn>) -> Result<Page, Either<OAuthResponse, Page>> {
    match prompt.into_inner() {
        Prompt::Consent(consent) => Ok(pages::consent(&consent)),
        Prompt::SignIn(response) | Prompt::Redirect(response) => Err(Either::Left(response)),
        Prompt::Error(error) => Err(Either::Right(pages::error(&error))),
    }
}

/// The consent form (its CSRF token and origin checked by the guard): the user's decision
/// goes back to the client.
#[post("/authorize", data = "<decision>")]
async fn decide(decision: AuthorizationDecision<'_, SignedIn>) -> OAuthResponse {
    let allow = decision.param("decision") == Some("allow");
    decision.respond(allow).await
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
