//! Client authentication (RFC 6749 §2.3) at the token endpoint.

use rocket::http::{Header, Status};

use crate::common::*;

const PASSWORD: [(&str, &str); 3] = [
    ("grant_type", "password"),
    ("username", "alice"),
    ("password", ALICE_PW),
];

#[rocket::async_test]
async fn wrong_secret_is_401_with_basic_challenge() {
    let client = client().await;
    let answer = post(
        &client,
        "/oauth/token",
        &PASSWORD,
        Some(basic("web", "wrong")),
    )
    .await;
    assert_eq!(answer.status, Status::Unauthorized);
    assert_eq!(answer.error(), "invalid_client");
    assert!(answer
        .header("WWW-Authenticate")
        .unwrap()
        .starts_with("Basic"));
    assert_eq!(answer.header("Cache-Control"), Some("no-store"));
}

#[rocket::async_test]
async fn unknown_client_is_invalid_client() {
    let client = client().await;
    let answer = post(
        &client,
        "/oauth/token",
        &PASSWORD,
        Some(basic("ghost", "x")),
    )
    .await;
    assert_eq!(answer.status, Status::Unauthorized);
    assert_eq!(answer.error(), "invalid_client");
}

#[rocket::async_test]
async fn no_credentials_is_invalid_client() {
    let client = client().await;
    let answer = post(&client, "/oauth/token", &PASSWORD, None).await;
    assert_eq!(answer.status, Status::Unauthorized);
    assert_eq!(answer.error(), "invalid_client");
}

#[rocket::async_test]
async fn only_the_registered_method_is_accepted() {
    let client = client().await;
    // `web` registered client_secret_basic: the right secret in the body is refused.
    let mut params = PASSWORD.to_vec();
    params.extend([("client_id", "web"), ("client_secret", WEB_SECRET)]);
    let answer = post(&client, "/oauth/token", &params, None).await;
    assert_eq!(answer.error(), "invalid_client");
    // `svc` registered client_secret_post: Basic is refused.
    let answer = post(
        &client,
        "/oauth/token",
        &[("grant_type", "client_credentials")],
        Some(basic("svc", SVC_SECRET)),
    )
    .await;
    assert_eq!(answer.error(), "invalid_client");
}

#[rocket::async_test]
async fn confidential_client_cannot_skip_its_secret() {
    let client = client().await;
    let code_params = [
        ("grant_type", "refresh_token"),
        ("refresh_token", "x"),
        ("client_id", "web"),
    ];
    let answer = post(&client, "/oauth/token", &code_params, None).await;
    assert_eq!(answer.status, Status::Unauthorized);
    assert_eq!(answer.error(), "invalid_client");
}

#[rocket::async_test]
async fn two_methods_at_once_is_invalid_request() {
    let client = client().await;
    let mut params = PASSWORD.to_vec();
    params.push(("client_secret", WEB_SECRET));
    let answer = post(
        &client,
        "/oauth/token",
        &params,
        Some(basic("web", WEB_SECRET)),
    )
    .await;
    assert_eq!(answer.status, Status::BadRequest);
    assert_eq!(answer.error(), "invalid_request");
}

#[rocket::async_test]
async fn malformed_basic_is_invalid_client() {
    let client = client().await;
    let answer = post(
        &client,
        "/oauth/token",
        &PASSWORD,
        Some(Header::new("Authorization", "Basic %%%")),
    )
    .await;
    assert_eq!(answer.status, Status::Unauthorized);
    assert_eq!(answer.error(), "invalid_client");
}

#[rocket::async_test]
async fn secret_in_the_query_is_refused() {
    let client = client().await;
    let response = client
        .post(format!(
            "/oauth/token?client_id=svc&client_secret={SVC_SECRET}"
        ))
        .header(rocket::http::ContentType::Form)
        .body("grant_type=client_credentials")
        .dispatch()
        .await;
    let answer = Answer::of(response).await;
    assert_eq!(answer.status, Status::BadRequest);
    assert_eq!(answer.error(), "invalid_request");
}
