//! The command line: users, clients, and their errors.

use serde_json::Value;

use crate::harness::*;

#[tokio::test]
async fn users_create_prints_the_user() {
    let provider = Provider::start().await;
    let out = provider.cli(&["users", "create", "carol", "--password", "s3cret"]);
    assert!(out.status.success());
    let user: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(user["username"], "carol");
    let again = provider.cli(&["users", "create", "carol", "--password", "other"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("carol"));
}

#[tokio::test]
async fn clients_create_prints_the_registration() {
    let provider = Provider::start().await;
    let out = provider.cli(&[
        "clients",
        "create",
        "--json",
        r#"{"client_name":"Billing","grant_types":["client_credentials"],"response_types":[],"scope":"invoices","token_endpoint_auth_method":"client_secret_post"}"#,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let client: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(client["client_name"], "Billing");
    assert_eq!(client["token_endpoint_auth_method"], "client_secret_post");
    let (id, secret) = (
        client["client_id"].as_str().unwrap(),
        client["client_secret"].as_str().unwrap(),
    );
    let token: Value = reqwest::Client::new()
        .post(provider.url("/oauth/token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", id),
            ("client_secret", secret),
            ("scope", "invoices"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(token["scope"], "invoices");

    let public = provider.cli(&[
        "clients",
        "create",
        "--json",
        r#"{"redirect_uris":["http://127.0.0.1:7000/cb"],"token_endpoint_auth_method":"none"}"#,
    ]);
    let public: Value = serde_json::from_slice(&public.stdout).unwrap();
    assert!(public.get("client_secret").is_none());
}

#[tokio::test]
async fn invalid_metadata_is_an_error_and_a_non_zero_exit() {
    let provider = Provider::start().await;
    for json in [
        r#"{"redirect_uris":["http://evil.example/cb"]}"#,
        r#"{"redirect_uris":["https://a.example/cb#x"]}"#,
        r#"{"grant_types":["teleport"]}"#,
        r#"{"token_endpoint_auth_method":"none","grant_types":["client_credentials"],"response_types":[]}"#,
        r#"{"redirect_uris": 5}"#,
        "not json",
    ] {
        let out = provider.cli(&["clients", "create", "--json", json]);
        assert!(!out.status.success(), "{json}");
        assert!(out.stdout.is_empty(), "{json}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("invalid_"), "{json}: {stderr}");
    }
}

#[tokio::test]
async fn keys_rotate_publishes_a_new_signing_key_beside_the_old() {
    let provider = Provider::start().await;
    let first = provider.cli(&["keys", "rotate"]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let first: Value = serde_json::from_slice(&first.stdout).unwrap();
    let second: Value = serde_json::from_slice(&provider.cli(&["keys", "rotate"]).stdout).unwrap();
    assert_ne!(first["signing"], second["signing"]);
    assert_eq!(second["published"].as_array().unwrap().len(), 2);
    // The server (which had not loaded keys yet) publishes both.
    let jwks: Value = reqwest::get(provider.url("/oauth/jwks"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kids: Vec<&str> = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|k| k["kid"].as_str())
        .collect();
    assert!(kids.contains(&first["signing"].as_str().unwrap()), "{jwks}");
    assert!(
        kids.contains(&second["signing"].as_str().unwrap()),
        "{jwks}"
    );
}
