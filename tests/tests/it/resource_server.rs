//! Resource-server mode: a Rocket app that is not the authorization server protects its routes
//! with `#[require_oauth]`, validating JWT access tokens against the issuer's JWK Set (found by
//! discovery over HTTP) and opaque ones by introspection. The authorization server here is a
//! real one listening on a port; the resource server only knows its issuer URL.

use base64::Engine as _;
use jsonwebtoken::{Algorithm, EncodingKey};
use oauth_runtime::keys::{SigningAlgorithm, StoredKey};
use oauth_runtime::{
    require_oauth, AccessTokenFormat, AuthorizationServer, Config, CurrentToken, EndpointUrls,
    MemoryStore, ResourceServer, ResourceServerConfig, SigningConfig, Storage,
};
use rocket::http::{ContentType, Header, Status};
use rocket::local::asynchronous::Client as HttpClient;
use rocket::{get, post, routes, Build, Rocket, State};
use serde_json::{json, Value};

use crate::common::*;

const AUDIENCE: &str = "https://notes.example.com";

#[get("/.well-known/oauth-authorization-server")]
fn metadata(server: &State<AuthorizationServer>) -> (ContentType, String) {
    let base = server.config().issuer.clone().unwrap_or_default();
    let urls = EndpointUrls {
        authorization: format!("{base}/oauth/authorize"),
        token: format!("{base}/oauth/token"),
        revocation: Some(format!("{base}/oauth/revoke")),
        introspection: Some(format!("{base}/oauth/introspect")),
        jwks: Some(format!("{base}/oauth/jwks")),
        userinfo: None,
        end_session: None,
        registration: None,
    };
    let metadata = server.metadata(&urls).expect("an issuer");
    (ContentType::JSON, serde_json::to_string(&metadata).unwrap())
}

/// What an operator's "rotate" button does.
#[post("/rotate")]
async fn rotate(server: &State<AuthorizationServer>) -> String {
    let keys = server.rotate_signing_key().await.expect("rotation");
    keys.signing_kid().to_owned()
}

/// An authorization server listening on a port of this machine.
struct Issuer {
    base: String,
    store: MemoryStore,
    http: reqwest::Client,
    shutdown: rocket::Shutdown,
}

impl Drop for Issuer {
    fn drop(&mut self) {
        self.shutdown.clone().notify();
    }
}

fn figment(port: u16) -> rocket::figment::Figment {
    rocket::Config::figment()
        .merge(("port", port))
        .merge(("address", "127.0.0.1"))
        .merge(("log_level", "off"))
        .merge(("shutdown.ctrlc", false))
}

async fn serve(rocket: Rocket<Build>) -> rocket::Shutdown {
    let rocket = rocket.ignite().await.expect("ignite");
    let shutdown = rocket.shutdown();
    let port = rocket.config().port;
    rocket::tokio::spawn(rocket.launch());
    for _ in 0..200 {
        if rocket::tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return shutdown;
        }
        rocket::tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("the authorization server did not start");
}

impl Issuer {
    async fn start(format: AccessTokenFormat) -> Issuer {
        Issuer::start_signing(format, SigningAlgorithm::RS256).await
    }

    async fn start_signing(format: AccessTokenFormat, algorithm: SigningAlgorithm) -> Issuer {
        let port = oauth_tests::net::free_port();
        let base = format!("http://127.0.0.1:{port}");
        let store = store();
        let config = Config {
            issuer: Some(base.clone()),
            access_token_format: format,
            access_token_audience: Some(AUDIENCE.to_owned()),
            refresh_token_generator: true,
            signing: SigningConfig {
                algorithm,
                ..SigningConfig::default()
            },
            ..Config::default()
        };
        let rocket = app_on(
            rocket::custom(figment(port)),
            oauth2(store.clone()).config(config),
        )
        .mount("/", routes![metadata])
        .mount("/test", routes![rotate]);
        let shutdown = serve(rocket).await;
        Issuer {
            base,
            store,
            http: reqwest::Client::new(),
            shutdown,
        }
    }

