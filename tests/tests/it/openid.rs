//! OpenID Connect on the authorization code flow: the ID token's claims and signature (checked
//! with `jsonwebtoken` against the JWK Set), UserInfo, and discovery.

use jsonwebtoken::{decode, decode_header, DecodingKey, Validation};
use oauth_runtime::{
    AuthorizationServer, ClaimsHook, ClaimsTarget, Client, Config, EndpointUrls, GrantType,
    OAuthError, OpenIdConfig, ResourceOwner, ResponseType, Scope, Storage, SubjectType,
};
use rocket::http::{Header, Status};
use rocket::local::asynchronous::Client as HttpClient;
use serde_json::{json, Value};

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

/// Where the test app's endpoints are, for the metadata.
fn endpoint_urls() -> EndpointUrls {
    EndpointUrls {
        authorization: format!("{ISSUER}/oauth/authorize"),
        token: format!("{ISSUER}/oauth/token"),
        revocation: Some(format!("{ISSUER}/oauth/revoke")),
        introspection: Some(format!("{ISSUER}/oauth/introspect")),
        jwks: Some(format!("{ISSUER}/oauth/jwks")),
        userinfo: Some(format!("{ISSUER}/oauth/userinfo")),
        end_session: Some(format!("{ISSUER}/oauth/logout")),
        registration: None,
    }
}

/// The code flow for `rp` with `scope` and `nonce`: the token endpoint's answer.
async fn tokens(client: &HttpClient, scope: &str, nonce: &str) -> Answer {
    tokens_as(client, "rp", WEB_CB, scope, nonce).await
}

/// The code flow for client `id` (secret `RP_SECRET`) redirecting to `redirect_uri`.
async fn tokens_as(
    client: &HttpClient,
    id: &str,
    redirect_uri: &str,
    scope: &str,
    nonce: &str,
) -> Answer {
    let authorize = [("client_id", id), ("scope", scope), ("nonce", nonce)];
    pkce_code_flow(
        client,
        redirect_uri,
        &authorize,
        &[],
        Some(basic(id, RP_SECRET)),
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
    let urls = endpoint_urls();
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
    assert_eq!(
        oidc["end_session_endpoint"],
        urls.end_session.unwrap().as_str()
    );
    assert!(oauth.get("userinfo_endpoint").is_none());
}

/// The user's roles for clients granted `profile`; tries to replace `sub` too.
struct Roles;

#[oauth_runtime::async_trait]
impl ClaimsHook for Roles {
    async fn claims(
        &self,
        _storage: &dyn Storage,
        owner: &ResourceOwner,
        client_id: &str,
        scope: &Scope,
        target: ClaimsTarget,
    ) -> Result<serde_json::Map<String, Value>, OAuthError> {
        let mut claims = serde_json::Map::new();
        if scope.contains("profile") {
            claims.insert(
                "roles".into(),
                json!([format!("reader-{}", owner.username)]),
            );
            claims.insert("seen_by".into(), json!(format!("{client_id}/{target:?}")));
        }
        claims.insert("sub".into(), json!("someone-else"));
        Ok(claims)
    }
}

fn claims_of(id_token: &str) -> Value {
    let payload = id_token.split('.').nth(1).unwrap();
    use base64::Engine as _;
    let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&json).unwrap()
}

async fn userinfo(client: &HttpClient, access_token: &str) -> Value {
    let response = client
        .get("/oauth/userinfo")
        .header(Header::new(
            "Authorization",
            format!("Bearer {access_token}"),
        ))
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    serde_json::from_str(&response.into_string().await.unwrap()).unwrap()
}

