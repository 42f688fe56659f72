//! Every grant, through the real binary, with the `oauth2` crate as the client.

use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IntrospectionUrl,
    PkceCodeChallenge, RedirectUrl, ResourceOwnerPassword, ResourceOwnerUsername, RevocationUrl,
    Scope, StandardRevocableToken, TokenIntrospectionResponse, TokenResponse, TokenUrl,
};
use serde_json::Value;

use crate::harness::*;

type Client = oauth2::Client<
    oauth2::basic::BasicErrorResponse,
    oauth2::basic::BasicTokenResponse,
    oauth2::basic::BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    oauth2::basic::BasicRevocationErrorResponse,
    oauth2::EndpointSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointSet,
    oauth2::EndpointSet,
    oauth2::EndpointSet,
>;

fn oauth_client(provider: &Provider, demo: &Value) -> Client {
    BasicClient::new(ClientId::new(
        demo["client_id"].as_str().unwrap().to_owned(),
    ))
    .set_client_secret(ClientSecret::new(
        demo["client_secret"].as_str().unwrap().to_owned(),
    ))
    .set_auth_uri(AuthUrl::new(provider.url("/oauth/authorize")).unwrap())
    .set_token_uri(TokenUrl::new(provider.url("/oauth/token")).unwrap())
    .set_revocation_url(RevocationUrl::new(provider.url("/oauth/revoke")).unwrap())
    .set_introspection_url(IntrospectionUrl::new(provider.url("/oauth/introspect")).unwrap())
    .set_redirect_uri(RedirectUrl::new(DEMO_REDIRECT.to_owned()).unwrap())
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn me(provider: &Provider, token: &str) -> (u16, Value) {
    let response = http()
        .get(provider.url("/api/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn authorization_code_with_pkce_refresh_revocation_and_introspection() {
    let provider = Provider::start().await;
    let demo = provider.demo();
    let client = oauth_client(&provider, &demo);
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, state) = client
        .authorize_url(CsrfToken::new_random)
        .add_scope(Scope::new("profile".to_owned()))
        .set_pkce_challenge(challenge)
        .url();
    let params = authorize(&provider, auth_url.as_str(), "allow").await;
    assert!(auth_url.as_str().contains("scope=profile"));
    assert_eq!(
        param(&params, "state").as_deref(),
        Some(state.secret().as_str())
    );
    assert_eq!(
        param(&params, "iss").as_deref(),
        Some(provider.base.as_str())
    );
    let code = param(&params, "code").expect("a code");

    let http = http();
    let token = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(verifier)
        .request_async(&http)
        .await
        .expect("token");
    let access = token.access_token().secret().clone();
    let (status, body) = me(&provider, &access).await;
    assert_eq!(status, 200);
    assert_eq!(body["username"], "demo");
    assert_eq!(body["scope"], "profile");

    let introspected = client
        .introspect(token.access_token())
        .request_async(&http)
        .await
        .unwrap();
    assert!(introspected.active());
    assert_eq!(introspected.username(), Some("demo"));

    let refreshed = client
        .exchange_refresh_token(token.refresh_token().expect("a refresh token"))
        .request_async(&http)
        .await
        .expect("refresh");
    assert_ne!(refreshed.access_token().secret(), &access);
    assert_eq!(
        me(&provider, refreshed.access_token().secret()).await.0,
        200
    );

    // The `oauth2` crate sends revocations over https only; this is plain RFC 7009 over loopback.
    let revoked = http
        .post(provider.url("/oauth/revoke"))
        .basic_auth(
            demo["client_id"].as_str().unwrap(),
            demo["client_secret"].as_str(),
        )
        .form(&[
            ("token", refreshed.access_token().secret().as_str()),
            ("token_type_hint", "access_token"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status().as_u16(), 200);
    assert_eq!(
        me(&provider, refreshed.access_token().secret()).await.0,
        401
    );
    let after = client
        .introspect(refreshed.access_token())
        .request_async(&http)
        .await
        .unwrap();
    assert!(!after.active());
}

#[tokio::test]
async fn denial_redirects_access_denied() {
    let provider = Provider::start().await;
    let demo = provider.demo();
    let client = oauth_client(&provider, &demo);
    let (challenge, _) = PkceCodeChallenge::new_random_sha256();
    let (auth_url, state) = client
        .authorize_url(CsrfToken::new_random)
        .set_pkce_challenge(challenge)
        .url();
    let params = authorize(&provider, auth_url.as_str(), "deny").await;
    assert_eq!(param(&params, "error").as_deref(), Some("access_denied"));
    assert_eq!(
        param(&params, "state").as_deref(),
        Some(state.secret().as_str())
    );
    assert!(param(&params, "code").is_none());
}

#[tokio::test]
async fn password_client_credentials_and_implicit_grants() {
    let provider = Provider::start().await;
    let demo = provider.demo();
    let client = oauth_client(&provider, &demo);
    let http = http();
    let password = client
        .exchange_password(
            &ResourceOwnerUsername::new("demo".to_owned()),
            &ResourceOwnerPassword::new("demo-password".to_owned()),
        )
        .add_scope(Scope::new("profile".to_owned()))
        .request_async(&http)
        .await
        .expect("password grant");
    assert_eq!(
        me(&provider, password.access_token().secret()).await.1["username"],
        "demo"
    );
    let wrong = client
        .exchange_password(
            &ResourceOwnerUsername::new("demo".to_owned()),
            &ResourceOwnerPassword::new("nope".to_owned()),
        )
        .request_async(&http)
        .await;
    assert!(wrong.is_err());

    let service = client
        .exchange_client_credentials()
        .add_scope(Scope::new("email".to_owned()))
        .request_async(&http)
        .await
        .expect("client credentials");
    assert!(service.refresh_token().is_none());
    assert_eq!(me(&provider, service.access_token().secret()).await.0, 403);

    // Implicit: the token comes back in the fragment.
    let browser = browser();
    let id = demo["client_id"].as_str().unwrap();
    let next =
        format!("/oauth/authorize?response_type=token&client_id={id}&scope=profile&state=imp");
    sign_in(&provider, &browser, &next, "demo", "demo-password").await;
    let html = browser
        .get(provider.url(&next))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let answer = decide(&provider, &browser, &html, "allow").await;
    let location = answer.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with(&format!("{DEMO_REDIRECT}#")),
        "{location}"
    );
    let params = location_params(&location);
    assert_eq!(param(&params, "state").as_deref(), Some("imp"));
    assert_eq!(
        me(&provider, &param(&params, "access_token").unwrap())
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn metadata_describes_the_server() {
    let provider = Provider::start().await;
    let metadata: Value = reqwest::get(provider.url("/.well-known/oauth-authorization-server"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(metadata["issuer"], provider.base.as_str());
    assert_eq!(
        metadata["authorization_endpoint"],
        provider.url("/oauth/authorize").as_str()
    );
    assert_eq!(
        metadata["token_endpoint"],
        provider.url("/oauth/token").as_str()
    );
    assert_eq!(
        metadata["revocation_endpoint"],
        provider.url("/oauth/revoke").as_str()
    );
    assert_eq!(
        metadata["introspection_endpoint"],
        provider.url("/oauth/introspect").as_str()
    );
    assert_eq!(metadata["jwks_uri"], provider.url("/oauth/jwks").as_str());
    assert_eq!(
        metadata["response_modes_supported"],
        serde_json::json!(["query", "fragment"])
    );
    assert_eq!(
        metadata["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    let grants = metadata["grant_types_supported"].as_array().unwrap();
    for grant in [
        "authorization_code",
        "implicit",
        "password",
        "client_credentials",
        "refresh_token",
    ] {
        assert!(grants.iter().any(|g| g == grant), "{grant}");
    }
    assert_eq!(
        metadata["response_types_supported"],
        serde_json::json!(["code", "token"])
    );
    let methods = metadata["token_endpoint_auth_methods_supported"]
        .as_array()
        .unwrap();
    assert_eq!(methods.len(), 3);
}

#[tokio::test]
async fn protected_and_unprotected_api() {
    let provider = Provider::start().await;
    let ping: Value = reqwest::get(provider.url("/api/ping"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ping["pong"], true);
    let me = http().get(provider.url("/api/me")).send().await.unwrap();
    assert_eq!(me.status().as_u16(), 401);
    assert!(me.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Bearer realm="));
}