    async fn token(&self, params: &[(&str, &str)], basic: Option<(&str, &str)>) -> Value {
        let mut request = self.http.post(format!("{}/oauth/token", self.base));
        if let Some((id, secret)) = basic {
            request = request.basic_auth(id, Some(secret));
        }
        let response = request
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form(params))
            .send()
            .await
            .unwrap();
        response.json().await.unwrap()
    }

    /// A client credentials token of `svc`.
    async fn service_token(&self, scope: &str) -> String {
        let answer = self
            .token(
                &[
                    ("grant_type", "client_credentials"),
                    ("client_id", "svc"),
                    ("client_secret", SVC_SECRET),
                    ("scope", scope),
                ],
                None,
            )
            .await;
        answer["access_token"].as_str().expect("a token").to_owned()
    }

    /// Alice's tokens through `web` (password grant): access and refresh.
    async fn alice_tokens(&self) -> (String, String) {
        let answer = self
            .token(
                &[
                    ("grant_type", "password"),
                    ("username", "alice"),
                    ("password", ALICE_PW),
                    ("scope", "profile"),
                ],
                Some(("web", WEB_SECRET)),
            )
            .await;
        let field = |name: &str| answer[name].as_str().expect("a token").to_owned();
        (field("access_token"), field("refresh_token"))
    }

    async fn rotate(&self) -> String {
        let response = self
            .http
            .post(format!("{}/test/rotate", self.base))
            .send()
            .await
            .unwrap();
        response.text().await.unwrap()
    }

    async fn revoke(&self, token: &str) {
        let response = self
            .http
            .post(format!("{}/oauth/revoke", self.base))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form(&[
                ("token", token),
                ("client_id", "svc"),
                ("client_secret", SVC_SECRET),
            ]))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }

    /// The key that signs now, private part included (the test forges tokens with it).
    async fn signing_key(&self) -> StoredKey {
        let keys = self.store.signing_keys().await.unwrap();
        keys.into_iter()
            .filter(|k| k.retires_at.is_none())
            .max_by_key(|k| k.created_at)
            .expect("a signing key")
    }
}

#[require_oauth(scope = "read")]
#[get("/notes")]
fn notes(token: CurrentToken) -> String {
    format!(
        "{}|{}|{}",
        token.client_id(),
        token.user_id().unwrap_or("-"),
        token.scope()
    )
}

#[require_oauth(scope = "profile")]
#[get("/me")]
fn me(token: CurrentToken) -> String {
    token.user_id().unwrap_or("-").to_owned()
}

fn resource_config(issuer: &Issuer) -> ResourceServerConfig {
    ResourceServerConfig {
        // Every unknown `kid` may reload the keys in these tests.
        jwks_min_refresh: 0,
        ..ResourceServerConfig::new(&issuer.base, AUDIENCE)
    }
}

async fn resource_server(config: ResourceServerConfig) -> HttpClient {
    let rocket = rocket::custom(rocket::Config::figment().merge(("log_level", "off")))
        .attach(ResourceServer::new().config(config))
        .mount("/api", routes![notes, me]);
    HttpClient::tracked(rocket).await.expect("valid rocket")
}

/// Status, body, and the `error_description` of the challenge.
async fn call(rs: &HttpClient, path: &str, token: &str) -> (Status, String, String) {
    let response = rs
        .get(path.to_owned())
        .header(Header::new("Authorization", format!("Bearer {token}")))
        .dispatch()
        .await;
    let status = response.status();
    let challenge = response
        .headers()
        .get_one("WWW-Authenticate")
        .unwrap_or("")
        .to_owned();
    let body = response.into_string().await.unwrap_or_default();
    (status, body, challenge)
}

#[rocket::async_test]
async fn jwt_access_tokens_are_validated_locally_and_a_rotation_is_picked_up() {
    let issuer = Issuer::start(AccessTokenFormat::Jwt).await;
    let rs = resource_server(resource_config(&issuer)).await;

    let before = issuer.service_token("read").await;
    let (status, body, _) = call(&rs, "/api/notes", &before).await;
    assert_eq!((status, body.as_str()), (Status::Ok, "svc|-|read"));

    let (alice, _) = issuer.alice_tokens().await;
    let (status, body, _) = call(&rs, "/api/me", &alice).await;
    assert_eq!((status, body.as_str()), (Status::Ok, "alice"));
    let (status, _, challenge) = call(&rs, "/api/notes", &alice).await;
    assert_eq!(status, Status::Forbidden);
    assert!(
        challenge.contains("insufficient_scope") && challenge.contains("scope=\"read\""),
        "{challenge}"
    );

    // A rotation: new tokens carry the new kid; the resource server, never restarted, loads
    // the keys again when it meets it.
    let new_kid = issuer.rotate().await;
    let after = issuer.service_token("read").await;
    let kid = |jwt: &str| jsonwebtoken::decode_header(jwt).unwrap().kid.unwrap();
    assert_eq!(kid(&after), new_kid);
    assert_ne!(kid(&before), new_kid);
    assert_eq!(call(&rs, "/api/notes", &after).await.0, Status::Ok);
    // Tokens signed before the rotation stay valid until they expire, also at a resource
    // server that never saw them (the previous key is still published).
    assert_eq!(call(&rs, "/api/notes", &before).await.0, Status::Ok);
    let fresh = resource_server(resource_config(&issuer)).await;
    assert_eq!(call(&fresh, "/api/notes", &before).await.0, Status::Ok);
    assert_eq!(call(&fresh, "/api/notes", &after).await.0, Status::Ok);
}

