//! Client ID Metadata Documents: an `https` URL as `client_id`, the client's metadata fetched
//! from it — here from a stub server on loopback, which only the development setting
//! `allow_private_addresses` permits (and, being loopback, over `http`).

use std::time::Duration;

use oauth_runtime::{ClientMetadataDocumentsConfig, Config};
use oauth_tests::stub::{Reply, StubServer};
use rocket::http::Status;
use rocket::local::asynchronous::Client as HttpClient;
use serde_json::json;

use crate::common::*;

const CB: &str = "http://127.0.0.1:48123/callback";

fn documents(allow_private_addresses: bool) -> ClientMetadataDocumentsConfig {
    ClientMetadataDocumentsConfig {
        enabled: true,
        scope: "profile email".to_owned(),
        min_cache_age: 0,
        allow_private_addresses,
        ..ClientMetadataDocumentsConfig::default()
    }
}

async fn server_with(documents: ClientMetadataDocumentsConfig) -> HttpClient {
    let config = Config {
        issuer: Some("https://as.example".to_owned()),
        client_metadata_documents: documents,
        ..Config::default()
    };
    let rocket = app_on(rocket::build(), oauth2(store()).config(config))
        .mount("/", oauth_runtime::rocket::discovery_routes("/oauth"));
    HttpClient::tracked(rocket).await.expect("valid rocket")
}

/// A document for the client `id`, redirecting to `CB`.
fn document(id: &str) -> String {
    json!({
        "client_id": id,
        "client_name": "Stub App",
        "redirect_uris": [CB],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
        "logo_uri": "https://app.example/logo.png",
    })
    .to_string()
}

/// Serves the document of the client `stub.url(path)` at `path`; the client id.
fn serve(stub: &StubServer, path: &str) -> String {
    let id = stub.url(path);
    stub.set(path, Reply::json(document(&id)));
    id
}

/// The consent page data (GET of the authorization endpoint) for `client_id`.
async fn authorize(client: &HttpClient, client_id: &str, redirect_uri: &str) -> Answer {
    let query = form(&[
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", redirect_uri),
        ("scope", "profile"),
        ("code_challenge", CHALLENGE),
        ("code_challenge_method", "S256"),
        ("state", "s1"),
    ]);
    Answer::of(
        client
            .get(format!("/oauth/authorize?{query}"))
            .dispatch()
            .await,
    )
    .await
}

/// The answer is an error shown to the user (never a redirect to the client).
fn shown(answer: &Answer, error: &str, description: &str) {
    assert_eq!(answer.status, Status::BadRequest, "{}", answer.json);
    assert!(answer.header("Location").is_none(), "must not redirect");
    assert_eq!(answer.error(), error, "{}", answer.json);
    let said = answer.json["error_description"]
        .as_str()
        .unwrap_or_default();
    assert!(said.contains(description), "{said}");
}

#[rocket::async_test]
async fn a_client_known_by_its_document_gets_and_uses_tokens() {
    let stub = StubServer::start();
    let id = stub.url("/client.json");
    stub.set(
        "/client.json",
        Reply::json(document(&id)).header("Cache-Control", "max-age=600"),
    );
    let client = server_with(documents(true)).await;

    let metadata = Answer::of(
        client
            .get("/.well-known/oauth-authorization-server")
            .dispatch()
            .await,
    )
    .await;
    assert_eq!(metadata.json["client_id_metadata_document_supported"], true);

    let consent = authorize(&client, &id, CB).await;
    assert_eq!(consent.status, Status::Ok, "{}", consent.json);
    assert_eq!(consent.json["client_id"], id.as_str());
    let tokens = pkce_code_flow(
        &client,
        CB,
        &[("client_id", &id), ("scope", "profile")],
        &[("client_id", &id)],
        None,
    )
    .await;
    assert_eq!(tokens.status, Status::Ok, "{}", tokens.json);
    assert!(tokens.json["refresh_token"].is_string());
    let (me, _) = api(&client, "/api/me", Some(tokens.str("access_token"))).await;
    assert_eq!(me.status, Status::Ok);
    // A refresh needs no secret either: the client is public.
    let refreshed = post(
        &client,
        "/oauth/token",
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", tokens.str("refresh_token")),
            ("client_id", &id),
        ],
        None,
    )
    .await;
    assert_eq!(refreshed.status, Status::Ok, "{}", refreshed.json);
    // max-age=600: fetched once for the consent page, the decision, the code and the refresh.
    assert_eq!(stub.hits("/client.json"), 1);
}