#[rocket::async_test]
async fn pairwise_subjects_and_hook_claims_reach_the_id_token_and_userinfo() {
    let store = store();
    for (id, redirect) in [("rp", WEB_CB), ("rp2", "https://other.example/cb")] {
        store.add_client(
            Client::with_secret(id, RP_SECRET)
                .with_redirect_uris([redirect])
                .with_grant_types([GrantType::AuthorizationCode])
                .with_scope("openid profile"),
        );
    }
    let config = Config {
        issuer: Some(ISSUER.to_owned()),
        openid: OpenIdConfig {
            subject_type: SubjectType::Pairwise,
            pairwise_salt: "a-secret-salt-of-some-length".to_owned(),
            ..OpenIdConfig::default()
        },
        ..Config::default()
    };
    let client = HttpClient::tracked(app_on(
        rocket::build(),
        oauth2(store).config(config).claims_hook(Roles),
    ))
    .await
    .unwrap();

    let first = tokens_as(&client, "rp", WEB_CB, "openid profile", "n").await;
    assert_eq!(first.status, Status::Ok, "{}", first.json);
    let id_token = claims_of(first.str("id_token"));
    let sub = id_token["sub"].as_str().unwrap().to_owned();
    assert_ne!(sub, "alice", "pairwise: not the user id");
    assert_ne!(sub, "someone-else", "the hook cannot replace sub");
    assert_eq!(id_token["roles"], json!(["reader-alice"]));
    assert_eq!(id_token["seen_by"], "rp/IdToken");
    let info = userinfo(&client, first.str("access_token")).await;
    assert_eq!(
        info["sub"],
        sub.as_str(),
        "Core §5.3.2: the same sub as the ID token"
    );
    assert_eq!(info["roles"], json!(["reader-alice"]));
    assert_eq!(info["seen_by"], "rp/UserInfo");

    // Another sector sees another subject; the same client again, the same one.
    let other = tokens_as(&client, "rp2", "https://other.example/cb", "openid", "n").await;
    let other_sub = claims_of(other.str("id_token"))["sub"].clone();
    assert_ne!(other_sub, sub.as_str());
    assert!(claims_of(other.str("id_token")).get("roles").is_none());
    let again = tokens_as(&client, "rp", WEB_CB, "openid", "n").await;
    assert_eq!(claims_of(again.str("id_token"))["sub"], sub.as_str());

    let server = client.rocket().state::<AuthorizationServer>().unwrap();
    let urls = endpoint_urls();
    let discovery = serde_json::to_value(server.openid_configuration(&urls).unwrap()).unwrap();
    assert_eq!(discovery["subject_types_supported"], json!(["pairwise"]));
}

#[rocket::async_test]
async fn pairwise_subjects_without_a_salt_stop_launch() {
    let config = Config {
        issuer: Some(ISSUER.to_owned()),
        openid: OpenIdConfig {
            subject_type: SubjectType::Pairwise,
            ..OpenIdConfig::default()
        },
        ..Config::default()
    };
    assert!(launch_fails(app_on(rocket::build(), oauth2(store()).config(config))).await);
}

/// An app with the implicit and hybrid flows registered, and a client allowed them.
async fn flows_app() -> HttpClient {
    let store = store();
    store.add_client(
        Client::with_secret("rp", RP_SECRET)
            .with_redirect_uris([WEB_CB])
            .with_grant_types([GrantType::AuthorizationCode, GrantType::Implicit])
            .with_response_types([
                ResponseType::Code,
                ResponseType::IdToken,
                ResponseType::IdTokenToken,
                ResponseType::CodeIdToken,
                ResponseType::CodeToken,
                ResponseType::CodeIdTokenToken,
            ])
            .with_scope("openid profile"),
    );
    let config = Config {
        issuer: Some(ISSUER.to_owned()),
        ..Config::default()
    };
    // As `grants!` names them; `OpenIdImplicitGrant` and `OpenIdHybridGrant::new()` otherwise.
    let fairing = oauth2(store)
        .config(config)
        .grants(oauth_runtime::grants![OpenIdImplicit, OpenIdHybrid]);
    HttpClient::tracked(app_on(rocket::build(), fairing))
        .await
        .unwrap()
}

/// Alice approves `response_type` for `rp`: the redirect.
async fn approve(client: &HttpClient, response_type: &str, extra: &[(&str, &str)]) -> Answer {
    let mut params = vec![
        ("response_type", response_type),
        ("client_id", "rp"),
        ("redirect_uri", WEB_CB),
        ("scope", "openid profile"),
        ("state", "st"),
        ("decision", "allow"),
    ];
    params.extend_from_slice(extra);
    post(client, "/oauth/authorize", &params, None).await
}