#[rocket::async_test]
async fn es256_and_eddsa_issuers_are_verified_too() {
    for algorithm in [SigningAlgorithm::ES256, SigningAlgorithm::EdDSA] {
        let issuer = Issuer::start_signing(AccessTokenFormat::Jwt, algorithm).await;
        let rs = resource_server(resource_config(&issuer)).await;
        let token = issuer.service_token("read").await;
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(format!("{:?}", header.alg), algorithm.as_str());
        let (status, body, _) = call(&rs, "/api/notes", &token).await;
        assert_eq!(
            (status, body.as_str()),
            (Status::Ok, "svc|-|read"),
            "{algorithm}"
        );
    }
}

fn b64(value: &Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
}

fn sign(key: &StoredKey, header: jsonwebtoken::Header, claims: &Value) -> String {
    let encoding = EncodingKey::from_rsa_pem(key.private_key_pem.as_bytes()).unwrap();
    jsonwebtoken::encode(&header, claims, &encoding).unwrap()
}

fn at_header(kid: &str) -> jsonwebtoken::Header {
    let mut header = jsonwebtoken::Header::new(Algorithm::RS256);
    header.kid = Some(kid.to_owned());
    header.typ = Some("at+jwt".to_owned());
    header
}

fn claims(issuer: &str, audience: &str, exp_in: i64) -> Value {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    json!({
        "iss": issuer, "aud": audience, "sub": "alice", "client_id": "web",
        "iat": now - 10, "exp": now + exp_in, "jti": "j1", "scope": "read",
    })
}

