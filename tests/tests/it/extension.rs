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

/// Issue 12: hooks around every token request and issued token, with storage and async.
struct Hooks;

#[oauth_runtime::async_trait]
impl oauth_runtime::TokenHooks for Hooks {
    async fn validate_token_request(
        &self,
        storage: &dyn oauth_runtime::Storage,
        request: &oauth_runtime::OAuthRequest,
        client: &dyn oauth_runtime::OAuth2Client,
        _grant_type: &oauth_runtime::GrantType,
    ) -> Result<(), oauth_runtime::OAuthError> {
        // A rule that reads the database: the client must still be registered.
        storage.find_client(client.client_id()).await?;
        if request.param("suspend_me").is_some() {
            return Err(oauth_runtime::OAuthError::unauthorized_client(
                "this client is suspended",
            ));
        }
        Ok(())
    }

    async fn process_token(
        &self,
        storage: &dyn oauth_runtime::Storage,
        token: &oauth_runtime::Token,
        response: &mut oauth_runtime::TokenResponse,
    ) -> Result<(), oauth_runtime::OAuthError> {
        if let Some(user_id) = &token.user_id {
            if let Some(owner) = storage.find_user(user_id).await? {
                response.insert_field("username", owner.username)?;
            }
        }
        response.insert_field("grant", token.grant_type.as_str())?;
        Ok(())
    }
}

#[rocket::async_test]
async fn token_hooks_add_fields_to_every_grant_and_can_refuse() {
    let client = client_with(oauth2(store()).token_hooks(Hooks)).await;
    let password = [
        ("grant_type", "password"),
        ("username", "alice"),
        ("password", ALICE_PW),
    ];
    let answer = web_token(&client, &password).await;
    assert_eq!(answer.status, Status::Ok, "{}", answer.json);
    assert_eq!(answer.json["username"], "alice");
    assert_eq!(answer.json["grant"], "password");
    let refreshed = web_token(
        &client,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", answer.str("refresh_token")),
        ],
    )
    .await;
    assert_eq!(refreshed.status, Status::Ok, "{}", refreshed.json);
    assert_eq!(refreshed.json["username"], "alice");
    assert_eq!(refreshed.json["grant"], "refresh_token");
    let code = web_tokens(&client, "profile").await;
    assert_eq!(code.json["grant"], "authorization_code");
    let svc = svc_token(&client, &[]).await;
    assert_eq!(svc.json["grant"], "client_credentials");
    assert!(svc.json.get("username").is_none());

    let refused = svc_token(&client, &[("suspend_me", "1")]).await;
    assert_eq!(refused.status, Status::BadRequest);
    assert_eq!(refused.json["error"], "unauthorized_client");

    // The implicit grant's redirect carries the added fields too.
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
    assert_eq!(answer.location_param("username").as_deref(), Some("alice"));
    assert_eq!(answer.location_param("grant").as_deref(), Some("implicit"));
}

#[rocket::async_test]
async fn auth_methods_per_grant_type() {
    let fairing = oauth2(store()).token_endpoint_auth_methods(
        oauth_runtime::GrantType::ClientCredentials,
        [oauth_runtime::AuthMethod::ClientSecretBasic],
    );
    let client = client_with(fairing).await;
    // `svc` sends its secret in the body: refused for this grant now.
    let answer = svc_token(&client, &[]).await;
    assert_eq!(answer.status, Status::Unauthorized, "{}", answer.json);
    assert_eq!(answer.json["error"], "invalid_client");
}
