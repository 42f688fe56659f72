//! Token introspection (RFC 7662).

use oauth_runtime::ExpiresIn;
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

    let fairing = oauth2(store()).expires_in(ExpiresIn::Fixed(0));
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

/// Issue 12: a custom validator gets the configured storage, may await, and its revocation
/// rule holds at the introspection endpoint too (RFC 7662 §2.2).
struct BannedUsers;

#[oauth_runtime::async_trait]
impl oauth_runtime::BearerTokenValidator for BannedUsers {
    async fn token_revoked(
        &self,
        storage: &dyn oauth_runtime::Storage,
        token: &oauth_runtime::Token,
    ) -> Result<bool, oauth_runtime::OAuthError> {
        let banned = match &token.user_id {
            Some(id) => storage
                .find_user(id)
                .await?
                .is_some_and(|owner| owner.username == "alice"),
            None => false,
        };
        Ok(token.access_token_revoked || banned)
    }
}

#[rocket::async_test]
async fn a_custom_revocation_rule_reads_storage_and_holds_at_introspection() {
    let client = client_with(oauth2(store()).validator(BannedUsers)).await;
    let alice = web_tokens(&client, "profile").await;
    let (me, _) = api(&client, "/api/me", Some(alice.str("access_token"))).await;
    assert_eq!(me.status, Status::Unauthorized);
    assert_eq!(
        introspect(&client, alice.str("access_token")).await.json["active"],
        false
    );
    // A service token (no user) is untouched by the rule.
    let svc = svc_access(&client, "read").await;
    let answer = post(
        &client,
        "/oauth/introspect",
        &[
            ("token", svc.as_str()),
            ("client_id", "svc"),
            ("client_secret", SVC_SECRET),
        ],
        None,
    )
    .await;
    assert_eq!(answer.json["active"], true, "{}", answer.json);
}
