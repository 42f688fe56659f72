//! Dynamic client registration (RFC 7591) and client configuration (RFC 7592), through the
//! routes of `oauth_routes()`.

use std::net::SocketAddr;

use oauth_runtime::{Config, RegistrationConfig};
use rocket::http::{ContentType, Status};
use rocket::local::asynchronous::Client as HttpClient;
use serde_json::{json, Value};

use crate::common::*;

const ISSUER: &str = "https://as.example";
const APP_CB: &str = "http://127.0.0.1:33418/callback";

fn config(registration: RegistrationConfig) -> Config {
    Config {
        issuer: Some(ISSUER.to_owned()),
        registration,
        ..Config::default()
    }
}

fn open() -> RegistrationConfig {
    RegistrationConfig {
        enabled: true,
        scope: "profile email".to_owned(),
        ..RegistrationConfig::default()
    }
}

async fn server_with(config: Config) -> HttpClient {
    let rocket = app_on(rocket::build(), oauth2(store()).config(config))
        .mount("/", oauth_runtime::rocket::discovery_routes("/oauth"));
    HttpClient::tracked(rocket).await.expect("valid rocket")
}

fn from(address: &str) -> SocketAddr {
    format!("{address}:40000").parse().unwrap()
}

/// POSTs `body` to the registration endpoint from `address`.
async fn register_from(
    client: &HttpClient,
    body: &Value,
    token: Option<&str>,
    address: &str,
) -> Answer {
    let mut request = client
        .post("/oauth/register")
        .header(ContentType::JSON)
        .remote(from(address))
        .body(body.to_string());
    if let Some(token) = token {
        request = request.header(bearer(token));
    }
    Answer::of(request.dispatch().await).await
}

async fn register(client: &HttpClient, body: &Value) -> Answer {
    register_from(client, body, None, "192.0.2.1").await
}

/// What an MCP client sends (the Python SDK's `OAuthClientMetadata`), unknown members included.
fn mcp_client() -> Value {
    json!({
        "client_name": "MCP client",
        "redirect_uris": [APP_CB],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
        "scope": "profile",
        "application_type": "native",
        "client_uri": "https://mcp.example/",
    })
}

/// The path of a `registration_client_uri`.
fn path_of(answer: &Answer) -> String {
    answer
        .str("registration_client_uri")
        .strip_prefix(ISSUER)
        .expect("on the issuer")
        .to_owned()
}

async fn configuration(
    client: &HttpClient,
    method: &str,
    path: &str,
    token: &str,
    body: Option<&Value>,
) -> Answer {
    let mut request = match method {
        "GET" => client.get(path.to_owned()),
        "PUT" => client.put(path.to_owned()),
        _ => client.delete(path.to_owned()),
    }
    .header(bearer(token));
    if let Some(body) = body {
        request = request.header(ContentType::JSON).body(body.to_string());
    }
    Answer::of(request.dispatch().await).await
}

/// The code flow for a registered public client (PKCE), as alice.
async fn code_flow(client: &HttpClient, client_id: &str, redirect_uri: &str) -> Answer {
    let id = [("client_id", client_id)];
    let authorize = [("client_id", client_id), ("scope", "profile")];
    pkce_code_flow(client, redirect_uri, &authorize, &id, None).await
}

#[rocket::async_test]
async fn registration_is_off_by_default() {
    let client = server_with(config(RegistrationConfig::default())).await;
    assert_eq!(
        register(&client, &mcp_client()).await.status,
        Status::NotFound
    );
    let metadata = client
        .get("/.well-known/oauth-authorization-server")
        .dispatch()
        .await
        .into_string()
        .await
        .unwrap();
    assert!(!metadata.contains("registration_endpoint"), "{metadata}");
}

