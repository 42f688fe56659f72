//! RFC 8707 resource indicators and the audience check of this server's own guards, with
//! RFC 9728 metadata for its API.

use base64::Engine as _;
use oauth_runtime::{AccessTokenFormat, Config};
use rocket::http::Status;
use rocket::local::asynchronous::Client as HttpClient;
use serde_json::Value;

use crate::common::*;

const ISSUER: &str = "https://as.example";
const OWN_API: &str = "https://as.example/api";
const NOTES: &str = "https://notes.example/";

fn config(format: AccessTokenFormat) -> Config {
    Config {
        issuer: Some(ISSUER.to_owned()),
        resource: Some(OWN_API.to_owned()),
        resources: vec![NOTES.to_owned()],
        resource_scopes: vec!["profile".to_owned()],
        access_token_format: format,
        ..Config::default()
    }
}

async fn server(format: AccessTokenFormat) -> HttpClient {
    HttpClient::tracked(app_on(
        rocket::build(),
        oauth2(store()).config(config(format)),
    ))
    .await
    .expect("valid rocket")
}

/// Authorizes `web` (PKCE) with `extra` parameters; the redirect's answer.
async fn authorize(client: &HttpClient, extra: &[(&str, &str)]) -> Answer {
    let mut params = vec![
        ("response_type", "code"),
        ("client_id", "web"),
        ("redirect_uri", WEB_CB),
        ("scope", "profile"),
        ("state", "s"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
        ("decision", "allow"),
    ];
    params.extend_from_slice(extra);
    let answer = post(client, "/oauth/authorize", &params, None).await;
    assert_eq!(answer.status, Status::Found, "{:?}", answer.headers);
    answer
}

/// Exchanges `code` with `extra` parameters.
async fn exchange(client: &HttpClient, code: &str, extra: &[(&str, &str)]) -> Answer {
    let mut params = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", WEB_CB),
        ("code_verifier", VERIFIER),
    ];
    params.extend_from_slice(extra);
    web_token(client, &params).await
}

async fn introspected_aud(client: &HttpClient, token: &str) -> Value {
    let answer = post(
        client,
        "/oauth/introspect",
        &[("token", token)],
        Some(basic("rs", RS_SECRET)),
    )
    .await;
    assert_eq!(answer.json["active"], true, "{}", answer.json);
    answer.json["aud"].clone()
}

fn jwt_claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

#[rocket::async_test]
async fn a_token_for_another_resource_is_refused_by_this_servers_guard() {
    let client = server(AccessTokenFormat::Opaque).await;
    let code = authorize(&client, &[("resource", NOTES)])
        .await
        .location_param("code")
        .unwrap();
    let tokens = exchange(&client, &code, &[]).await;
    assert_eq!(tokens.status, Status::Ok, "{}", tokens.json);
    let token = tokens.str("access_token");
    assert_eq!(introspected_aud(&client, token).await, NOTES);
    // RFC 8707 §2 / MCP token audience binding: not for this API.
    let (answer, _) = api(&client, "/api/me", Some(token)).await;
    assert_eq!(answer.status, Status::Unauthorized);
    let challenge = answer.header("WWW-Authenticate").unwrap();
    assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
    assert!(
        challenge.contains(&format!(
            "resource_metadata=\"{ISSUER}/.well-known/oauth-protected-resource/api\""
        )),
        "{challenge}"
    );
}

#[rocket::async_test]
async fn without_a_resource_the_token_is_for_this_servers_api() {
    let client = server(AccessTokenFormat::Opaque).await;
    let tokens = web_tokens(&client, "profile").await;
    let token = tokens.str("access_token");
    assert_eq!(introspected_aud(&client, token).await, OWN_API);
    let (answer, body) = api(&client, "/api/me", Some(token)).await;
    assert_eq!(answer.status, Status::Ok, "{body}");
}

