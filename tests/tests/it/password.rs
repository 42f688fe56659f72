//! Resource owner password credentials grant (RFC 6749 §4.3).

use oauth_runtime::{
    async_trait, PasswordGrant, PasswordHooks, ResourceOwner, Storage, StorageResult,
};
use rocket::http::Status;

use crate::common::*;

#[rocket::async_test]
async fn password_grant_issues_tokens() {
    let client = client().await;
    let answer = web_token(
        &client,
        &[
            ("grant_type", "password"),
            ("username", "alice"),
            ("password", ALICE_PW),
            ("scope", "profile"),
        ],
    )
    .await;
    assert_eq!(answer.status, Status::Ok, "{}", answer.json);
    assert_eq!(answer.json["expires_in"], 864_000);
    assert!(answer.json["refresh_token"].is_string());
    let (_, body) = api(&client, "/api/me", Some(answer.str("access_token"))).await;
    assert_eq!(body, "alice|web|profile");
}

#[rocket::async_test]
async fn wrong_password_and_unknown_user_look_the_same() {
    let client = client().await;
    let wrong = web_token(
        &client,
        &[
            ("grant_type", "password"),
            ("username", "alice"),
            ("password", "nope"),
        ],
    )
    .await;
    let unknown = web_token(
        &client,
        &[
            ("grant_type", "password"),
            ("username", "mallory"),
            ("password", "nope"),
        ],
    )
    .await;
    assert_eq!(wrong.status, Status::BadRequest);
    assert_eq!(wrong.error(), "invalid_grant");
    assert_eq!(wrong.json, unknown.json);
    assert_eq!(wrong.status, unknown.status);
}

#[rocket::async_test]
async fn missing_credentials_are_invalid_request() {
    let client = client().await;
    let answer = web_token(
        &client,
        &[("grant_type", "password"), ("username", "alice")],
    )
    .await;
    assert_eq!(answer.error(), "invalid_request");
}

#[rocket::async_test]
async fn client_not_registered_for_password_is_unauthorized_client() {
    let client = client().await;
    let answer = post(
        &client,
        "/oauth/token",
        &[
            ("grant_type", "password"),
            ("username", "alice"),
            ("password", ALICE_PW),
            ("client_id", "svc"),
            ("client_secret", SVC_SECRET),
        ],
        None,
    )
    .await;
    assert_eq!(answer.status, Status::BadRequest);
    assert_eq!(answer.error(), "unauthorized_client");
}

/// Overrides one hook: users come from elsewhere than the store.
struct Directory;

#[async_trait]
impl PasswordHooks for Directory {
    async fn authenticate_user(
        &self,
        _storage: &dyn Storage,
        username: &str,
        password: &str,
    ) -> StorageResult<Option<ResourceOwner>> {
        Ok(
            (username == "bob" && password == "builder")
                .then(|| ResourceOwner::new("bob-1", "bob")),
        )
    }
}

#[rocket::async_test]
async fn overriding_authenticate_user_changes_only_that() {
    let fairing = oauth_runtime::OAuth2::new(store()).grant(PasswordGrant::with_hooks(Directory));
    let client = client_with(fairing).await;
    let bob = web_token(
        &client,
        &[
            ("grant_type", "password"),
            ("username", "bob"),
            ("password", "builder"),
            ("scope", "profile"),
        ],
    )
    .await;
    assert_eq!(bob.status, Status::Ok, "{}", bob.json);
    let (_, body) = api(&client, "/api/me", Some(bob.str("access_token"))).await;
    assert_eq!(body, "bob-1|web|profile");
    let alice = web_token(
        &client,
        &[
            ("grant_type", "password"),
            ("username", "alice"),
            ("password", ALICE_PW),
        ],
    )
    .await;
    assert_eq!(alice.error(), "invalid_grant");
}
