//! Extension grants (RFC 6749 §4.5).

use rocket::http::Status;

use crate::common::*;

#[rocket::async_test]
async fn a_user_defined_grant_issues_tokens_by_uri() {
    let client = client().await;
    let answer = post(
        &client,
        "/oauth/token",
        &[("grant_type", EXT_GRANT), ("magic_word", "please")],
        Some(basic("ext", EXT_SECRET)),
    )
    .await;
    assert_eq!(answer.status, Status::Ok, "{}", answer.json);
    assert_eq!(answer.json["expires_in"], 3600);
    let (_, body) = api(&client, "/api/me", Some(answer.str("access_token"))).await;
    assert_eq!(body, "alice|ext|profile");
}

#[rocket::async_test]
async fn its_errors_are_rfc_errors() {
    let client = client().await;
    let answer = post(
        &client,
        "/oauth/token",
        &[("grant_type", EXT_GRANT), ("magic_word", "now")],
        Some(basic("ext", EXT_SECRET)),
    )
    .await;
    assert_eq!(answer.status, Status::BadRequest);
    assert_eq!(answer.error(), "invalid_grant");
}

#[rocket::async_test]
async fn other_clients_may_not_use_it() {
    let client = client().await;
    let answer = web_token(
        &client,
        &[("grant_type", EXT_GRANT), ("magic_word", "please")],
    )
    .await;
    assert_eq!(answer.error(), "unauthorized_client");
}

#[rocket::async_test]
async fn unknown_grant_type_is_unsupported() {
    let client = client().await;
    let answer = web_token(&client, &[("grant_type", "urn:example:unknown")]).await;
    assert_eq!(answer.status, Status::BadRequest);
    assert_eq!(answer.error(), "unsupported_grant_type");
}