#[rocket::async_test]
async fn a_public_document_client_cannot_present_a_secret_or_skip_pkce() {
    let stub = StubServer::start();
    let id = serve(&stub, "/client.json");
    let client = server_with(documents(true)).await;
    let answer = post(
        &client,
        "/oauth/authorize",
        &[
            ("response_type", "code"),
            ("client_id", &id),
            ("redirect_uri", CB),
            ("decision", "allow"),
        ],
        None,
    )
    .await;
    // RFC 9700 §2.1.1: PKCE is required of public clients.
    assert_eq!(
        answer.location_param("error").as_deref(),
        Some("invalid_request")
    );
    let answer = post(
        &client,
        "/oauth/token",
        &[("grant_type", "client_credentials")],
        Some(basic(&id, "guessed-secret")),
    )
    .await;
    assert_eq!(answer.error(), "invalid_client");
}

#[rocket::async_test]
async fn a_document_for_another_client_id_is_refused() {
    let stub = StubServer::start();
    let id = stub.url("/client.json");
    stub.set(
        "/client.json",
        Reply::json(document(&stub.url("/other.json"))),
    );
    let client = server_with(documents(true)).await;
    shown(
        &authorize(&client, &id, CB).await,
        "invalid_client",
        "is not its URL",
    );
}

#[rocket::async_test]
async fn only_the_documents_redirect_uris_are_accepted() {
    let stub = StubServer::start();
    let id = serve(&stub, "/client.json");
    let client = server_with(documents(true)).await;
    shown(
        &authorize(&client, &id, "http://127.0.0.1:48123/elsewhere").await,
        "invalid_request",
        "redirect_uri is not registered",
    );
}

#[rocket::async_test]
async fn oversize_documents_are_refused() {
    let stub = StubServer::start();
    let id = stub.url("/client.json");
    let mut big: serde_json::Value = serde_json::from_str(&document(&id)).unwrap();
    big["client_name"] = "x".repeat(6 * 1024).into();
    stub.set("/client.json", Reply::json(big.to_string()));
    // Without Content-Length the limit holds while reading.
    let id2 = stub.url("/streamed.json");
    big["client_id"] = id2.clone().into();
    stub.set(
        "/streamed.json",
        Reply::json(big.to_string()).without_length(),
    );
    let client = server_with(documents(true)).await;
    for id in [&id, &id2] {
        shown(
            &authorize(&client, id, CB).await,
            "invalid_client",
            "larger than 5120 bytes",
        );
    }
}

#[rocket::async_test]
async fn private_addresses_are_refused_by_default() {
    let stub = StubServer::start();
    let port = stub.port();
    for path in ["/a.json", "/b.json", "/c.json"] {
        stub.set(path, Reply::json(document(&stub.url(path))));
    }
    let client = server_with(documents(false)).await;
    // An address literal is refused before any connection; so is a name that resolves only
    // to private addresses (checked on the addresses connected to).
    for (id, why) in [
        (
            format!("https://127.0.0.1:{port}/a.json"),
            "private or loopback",
        ),
        (
            format!("https://[::1]:{port}/b.json"),
            "private or loopback",
        ),
        (
            format!("https://localhost:{port}/c.json"),
            "private or loopback",
        ),
        (format!("http://127.0.0.1:{port}/a.json"), "unknown client"),
    ] {
        let answer = authorize(&client, &id, CB).await;
        shown(&answer, "invalid_client", why);
    }
    for path in ["/a.json", "/b.json", "/c.json"] {
        assert_eq!(stub.hits(path), 0, "{path} must not be fetched");
    }
}

