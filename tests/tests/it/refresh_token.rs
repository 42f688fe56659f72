//! Refresh token grant (RFC 6749 §6) with rotation (RFC 9700 §4.14.2).

use rocket::http::Status;

use crate::common::*;

async fn refresh(
    client: &rocket::local::asynchronous::Client,
    token: &str,
    scope: Option<&str>,
) -> Answer {
    let mut params = vec![("grant_type", "refresh_token"), ("refresh_token", token)];
    if let Some(scope) = scope {
        params.push(("scope", scope));
    }
    web_token(client, &params).await
}

#[rocket::async_test]
async fn refresh_rotates_and_the_old_refresh_token_dies() {
    let client = client().await;
    let first = web_tokens(&client, "profile email").await;
    let second = refresh(&client, first.str("refresh_token"), None).await;
    assert_eq!(second.status, Status::Ok, "{}", second.json);
    assert_ne!(second.str("refresh_token"), first.str("refresh_token"));
    assert_eq!(second.str("scope"), "email profile");
    assert_eq!(second.json["expires_in"], 3600);
    let (me, _) = api(&client, "/api/me", Some(second.str("access_token"))).await;
    assert_eq!(me.status, Status::Ok);
    // The rotated-out access token is revoked with its refresh token.
    let (old, _) = api(&client, "/api/me", Some(first.str("access_token"))).await;
    assert_eq!(old.status, Status::Unauthorized);
}

#[rocket::async_test]
async fn reusing_a_rotated_refresh_token_revokes_the_family() {
    let client = client().await;
    let first = web_tokens(&client, "profile").await;
    let second = refresh(&client, first.str("refresh_token"), None).await;
    assert_eq!(second.status, Status::Ok);
    let replay = refresh(&client, first.str("refresh_token"), None).await;
    assert_eq!(replay.status, Status::BadRequest);
    assert_eq!(replay.error(), "invalid_grant");
    let (me, _) = api(&client, "/api/me", Some(second.str("access_token"))).await;
    assert_eq!(me.status, Status::Unauthorized);
    let third = refresh(&client, second.str("refresh_token"), None).await;
    assert_eq!(third.error(), "invalid_grant");
}

#[rocket::async_test]
async fn scope_can_narrow_but_not_widen() {
    let client = client().await;
    let first = web_tokens(&client, "profile").await;
    let wider = refresh(&client, first.str("refresh_token"), Some("profile email")).await;
    assert_eq!(wider.error(), "invalid_scope");
    let first = web_tokens(&client, "profile email").await;
    let narrower = refresh(&client, first.str("refresh_token"), Some("email")).await;
    assert_eq!(narrower.status, Status::Ok);
    assert_eq!(narrower.str("scope"), "email");
}

#[rocket::async_test]
async fn refresh_token_is_bound_to_its_client() {
    let client = client().await;
    let answer = post(
        &client,
        "/oauth/authorize",
        &[
            ("response_type", "code"),
            ("client_id", "spa"),
            ("redirect_uri", SPA_CB),
            ("scope", "profile"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
            ("decision", "allow"),
        ],
        None,
    )
    .await;
    let code = answer.location_param("code").unwrap();
    let spa = post(
        &client,
        "/oauth/token",
        &[
            ("grant_type", "authorization_code"),
            ("client_id", "spa"),
            ("code", &code),
            ("redirect_uri", SPA_CB),
            ("code_verifier", VERIFIER),
        ],
        None,
    )
    .await;
    let stolen = refresh(&client, spa.str("refresh_token"), None).await;
    assert_eq!(stolen.error(), "invalid_grant");
    // The public client itself may refresh with its client_id only.
    let own = post(
        &client,
        "/oauth/token",
        &[
            ("grant_type", "refresh_token"),
            ("client_id", "spa"),
            ("refresh_token", spa.str("refresh_token")),
        ],
        None,
    )
    .await;
    assert_eq!(own.status, Status::Ok, "{}", own.json);
}

#[rocket::async_test]
async fn unknown_or_missing_refresh_token() {
    let client = client().await;
    assert_eq!(
        refresh(&client, "nope", None).await.error(),
        "invalid_grant"
    );
    let answer = web_token(&client, &[("grant_type", "refresh_token")]).await;
    assert_eq!(answer.error(), "invalid_request");
}

#[rocket::async_test]
async fn access_token_is_not_a_refresh_token() {
    let client = client().await;
    let first = web_tokens(&client, "profile").await;
    assert_eq!(
        refresh(&client, first.str("access_token"), None)
            .await
            .error(),
        "invalid_grant"
    );
}
