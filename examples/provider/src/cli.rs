//! The commands.

use oauth_runtime::{grants, ClientMetadata, OAuth2};
use rocket::figment::Figment;
use serde_json::json;

use crate::db::Db;

pub const DEMO_USER: &str = "demo";
pub const DEMO_PASSWORD: &str = "demo-password";
pub const DEMO_REDIRECT: &str = "http://127.0.0.1:9000/callback";

/// The Rocket secret key (for the private session cookie): `ROCKET_SECRET_KEY`, else a key kept
/// in `provider.secret` beside the working directory's database, made on first use. The file
/// is readable by its owner only (0600): whoever reads the key can forge a session.
fn secret_key() -> Result<String, String> {
    if let Ok(key) = std::env::var("ROCKET_SECRET_KEY") {
        return Ok(key);
    }
    let path = std::path::Path::new("provider.secret");
    if let Ok(key) = std::fs::read_to_string(path) {
        crate::db::restrict_to_owner(path)?;
        return Ok(key.trim().to_owned());
    }
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    use base64::Engine as _;
    let key = base64::engine::general_purpose::STANDARD.encode(bytes);
    use std::io::Write as _;
    crate::db::create_private(path)
        .and_then(|mut file| file.write_all(key.as_bytes()))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(key)
}

/// The notes API of `examples/resource-server`: a resource this provider issues tokens for.
const NOTES_API: &str = "http://127.0.0.1:8001";

/// What a dynamically registered client may ask for.
const REGISTRABLE_SCOPE: &str = "openid profile email";