#[rocket::async_test]
async fn an_mcp_client_registers_and_signs_a_user_in() {
    let client = server_with(config(open())).await;
    let metadata: Value = serde_json::from_str(
        &client
            .get("/.well-known/oauth-authorization-server")
            .dispatch()
            .await
            .into_string()
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        metadata["registration_endpoint"],
        format!("{ISSUER}/oauth/register")
    );

    let answer = register(&client, &mcp_client()).await;
    assert_eq!(answer.status, Status::Created, "{}", answer.json);
    assert_eq!(answer.header("Cache-Control"), Some("no-store"));
    let client_id = answer.str("client_id").to_owned();
    // A public client: no secret. The registered metadata comes back; unknown members do not.
    assert!(answer.json.get("client_secret").is_none());
    assert_eq!(answer.str("token_endpoint_auth_method"), "none");
    assert_eq!(answer.json["redirect_uris"], json!([APP_CB]));
    assert_eq!(answer.str("scope"), "profile");
    assert!(answer.json.get("client_uri").is_none());
    assert!(answer.json["client_id_issued_at"].as_u64().is_some());
    assert!(answer.str("registration_access_token").len() >= 43);
    assert_eq!(
        answer.str("registration_client_uri"),
        format!("{ISSUER}/oauth/register/{client_id}")
    );

    let tokens = code_flow(&client, &client_id, APP_CB).await;
    assert_eq!(tokens.status, Status::Ok, "{}", tokens.json);
    let (me, body) = api(&client, "/api/me", Some(tokens.str("access_token"))).await;
    assert_eq!(me.status, Status::Ok, "{body}");
    assert!(body.contains(&client_id), "{body}");
}

#[rocket::async_test]
async fn a_confidential_client_gets_a_secret_that_works() {
    let client = server_with(config(open())).await;
    let answer = register(
        &client,
        &json!({"redirect_uris": ["https://app.example/cb"], "client_name": "App"}),
    )
    .await;
    assert_eq!(answer.status, Status::Created, "{}", answer.json);
    assert_eq!(
        answer.str("token_endpoint_auth_method"),
        "client_secret_basic"
    );
    assert_eq!(answer.json["client_secret_expires_at"], 0);
    // An omitted scope is all the registrable scope.
    assert_eq!(answer.str("scope"), "email profile");
    let (id, secret) = (answer.str("client_id"), answer.str("client_secret"));
    // Authenticates at the token endpoint (a wrong code, but not a wrong client).
    let tried = post(
        &client,
        "/oauth/token",
        &[("grant_type", "authorization_code"), ("code", "nope")],
        Some(basic(id, secret)),
    )
    .await;
    assert_eq!(tried.error(), "invalid_grant", "{}", tried.json);
}

