//! The authorization endpoint written with `AuthorizationPrompt` / `AuthorizationDecision`
//! (issue 12): the GET/POST pair, sign-in check and CSRF protection included, is the lines
//! between the markers below (at most 25, a test says); the app's `SignedInUser` (its session,
//! written once for all its routes) is above them.

use oauth_runtime::{
    grants, AuthorizationDecision, AuthorizationPrompt, AuthorizationServer, Config, OAuth2,
    OAuthResponse, ResourceOwner, SignedInUser,
};
use rocket::http::{ContentType, Header, Status};
use rocket::local::asynchronous::Client as HttpClient;
use rocket::response::content::RawHtml;
use rocket::{get, post, routes, Request};

use crate::common::*;

struct User(ResourceOwner);

#[rocket::async_trait]
impl SignedInUser for User {
    async fn signed_in(request: &Request<'_>) -> Option<Self> {
        let name = request.headers().get_one("X-Test-User")?; // a test session
        let owner = ResourceOwner::new(name, name);
        Some(User(
            match request.headers().get_one("X-Test-Signed-In-At") {
                Some(at) => owner.with_auth_time(at.parse().ok()?),
                None => owner,
            },
        ))
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

// --- the application's code: begin
#[get("/authorize")]
fn authorize(prompt: AuthorizationPrompt<User>) -> Result<RawHtml<String>, OAuthResponse> {
    let consent = prompt.consent()?;
    Ok(RawHtml(format!(
        "<form method=post>{}<p>{} asks for {}</p><button name=decision value=allow>Allow</button></form>",
        consent.hidden_fields(),
        consent.client_name_html(),
        consent.scope_html()
    )))
}

#[post("/authorize", data = "<decision>")]
async fn decide(decision: AuthorizationDecision<'_, User>) -> OAuthResponse {
    let allow = decision.param("decision") == Some("allow");
    decision.respond(allow).await
}
// --- the application's code: end

async fn app() -> HttpClient {
    app_with(Config::default()).await
}

async fn app_with(config: Config) -> HttpClient {
    let store = store();
    store.add_user("carol", "carol-password-123");
    let rocket = rocket::build()
        .attach(
            OAuth2::new(store)
                .grants(grants![AuthorizationCode])
                .config(config),
        )
        .mount("/oauth", oauth_runtime::oauth_routes())
        .mount("/oauth", routes![authorize, decide]);
    HttpClient::tracked(rocket).await.unwrap()
}

fn authorize_uri() -> String {
    format!(
        "/oauth/authorize?response_type=code&client_id=web&redirect_uri={}&scope=profile&state=s1&code_challenge={CHALLENGE}&code_challenge_method=S256",
        dec_safe(WEB_CB)
    )
}

fn dec_safe(s: &str) -> String {
    oauth_runtime::rocket::url_encode(s)
}

/// The hidden fields of the consent page, as a browser would send them back.
fn form_of(page: &str) -> Vec<(String, String)> {
    oauth_tests::html::hidden_fields(page)
}

fn body(fields: &[(String, String)], extra: &[(&str, &str)]) -> String {
    let mut pairs: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("{}={}", dec_safe(k), dec_safe(v)))
        .collect();
    pairs.extend(
        extra
            .iter()
            .map(|(k, v)| format!("{}={}", dec_safe(k), dec_safe(v))),
    );
    pairs.join("&")
}

async fn consent_page(client: &HttpClient, user: &'static str) -> (Status, String) {
    let response = client
        .get(authorize_uri())
        .header(Header::new("X-Test-User", user))
        .dispatch()
        .await;
    (
        response.status(),
        response.into_string().await.unwrap_or_default(),
    )
}

async fn post_decision(
    client: &HttpClient,
    user: Option<&'static str>,
    body: String,
    origin: Option<&'static str>,
) -> (Status, Option<String>, String) {
    let mut request = client
        .post("/oauth/authorize")
        .header(ContentType::Form)
        .body(body);
    if let Some(user) = user {
        request = request.header(Header::new("X-Test-User", user));
    }
    if let Some(origin) = origin {
        request = request
            .header(Header::new("Origin", origin))
            .header(Header::new("Host", "localhost"));
    }
    let response = request.dispatch().await;
    let location = response.headers().get_one("Location").map(str::to_owned);
    (
        response.status(),
        location,
        response.into_string().await.unwrap_or_default(),
    )
}

#[rocket::async_test]
async fn a_visitor_is_sent_to_sign_in_after_the_client_is_checked() {
    let client = app().await;
    let response = client.get(authorize_uri()).dispatch().await;
    assert_eq!(response.status(), Status::SeeOther);
    let location = response.headers().get_one("Location").unwrap();
    assert!(
        location.starts_with("/login?next=%2Foauth%2Fauthorize%3F"),
        "{location}"
    );
    // An unknown client is shown, never redirected, even to a visitor.
    let response = client
        .get("/oauth/authorize?response_type=code&client_id=nobody&redirect_uri=https%3A%2F%2Fevil.example%2F")
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::BadRequest);
    assert!(response.headers().get_one("Location").is_none());
}

