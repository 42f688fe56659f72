//! Resource protection (RFC 6750 §2, §3).

use oauth_runtime::{ExpiresIn, OAuth2};
use rocket::http::{Header, Status};

use crate::common::*;

#[rocket::async_test]
async fn no_token_is_401_with_realm_and_no_error_code() {
    let client = client().await;
    let (answer, body) = api(&client, "/api/me", None).await;
    assert_eq!(answer.status, Status::Unauthorized);
    assert_eq!(
        answer.header("WWW-Authenticate"),
        // RFC 6750 §3: the scope the route needs, so a client knows what to ask for.
        Some("Bearer realm=\"api\", scope=\"profile\"")
    );
    assert!(body.is_empty(), "{body}");
    assert!(answer.header("Content-Type").is_none());
}

#[rocket::async_test]
async fn other_schemes_count_as_no_token() {
    let client = client().await;
    let response = client
        .get("/api/me")
        .header(basic("web", WEB_SECRET))
        .dispatch()
        .await;
    let answer = Answer::of(response).await;
    assert_eq!(answer.status, Status::Unauthorized);
    assert_eq!(
        answer.header("WWW-Authenticate"),
        // RFC 6750 §3: the scope the route needs, so a client knows what to ask for.
        Some("Bearer realm=\"api\", scope=\"profile\"")
    );
}

#[rocket::async_test]
async fn unknown_token_is_invalid_token() {
    let client = client().await;
    let (answer, _) = api(&client, "/api/me", Some("not-a-real-token")).await;
    assert_eq!(answer.status, Status::Unauthorized);
    assert_eq!(answer.error(), "invalid_token");
    let challenge = answer.header("WWW-Authenticate").unwrap();
    assert!(
        challenge.starts_with("Bearer realm=\"api\", error=\"invalid_token\""),
        "{challenge}"
    );
}

#[rocket::async_test]
async fn malformed_token_is_invalid_token() {
    let client = client().await;
    let response = client
        .get("/api/me")
        .header(Header::new("Authorization", "Bearer a\"b"))
        .dispatch()
        .await;
    let answer = Answer::of(response).await;
    assert_eq!(answer.status, Status::Unauthorized);
    assert_eq!(answer.error(), "invalid_token");
}

#[rocket::async_test]
async fn expired_token_is_invalid_token() {
    let fairing = oauth2(store()).expires_in(ExpiresIn::Fixed(0));
    let client = client_with(fairing).await;
    let token = svc_access(&client, "read").await;
    let (answer, _) = api(&client, "/api/token", Some(&token)).await;
    assert_eq!(answer.status, Status::Unauthorized);
    assert_eq!(answer.error(), "invalid_token");
    assert!(answer
        .header("WWW-Authenticate")
        .unwrap()
        .contains("expired"));
}

#[rocket::async_test]
async fn a_borrowed_token_is_the_request_token_and_is_refused_alike() {
    let client = client().await;
    let tokens = web_tokens(&client, "profile").await;
    let (answer, body) = api(&client, "/api/borrowed", Some(tokens.str("access_token"))).await;
    assert_eq!(answer.status, Status::Ok);
    assert_eq!(body, "web|web");
    let (answer, _) = api(&client, "/api/borrowed", None).await;
    assert_eq!(answer.status, Status::Unauthorized);
    let (answer, _) = api(&client, "/api/borrowed", Some("not-a-token")).await;
    assert_eq!(answer.error(), "invalid_token");
}

#[rocket::async_test]
async fn revoked_token_is_invalid_token() {
    let client = client().await;
    let token = svc_access(&client, "read").await;
    assert_eq!(
        api(&client, "/api/token", Some(&token)).await.0.status,
        Status::Ok
    );
    let revoked = post(
        &client,
        "/oauth/revoke",
        &[
            ("token", &token),
            ("client_id", "svc"),
            ("client_secret", SVC_SECRET),
        ],
        None,
    )
    .await;
    assert_eq!(revoked.status, Status::Ok);
    let (answer, _) = api(&client, "/api/token", Some(&token)).await;
    assert_eq!(answer.status, Status::Unauthorized);
    assert_eq!(answer.error(), "invalid_token");
}

