//! Token revocation (RFC 7009).

use rocket::http::Status;

use crate::common::*;

async fn revoke(client: &rocket::local::asynchronous::Client, params: &[(&str, &str)]) -> Answer {
    post(
        client,
        "/oauth/revoke",
        params,
        Some(basic("web", WEB_SECRET)),
    )
    .await
}

#[rocket::async_test]
async fn revoking_an_access_token_stops_it() {
    let client = client().await;
    let tokens = web_tokens(&client, "profile").await;
    let answer = revoke(
        &client,
        &[
            ("token", tokens.str("access_token")),
            ("token_type_hint", "access_token"),
        ],
    )
    .await;
    assert_eq!(answer.status, Status::Ok);
    assert_eq!(
        api(&client, "/api/me", Some(tokens.str("access_token")))
            .await
            .0
            .status,
        Status::Unauthorized
    );
}

#[rocket::async_test]
async fn revoking_a_refresh_token_revokes_its_access_tokens() {
    let client = client().await;
    let tokens = web_tokens(&client, "profile").await;
    // No hint: the server searches every type (RFC 7009 §2.1).
    let answer = revoke(&client, &[("token", tokens.str("refresh_token"))]).await;
    assert_eq!(answer.status, Status::Ok);
    assert_eq!(
        api(&client, "/api/me", Some(tokens.str("access_token")))
            .await
            .0
            .status,
        Status::Unauthorized
    );
    let refresh = web_token(
        &client,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", tokens.str("refresh_token")),
        ],
    )
    .await;
    assert_eq!(refresh.error(), "invalid_grant");
}

#[rocket::async_test]
async fn wrong_hint_still_finds_the_token() {
    let client = client().await;
    let tokens = web_tokens(&client, "profile").await;
    let answer = revoke(
        &client,
        &[
            ("token", tokens.str("access_token")),
            ("token_type_hint", "refresh_token"),
        ],
    )
    .await;
    assert_eq!(answer.status, Status::Ok);
    assert_eq!(
        api(&client, "/api/me", Some(tokens.str("access_token")))
            .await
            .0
            .status,
        Status::Unauthorized
    );
}

#[rocket::async_test]
async fn unknown_token_is_200() {
    let client = client().await;
    let answer = revoke(&client, &[("token", "never-issued")]).await;
    assert_eq!(answer.status, Status::Ok);
}

#[rocket::async_test]
async fn another_clients_token_is_not_revoked() {
    let client = client().await;
    let tokens = web_tokens(&client, "profile").await;
    let answer = post(
        &client,
        "/oauth/revoke",
        &[
            ("token", tokens.str("access_token")),
            ("client_id", "svc"),
            ("client_secret", SVC_SECRET),
        ],
        None,
    )
    .await;
    assert_eq!(answer.status, Status::BadRequest);
    assert_eq!(answer.error(), "invalid_grant");
    assert_eq!(
        api(&client, "/api/me", Some(tokens.str("access_token")))
            .await
            .0
            .status,
        Status::Ok
    );
}

#[rocket::async_test]
async fn revocation_requires_client_authentication() {
    let client = client().await;
    let tokens = web_tokens(&client, "profile").await;
    let answer = post(
        &client,
        "/oauth/revoke",
        &[("token", tokens.str("access_token"))],
        None,
    )
    .await;
    assert_eq!(answer.status, Status::Unauthorized);
    assert_eq!(answer.error(), "invalid_client");
    let answer = post(
        &client,
        "/oauth/revoke",
        &[("token", tokens.str("access_token"))],
        Some(basic("web", "bad")),
    )
    .await;
    assert_eq!(answer.status, Status::Unauthorized);
    assert_eq!(
        api(&client, "/api/me", Some(tokens.str("access_token")))
            .await
            .0
            .status,
        Status::Ok
    );
}

#[rocket::async_test]
async fn missing_token_is_invalid_request() {
    let client = client().await;
    let answer = revoke(&client, &[]).await;
    assert_eq!(answer.status, Status::BadRequest);
    assert_eq!(answer.error(), "invalid_request");
}

#[rocket::async_test]
async fn public_clients_revoke_their_own_tokens() {
    let client = client().await;
    let answer = post(
        &client,
        "/oauth/authorize",
        &[
            ("response_type", "token"),
            ("client_id", "spa"),
            ("redirect_uri", SPA_CB),
            ("scope", "profile"),
            ("decision", "allow"),
        ],
        None,
    )
    .await;
    let token = answer.location_param("access_token").unwrap();
    let revoked = post(
        &client,
        "/oauth/revoke",
        &[("token", &token), ("client_id", "spa")],
        None,
    )
    .await;
    assert_eq!(revoked.status, Status::Ok);
    assert_eq!(
        api(&client, "/api/me", Some(&token)).await.0.status,
        Status::Unauthorized
    );
}
