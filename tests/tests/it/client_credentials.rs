//! Client credentials grant (RFC 6749 §4.4).

use rocket::http::Status;

use crate::common::*;

#[rocket::async_test]
async fn issues_a_token_without_refresh_token() {
    let client = client().await;
    let answer = svc_token(&client, &[("scope", "read")]).await;
    assert_eq!(answer.status, Status::Ok, "{}", answer.json);
    assert_eq!(answer.str("token_type"), "Bearer");
    assert_eq!(answer.json["expires_in"], 864_000);
    assert_eq!(answer.str("scope"), "read");
    assert!(answer.json.get("refresh_token").is_none());
    let (token, body) = api(&client, "/api/token", Some(answer.str("access_token"))).await;
    assert_eq!(token.status, Status::Ok);
    assert_eq!(body, "svc");
}

#[rocket::async_test]
async fn omitted_scope_grants_the_empty_default() {
    let client = client().await;
    let answer = svc_token(&client, &[]).await;
    assert_eq!(answer.status, Status::Ok);
    assert!(answer.json.get("scope").is_none());
}

#[rocket::async_test]
async fn scope_beyond_the_client_is_invalid_scope() {
    let client = client().await;
    let answer = svc_token(&client, &[("scope", "read admin")]).await;
    assert_eq!(answer.status, Status::BadRequest);
    assert_eq!(answer.error(), "invalid_scope");
}

#[rocket::async_test]
async fn public_clients_cannot_use_it() {
    let client = client().await;
    let answer = post(
        &client,
        "/oauth/token",
        &[("grant_type", "client_credentials"), ("client_id", "spa")],
        None,
    )
    .await;
    assert_eq!(answer.status, Status::Unauthorized);
    assert_eq!(answer.error(), "invalid_client");
}

#[rocket::async_test]
async fn grant_off_unless_registered() {
    let fairing = oauth_runtime::OAuth2::new(store()).grant(oauth_runtime::PasswordGrant::new());
    let client = client_with(fairing).await;
    let answer = svc_token(&client, &[]).await;
    assert_eq!(answer.error(), "unsupported_grant_type");
}