#[rocket::async_test]
async fn approve_then_exchange_the_code() {
    let client = app().await;
    let (status, page) = consent_page(&client, "carol").await;
    assert_eq!(status, Status::Ok, "{page}");
    assert!(page.contains("asks for profile"), "{page}");
    let fields = form_of(&page);
    assert!(fields.iter().any(|(k, _)| k == "csrf_token"));
    let (status, location, _) = post_decision(
        &client,
        Some("carol"),
        body(&fields, &[("decision", "allow")]),
        Some("http://localhost"),
    )
    .await;
    assert_eq!(status, Status::Found);
    let location = location.unwrap();
    assert!(
        location.starts_with(&format!("{WEB_CB}?code=")),
        "{location}"
    );
    assert!(location.contains("state=s1"));
    let code = location
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    let token = web_token(
        &client,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", WEB_CB),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    assert_eq!(token.status, Status::Ok, "{}", token.json);
}

#[rocket::async_test]
async fn denial_redirects_access_denied() {
    let client = app().await;
    let (_, page) = consent_page(&client, "carol").await;
    let (status, location, _) = post_decision(
        &client,
        Some("carol"),
        body(&form_of(&page), &[("decision", "deny")]),
        None,
    )
    .await;
    assert_eq!(status, Status::Found);
    assert!(location.unwrap().contains("error=access_denied"));
}

#[rocket::async_test]
async fn forged_forms_are_refused_without_a_redirect() {
    let client = app().await;
    let (_, page) = consent_page(&client, "carol").await;
    let fields = form_of(&page);
    let without_token: Vec<(String, String)> = fields
        .iter()
        .filter(|(k, _)| k != "csrf_token")
        .cloned()
        .collect();
    let wrong_token: Vec<(String, String)> = fields
        .iter()
        .map(|(k, v)| match k.as_str() {
            "csrf_token" => (k.clone(), "guessed".to_owned()),
            _ => (k.clone(), v.clone()),
        })
        .collect();
    for (form, origin) in [
        (&without_token, None),
        (&wrong_token, None),
        (&fields, Some("https://evil.example")),
        (&wrong_token, Some("null")),
    ] {
        let (status, location, body) = post_decision(
            &client,
            Some("carol"),
            body(form, &[("decision", "allow")]),
            origin,
        )
        .await;
        assert_eq!(status, Status::Forbidden, "{body}");
        assert!(location.is_none());
        assert!(body.contains("access_denied"));
    }
    // A form that does not parse is that error (400 invalid_request), not a forgery.
    let (status, location, answer) = post_decision(
        &client,
        Some("carol"),
        body(&fields, &[("decision", "allow"), ("decision", "deny")]),
        None,
    )
    .await;
    assert_eq!(status, Status::BadRequest, "{answer}");
    assert!(
        location.is_none() && answer.contains("invalid_request"),
        "{answer}"
    );
    // A visitor who is not signed in (the session expired) is asked to sign in: 401.
    let (status, location, _) =
        post_decision(&client, None, body(&fields, &[("decision", "allow")]), None).await;
    assert_eq!(status, Status::Unauthorized);
    assert!(location.is_none());
    // A fresh browser without the cookie cannot replay the page's token.
    let other = app().await;
    let (status, _, _) = post_decision(
        &other,
        Some("carol"),
        body(&fields, &[("decision", "allow")]),
        None,
    )
    .await;
    assert_eq!(status, Status::Forbidden);
}

async fn get_authorize(
    client: &HttpClient,
    extra: &str,
    headers: &[(&'static str, String)],
) -> (Status, Option<String>) {
    let mut request = client.get(format!("{}{extra}", authorize_uri()));
    for (name, value) in headers {
        request = request.header(Header::new(*name, value.clone()));
    }
    let response = request.dispatch().await;
    let location = response.headers().get_one("Location").map(str::to_owned);
    (response.status(), location)
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// OpenID Connect Core §3.1.2.1: `prompt` and `max_age`.
#[rocket::async_test]
async fn prompt_and_max_age_decide_whether_to_sign_in_or_answer_without_a_page() {
    let client = app().await;
    let carol = || vec![("X-Test-User", "carol".to_owned())];
    // prompt=none: no page may be shown; the client learns why, with its state.
    let (status, location) = get_authorize(&client, "&prompt=none", &[]).await;
    assert_eq!(status, Status::Found);
    let location = location.unwrap();
    assert!(location.starts_with(WEB_CB), "{location}");
    assert!(location.contains("error=login_required") && location.contains("state=s1"));
    let (_, location) = get_authorize(&client, "&prompt=none", &carol()).await;
    assert!(location.unwrap().contains("error=consent_required"));
    let (_, location) = get_authorize(&client, "&prompt=none%20login", &carol()).await;
    assert!(location.unwrap().contains("error=invalid_request"));
    // prompt=login: sign in again, then come back without it (no loop).
    let (status, location) = get_authorize(&client, "&prompt=login", &carol()).await;
    assert_eq!(status, Status::SeeOther);
    let location = location.unwrap();
    assert!(location.starts_with("/login?next="), "{location}");
    assert!(!location.contains("prompt"), "{location}");
    let (status, _) = get_authorize(&client, "&prompt=login%20consent", &carol()).await;
    assert_eq!(status, Status::SeeOther);
    // max_age: a sign-in older than that signs in again; a recent one is fine.
    let mut stale = carol();
    stale.push(("X-Test-Signed-In-At", (unix_now() - 1000).to_string()));
    let (status, _) = get_authorize(&client, "&max_age=60", &stale).await;
    assert_eq!(status, Status::SeeOther);
    let mut recent = carol();
    recent.push(("X-Test-Signed-In-At", unix_now().to_string()));
    let (status, _) = get_authorize(&client, "&max_age=60", &recent).await;
    assert_eq!(status, Status::Ok);
    let (_, location) = get_authorize(&client, "&max_age=soon", &recent).await;
    assert!(location.unwrap().contains("error=invalid_request"));
}

/// OpenID Connect Core §3.1.2.1 `id_token_hint`: the user the client believes is signed in.
#[rocket::async_test]
async fn id_token_hint_names_the_user_who_must_be_signed_in() {
    const ISSUER: &str = "https://id.example.com";
    let client = app_with(Config {
        issuer: Some(ISSUER.to_owned()),
        ..Config::default()
    })
    .await;
    let server = client.rocket().state::<AuthorizationServer>().unwrap();
    let now = unix_now();
    let id_token = |sub: &str, aud: &str, exp: u64, typ: &str| {
        let claims =
            serde_json::json!({"iss": ISSUER, "sub": sub, "aud": aud, "iat": now - 10, "exp": exp});
        let typ = typ.to_owned();
        async move { server.sign_jwt(&typ, &claims).await.unwrap() }
    };
    let user = |name: &str| vec![("X-Test-User", name.to_owned())];
    let hint = |token: &str| format!("&id_token_hint={token}");

    let carols = id_token("carol", "web", now + 600, "JWT").await;
    let (status, _) = get_authorize(&client, &hint(&carols), &user("carol")).await;
    assert_eq!(status, Status::Ok, "the hinted user is signed in: consent");
    // Expired hints still name the user (they grant nothing).
    let old = id_token("carol", "web", now - 3600, "JWT").await;
    let (status, _) = get_authorize(&client, &hint(&old), &user("carol")).await;
    assert_eq!(status, Status::Ok);
    // Someone else is signed in: sign in as carol; without a page, login_required.
    let (status, location) = get_authorize(&client, &hint(&carols), &user("dave")).await;
    assert_eq!(status, Status::SeeOther);
    assert!(location.unwrap().starts_with("/login?next="));
    let none = format!("{}&prompt=none", hint(&carols));
    let (_, location) = get_authorize(&client, &none, &user("dave")).await;
    assert!(location.unwrap().contains("error=login_required"));
    let (_, location) = get_authorize(&client, &none, &user("carol")).await;
    assert!(location.unwrap().contains("error=consent_required"));

    // Not an ID token this server issued to this client: invalid_request, to the client.
    let other_client = id_token("carol", "spa", now + 600, "JWT").await;
    let access_token = id_token("carol", "web", now + 600, "at+jwt").await;
    let mut tampered = carols.clone();
    tampered.insert(tampered.find('.').unwrap() + 2, 'x');
    for bad in [other_client, access_token, tampered, "not-a-jwt".to_owned()] {
        let (status, location) = get_authorize(&client, &hint(&bad), &user("carol")).await;
        assert_eq!(status, Status::Found, "{bad}");
        let location = location.unwrap();
        assert!(
            location.starts_with(WEB_CB) && location.contains("error=invalid_request"),
            "{location}"
        );
    }
}

#[test]
fn the_endpoint_is_at_most_25_lines() {
    let source = include_str!("consent.rs");
    let begin = source.find("// --- the application's code: begin").unwrap();
    let end = source.find("// --- the application's code: end").unwrap();
    let lines = source[begin..end]
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .count();
    assert!(lines <= 25, "{lines} lines");
}
