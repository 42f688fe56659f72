//! Malformed requests get RFC errors, never a 500 (RFC 6749 §3.1, §3.2, §5.2).

use rocket::http::{ContentType, Status};

use crate::common::*;

async fn raw_token(
    client: &rocket::local::asynchronous::Client,
    body: Vec<u8>,
    ct: ContentType,
) -> Answer {
    let response = client
        .post("/oauth/token")
        .header(ct)
        .header(basic("web", WEB_SECRET))
        .body(body)
        .dispatch()
        .await;
    Answer::of(response).await
}

#[rocket::async_test]
async fn duplicate_parameter_is_invalid_request() {
    let client = client().await;
    let answer = raw_token(
        &client,
        b"grant_type=password&grant_type=password".to_vec(),
        ContentType::Form,
    )
    .await;
    assert_eq!(answer.status, Status::BadRequest);
    assert_eq!(answer.error(), "invalid_request");
}

#[rocket::async_test]
async fn duplicate_parameter_at_authorization_is_not_redirected() {
    let client = client().await;
    let response = client
        .get(format!(
            "/oauth/authorize?response_type=code&client_id=web&client_id=web&redirect_uri={}",
            enc(WEB_CB)
        ))
        .dispatch()
        .await;
    let answer = Answer::of(response).await;
    assert_eq!(answer.status, Status::BadRequest);
    assert_eq!(answer.error(), "invalid_request");
    assert!(answer.header("Location").is_none());
}

#[rocket::async_test]
async fn non_form_body_is_invalid_request() {
    let client = client().await;
    let answer = raw_token(
        &client,
        br#"{"grant_type":"password"}"#.to_vec(),
        ContentType::JSON,
    )
    .await;
    assert_eq!(answer.status, Status::BadRequest);
    assert_eq!(answer.error(), "invalid_request");
}

#[rocket::async_test]
async fn missing_grant_type_is_invalid_request() {
    let client = client().await;
    let answer = web_token(&client, &[("username", "alice")]).await;
    assert_eq!(answer.error(), "invalid_request");
}

#[rocket::async_test]
async fn invalid_utf8_and_controls_are_invalid_request() {
    let client = client().await;
    for body in [
        &b"grant_type=password&username=%FF"[..],
        b"grant_type=pass%00word",
        b"grant_type=%ZZ",
    ] {
        let answer = raw_token(&client, body.to_vec(), ContentType::Form).await;
        assert_eq!(answer.status, Status::BadRequest, "{body:?}");
        assert_eq!(answer.error(), "invalid_request");
    }
}

#[rocket::async_test]
async fn oversized_body_is_413_json() {
    let client = client().await;
    let body = format!("grant_type=password&username={}", "a".repeat(64 * 1024)).into_bytes();
    let answer = raw_token(&client, body, ContentType::Form).await;
    assert_eq!(answer.status, Status::PayloadTooLarge);
    assert_eq!(answer.error(), "invalid_request");
}

#[rocket::async_test]
async fn error_responses_are_not_cacheable_json() {
    let client = client().await;
    let answer = web_token(&client, &[("grant_type", "nope")]).await;
    assert_eq!(answer.header("Content-Type"), Some("application/json"));
    assert_eq!(answer.header("Cache-Control"), Some("no-store"));
    assert_eq!(answer.header("Pragma"), Some("no-cache"));
}

#[rocket::async_test]
async fn empty_parameters_count_as_omitted() {
    let client = client().await;
    let answer = web_token(
        &client,
        &[
            ("grant_type", "password"),
            ("username", ""),
            ("password", ALICE_PW),
        ],
    )
    .await;
    assert_eq!(answer.error(), "invalid_request");
}