#[rocket::async_test]
async fn insufficient_scope_is_403_with_the_required_scope() {
    let client = client().await;
    let token = svc_access(&client, "read").await;
    let (answer, _) = api(&client, "/api/me", Some(&token)).await;
    assert_eq!(answer.status, Status::Forbidden);
    assert_eq!(answer.error(), "insufficient_scope");
    let challenge = answer.header("WWW-Authenticate").unwrap();
    assert!(
        challenge.contains("error=\"insufficient_scope\""),
        "{challenge}"
    );
    assert!(challenge.ends_with("scope=\"profile\""), "{challenge}");
}

#[rocket::async_test]
async fn all_of_needs_every_scope() {
    let client = client().await;
    let partial = web_tokens(&client, "profile").await;
    let (answer, _) = api(&client, "/api/both", Some(partial.str("access_token"))).await;
    assert_eq!(answer.status, Status::Forbidden);
    assert!(answer
        .header("WWW-Authenticate")
        .unwrap()
        .contains("scope=\"email profile\""));
    let full = web_tokens(&client, "profile email").await;
    let (answer, body) = api(&client, "/api/both", Some(full.str("access_token"))).await;
    assert_eq!(answer.status, Status::Ok);
    assert_eq!(body, "both");
}

#[rocket::async_test]
async fn any_of_needs_one_scope() {
    let client = client().await;
    let write = svc_access(&client, "write").await;
    assert_eq!(
        api(&client, "/api/any", Some(&write)).await.0.status,
        Status::Ok
    );
    let read = svc_access(&client, "read").await;
    assert_eq!(
        api(&client, "/api/any", Some(&read)).await.0.status,
        Status::Forbidden
    );
}

#[rocket::async_test]
async fn scheme_is_case_insensitive() {
    let client = client().await;
    let token = svc_access(&client, "read").await;
    let response = client
        .get("/api/token")
        .header(Header::new("Authorization", format!("bEaReR {token}")))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
}

#[rocket::async_test]
async fn query_token_is_ignored_by_default() {
    let client = client().await;
    let token = svc_access(&client, "read").await;
    let response = client
        .get(format!("/api/token?access_token={token}"))
        .dispatch()
        .await;
    let answer = Answer::of(response).await;
    assert_eq!(answer.status, Status::Unauthorized);
    assert_eq!(
        answer.header("WWW-Authenticate"),
        // Any token will do at this route: no scope to name.
        Some("Bearer realm=\"api\"")
    );
}

#[rocket::async_test]
async fn two_authorization_headers_are_invalid_request() {
    let client = client().await;
    let token = svc_access(&client, "read").await;
    let response = client
        .get("/api/token")
        .header(bearer(&token))
        .header(Header::new("Authorization", format!("Bearer {token}")))
        .dispatch()
        .await;
    let answer = Answer::of(response).await;
    assert_eq!(answer.status, Status::BadRequest);
    assert_eq!(answer.error(), "invalid_request");
}

#[rocket::async_test]
async fn optional_token_lets_anonymous_requests_through() {
    let client = client().await;
    let (answer, body) = api(&client, "/api/optional", None).await;
    assert_eq!(answer.status, Status::Ok);
    assert_eq!(body, "anonymous");
    let token = svc_access(&client, "read").await;
    let (_, body) = api(&client, "/api/optional", Some(&token)).await;
    assert_eq!(body, "svc");
}

#[rocket::async_test]
async fn guards_without_the_fairing_abort_launch() {
    let rocket = rocket::build().mount("/api", rocket::routes![crate::resource::needs_token]);
    assert!(launch_fails(rocket).await);
}

#[rocket::get("/needs")]
pub fn needs_token(token: oauth_runtime::CurrentToken) -> String {
    token.client_id
}

#[rocket::async_test]
async fn custom_realm_from_config() {
    let config = oauth_runtime::Config {
        realm: "photos".into(),
        ..Default::default()
    };
    let rocket = app_on(rocket::build(), OAuth2::new(store()).config(config));
    let client = rocket::local::asynchronous::Client::tracked(rocket)
        .await
        .unwrap();
    let (answer, _) = api(&client, "/api/me", None).await;
    assert_eq!(
        answer.header("WWW-Authenticate"),
        Some("Bearer realm=\"photos\", scope=\"profile\"")
    );
}