/// The ID token's claims, its signature checked against the JWK Set (`aud` rp, `iss`).
async fn verified(client: &HttpClient, id_token: &str) -> Value {
    let header = decode_header(id_token).unwrap();
    let keys = jwks(client).await;
    let jwk = keys.find(header.kid.as_deref().unwrap()).unwrap();
    let mut validation = Validation::new(header.alg);
    validation.set_audience(&["rp"]);
    validation.set_issuer(&[ISSUER]);
    decode(id_token, &DecodingKey::from_jwk(jwk).unwrap(), &validation)
        .expect("a valid ID token")
        .claims
}

fn half_sha256(value: &str) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(value.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..16])
}

#[rocket::async_test]
async fn implicit_and_hybrid_flows_return_id_tokens_in_the_fragment() {
    let client = flows_app().await;
    let nonce = [("nonce", "n-42")];

    // id_token: no access token, so the profile claims are in the ID token (Core §5.4).
    let answer = approve(&client, "id_token", &nonce).await;
    let location = answer.header("Location").unwrap().to_owned();
    assert!(location.starts_with(&format!("{WEB_CB}#")), "{location}");
    assert!(answer.location_param("access_token").is_none());
    assert_eq!(answer.location_param("state").as_deref(), Some("st"));
    let claims = verified(&client, &answer.location_param("id_token").unwrap()).await;
    assert_eq!(claims["nonce"], "n-42");
    assert_eq!(claims["preferred_username"], "alice");
    assert!(claims.get("at_hash").is_none() && claims.get("c_hash").is_none());

    // id_token token: at_hash binds the access token, which works.
    let answer = approve(&client, "id_token token", &nonce).await;
    let access = answer.location_param("access_token").unwrap();
    let claims = verified(&client, &answer.location_param("id_token").unwrap()).await;
    assert_eq!(claims["at_hash"], half_sha256(&access).as_str());
    assert!(claims.get("preferred_username").is_none());
    assert!(
        answer.location_param("refresh_token").is_none(),
        "RFC 6749 §4.2.2"
    );
    let info = client
        .get("/oauth/userinfo")
        .header(Header::new("Authorization", format!("Bearer {access}")))
        .dispatch()
        .await;
    assert_eq!(info.status(), Status::Ok);

    // code id_token (values in any order): c_hash binds the code, which is then redeemed.
    let answer = approve(
        &client,
        "id_token code",
        &[
            ("nonce", "n-43"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ],
    )
    .await;
    assert!(answer.header("Location").unwrap().contains('#'));
    let code = answer.location_param("code").unwrap();
    let claims = verified(&client, &answer.location_param("id_token").unwrap()).await;
    assert_eq!(claims["c_hash"], half_sha256(&code).as_str());
    let tokens = post(
        &client,
        "/oauth/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", WEB_CB),
            ("code_verifier", VERIFIER),
        ],
        Some(basic("rp", RP_SECRET)),
    )
    .await;
    assert_eq!(tokens.status, Status::Ok, "{}", tokens.json);
    let from_token_endpoint = verified(&client, tokens.str("id_token")).await;
    assert_eq!(from_token_endpoint["nonce"], "n-43");
    assert_eq!(
        from_token_endpoint["sub"], claims["sub"],
        "Core §3.3.3.6: the same sub"
    );

    // code id_token token: all three, both hashes.
    let answer = approve(
        &client,
        "code id_token token",
        &[
            ("nonce", "n"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ],
    )
    .await;
    let claims = verified(&client, &answer.location_param("id_token").unwrap()).await;
    assert_eq!(
        claims["c_hash"],
        half_sha256(&answer.location_param("code").unwrap()).as_str()
    );
    assert_eq!(
        claims["at_hash"],
        half_sha256(&answer.location_param("access_token").unwrap()).as_str()
    );
}