pub async fn serve(port: Option<u16>) -> Result<(), String> {
    let db = Db::open().await?;
    let port = match port {
        Some(port) => port,
        None => std::env::var("ROCKET_PORT")
            .ok()
            .and_then(|p| p.parse().ok())
            .unwrap_or(8000),
    };
    let issuer = format!("http://127.0.0.1:{port}");
    let figment = Figment::from(rocket::Config::figment())
        .merge(("address", "127.0.0.1"))
        // The client address is the connection's peer: Rocket's `X-Real-IP` default would let
        // anyone choose the address the throttle counts. Behind a reverse proxy, list it in
        // `ROCKET_OAUTH2_TRUSTED_PROXIES` instead (e.g. '["127.0.0.1"]').
        .merge(("ip_header", false))
        .merge(("port", port))
        .merge(("secret_key", secret_key()?))
        .merge(("oauth2.issuer", issuer.as_str()))
        // MCP-ready (README, "MCP clients"): `/api` is a protected resource with RFC 9728
        // metadata, and tokens carry their audience (RFC 8707) — `/api` by default, or the
        // notes API of examples/resource-server when a client asks for it with `resource`.
        // Variables (`ROCKET_OAUTH2_RESOURCE`, ...) and Rocket.toml override these.
        .join(("oauth2.resource", format!("{issuer}/api")))
        .join(("oauth2.resources", [NOTES_API]))
        .join(("oauth2.resource_scopes", ["profile"]))
        .join(("oauth2.resource_name", "Example provider API"))
        // Dynamic client registration (RFC 7591 / 7592), open, rate-limited per address.
        .join(("oauth2.registration.enabled", true))
        .join(("oauth2.registration.scope", REGISTRABLE_SCOPE))
        // Client ID Metadata Documents: an https URL as client id, its metadata fetched from
        // public addresses only. To try one served from this machine, set
        // ROCKET_OAUTH2_CLIENT_METADATA_DOCUMENTS__ALLOW_PRIVATE_ADDRESSES=true.
        .join(("oauth2.client_metadata_documents.enabled", true))
        .join(("oauth2.client_metadata_documents.scope", REGISTRABLE_SCOPE));
    let fairing = OAuth2::with_shared_storage(db.storage()).grants(grants![
        AuthorizationCode,
        Implicit,
        Password,
        ClientCredentials,
        RefreshToken,
    ]);
    println!(
        "\nOAuth 2.0 provider on {issuer}\n\
         \n  metadata:  {issuer}/.well-known/oauth-authorization-server\
         \n  database:  {}\
         \n\nTo try it, in another terminal:\
         \n  cargo run -p provider -- demo   # creates user `{DEMO_USER}` and a client, prints curl lines\n",
        crate::db::database_url()
    );
    crate::routes::mount(rocket::custom(figment), fairing, issuer)
        .launch()
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

pub async fn create_user(
    name: &str,
    password: &str,
    email: Option<&str>,
    full_name: Option<&str>,
) -> Result<(), String> {
    if name.is_empty() || password.is_empty() {
        return Err("a user needs a name and a password".to_owned());
    }
    let db = Db::open().await?;
    let owner = db.create_user(name, password, email, full_name).await?;
    println!(
        "{}",
        json!({ "id": owner.id, "username": owner.username, "claims": owner.claims })
    );
    Ok(())
}

/// Registers a client from RFC 7591 metadata and prints it as JSON (RFC 7591 §3.2.1 shape).
pub async fn create_client(metadata: &str, resource_server: bool) -> Result<(), String> {
    let metadata: ClientMetadata =
        serde_json::from_str(metadata).map_err(|e| format!("invalid_client_metadata: {e}"))?;
    let (mut client, secret) = metadata.register().map_err(|e| e.to_string())?;
    client.resource_server = resource_server;
    let db = Db::open().await?;
    db.create_client(&client).await?;
    println!("{}", registration_json(&client, secret.as_deref()));
    Ok(())
}

fn registration_json(client: &oauth_runtime::Client, secret: Option<&str>) -> serde_json::Value {
    let mut out = json!({
        "client_id": client.client_id,
        "client_id_issued_at": unix_now(),
        "client_name": client.client_name,
        "redirect_uris": client.redirect_uris,
        "grant_types": client.grant_types.iter().map(|g| g.as_str()).collect::<Vec<_>>(),
        "response_types": client.response_types.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
        "scope": client.scope.to_string(),
        "token_endpoint_auth_method": client.token_endpoint_auth_method.as_str(),
    });
    if let Some(secret) = secret {
        out["client_secret"] = json!(secret);
        out["client_secret_expires_at"] = json!(0);
    }
    out
}

/// Creates the demo user (if missing) and a new demo client; prints how to use them.
pub async fn demo() -> Result<(), String> {
    let db = Db::open().await?;
    let existing = db
        .storage()
        .authenticate_user(DEMO_USER, DEMO_PASSWORD)
        .await
        .ok()
        .flatten();
    if existing.is_none() {
        db.create_user(
            DEMO_USER,
            DEMO_PASSWORD,
            Some("demo@example.com"),
            Some("Demo User"),
        )
        .await?;
    }
    let metadata: ClientMetadata = serde_json::from_value(json!({
        "client_name": "Demo App",
        "redirect_uris": [DEMO_REDIRECT],
        "grant_types": ["authorization_code", "refresh_token", "password", "client_credentials", "implicit"],
        "response_types": ["code", "token"],
        "scope": "openid profile email",
    }))
    .map_err(|e| e.to_string())?;
    let (client, secret) = metadata.register().map_err(|e| e.to_string())?;
    db.create_client(&client).await?;
    let secret = secret.unwrap_or_default();
    let id = &client.client_id;
    println!("{}", registration_json(&client, Some(&secret)));
    eprintln!(
        "\nDemo user `{DEMO_USER}` / `{DEMO_PASSWORD}`; demo client `{id}`.\n\
         Get a token (password grant) and call the API:\n\
         \n  TOKEN=$(curl -s -u '{id}:{secret}' -d grant_type=password -d username={DEMO_USER} \
         -d password={DEMO_PASSWORD} -d scope=profile http://127.0.0.1:8000/oauth/token | \
         python3 -c 'import json,sys; print(json.load(sys.stdin)[\"access_token\"])')\
         \n  curl -s -H \"Authorization: Bearer $TOKEN\" http://127.0.0.1:8000/api/me\n\
         \nOr sign in through the browser (authorization code with PKCE). Make a fresh PKCE pair\
         \n(RFC 7636 §4.1-4.2) and open the authorization URL:\
         \n  VERIFIER=$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')\
         \n  CHALLENGE=$(python3 -c 'import base64,hashlib,sys; print(base64.urlsafe_b64encode(\
         hashlib.sha256(sys.argv[1].encode()).digest()).rstrip(b\"=\").decode())' \"$VERIFIER\")\
         \n  echo \"http://127.0.0.1:8000/oauth/authorize?response_type=code&client_id={id}&scope=profile\
         &state=xyz&code_challenge=$CHALLENGE&code_challenge_method=S256\"\n"
    );
    Ok(())
}

/// Makes a new signing key with the configured algorithm (`ROCKET_OAUTH2_SIGNING__*`); prints
/// `{"signing": kid, "published": [kids]}`.
pub async fn rotate_keys() -> Result<(), String> {
    let db = Db::open().await?;
    let config = OAuth2::read_config(&rocket::Config::figment()).map_err(|e| e.to_string())?;
    let server = oauth_runtime::AuthorizationServer::with_config(db.storage(), config)
        .map_err(|e| e.to_string())?;
    let keys = server
        .rotate_signing_key()
        .await
        .map_err(|e| e.to_string())?;
    let published: Vec<String> = keys
        .jwks()
        .keys
        .into_iter()
        .filter_map(|k| k.common.key_id)
        .collect();
    println!(
        "{}",
        json!({ "signing": keys.signing_kid(), "published": published })
    );
    Ok(())
}

/// Seconds since the Unix epoch.
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
