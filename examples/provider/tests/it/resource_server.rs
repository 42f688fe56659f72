//! The resource-server example (`examples/resource-server`) protecting its route with tokens
//! from the provider binary: JWT access tokens checked against the provider's published keys,
//! opaque ones by introspection, as a newcomer configures it (`ROCKET_OAUTH2_*` for the
//! provider, `oauth2_resource_server` for the API).

use rocket::http::{Header, Status};
use rocket::local::asynchronous::Client;
use serde_json::Value;

use crate::harness::*;

const API: &str = "http://127.0.0.1:8001";

/// The notes API, configured for `provider` as its README section says.
async fn notes_api(provider: &Provider, client: Option<(&str, &str)>) -> Client {
    let mut figment = resource_server::figment()
        .merge(("log_level", "off"))
        .merge(("oauth2_resource_server.issuer", provider.base.as_str()))
        .merge(("oauth2_resource_server.introspection_cache", 0));
    if let Some((id, secret)) = client {
        figment = figment
            .merge(("oauth2_resource_server.client_id", id))
            .merge(("oauth2_resource_server.client_secret", secret));
    }
    Client::tracked(resource_server::rocket(figment))
        .await
        .expect("the notes API starts")
}

/// The demo user's token from the demo client (password grant), with `scope`.
async fn demo_token(provider: &Provider, demo: &Value, scope: &str) -> String {
    let answer = demo_token_request(
        provider,
        demo,
        &[
            ("grant_type", "password"),
            ("username", "demo"),
            ("password", "demo-password"),
            ("scope", scope),
            // RFC 8707: a token for the notes API.
            ("resource", API),
        ],
    )
    .await;
    answer["access_token"].as_str().expect("a token").to_owned()
}

async fn get_notes(api: &Client, token: Option<&str>) -> (Status, Value) {
    let mut request = api.get("/api/notes");
    if let Some(token) = token {
        request = request.header(Header::new("Authorization", format!("Bearer {token}")));
    }
    let response = request.dispatch().await;
    let status = response.status();
    let body = response.into_string().await.unwrap_or_default();
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_notes_api_accepts_the_providers_jwt_access_tokens_without_its_database() {
    let provider = Provider::start_with(&[("ROCKET_OAUTH2_ACCESS_TOKEN_FORMAT", "jwt")]).await;
    let demo = provider.demo();
    let api = notes_api(&provider, None).await;

    let token = demo_token(&provider, &demo, "profile").await;
    assert_eq!(token.split('.').count(), 3, "a JWT: {token}");
    let (status, notes) = get_notes(&api, Some(&token)).await;
    assert_eq!(status, Status::Ok, "{notes}");
    assert_eq!(notes["client_id"], demo["client_id"]);
    assert_ne!(notes["owner"], "a service");

    assert_eq!(get_notes(&api, None).await.0, Status::Unauthorized);
    // RFC 9728: the API says which authorization server to ask.
    let metadata = api
        .get("/.well-known/oauth-protected-resource")
        .dispatch()
        .await
        .into_string()
        .await
        .unwrap();
    let metadata: Value = serde_json::from_str(&metadata).unwrap();
    assert_eq!(metadata["resource"], API);
    assert_eq!(metadata["authorization_servers"][0], provider.base.as_str());
    let email_only = demo_token(&provider, &demo, "email").await;
    assert_eq!(
        get_notes(&api, Some(&email_only)).await.0,
        Status::Forbidden
    );
    // One changed character and the signature no longer holds.
    let mut tampered = token.clone();
    tampered.push('x');
    assert_eq!(
        get_notes(&api, Some(&tampered)).await.0,
        Status::Unauthorized
    );
}

#[tokio::test]
async fn the_notes_api_introspects_the_providers_opaque_tokens() {
    let provider = Provider::start().await;
    let demo = provider.demo();
    let out = provider.cli(&[
        "clients",
        "create",
        "--resource-server",
        "--json",
        r#"{"client_name":"Notes API","grant_types":["client_credentials"],"response_types":[]}"#,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let registered: Value = serde_json::from_slice(&out.stdout).unwrap();
    let credentials = (
        registered["client_id"].as_str().unwrap(),
        registered["client_secret"].as_str().unwrap(),
    );
    let api = notes_api(&provider, Some(credentials)).await;

    let token = demo_token(&provider, &demo, "profile").await;
    let (status, notes) = get_notes(&api, Some(&token)).await;
    assert_eq!(status, Status::Ok, "{notes}");
    assert_eq!(notes["client_id"], demo["client_id"]);

    // Revoked at the provider (RFC 7009): refused at once (no introspection cache here).
    let revoked = reqwest::Client::new()
        .post(provider.url("/oauth/revoke"))
        .basic_auth(
            demo["client_id"].as_str().unwrap(),
            demo["client_secret"].as_str(),
        )
        .form(&[("token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 200);
    assert_eq!(get_notes(&api, Some(&token)).await.0, Status::Unauthorized);
}

/// The notes API listening on `port`, for `provider`; stops when the handle drops.
async fn serve_notes_api(provider: &Provider, port: u16) -> rocket::Shutdown {
    let figment = resource_server::figment()
        .merge(("port", port))
        .merge(("log_level", "off"))
        .merge(("shutdown.ctrlc", false))
        .merge(("oauth2_resource_server.issuer", provider.base.as_str()));
    let rocket = resource_server::rocket(figment)
        .ignite()
        .await
        .expect("ignite");
    let shutdown = rocket.shutdown();
    tokio::spawn(rocket.launch());
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return shutdown;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("the notes API did not start");
}

#[tokio::test]
async fn the_readme_resource_server_section_runs_as_printed() {
    let section = readme_section("Resource servers elsewhere");
    let blocks = oauth_tests::shell::blocks(&section, "sh");
    assert_eq!(
        blocks.len(),
        1,
        "the section's blocks changed: update this test"
    );
    // The provider as the block starts it (its variables), the API as `cargo run` would.
    let provider = Provider::start_with(&[("ROCKET_OAUTH2_ACCESS_TOKEN_FORMAT", "jwt")]).await;
    assert!(blocks[0].contains(&format!("-d resource={API}")));
    let api_port = free_port();
    let shutdown = serve_notes_api(&provider, api_port).await;
    let terminal = oauth_tests::shell::Terminal {
        dir: provider.dir.clone(),
        port: provider.base.rsplit(':').next().unwrap().parse().unwrap(),
        commands: vec![
            (
                "cargo run -p provider -- serve &".to_owned(),
                ":".to_owned(),
            ),
            ("cargo run -p resource-server &".to_owned(), ":".to_owned()),
            ("cargo run -p provider --".to_owned(), BIN.to_owned()),
            (
                "127.0.0.1:8001/api".to_owned(),
                format!("127.0.0.1:{api_port}/api"),
            ),
        ],
        variables: vec!["ID", "SECRET", "TOKEN"],
    };
    // The API answers on this test's runtime while bash runs the block.
    let block = blocks[0].clone();
    let printed = tokio::task::spawn_blocking(move || terminal.run(&block))
        .await
        .unwrap();
    shutdown.notify();
    let notes: Value = serde_json::from_str(&printed).expect(&printed);
    assert!(
        notes["owner"].is_string() && notes["notes"][0].is_string(),
        "{notes}"
    );
    assert_ne!(notes["owner"], "a service");
}
