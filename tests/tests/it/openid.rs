//! OpenID Connect on the authorization code flow: the ID token's claims and signature (checked
//! with `jsonwebtoken` against the JWK Set), UserInfo, and discovery.

use jsonwebtoken::{decode, decode_header, DecodingKey, Validation};
use oauth_runtime::{AuthorizationServer, Client, Config, EndpointUrls, GrantType};
use rocket::http::{Header, Status};
use rocket::local::asynchronous::Client as HttpClient;
use serde_json::Value;

use crate::common::*;

const ISSUER: &str = "https://id.example.com";
const RP_SECRET: &str = "rp-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

async fn app(issuer: Option<&str>) -> HttpClient {
    let store = store();
    store.add_client(
        Client::with_secret("rp", RP_SECRET)
            .with_redirect_uris([WEB_CB])
            .with_grant_types([GrantType::AuthorizationCode, GrantType::RefreshToken])
            .with_scope("openid profile"),
    );
    let config = Config {
        issuer: issuer.map(str::to_owned),
        ..Config::default()
    };
    HttpClient::tracked(app_on(rocket::build(), oauth2(store).config(config)))
        .await
        .unwrap()
}

/// The code flow for `rp` with `scope` and `nonce`: the token endpoint's answer.
async fn tokens(client: &HttpClient, scope: &str, nonce: &str) -> Answer {
    let answer = post(
        client,
        "/oauth/authorize",
        &[
            ("response_type", "code"),
            ("client_id", "rp"),
            ("redirect_uri", WEB_CB),
            ("scope", scope),
            ("nonce", nonce),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
            ("decision", "allow"),
        ],
        None,
    )
    .await;
    let code = answer.location_param("code").expect("a code");
    post(
        client,
        "/oauth/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", WEB_CB),
            ("code_verifier", VERIFIER),
        ],
        Some(basic("rp", RP_SECRET)),
    )
    .await
}

#[rocket::async_test]
async fn the_id_token_carries_the_claims_and_verifies_against_the_jwks() {
    let client = app(Some(ISSUER)).await;
    let answer = tokens(&client, "openid profile", "n-0S6_WzA2Mj").await;
    assert_eq!(answer.status, Status::Ok, "{}", answer.json);
    let id_token = answer.str("id_token");
    let header = decode_header(id_token).unwrap();
    let keys = jwks(&client).await;
    let jwk = keys
        .find(header.kid.as_deref().unwrap())
        .expect("the kid is published");
    let mut validation = Validation::new(header.alg);
    validation.set_audience(&["rp"]);
    validation.set_issuer(&[ISSUER]);
    let claims: Value = decode(id_token, &DecodingKey::from_jwk(jwk).unwrap(), &validation)
        .expect("a valid signature, iss, aud and exp")
        .claims;
    assert_eq!(claims["nonce"], "n-0S6_WzA2Mj");
    assert!(claims["sub"].as_str().is_some_and(|s| !s.is_empty()));
    let lifetime = claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap();
    assert_eq!(lifetime, 3600);
    // at_hash: the left half of SHA-256 of the access token, base64url (Core §3.1.3.6).
    use base64::Engine as _;
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(answer.str("access_token").as_bytes());
    let expected = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..16]);
    assert_eq!(claims["at_hash"], expected.as_str());
    // Without `openid`, no ID token.
    let plain = tokens(&client, "profile", "unused").await;
    assert_eq!(plain.status, Status::Ok);
    assert!(plain.json.get("id_token").is_none());
}

#[rocket::async_test]
async fn without_an_issuer_an_id_token_is_a_server_error_that_says_why() {
    let client = app(None).await;
    let answer = tokens(&client, "openid", "n").await;
    assert_eq!(answer.status.code, 500);
    assert_eq!(answer.json["error"], "server_error");
    assert!(answer.json["error_description"]
        .as_str()
        .unwrap()
        .contains("issuer"));
}

#[rocket::async_test]
async fn userinfo_needs_the_openid_scope() {
    let client = app(Some(ISSUER)).await;
    let answer = tokens(&client, "openid profile", "n").await;
    let bearer = Header::new(
        "Authorization",
        format!("Bearer {}", answer.str("access_token")),
    );
    for request in [
        client.get("/oauth/userinfo"),
        client.post("/oauth/userinfo"),
    ] {
        let response = request.header(bearer.clone()).dispatch().await;
        assert_eq!(response.status(), Status::Ok);
        let info: Value = serde_json::from_str(&response.into_string().await.unwrap()).unwrap();
        assert_eq!(info["preferred_username"], "alice");
        assert!(info["sub"].is_string());
    }
    let without = tokens(&client, "profile", "n").await;
    let response = client
        .get("/oauth/userinfo")
        .header(Header::new(
            "Authorization",
            format!("Bearer {}", without.str("access_token")),
        ))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Forbidden);
    let response = client.get("/oauth/userinfo").dispatch().await;
    assert_eq!(response.status(), Status::Unauthorized);
}

#[rocket::async_test]
async fn discovery_agrees_with_the_rfc_8414_metadata() {
    let client = app(Some(ISSUER)).await;
    let server = client.rocket().state::<AuthorizationServer>().unwrap();
    let urls = EndpointUrls {
        authorization: format!("{ISSUER}/oauth/authorize"),
        token: format!("{ISSUER}/oauth/token"),
        revocation: None,
        introspection: None,
        jwks: Some(format!("{ISSUER}/oauth/jwks")),
        userinfo: Some(format!("{ISSUER}/oauth/userinfo")),
    };
    let oauth = serde_json::to_value(server.metadata(&urls).unwrap()).unwrap();
    let oidc = serde_json::to_value(server.openid_configuration(&urls).unwrap()).unwrap();
    for (key, value) in oauth.as_object().unwrap() {
        assert_eq!(&oidc[key], value, "{key}");
    }
    assert_eq!(
        oidc["subject_types_supported"],
        serde_json::json!(["public"])
    );
    assert_eq!(
        oidc["id_token_signing_alg_values_supported"],
        serde_json::json!(["RS256"])
    );
    assert_eq!(oidc["userinfo_endpoint"], urls.userinfo.unwrap().as_str());
    assert!(oauth.get("userinfo_endpoint").is_none());
}