#[rocket::async_test]
async fn redirects_wrong_types_errors_and_slow_answers_are_refused() {
    let stub = StubServer::start();
    let target = stub.url("/target.json");
    stub.set("/target.json", Reply::json(document(&target)));
    stub.set(
        "/moved.json",
        Reply::json("").status(302).header("Location", &target),
    );
    stub.set(
        "/html.json",
        Reply::json(document(&stub.url("/html.json"))).header("Content-Type", "text/html"),
    );
    stub.set("/gone.json", Reply::json("{}").status(404));
    stub.set(
        "/slow.json",
        Reply::json(document(&stub.url("/slow.json"))).delayed(Duration::from_secs(3)),
    );
    let client = server_with(ClientMetadataDocumentsConfig {
        timeout: 1,
        ..documents(true)
    })
    .await;
    for (path, why) in [
        ("/moved.json", "redirects are not followed"),
        ("/html.json", "not application/json"),
        ("/gone.json", "404"),
        ("/slow.json", "fetching the document failed"),
        ("/missing.json", "404"),
    ] {
        shown(
            &authorize(&client, &stub.url(path), CB).await,
            "invalid_client",
            why,
        );
    }
    assert_eq!(stub.hits("/target.json"), 0, "the redirect is not followed");
}

#[rocket::async_test]
async fn cache_headers_decide_when_a_document_is_fetched_again() {
    let stub = StubServer::start();
    let fresh = stub.url("/fresh.json");
    let uncached = stub.url("/uncached.json");
    stub.set(
        "/fresh.json",
        Reply::json(document(&fresh)).header("Cache-Control", "public, max-age=3600"),
    );
    stub.set(
        "/uncached.json",
        Reply::json(document(&uncached)).header("Cache-Control", "no-store"),
    );
    let client = server_with(documents(true)).await;
    for _ in 0..3 {
        assert_eq!(authorize(&client, &fresh, CB).await.status, Status::Ok);
        assert_eq!(authorize(&client, &uncached, CB).await.status, Status::Ok);
    }
    assert_eq!(stub.hits("/fresh.json"), 1);
    assert_eq!(stub.hits("/uncached.json"), 3);
    // A change to an uncached document applies at once: its redirect URI is withdrawn.
    let mut changed: serde_json::Value = serde_json::from_str(&document(&uncached)).unwrap();
    changed["redirect_uris"] = json!(["http://127.0.0.1:48123/new"]);
    stub.set(
        "/uncached.json",
        Reply::json(changed.to_string()).header("Cache-Control", "no-store"),
    );
    shown(
        &authorize(&client, &uncached, CB).await,
        "invalid_request",
        "redirect_uri is not registered",
    );
}

#[rocket::async_test]
async fn url_client_ids_are_unknown_clients_unless_enabled() {
    let stub = StubServer::start();
    let id = serve(&stub, "/client.json");
    let client = server_with(ClientMetadataDocumentsConfig::default()).await;
    shown(
        &authorize(&client, &id, CB).await,
        "invalid_client",
        "unknown client",
    );
    assert_eq!(stub.hits("/client.json"), 0);
    let metadata = Answer::of(
        client
            .get("/.well-known/oauth-authorization-server")
            .dispatch()
            .await,
    )
    .await;
    assert_eq!(metadata.status, Status::Ok);
    assert!(metadata
        .json
        .get("client_id_metadata_document_supported")
        .is_none());
}

#[rocket::async_test]
async fn enabling_needs_a_scope() {
    let config = Config {
        client_metadata_documents: ClientMetadataDocumentsConfig {
            scope: String::new(),
            ..documents(false)
        },
        ..Config::default()
    };
    let error = config.validate().unwrap_err();
    assert_eq!(error.key, "client_metadata_documents.scope");
}