#[rocket::async_test]
async fn bad_metadata_is_refused_with_the_rfc_7591_errors() {
    let client = server_with(config(open())).await;
    let cases = [
        (
            json!({"redirect_uris": ["http://app.example/cb"]}),
            "invalid_redirect_uri",
        ),
        (json!({"redirect_uris": []}), "invalid_redirect_uri"),
        (
            json!({"redirect_uris": [APP_CB], "scope": "admin"}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": [APP_CB], "grant_types": ["teleport"]}),
            "invalid_client_metadata",
        ),
        (
            json!({"grant_types": ["client_credentials"], "response_types": []}),
            "invalid_client_metadata",
        ),
        (
            json!({"redirect_uris": [APP_CB], "software_statement": "eyJ.x.y"}),
            "unapproved_software_statement",
        ),
        (json!(["not", "an", "object"]), "invalid_client_metadata"),
    ];
    for (body, error) in cases {
        let answer = register(&client, &body).await;
        assert_eq!(answer.status, Status::BadRequest, "{body}");
        assert_eq!(answer.error(), error, "{body}");
    }
}

#[rocket::async_test]
async fn an_initial_access_token_gates_registration() {
    let token = "initial-access-token-0123456789-abcdefghij";
    let client = server_with(config(RegistrationConfig {
        initial_access_token: Some(token.to_owned()),
        ..open()
    }))
    .await;
    for given in [None, Some("wrong-token")] {
        let answer = register_from(&client, &mcp_client(), given, "192.0.2.1").await;
        assert_eq!(answer.status, Status::Unauthorized);
        assert_eq!(answer.error(), "invalid_token");
    }
    let answer = register_from(&client, &mcp_client(), Some(token), "192.0.2.1").await;
    assert_eq!(answer.status, Status::Created, "{}", answer.json);
}

#[rocket::async_test]
async fn registrations_are_rate_limited_per_address() {
    let client = server_with(config(RegistrationConfig {
        max_per_address: 3,
        ..open()
    }))
    .await;
    for _ in 0..3 {
        let answer = register_from(&client, &mcp_client(), None, "198.51.100.7").await;
        assert_eq!(answer.status, Status::Created);
    }
    let refused = register_from(&client, &mcp_client(), None, "198.51.100.7").await;
    assert_eq!(refused.status, Status::TooManyRequests);
    assert!(refused.header("Retry-After").is_some());
    // Another address is not affected.
    let other = register_from(&client, &mcp_client(), None, "198.51.100.8").await;
    assert_eq!(other.status, Status::Created);
}

#[rocket::async_test]
async fn the_configuration_endpoint_reads_updates_and_deletes() {
    let client = server_with(config(open())).await;
    let registered = register(&client, &mcp_client()).await;
    let client_id = registered.str("client_id").to_owned();
    let path = path_of(&registered);
    let first = registered.str("registration_access_token").to_owned();

    // Read (RFC 7592 §2.1): with the token only.
    let read = configuration(&client, "GET", &path, &first, None).await;
    assert_eq!(read.status, Status::Ok, "{}", read.json);
    assert_eq!(read.str("client_id"), client_id);
    assert_eq!(read.str("registration_access_token"), first);
    let wrong = configuration(&client, "GET", &path, "not-the-token", None).await;
    assert_eq!(wrong.status, Status::Unauthorized);
    assert!(wrong
        .header("WWW-Authenticate")
        .unwrap()
        .starts_with("Bearer"));
    let unauthenticated = Answer::of(client.get(path.clone()).dispatch().await).await;
    assert_eq!(unauthenticated.status, Status::Unauthorized);

    // Update (§2.2): new redirect URI; the token rotates.
    let new_cb = "http://127.0.0.1:33419/other";
    let mut update = mcp_client();
    update["client_id"] = json!(client_id);
    update["redirect_uris"] = json!([new_cb]);
    let without_id = configuration(&client, "PUT", &path, &first, Some(&mcp_client())).await;
    assert_eq!(without_id.error(), "invalid_client_metadata");
    let updated = configuration(&client, "PUT", &path, &first, Some(&update)).await;
    assert_eq!(updated.status, Status::Ok, "{}", updated.json);
    assert_eq!(updated.json["redirect_uris"], json!([new_cb]));
    let second = updated.str("registration_access_token").to_owned();
    assert_ne!(second, first);
    let stale = configuration(&client, "GET", &path, &first, None).await;
    assert_eq!(stale.status, Status::Unauthorized, "the old token is dead");
    let tokens = code_flow(&client, &client_id, new_cb).await;
    assert_eq!(tokens.status, Status::Ok, "{}", tokens.json);
    let access = tokens.str("access_token").to_owned();

    // Delete (§2.3): the client is gone and its tokens with it.
    let stale = configuration(&client, "DELETE", &path, &first, None).await;
    assert_eq!(stale.status, Status::Unauthorized);
    let deleted = configuration(&client, "DELETE", &path, &second, None).await;
    assert_eq!(deleted.status, Status::NoContent);
    assert_eq!(
        configuration(&client, "GET", &path, &second, None)
            .await
            .status,
        Status::Unauthorized
    );
    let (me, _) = api(&client, "/api/me", Some(&access)).await;
    assert_eq!(me.status, Status::Unauthorized, "its tokens are revoked");
    let authorize = client
        .get(format!(
            "/oauth/authorize?response_type=code&client_id={client_id}&redirect_uri={}",
            enc(new_cb)
        ))
        .dispatch()
        .await;
    assert_eq!(authorize.status(), Status::BadRequest, "unknown client");
}

#[rocket::async_test]
async fn a_store_without_registrations_refuses_to_launch_with_registration_on() {
    // Clients in the application's own table: registrations have nowhere to go.
    let store = crate::own_tables::sqlite_store().await;
    assert!(!oauth_runtime::Storage::supports_registration(&store));
    let fairing = oauth_runtime::OAuth2::new(store).config(config(open()));
    assert!(launch_fails(rocket::build().attach(fairing)).await);
}
