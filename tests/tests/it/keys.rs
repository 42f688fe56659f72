//! Signing keys (issue 14, part 1): made on first use, kept in storage, published as a JWK Set
//! that a JOSE library we did not write (`jsonwebtoken`) verifies the server's JWTs with, and
//! rotated with the previous key published until it retires.

use std::sync::Arc;

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{decode, decode_header, DecodingKey, Validation};
use oauth_runtime::keys::SigningAlgorithm;
use oauth_runtime::{AuthorizationServer, Config, MemoryStore, SqliteStore, Storage};
use rocket::http::Status;
use serde::{Deserialize, Serialize};

use crate::common::*;

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Claims {
    sub: String,
    aud: String,
    exp: u64,
}

fn claims() -> Claims {
    Claims {
        sub: "alice".into(),
        aud: "notes".into(),
        exp: 4_000_000_000,
    }
}

fn server_on(storage: Arc<dyn Storage>, config: Config) -> AuthorizationServer {
    AuthorizationServer::with_config(storage, config).unwrap()
}

/// Verifies `jwt` with the key of its `kid` in `jwks`, as a relying party would.
fn verify(jwt: &str, jwks: &JwkSet) -> Result<Claims, String> {
    let header = decode_header(jwt).map_err(|e| e.to_string())?;
    let kid = header.kid.ok_or("no kid")?;
    let jwk = jwks
        .find(&kid)
        .ok_or(format!("kid {kid} is not published"))?;
    let key = DecodingKey::from_jwk(jwk).map_err(|e| e.to_string())?;
    let mut validation = Validation::new(header.alg);
    validation.set_audience(&["notes"]);
    decode::<Claims>(jwt, &key, &validation)
        .map(|data| data.claims)
        .map_err(|e| e.to_string())
}

#[rocket::async_test]
async fn the_jwks_endpoint_publishes_the_key_that_signs() {
    let client = client().await;
    let response = client.get("/oauth/jwks").dispatch().await;
    assert_eq!(response.status(), Status::Ok);
    let cache = response
        .headers()
        .get_one("Cache-Control")
        .unwrap()
        .to_owned();
    assert!(cache.contains("max-age"), "{cache}");
    let jwks: JwkSet = serde_json::from_str(&response.into_string().await.unwrap()).unwrap();
    assert_eq!(jwks.keys.len(), 1);
    let text = serde_json::to_value(&jwks).unwrap();
    let key = &text["keys"][0];
    assert_eq!(
        (key["kty"].as_str(), key["alg"].as_str()),
        (Some("RSA"), Some("RS256"))
    );
    assert_eq!(key["use"], "sig");
    for private in ["d", "p", "q", "dp", "dq", "qi"] {
        assert!(key.get(private).is_none(), "{key}");
    }
    // The same key signs what the server signs.
    let server = client.rocket().state::<AuthorizationServer>().unwrap();
    let jwt = server.sign_jwt("JWT", &claims()).await.unwrap();
    assert_eq!(verify(&jwt, &jwks), Ok(claims()));
    assert_eq!(decode_header(&jwt).unwrap().typ.as_deref(), Some("JWT"));
    // A tampered payload fails.
    let mut parts: Vec<String> = jwt.split('.').map(str::to_owned).collect();
    parts[1] = parts[1].replace('A', "B");
    assert!(verify(&parts.join("."), &jwks).is_err());
}

#[rocket::async_test]
async fn es256_keys_when_configured() {
    let config = Config {
        signing: oauth_runtime::SigningConfig {
            algorithm: SigningAlgorithm::ES256,
            retire_after: 0,
        },
        ..Config::default()
    };
    let server = server_on(Arc::new(MemoryStore::new()), config);
    let keys = server.signing_keys().await.unwrap();
    assert_eq!(keys.signing_algorithm(), SigningAlgorithm::ES256);
    let jwks = keys.jwks();
    let key = serde_json::to_value(&jwks.keys[0]).unwrap();
    assert_eq!(
        (key["kty"].as_str(), key["crv"].as_str()),
        (Some("EC"), Some("P-256"))
    );
    assert!(key.get("d").is_none());
    let jwt = server.sign_jwt("JWT", &claims()).await.unwrap();
    assert_eq!(verify(&jwt, &jwks), Ok(claims()));
}

#[rocket::async_test]
async fn rotation_keeps_old_tokens_valid_until_the_old_key_retires() {
    let storage: Arc<dyn Storage> = Arc::new(MemoryStore::new());
    let config = Config {
        signing: oauth_runtime::SigningConfig {
            algorithm: SigningAlgorithm::ES256,
            retire_after: 2,
        },
        ..Config::default()
    };
    let server = server_on(storage.clone(), config.clone());
    let before = server.sign_jwt("JWT", &claims()).await.unwrap();
    let old_kid = decode_header(&before).unwrap().kid.unwrap();
    let rotated = server.rotate_signing_key().await.unwrap();
    assert_ne!(rotated.signing_kid(), old_kid);
    let after = server.sign_jwt("JWT", &claims()).await.unwrap();
    assert_eq!(
        decode_header(&after).unwrap().kid.as_deref(),
        Some(rotated.signing_kid())
    );
    let jwks = rotated.jwks();
    assert_eq!(jwks.keys.len(), 2, "the previous key is still published");
    assert_eq!(verify(&before, &jwks), Ok(claims()));
    assert_eq!(verify(&after, &jwks), Ok(claims()));
    // Once retired (here after 2 s), the old key is no longer published and housekeeping
    // deletes it; tokens it signed no longer verify.
    rocket::tokio::time::sleep(std::time::Duration::from_millis(3100)).await;
    let fresh = server_on(storage.clone(), config);
    let jwks = fresh.signing_keys().await.unwrap().jwks();
    assert_eq!(jwks.keys.len(), 1);
    assert!(verify(&before, &jwks).is_err());
    assert_eq!(verify(&after, &jwks), Ok(claims()));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    storage.purge_expired(now).await.unwrap();
    assert_eq!(storage.signing_keys().await.unwrap().len(), 1);
}

#[rocket::async_test]
async fn keys_live_in_the_database_and_every_instance_signs_with_them() {
    let url = crate::sql_server::sqlite_url();
    let first = SqliteStore::connect(&url, &Default::default())
        .await
        .unwrap();
    let a = server_on(Arc::new(first), Config::default());
    let kid = a.signing_keys().await.unwrap().signing_kid().to_owned();
    let stored = a.storage().signing_keys().await.unwrap();
    assert_eq!(stored.len(), 1);
    assert!(
        !format!("{stored:?}").contains("PRIVATE KEY"),
        "Debug hides the key"
    );
    // A restart (or a second instance) on the same database signs with the same key.
    let second = SqliteStore::connect(&url, &Default::default())
        .await
        .unwrap();
    let b = server_on(Arc::new(second), Config::default());
    assert_eq!(b.signing_keys().await.unwrap().signing_kid(), kid);
    let jwt = b.sign_jwt("JWT", &claims()).await.unwrap();
    assert_eq!(
        verify(&jwt, &a.signing_keys().await.unwrap().jwks()),
        Ok(claims())
    );
    if let Some(url) = crate::pg::fresh_database().await {
        let pg = || async {
            let store = oauth_runtime::PostgresStore::connect(&url, &Default::default())
                .await
                .unwrap();
            server_on(Arc::new(store), Config::default())
        };
        let (a, b) = (pg().await, pg().await);
        let kid = a.signing_keys().await.unwrap().signing_kid().to_owned();
        assert_eq!(b.signing_keys().await.unwrap().signing_kid(), kid);
    }
}