#[rocket::async_test]
async fn implicit_and_hybrid_flows_refuse_what_openid_connect_forbids() {
    let client = flows_app().await;
    // No nonce (Core §3.2.2.1): invalid_request, in the fragment.
    let answer = approve(&client, "id_token", &[]).await;
    let location = answer.header("Location").unwrap().to_owned();
    assert!(location.starts_with(&format!("{WEB_CB}#")), "{location}");
    assert_eq!(
        answer.location_param("error").as_deref(),
        Some("invalid_request")
    );
    // Without openid: invalid_scope.
    let answer = post(
        &client,
        "/oauth/authorize",
        &[
            ("response_type", "id_token"),
            ("client_id", "rp"),
            ("redirect_uri", WEB_CB),
            ("scope", "profile"),
            ("nonce", "n"),
            ("decision", "allow"),
        ],
        None,
    )
    .await;
    assert_eq!(
        answer.location_param("error").as_deref(),
        Some("invalid_scope")
    );
    // Tokens never go in the query (Multiple Response Type Encoding Practices §3.0).
    let answer = approve(
        &client,
        "id_token",
        &[("nonce", "n"), ("response_mode", "query")],
    )
    .await;
    assert_eq!(
        answer.location_param("error").as_deref(),
        Some("invalid_request")
    );
    assert!(answer.location_param("id_token").is_none());
    // Not registered for the client: unauthorized_client; not a known type: unsupported.
    let answer = approve(&client, "code id_token code", &[("nonce", "n")]).await;
    assert_eq!(
        answer.location_param("error").as_deref(),
        Some("unsupported_response_type")
    );
    // Without the grants registered, these types are unsupported.
    let plain = app(Some(ISSUER)).await;
    let answer = approve(&plain, "id_token", &[("nonce", "n")]).await;
    assert_eq!(
        answer.location_param("error").as_deref(),
        Some("unsupported_response_type")
    );
    // Discovery lists what is registered.
    let server = client.rocket().state::<AuthorizationServer>().unwrap();
    let urls = endpoint_urls();
    let discovery = serde_json::to_value(server.openid_configuration(&urls).unwrap()).unwrap();
    let types = discovery["response_types_supported"].as_array().unwrap();
    for expected in [
        "code",
        "id_token",
        "id_token token",
        "code id_token",
        "code id_token token",
    ] {
        assert!(types.iter().any(|t| t == expected), "{expected}: {types:?}");
    }
}

#[rocket::async_test]
async fn discovery_routes_describe_what_is_mounted() {
    for issuer in [Some(ISSUER), None] {
        let config = Config {
            issuer: issuer.map(str::to_owned),
            ..Config::default()
        };
        let rocket = app_on(rocket::build(), oauth2(store()).config(config))
            .mount("/", oauth_runtime::rocket::discovery_routes("/oauth"));
        let client = HttpClient::tracked(rocket).await.unwrap();
        let get = |path: &'static str| {
            let client = &client;
            async move {
                let response = client.get(path).dispatch().await;
                let status = response.status();
                let body = response.into_string().await.unwrap_or_default();
                (
                    status,
                    serde_json::from_str::<Value>(&body).unwrap_or(Value::Null),
                )
            }
        };
        let (status, oauth) = get("/.well-known/oauth-authorization-server").await;
        let (_, oidc) = get("/.well-known/openid-configuration").await;
        if issuer.is_none() {
            assert_eq!(
                status,
                Status::NotFound,
                "RFC 8414 §2: no issuer, no metadata"
            );
            continue;
        }
        assert_eq!(status, Status::Ok);
        assert_eq!(oauth["issuer"], ISSUER);
        assert_eq!(
            oauth["authorization_endpoint"],
            format!("{ISSUER}/oauth/authorize")
        );
        assert_eq!(oauth["token_endpoint"], format!("{ISSUER}/oauth/token"));
        assert_eq!(
            oauth["introspection_endpoint"],
            format!("{ISSUER}/oauth/introspect")
        );
        assert_eq!(oauth["jwks_uri"], format!("{ISSUER}/oauth/jwks"));
        assert_eq!(
            oidc["userinfo_endpoint"],
            format!("{ISSUER}/oauth/userinfo")
        );
        // No route at /oauth/logout in this app: not advertised.
        assert!(oidc.get("end_session_endpoint").is_none());
        for (key, value) in oauth.as_object().unwrap() {
            assert_eq!(&oidc[key], value, "{key}");
        }
    }
}