#[rocket::async_test]
async fn forged_expired_and_misdirected_jwts_are_refused_with_invalid_token() {
    let issuer = Issuer::start(AccessTokenFormat::Jwt).await;
    // The server makes its key on first use.
    issuer.service_token("read").await;
    let rs = resource_server(resource_config(&issuer)).await;
    let key = issuer.signing_key().await;
    let good = claims(&issuer.base, AUDIENCE, 300);

    // The control: a token made exactly as the issuer makes them is accepted.
    let valid = sign(&key, at_header(&key.kid), &good);
    let (status, body, _) = call(&rs, "/api/notes", &valid).await;
    assert_eq!((status, body.as_str()), (Status::Ok, "web|alice|read"));

    let mut cases: Vec<(&str, String, &str)> = Vec::new();
    cases.push((
        "wrong aud",
        sign(
            &key,
            at_header(&key.kid),
            &claims(&issuer.base, "https://other.example", 300),
        ),
        "not meant for this resource server",
    ));
    cases.push((
        "wrong iss",
        sign(
            &key,
            at_header(&key.kid),
            &claims("https://evil.example", AUDIENCE, 300),
        ),
        "issued by another server",
    ));
    cases.push((
        "expired beyond the clock skew",
        sign(
            &key,
            at_header(&key.kid),
            &claims(&issuer.base, AUDIENCE, -120),
        ),
        "expired",
    ));
    let mut not_yet = good.clone();
    not_yet["nbf"] = json!(good["iat"].as_i64().unwrap() + 3600);
    cases.push((
        "nbf in the future",
        sign(&key, at_header(&key.kid), &not_yet),
        "not valid yet",
    ));
    let mut id_token_header = at_header(&key.kid);
    id_token_header.typ = Some("JWT".to_owned());
    cases.push((
        "an ID token (typ JWT), not an access token",
        sign(&key, id_token_header, &good),
        "not a JWT access token",
    ));
    cases.push((
        "alg none",
        format!(
            "{}.{}.",
            b64(&json!({"alg": "none", "typ": "at+jwt", "kid": key.kid})),
            b64(&good)
        ),
        "algorithm is not accepted",
    ));
    // The classic confusion: HMAC "signed" with the issuer's public key as the secret.
    let jwks: Value = issuer
        .http
        .get(format!("{}/oauth/jwks", issuer.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let public = serde_json::to_vec(&jwks["keys"][0]).unwrap();
    let mut hmac_header = jsonwebtoken::Header::new(Algorithm::HS256);
    hmac_header.kid = Some(key.kid.clone());
    hmac_header.typ = Some("at+jwt".to_owned());
    cases.push((
        "HS256 with the public key as secret",
        jsonwebtoken::encode(
            &hmac_header,
            &good,
            &EncodingKey::from_secret(&public).unwrap(),
        )
        .unwrap(),
        "algorithm is not accepted",
    ));
    let stranger = StoredKey::generate(oauth_runtime::keys::SigningAlgorithm::RS256, 1).unwrap();
    cases.push((
        "a key the issuer never published",
        sign(&stranger, at_header(&stranger.kid), &good),
        "signing key is unknown",
    ));
    cases.push((
        "the issuer's kid on a stranger's signature",
        sign(&stranger, at_header(&key.kid), &good),
        "signature is invalid",
    ));
    let mut parts: Vec<String> = valid.split('.').map(str::to_owned).collect();
    let mut raised = good.clone();
    raised["scope"] = json!("read write admin");
    parts[1] = b64(&raised);
    cases.push((
        "a tampered payload",
        parts.join("."),
        "signature is invalid",
    ));
    let mut no_client = good.clone();
    no_client.as_object_mut().unwrap().remove("client_id");
    cases.push((
        "no client_id (RFC 9068 §2.2)",
        sign(&key, at_header(&key.kid), &no_client),
        "invalid",
    ));

    for (case, token, reason) in cases {
        let (status, _, challenge) = call(&rs, "/api/notes", &token).await;
        assert_eq!(status, Status::Unauthorized, "{case}");
        assert!(
            challenge.contains("error=\"invalid_token\""),
            "{case}: {challenge}"
        );
        assert!(challenge.contains(reason), "{case}: {challenge}");
    }
}

#[rocket::async_test]
async fn opaque_tokens_are_introspected_and_a_revocation_is_seen() {
    let issuer = Issuer::start(AccessTokenFormat::Opaque).await;
    let config = ResourceServerConfig {
        introspection_cache: 0,
        ..resource_config(&issuer).with_client("rs", RS_SECRET)
    };
    let rs = resource_server(config).await;

    let token = issuer.service_token("read").await;
    let (status, body, _) = call(&rs, "/api/notes", &token).await;
    assert_eq!((status, body.as_str()), (Status::Ok, "svc|-|read"));
    let (alice, refresh) = issuer.alice_tokens().await;
    let (status, body, _) = call(&rs, "/api/me", &alice).await;
    assert_eq!((status, body.as_str()), (Status::Ok, "alice"));

    // A refresh token is active at the issuer, but it is not an access token.
    let (status, _, challenge) = call(&rs, "/api/me", &refresh).await;
    assert_eq!(status, Status::Unauthorized, "{challenge}");
    let (status, _, _) = call(&rs, "/api/me", "made-up-token").await;
    assert_eq!(status, Status::Unauthorized);

    issuer.revoke(&token).await;
    let (status, _, challenge) = call(&rs, "/api/notes", &token).await;
    assert_eq!(status, Status::Unauthorized);
    assert!(challenge.contains("invalid_token"), "{challenge}");
}

#[rocket::async_test]
async fn introspection_answers_are_reused_for_the_configured_time() {
    let issuer = Issuer::start(AccessTokenFormat::Opaque).await;
    let rs = resource_server(resource_config(&issuer).with_client("rs", RS_SECRET)).await;
    let token = issuer.service_token("read").await;
    assert_eq!(call(&rs, "/api/notes", &token).await.0, Status::Ok);
    // Revoked at the issuer: within `introspection_cache` (30 s by default) this server still
    // accepts it from its cache, the documented bound; a server that never saw it refuses it.
    issuer.revoke(&token).await;
    assert_eq!(call(&rs, "/api/notes", &token).await.0, Status::Ok);
    let other = resource_server(resource_config(&issuer).with_client("rs", RS_SECRET)).await;
    assert_eq!(
        call(&other, "/api/notes", &token).await.0,
        Status::Unauthorized
    );
}

#[rocket::async_test]
async fn opaque_tokens_without_an_introspection_client_are_refused() {
    let issuer = Issuer::start(AccessTokenFormat::Opaque).await;
    let rs = resource_server(resource_config(&issuer)).await;
    let token = issuer.service_token("read").await;
    let (status, _, challenge) = call(&rs, "/api/notes", &token).await;
    assert_eq!(status, Status::Unauthorized);
    assert!(challenge.contains("no introspection client"), "{challenge}");
}

#[rocket::async_test]
async fn an_unreachable_or_mismatched_issuer_is_503_not_401() {
    // Nothing listens there.
    let port = oauth_tests::net::free_port();
    let rs = resource_server(ResourceServerConfig::new(
        format!("http://127.0.0.1:{port}"),
        AUDIENCE,
    ))
    .await;
    let response = rs
        .get("/api/notes")
        .header(Header::new("Authorization", "Bearer a.b.c"))
        .dispatch()
        .await;
    // A token that is not even a JWT header is refused without asking anyone.
    assert_eq!(response.status(), Status::Unauthorized);
    let issuer = Issuer::start(AccessTokenFormat::Jwt).await;
    let token = issuer.service_token("read").await;
    let (status, _, _) = call(&rs, "/api/notes", &token).await;
    assert_eq!(status, Status::ServiceUnavailable);

    // RFC 8414 §3.3: metadata naming another issuer is not used.
    let localhost = issuer.base.replace("127.0.0.1", "localhost");
    let rs = resource_server(ResourceServerConfig::new(localhost, AUDIENCE)).await;
    let (status, _, _) = call(&rs, "/api/notes", &token).await;
    assert_eq!(status, Status::ServiceUnavailable);
}

#[rocket::async_test]
async fn a_resource_server_without_issuer_or_audience_does_not_launch() {
    let no_audience = rocket::custom(
        rocket::Config::figment()
            .merge(("log_level", "off"))
            .merge(("oauth2_resource_server.issuer", "https://as.example")),
    )
    .attach(ResourceServer::new())
    .mount("/api", routes![notes]);
    assert!(launch_fails(no_audience).await);
    // The issuer need not be up for the resource server to start.
    let down = format!("http://127.0.0.1:{}", oauth_tests::net::free_port());
    let configured = rocket::custom(
        rocket::Config::figment()
            .merge(("log_level", "off"))
            .merge(("oauth2_resource_server.issuer", down))
            .merge(("oauth2_resource_server.audience", AUDIENCE)),
    )
    .attach(ResourceServer::new())
    .mount("/api", routes![notes]);
    assert!(!launch_fails(configured).await);
}

#[rocket::async_test]
async fn rfc_9728_metadata_is_served_and_named_in_every_challenge() {
    let issuer = format!("http://127.0.0.1:{}", oauth_tests::net::free_port());
    let config = ResourceServerConfig {
        scopes_supported: vec!["read".to_owned()],
        resource_name: Some("Notes".to_owned()),
        ..ResourceServerConfig::new(&issuer, "https://notes.example.com/v1")
    };
    let rs = resource_server(config).await;
    let response = rs
        .get("/.well-known/oauth-protected-resource/v1")
        .dispatch()
        .await;
    assert_eq!(response.status(), Status::Ok);
    let metadata: Value = serde_json::from_str(&response.into_string().await.unwrap()).unwrap();
    assert_eq!(
        metadata,
        json!({
            "resource": "https://notes.example.com/v1",
            "authorization_servers": [issuer],
            "bearer_methods_supported": ["header"],
            "scopes_supported": ["read"],
            "resource_name": "Notes",
        })
    );
    let expected =
        "resource_metadata=\"https://notes.example.com/.well-known/oauth-protected-resource/v1\"";
    // No token: 401 whose challenge says where to look (RFC 9728 §5.1).
    let response = rs.get("/api/notes").dispatch().await;
    assert_eq!(response.status(), Status::Unauthorized);
    let challenge = response.headers().get_one("WWW-Authenticate").unwrap();
    assert!(challenge.contains(expected), "{challenge}");
    // A bad token too.
    let (status, _, challenge) = call(&rs, "/api/notes", "a.b.c").await;
    assert_eq!(status, Status::Unauthorized);
    assert!(challenge.contains(expected), "{challenge}");
}