#[rocket::async_test]
async fn challenges_name_the_metadata_and_the_scope_and_the_metadata_is_served() {
    let client = server(AccessTokenFormat::Opaque).await;
    let (answer, _) = api(&client, "/api/me", None).await;
    assert_eq!(answer.status, Status::Unauthorized);
    let challenge = answer.header("WWW-Authenticate").unwrap();
    assert!(challenge.contains("scope=\"profile\""), "{challenge}");
    assert!(challenge.contains("resource_metadata="), "{challenge}");
    let metadata = client
        .get("/.well-known/oauth-protected-resource/api")
        .dispatch()
        .await;
    assert_eq!(metadata.status(), Status::Ok);
    let metadata: Value = serde_json::from_str(&metadata.into_string().await.unwrap()).unwrap();
    assert_eq!(metadata["resource"], OWN_API);
    assert_eq!(metadata["authorization_servers"][0], ISSUER);
    assert_eq!(metadata["scopes_supported"][0], "profile");
    assert_eq!(metadata["bearer_methods_supported"][0], "header");
}

#[rocket::async_test]
async fn malformed_unknown_and_unlisted_resources_are_invalid_target() {
    let client = server(AccessTokenFormat::Opaque).await;
    // At the authorization endpoint: redirected, with state (RFC 8707 §2).
    for bad in [
        "/relative",
        "https://notes.example/#frag",
        "https://evil.example/",
    ] {
        let answer = authorize(&client, &[("resource", bad)]).await;
        assert_eq!(
            answer.location_param("error").as_deref(),
            Some("invalid_target"),
            "{bad}"
        );
        assert_eq!(answer.location_param("state").as_deref(), Some("s"));
    }
    // At the token endpoint.
    let answer = svc_token(&client, &[("scope", "read"), ("resource", "urn:x:unknown")]).await;
    assert_eq!(answer.status, Status::BadRequest);
    assert_eq!(answer.error(), "invalid_target");
    let answer = svc_token(&client, &[("scope", "read"), ("resource", NOTES)]).await;
    assert_eq!(answer.status, Status::Ok, "{}", answer.json);
}

#[rocket::async_test]
async fn token_requests_narrow_the_audience_but_never_widen_it() {
    let client = server(AccessTokenFormat::Jwt).await;
    let both = [("resource", OWN_API), ("resource", NOTES)];
    let code = authorize(&client, &both)
        .await
        .location_param("code")
        .unwrap();
    // The code was for both: the token asks for one (RFC 8707 §2.2).
    let tokens = exchange(&client, &code, &[("resource", NOTES)]).await;
    assert_eq!(tokens.status, Status::Ok, "{}", tokens.json);
    assert_eq!(jwt_claims(tokens.str("access_token"))["aud"], NOTES);
    let refresh = tokens.str("refresh_token").to_owned();
    // The refresh token keeps the narrowed audience: asking for the other one widens.
    let widened = web_token(
        &client,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
            ("resource", OWN_API),
        ],
    )
    .await;
    assert_eq!(widened.error(), "invalid_target", "{}", widened.json);
    let same = web_token(
        &client,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh),
            ("resource", NOTES),
        ],
    )
    .await;
    assert_eq!(same.status, Status::Ok, "{}", same.json);
    assert_eq!(jwt_claims(same.str("access_token"))["aud"], NOTES);

    // Both, kept when the token request names none: `aud` is an array.
    let code = authorize(&client, &both)
        .await
        .location_param("code")
        .unwrap();
    let tokens = exchange(&client, &code, &[]).await;
    assert_eq!(
        jwt_claims(tokens.str("access_token"))["aud"],
        serde_json::json!([OWN_API, NOTES])
    );
    // A code for one resource cannot buy a token for another.
    let code = authorize(&client, &[("resource", NOTES)])
        .await
        .location_param("code")
        .unwrap();
    let widened = exchange(&client, &code, &[("resource", OWN_API)]).await;
    assert_eq!(widened.error(), "invalid_target", "{}", widened.json);
}

#[rocket::async_test]
async fn only_resource_may_repeat() {
    let client = server(AccessTokenFormat::Opaque).await;
    let answer = svc_token(&client, &[("scope", "read"), ("scope", "write")]).await;
    assert_eq!(answer.error(), "invalid_request");
}
