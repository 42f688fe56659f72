//! RFC 9068 JWT access tokens (`access_token_format = "jwt"`): verified with `jsonwebtoken`
//! against the JWK Set as a resource server would, accepted by this server's guards, and still
//! revocable here.

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{decode, decode_header, DecodingKey, Validation};
use oauth_runtime::{AccessTokenFormat, Config};
use rocket::http::Status;
use rocket::local::asynchronous::Client as HttpClient;
use serde_json::Value;

use crate::common::*;

const ISSUER: &str = "https://id.example.com";

async fn jwt_app(audience: Option<&str>) -> HttpClient {
    let config = Config {
        issuer: Some(ISSUER.to_owned()),
        access_token_format: AccessTokenFormat::Jwt,
        access_token_audience: audience.map(str::to_owned),
        ..Config::default()
    };
    HttpClient::tracked(app_on(rocket::build(), oauth2(store()).config(config)))
        .await
        .unwrap()
}

fn verify(jwt: &str, jwks: &JwkSet, audience: &str) -> Result<Value, String> {
    let header = decode_header(jwt).map_err(|e| e.to_string())?;
    let jwk = jwks
        .find(header.kid.as_deref().ok_or("no kid")?)
        .ok_or("unknown kid")?;
    let mut validation = Validation::new(header.alg);
    validation.set_audience(&[audience]);
    validation.set_issuer(&[ISSUER]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    decode::<Value>(
        jwt,
        &DecodingKey::from_jwk(jwk).map_err(|e| e.to_string())?,
        &validation,
    )
    .map(|data| data.claims)
    .map_err(|e| e.to_string())
}

#[rocket::async_test]
async fn jwt_access_tokens_carry_rfc_9068_claims_and_stay_revocable_here() {
    let client = jwt_app(Some("https://api.example.com")).await;
    let answer = svc_token(&client, &[("scope", "read")]).await;
    assert_eq!(answer.status, Status::Ok, "{}", answer.json);
    let jwt = answer.str("access_token").to_owned();
    let header = decode_header(&jwt).unwrap();
    assert_eq!(header.typ.as_deref(), Some("at+jwt"), "RFC 9068 §2.1");
    let keys = jwks(&client).await;
    let claims = verify(&jwt, &keys, "https://api.example.com").expect("valid");
    assert_eq!(claims["client_id"], "svc");
    assert_eq!(
        claims["sub"], "svc",
        "a client credentials token is the client's"
    );
    assert_eq!(claims["scope"], "read");
    assert!(claims["jti"].as_str().is_some_and(|j| j.len() >= 22));
    assert_eq!(
        claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
        answer.json["expires_in"].as_u64().unwrap()
    );
    // Another audience does not accept it.
    assert!(verify(&jwt, &keys, "https://other.example.com").is_err());
    // This server's own guards accept it, and refuse it once revoked; introspection agrees.
    let (me, _) = api(&client, "/api/token", Some(&jwt)).await;
    assert_eq!(me.status, Status::Ok);
    let revoke = post(
        &client,
        "/oauth/revoke",
        &[
            ("token", jwt.as_str()),
            ("client_id", "svc"),
            ("client_secret", SVC_SECRET),
        ],
        None,
    )
    .await;
    assert_eq!(revoke.status, Status::Ok);
    let (me, _) = api(&client, "/api/token", Some(&jwt)).await;
    assert_eq!(me.status, Status::Unauthorized);
    let introspection = post(
        &client,
        "/oauth/introspect",
        &[
            ("token", jwt.as_str()),
            ("client_id", "svc"),
            ("client_secret", SVC_SECRET),
        ],
        None,
    )
    .await;
    assert_eq!(introspection.json["active"], false);
}

#[rocket::async_test]
async fn a_user_token_names_the_user_and_defaults_its_audience_to_the_issuer() {
    let client = jwt_app(None).await;
    let answer = web_tokens(&client, "profile").await;
    assert_eq!(answer.status, Status::Ok, "{}", answer.json);
    let claims = verify(answer.str("access_token"), &jwks(&client).await, ISSUER).expect("valid");
    assert_eq!(claims["client_id"], "web");
    assert_ne!(claims["sub"], "web");
    // Refresh issues another JWT.
    let refreshed = web_token(
        &client,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", answer.str("refresh_token")),
        ],
    )
    .await;
    assert_eq!(refreshed.status, Status::Ok);
    assert_eq!(
        decode_header(refreshed.str("access_token"))
            .unwrap()
            .typ
            .as_deref(),
        Some("at+jwt")
    );
}

#[test]
fn the_jwt_format_needs_an_issuer() {
    let config = Config {
        access_token_format: AccessTokenFormat::Jwt,
        ..Config::default()
    };
    let error = config.validate().unwrap_err();
    assert_eq!(error.key, "access_token_format");
}
