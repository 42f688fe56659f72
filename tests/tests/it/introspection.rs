//! Token introspection (RFC 7662).

use oauth_runtime::{BearerToken, ExpiresIn};
use rocket::http::Status;

use crate::common::*;

async fn introspect(client: &rocket::local::asynchronous::Client, token: &str) -> Answer {
    post(
        client,
        "/oauth/introspect",
        &[("token", token)],
        Some(basic("web", WEB_SECRET)),
    )
    .await
}

#[rocket::async_test]
async fn active_token_describes_itself() {
    let client = client().await;
    let tokens = web_tokens(&client, "profile").await;
    let answer = introspect(&client, tokens.str("access_token")).await;
    assert_eq!(answer.status, Status::Ok);
    assert_eq!(answer.json["active"], true);
    assert_eq!(answer.str("scope"), "profile");
    assert_eq!(answer.str("client_id"), "web");
    assert_eq!(answer.str("username"), "alice");
    assert_eq!(answer.str("sub"), "alice");
    assert_eq!(answer.str("token_type"), "Bearer");
    let exp = answer.json["exp"].as_u64().unwrap();
    let iat = answer.json["iat"].as_u64().unwrap();
    assert_eq!(exp - iat, 864_000);
}

#[rocket::async_test]
async fn unknown_revoked_and_expired_tokens_are_inactive() {
    let client = client().await;
    let answer = introspect(&client, "nope").await;
    assert_eq!(answer.json, serde_json::json!({ "active": false }));

    let tokens = web_tokens(&client, "profile").await;
    let revoke = post(
        &client,
        "/oauth/revoke",
        &[("token", tokens.str("access_token"))],
        Some(basic("web", WEB_SECRET)),
    )
    .await;
    assert_eq!(revoke.status, Status::Ok);
    assert_eq!(
        introspect(&client, tokens.str("access_token")).await.json["active"],
        false
    );

    let fairing =
        oauth2(store()).token_generator(BearerToken::new().expires_in(ExpiresIn::Fixed(0)));
    let client = client_with(fairing).await;
    let tokens = web_tokens(&client, "profile").await;
    assert_eq!(
        introspect(&client, tokens.str("access_token")).await.json["active"],
        false
    );
}

#[rocket::async_test]
async fn public_clients_may_not_introspect() {
    let client = client().await;
    let tokens = web_tokens(&client, "profile").await;
    let answer = post(
        &client,
        "/oauth/introspect",
        &[("token", tokens.str("access_token")), ("client_id", "spa")],
        None,
    )
    .await;
    assert_eq!(answer.status, Status::Unauthorized);
    assert_eq!(answer.error(), "invalid_client");
}
